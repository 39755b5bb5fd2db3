#ifndef INFERSCOPE_CORE_RESULT_H_
#define INFERSCOPE_CORE_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

#include "core/status.h"

namespace inferscope {

// Either a value of type T or a non-ok Status. The caller must look at it ([[nodiscard]]).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace inferscope

#define INFERSCOPE_CONCAT_INNER(a, b) a##b
#define INFERSCOPE_CONCAT(a, b) INFERSCOPE_CONCAT_INNER(a, b)
#define INFERSCOPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()
// Evaluates a Result expression; on error returns its Status, else assigns the value to lhs.
#define INFERSCOPE_ASSIGN_OR_RETURN(lhs, expr) \
  INFERSCOPE_ASSIGN_OR_RETURN_IMPL(INFERSCOPE_CONCAT(_res_, __LINE__), lhs, expr)

#endif  // INFERSCOPE_CORE_RESULT_H_
