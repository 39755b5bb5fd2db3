// Test helpers for the store: temporary directories and synthetic events.
#ifndef INFERSCOPE_TESTS_STORE_STORE_TEST_UTIL_H_
#define INFERSCOPE_TESTS_STORE_STORE_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/stored_event.h"

namespace inferscope::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "inferscope-store-XXXXXX");
    char* p = ::mkdtemp(tmpl.data());
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An event with the fields most tests look at; id 0 (the store assigns ids).
inline StoredEvent MakeStoredEvent(TimestampNs ts, std::string model, double latency_ms,
                                   EventStatus status = EventStatus::kOk,
                                   std::string request_id = "") {
  StoredEvent e;
  e.timestamp_ns = ts;
  e.model = std::move(model);
  e.status = status;
  e.status_text = status == EventStatus::kOk ? "ok" : "error";
  e.request_id = std::move(request_id);
  e.task_type = "chat";
  e.cache_tier = "gpu";
  e.Set(EventField::kLatencyMs, latency_ms);
  e.Set(EventField::kInputTokens, 100);
  return e;
}

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_STORE_STORE_TEST_UTIL_H_
