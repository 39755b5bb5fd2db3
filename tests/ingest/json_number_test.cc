#include "ingest/json_number.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace inferscope {
namespace {

// The number followed by a delimiter and padding, as the scanner sees it in a line.
struct Padded {
  explicit Padded(const std::string& text) : bytes(text + ",\"x\":1}\n" + std::string(64, '\0')) {}
  const char* data() const { return bytes.c_str(); }
  std::string bytes;
};

// JsonNumber::Scan of `text`, with `end` turned into a length (0: refused).
struct Scanned {
  JsonNumber number;
  size_t length = 0;
};

Scanned ScanText(const std::string& text) {
  Padded p(text);
  Scanned s{JsonNumber::Scan(p.data()), 0};
  if (s.number.end != nullptr) s.length = static_cast<size_t>(s.number.end - p.data());
  s.number.end = nullptr;  // pointed into `p`
  return s;
}

// strtod is the reference: correctly rounded, ties to even (glibc).
double Reference(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

void ExpectSameBits(double got, double want, const std::string& text) {
  uint64_t a, b;
  std::memcpy(&a, &got, 8);
  std::memcpy(&b, &want, 8);
  EXPECT_EQ(a, b) << text << ": got " << got << ", strtod " << want;
}

void ExpectLikeStrtod(const std::string& text) {
  Scanned n = ScanText(text);
  ASSERT_EQ(n.length, text.size()) << text;
  ExpectSameBits(n.number.value, Reference(text), text);
}

TEST(JsonNumberTest, ShortDecimalsOfTheFastPathMatchStrtodExactly) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300'000; ++i) {
    const int int_digits = 1 + static_cast<int>(rng() % 7);
    const int frac_digits = 1 + static_cast<int>(rng() % 7);
    std::string text = (rng() & 1) ? "-" : "";
    text += static_cast<char>('1' + rng() % 9);
    for (int d = 1; d < int_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    text += '.';
    for (int d = 0; d < frac_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    ExpectLikeStrtod(text);
    if (HasFailure()) return;
  }
}

// Short decimals are read from one 8-byte word with the dot squeezed out; longer ones from a
// second word. Every split of up to 15 digits around the dot, with each delimiter that can
// follow a number, must end right after the last digit with strtod's value.
TEST(JsonNumberTest, DecimalsEndRightAfterTheirLastDigitWhateverFollows) {
  const std::string digits = "987654321098765";
  for (size_t int_digits = 1; int_digits <= 7; ++int_digits) {
    for (size_t frac_digits = 1; frac_digits <= 8; ++frac_digits) {
      const std::string text =
          digits.substr(0, int_digits) + "." + digits.substr(int_digits, frac_digits);
      // The number ends at the first byte that cannot continue it; what that byte may be is
      // the caller's business.
      for (const char* after : {",", "}", "]", " ", "\t", "\r", "\n", "\"", "x", "-", "."}) {
        const std::string bytes = text + after + "1}\n" + std::string(64, '\0');
        JsonNumber n = JsonNumber::Scan(bytes.c_str());
        ASSERT_EQ(n.end, bytes.c_str() + text.size()) << text << after;
        EXPECT_EQ(JsonNumber::Skip(bytes.c_str()), n.end) << text << after;
        ExpectSameBits(n.value, Reference(text), text);
        EXPECT_TRUE(n.is_float);
      }
      // An exponent after the fraction: the general path.
      ExpectLikeStrtod(text + "e2");
      ExpectLikeStrtod(text + "E-3");
    }
  }
}

TEST(JsonNumberTest, DecimalsThatAreNotExactlyRepresentableRoundToNearest) {
  for (const char* text : {"0.1", "0.2", "0.3", "1797.2", "262.4", "0.000330", "0.469", "49.2",
                           "23.4", "9999999.9999999", "0.0000001", "1234567.1234567",
                           "0.30000000000000004", "2.675", "1.005", "8.5", "0.5", "0.25"}) {
    ExpectLikeStrtod(text);
  }
}

TEST(JsonNumberTest, HalfwayCasesWithManyDigitsRoundToEven) {
  // 1 + 2^-53 is exactly halfway between 1 and the next double: ties to even gives 1.
  ExpectLikeStrtod("1.00000000000000011102230246251565404236316680908203125");
  ExpectSameBits(ScanText("1.00000000000000011102230246251565404236316680908203125").number.value,
                 1.0, "halfway");
  // One digit more or less than halfway decides the other way or stays.
  ExpectLikeStrtod("1.00000000000000011102230246251565404236316680908203126");
  ExpectLikeStrtod("1.00000000000000011102230246251565404236316680908203124");
  // 2^53 + 1 is halfway between 2^53 and 2^53 + 2.
  ExpectLikeStrtod("9007199254740993");
  ExpectLikeStrtod("9007199254740995");
  ExpectLikeStrtod("9007199254740993.0");
  // 17 to 20 significant digits.
  ExpectLikeStrtod("0.10000000000000001");
  ExpectLikeStrtod("123456789012345678");
  ExpectLikeStrtod("1234567890123456789");
  ExpectLikeStrtod("12345678901234567890");
  ExpectLikeStrtod("3.1415926535897932384626433832795");
}

TEST(JsonNumberTest, ExponentsMatchStrtod) {
  for (const char* text :
       {"1e22", "1e23", "1E5", "1e+5", "1.5e-7", "123.456e3", "1e-22", "9.999999999999999e22",
        "1.7976931348623157e308", "2.2250738585072014e-308", "5e-300", "0e0", "0.0e-5"}) {
    ExpectLikeStrtod(text);
  }
}

TEST(JsonNumberTest, NegativeZeroKeepsItsSign) {
  for (const char* text : {"-0", "-0.0", "-0e3", "-0.000"}) {
    Scanned n = ScanText(text);
    ASSERT_EQ(n.length, std::strlen(text)) << text;
    EXPECT_EQ(n.number.value, 0.0);
    EXPECT_TRUE(std::signbit(n.number.value)) << text;
  }
  EXPECT_FALSE(std::signbit(ScanText("0.0").number.value));
}

TEST(JsonNumberTest, SubnormalsOverflowAndUnderflowAreLeftToTheReferenceParser) {
  // Libraries may differ there, so the scanner refuses them and simdjson decides.
  for (const char* text :
       {"4.9e-324", "2.2250738585072011e-308", "1e-400", "1e400", "1.8e308", "-1e400"}) {
    EXPECT_EQ(ScanText(text).length, 0u) << text;
  }
}

TEST(JsonNumberTest, RejectsWhatTheJsonGrammarRejects) {
  for (const char* text :
       {"01", "-01", "00.5", "1.", "1.e5", ".5", "-", "+1", "1e", "1e+", "1e-", "-.5", "--1", "e5",
        "123456.", "1234567.", "-1234567.", "12345678.", "1234567.e5"}) {
    EXPECT_EQ(ScanText(text).length, 0u) << text;
    Padded p(text);
    EXPECT_EQ(JsonNumber::Skip(p.data()), nullptr) << text;
  }
}

TEST(JsonNumberTest, ReportsIntegersExactlyUpTo18Digits) {
  JsonNumber n = ScanText("1883").number;
  EXPECT_TRUE(n.integral);
  EXPECT_FALSE(n.is_float);
  EXPECT_EQ(n.integer, 1883);
  n = ScanText("-123456789012345678").number;
  EXPECT_TRUE(n.integral);
  EXPECT_EQ(n.integer, -123456789012345678);
  Scanned long_int = ScanText("1234567890123456789");  // 19 digits: only the double
  ASSERT_EQ(long_int.length, 19u);
  EXPECT_FALSE(long_int.number.integral);
  EXPECT_FALSE(long_int.number.is_float);
  n = ScanText("80.0").number;
  EXPECT_TRUE(n.is_float);
  EXPECT_FALSE(n.integral);
  n = ScanText("8e1").number;
  EXPECT_TRUE(n.is_float);
  EXPECT_EQ(n.value, 80.0);
}

TEST(JsonNumberTest, SkipEndsWhereScanEnds) {
  for (const char* text :
       {"0", "-0.5", "1797.2", "1e22", "12345678901234567890",
        "1.00000000000000011102230246251565404236316680908203125", "4.9e-324", "1e400"}) {
    Padded p(text);
    EXPECT_EQ(JsonNumber::Skip(p.data()), p.data() + std::strlen(text)) << text;
  }
}

}  // namespace
}  // namespace inferscope
