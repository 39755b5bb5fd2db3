#ifndef INFERSCOPE_API_ERROR_ENVELOPE_H_
#define INFERSCOPE_API_ERROR_ENVELOPE_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// The one place that maps error kinds to HTTP statuses:
// invalid_argument 400, not_found 404, data_loss 400 (corrupt request bytes),
// resource_exhausted 413, unavailable 503, unimplemented 501, everything else 500.
int HttpStatusFor(StatusCode code);

// The API's error body: {"error":{"code":"<code>","message":"<message>"}}.
std::string ErrorEnvelope(std::string_view code, std::string_view message);
std::string ErrorEnvelope(const Status& status);

// Stable error code for an HTTP status the server produces itself (401 "unauthorized",
// 404 "not_found", 405 "method_not_allowed", 413 "payload_too_large", 415
// "unsupported_media_type", 429 "too_many_requests", 503 "unavailable", ...).
std::string_view ErrorCodeForHttpStatus(int status);

}  // namespace inferscope

#endif  // INFERSCOPE_API_ERROR_ENVELOPE_H_
