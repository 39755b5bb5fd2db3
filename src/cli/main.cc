#include "cli/app.h"

int main(int argc, char** argv) { return inferscope::RunApp(argc, argv); }
