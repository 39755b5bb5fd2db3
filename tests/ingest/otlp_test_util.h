#ifndef INFERSCOPE_TESTS_INGEST_OTLP_TEST_UTIL_H_
#define INFERSCOPE_TESTS_INGEST_OTLP_TEST_UTIL_H_

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace inferscope::testing {

namespace otlp_pb {
namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace collector = opentelemetry::proto::collector::trace::v1;
}  // namespace otlp_pb

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SharedOtlpTraceJson() {
  return ReadTextFile(std::string(INFERSCOPE_SOURCE_DIR) + "/../shared/data/otlp/trace.json");
}

// gzip (one member) of `data` at the given zlib level.
inline std::string Gzip(const std::string& data, int level = Z_DEFAULT_COMPRESSION) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int ret = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (ret != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

inline std::string HexToBytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline void AddString(google::protobuf::RepeatedPtrField<otlp_pb::common::KeyValue>* attrs,
                      const std::string& key, const std::string& value) {
  auto* kv = attrs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// ../shared/data/otlp/trace.json, built with the generated protobuf classes field by field.
inline otlp_pb::collector::ExportTraceServiceRequest SharedOtlpTraceProto() {
  otlp_pb::collector::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  AddString(rs->mutable_resource()->mutable_attributes(), "service.name", "my.service");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("my.library");
  ss->mutable_scope()->set_version("1.0.0");
  AddString(ss->mutable_scope()->mutable_attributes(), "my.scope.attribute",
            "some scope attribute");
  auto* span = ss->add_spans();
  span->set_trace_id(HexToBytes("5B8EFFF798038103D269B633813FC60C"));
  span->set_span_id(HexToBytes("EEE19B7EC3C1B174"));
  span->set_parent_span_id(HexToBytes("EEE19B7EC3C1B173"));
  span->set_name("I'm a server span");
  span->set_start_time_unix_nano(1544712660000000000ULL);
  span->set_end_time_unix_nano(1544712661000000000ULL);
  span->set_kind(otlp_pb::trace::Span::SPAN_KIND_SERVER);
  AddString(span->mutable_attributes(), "my.span.attr", "some value");
  return req;
}

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_INGEST_OTLP_TEST_UTIL_H_
