#ifndef INFERSCOPE_TESTS_SUPPORT_JSON_NEAR_H_
#define INFERSCOPE_TESTS_SUPPORT_JSON_NEAR_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace inferscope::testing {

// Compares two JSON texts character by character, except that numbers are compared as
// values: equal within `rel` relative error (0: exactly). Reports the first difference with
// some context. Meant for reports rendered by the same writer, where only floating-point
// rounding may differ.
inline ::testing::AssertionResult JsonNear(const std::string& a, const std::string& b, double rel) {
  auto number_at = [](const std::string& s, size_t i) {
    return std::isdigit(static_cast<unsigned char>(s[i])) ||
           (s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
  };
  auto context = [](const std::string& s, size_t i) {
    const size_t from = i > 60 ? i - 60 : 0;
    return s.substr(from, 120);
  };
  size_t i = 0, j = 0;
  bool in_string = false;
  while (i < a.size() && j < b.size()) {
    if (!in_string && number_at(a, i) && number_at(b, j)) {
      char* end_a = nullptr;
      char* end_b = nullptr;
      const double x = std::strtod(a.c_str() + i, &end_a);
      const double y = std::strtod(b.c_str() + j, &end_b);
      const double tol = rel * std::max(std::fabs(x), std::fabs(y));
      if (!(x == y || std::fabs(x - y) <= tol)) {
        return ::testing::AssertionFailure() << "numbers differ: " << x << " vs " << y << "\n  "
                                             << context(a, i) << "\n  " << context(b, j);
      }
      i = static_cast<size_t>(end_a - a.c_str());
      j = static_cast<size_t>(end_b - b.c_str());
      continue;
    }
    if (a[i] != b[j]) {
      return ::testing::AssertionFailure()
             << "texts differ at " << i << ":\n  " << context(a, i) << "\n  " << context(b, j);
    }
    if (a[i] == '"' && (i == 0 || a[i - 1] != '\\')) in_string = !in_string;
    ++i;
    ++j;
  }
  if (i != a.size() || j != b.size()) {
    return ::testing::AssertionFailure() << "lengths differ: " << a.size() << " vs " << b.size();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_SUPPORT_JSON_NEAR_H_
