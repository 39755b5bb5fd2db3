#ifndef INFERSCOPE_CORE_STATUS_H_
#define INFERSCOPE_CORE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace inferscope {

// What went wrong, in categories that map onto exit codes and HTTP statuses in one place
// (see ExitCodeFor / HttpStatusFor).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong (flag, config, record)
  kNotFound,           // a file, series or id does not exist
  kDataLoss,           // bytes on disk or on the wire are corrupt
  kIoError,            // the OS refused a read or write
  kUnavailable,        // a peer is down or overloaded; retrying may help
  kResourceExhausted,  // a size or memory limit was hit
  kUnimplemented,
  kInternal,  // a bug in inferscope
};

// A value saying whether an operation succeeded and, if not, why. Cheap to copy when ok.
// Thread-compatible (no internal synchronisation).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status DataLoss(std::string msg) { return {StatusCode::kDataLoss, std::move(msg)}; }
  static Status IoError(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message", for adding where an error happened.
  Status WithContext(std::string_view context) const;

  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Short stable name of a code ("invalid_argument", ...), used in JSON error envelopes.
std::string_view StatusCodeName(StatusCode code);

// Process exit code for a failed command: 2 for usage/input errors the user must fix
// (invalid argument, not found), 1 for everything else. 0 only for ok.
int ExitCodeFor(const Status& status);

}  // namespace inferscope

// Propagates a non-ok Status from the current function.
#define INFERSCOPE_RETURN_IF_ERROR(expr) \
  do {                                   \
    ::inferscope::Status _st = (expr);   \
    if (!_st.ok()) return _st;           \
  } while (0)

#endif  // INFERSCOPE_CORE_STATUS_H_
