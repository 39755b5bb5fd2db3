#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace inferscope {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(JsonWriterTest, WritesCompactObjectsAndArrays) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Bool(true).Null().Uint(7).EndArray();
  w.Key("c").String("x").Key("d").BeginObject().EndObject().Key("e").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[true,null,7],"c":"x","d":{},"e":[]})");
}

TEST(JsonWriterTest, PrettyPrintsWithIndent) {
  std::string out;
  JsonWriter w(&out, 2);
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Int(2).Int(3).EndArray();
  w.Key("c").BeginObject().EndObject().EndObject();
  EXPECT_EQ(out, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ],\n  \"c\": {}\n}");
}

TEST(JsonWriterTest, EscapesControlCharactersQuotesAndBackslashes) {
  EXPECT_EQ(Str("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Str("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Str(std::string_view("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(Str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Str("a\xff"
                "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(Str("\xc3"), "\"" + kFffd + "\"");                          // truncated sequence
  EXPECT_EQ(Str("\xc0\xaf"), "\"" + kFffd + kFffd + "\"");              // overlong
  EXPECT_EQ(Str("\xed\xa0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(Str("\xf4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // > U+10FFFF
}

TEST(JsonWriterTest, WritesNonFiniteNumbersAsNull) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray()
      .Number(std::nan(""))
      .Number(std::numeric_limits<double>::infinity())
      .Number(-std::numeric_limits<double>::infinity())
      .EndArray();
  EXPECT_EQ(out, "[null,null,null]");
}

TEST(JsonWriterTest, WritesShortestRoundTripNumbers) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray().Number(1.0).Number(0.1).Number(-2.5).Number(1e20).Number(123456789.125);
  w.Int(-9).EndArray();
  EXPECT_EQ(out, "[1,0.1,-2.5,1e+20,123456789.125,-9]");
}

TEST(JsonWriterTest, WritesRawJsonVerbatim) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("r").Raw(R"({"x":[1]})").EndObject();
  EXPECT_EQ(out, R"({"r":{"x":[1]}})");
}

TEST(JsonWriterTest, EscapesKeys) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a\"b").Int(1).EndObject();
  EXPECT_EQ(out, R"({"a\"b":1})");
}

}  // namespace
}  // namespace inferscope
