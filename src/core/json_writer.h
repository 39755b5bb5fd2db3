#ifndef INFERSCOPE_CORE_JSON_WRITER_H_
#define INFERSCOPE_CORE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inferscope {

// Appends JSON text to a std::string, handling commas, escaping and indentation.
// Doubles that are NaN or infinite are written as null (JSON has no NaN). Numbers use the
// shortest representation that round-trips. Invalid UTF-8 in strings is replaced by U+FFFD,
// so the output is always valid JSON. Misuse (a value where a key is due) is caught by
// assert in debug builds. Not thread-safe.
class JsonWriter {
 public:
  // indent = 0 writes compact JSON on one line; > 0 pretty-prints with that many spaces.
  explicit JsonWriter(std::string* out, int indent = 0);

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Writes already-serialised JSON as a value, verbatim.
  JsonWriter& Raw(std::string_view json);

 private:
  void BeforeValue();
  void Newline();
  std::string* out_;
  int indent_;
  struct Level {
    bool is_object;
    bool empty;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

// Appends `text` as a JSON string literal (with quotes) to out.
void AppendJsonString(std::string* out, std::string_view text);

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_JSON_WRITER_H_
