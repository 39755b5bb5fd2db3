#include <gtest/gtest.h>

#include "cli_runner.h"

namespace inferscope {
namespace {

using testing::RunCli;

TEST(DetectCommandTest, BadFlagsExitWithTwoAndSayWhy) {
  auto r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --format xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid --format 'xml'"), std::string::npos) << r.err;
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --step 1parsec");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid --step"), std::string::npos) << r.err;
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --plot out.gif");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".svg or .png"), std::string::npos) << r.err;
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --direction sideways");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("invalid direction 'sideways'"), std::string::npos) << r.err;
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --detectors 'robust_z windw=3'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("windw"), std::string::npos) << r.err;
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --from 2024-01-02 --to 2024-01-01");
  EXPECT_EQ(r.exit_code, 2);
  r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --basic-auth nocolon");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("USER:PASSWORD_FILE"), std::string::npos) << r.err;
  r = RunCli("detect --query up");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(DetectCommandTest, UnreachableServerExitsWithOneNamingTheServer) {
  auto r = RunCli("detect --prometheus http://127.0.0.1:1 --query up --since 1h");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("query failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

TEST(DetectCommandTest, HelpListsTheOptionsAnSreNeeds) {
  auto r = RunCli("detect --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag :
       {"--prometheus", "--query", "--since", "--from", "--to", "--step", "--format", "--report",
        "--plot", "--write-back", "--detectors", "--direction", "--min-deviation",
        "--min-rel-deviation", "--bearer-token-file", "--basic-auth", "--ca-file",
        "--insecure-skip-verify", "--timings"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST(WatchCommandTest, MissingOrInvalidConfigExitsWithTwo) {
  testing::TempDir tmp;
  auto r = RunCli("watch --config '" + (tmp / "none.yaml") + "' --once");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
  testing::WriteFile(tmp / "w.yaml", "prometheus: {url: http://127.0.0.1:1}\nqueries: []\n");
  r = RunCli("watch --config '" + (tmp / "w.yaml") + "' --once");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("at least one query"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace inferscope
