#include "insight/event_csv_exporter.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "core/time_format.h"

namespace inferscope {
namespace {

void AppendCsvField(std::string* out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

Result<std::unique_ptr<EventCsvExporter>> EventCsvExporter::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return std::unique_ptr<EventCsvExporter>(new EventCsvExporter(f, path));
}

EventCsvExporter::EventCsvExporter(std::FILE* file, std::string path)
    : file_(file), path_(std::move(path)) {
  buffer_.reserve(1 << 20);
  AppendHeader(&buffer_);
}

void EventCsvExporter::AppendHeader(std::string* out) {
  *out += "timestamp,request_id,model,status,status_text";
  for (int f = 0; f < kEventFieldCount; ++f) {
    *out += ',';
    *out += EventFieldName(static_cast<EventField>(f));
  }
  *out += ",cache_tier,task_type,user,service,trace_id\n";
}

EventCsvExporter::~EventCsvExporter() { (void)Close(); }

void EventCsvExporter::FlushBuffer() {
  if (file_ != nullptr && !buffer_.empty() &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
}

void EventCsvExporter::AppendRow(const Event& e, std::string* out) {
  *out += FormatIso8601(e.timestamp_ns, true);
  *out += ',';
  AppendCsvField(out, e.request_id);
  *out += ',';
  AppendCsvField(out, e.model);
  *out += ',';
  *out += EventStatusName(e.status);
  *out += ',';
  AppendCsvField(out, e.status_text);
  for (int f = 0; f < kEventFieldCount; ++f) {
    *out += ',';
    if (e.Has(static_cast<EventField>(f))) {
      fmt::format_to(std::back_inserter(*out), "{}", e.Get(static_cast<EventField>(f)));
    }
  }
  for (std::string_view v : {e.cache_tier, e.task_type, e.user, e.service, e.trace_id}) {
    *out += ',';
    AppendCsvField(out, v);
  }
  *out += '\n';
}

void EventCsvExporter::OnEvent(const Event& e) {
  ++rows_;
  AppendRow(e, &buffer_);
  if (buffer_.size() >= (1 << 20)) FlushBuffer();
}

Status EventCsvExporter::Close() {
  if (file_ == nullptr) return failed_ ? Status::IoError("write failed: " + path_) : Status::Ok();
  FlushBuffer();
  if (std::fclose(file_) != 0) failed_ = true;
  file_ = nullptr;
  if (failed_) return Status::IoError(fmt::format("writing {} failed", path_));
  return Status::Ok();
}

}  // namespace inferscope
