#include "ingest/prometheus/prometheus_response_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "ingest/ondemand_double.h"

namespace inferscope {
namespace {

namespace od = simdjson::ondemand;

// Go's time.Time range is far wider, but ns since the epoch in int64 ends in 2262.
constexpr double kMaxAbsSeconds = 9.2e9;

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

Status ServerError(std::string_view error_type, std::string_view message) {
  std::string text = fmt::format("{}: {}", error_type.empty() ? "error" : error_type,
                                 message.empty() ? "(no error message)" : message);
  if (error_type == "bad_data" || error_type == "execution") {
    return Status::InvalidArgument(std::move(text));
  }
  if (error_type == "not_found" || error_type == "404") return Status::NotFound(std::move(text));
  // VictoriaMetrics puts the HTTP status in errorType ("422" for a query it cannot parse).
  if (error_type.size() == 3 && error_type[0] == '4' && error_type != "429") {
    return Status::InvalidArgument(std::move(text));
  }
  return Status::Unavailable(std::move(text));
}

// A field path ("data.result[2].values[7][1]") assembled only when an error needs it: the
// hot loop over points must not allocate.
struct LazyPath {
  const std::string* base = nullptr;
  std::string_view suffix;  // ".values", ".value" or ""
  int64_t index = -1;
  int element = -1;

  LazyPath Element(int e) const {
    LazyPath p = *this;
    p.element = e;
    return p;
  }
  std::string str() const {
    std::string out = base != nullptr ? *base : std::string();
    out += suffix;
    if (index >= 0) out += fmt::format("[{}]", index);
    if (element >= 0) out += fmt::format("[{}]", element);
    return out;
  }
};

// Where a result element's pieces came from, checked against resultType at the end.
struct Shape {
  bool pair = false;    // "result": [ts, "v"] (scalar, string)
  bool series = false;  // "result": [{"metric":..., "values"|"value": ...}, ...]
  bool any_values = false;
  bool any_value = false;
  size_t pair_elements = 0;
  double pair_time = 0;
  std::string pair_text;
};

}  // namespace

std::string_view PrometheusResultTypeName(PrometheusResultType type) {
  switch (type) {
    case PrometheusResultType::kMatrix:
      return "matrix";
    case PrometheusResultType::kVector:
      return "vector";
    case PrometheusResultType::kScalar:
      return "scalar";
    case PrometheusResultType::kString:
      return "string";
  }
  return "matrix";
}

bool ParsePrometheusValue(std::string_view text, double* value) {
  if (text.empty()) return false;
  if (EqualsLower(text, "nan")) {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsLower(text, "+inf") || EqualsLower(text, "inf") || EqualsLower(text, "+infinity") ||
      EqualsLower(text, "infinity")) {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsLower(text, "-inf") || EqualsLower(text, "-infinity")) {
    *value = -std::numeric_limits<double>::infinity();
    return true;
  }
  // Go's ParseFloat takes a leading '+'; from_chars does not.
  if (text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  // from_chars would also take "inf"/"nan" spellings after a sign ("+-inf"); only digits
  // and '.' may start a number here.
  size_t first = text.front() == '-' ? 1 : 0;
  if (first >= text.size() || !((text[first] >= '0' && text[first] <= '9') || text[first] == '.')) {
    return false;
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) return false;
  *value = v;
  return true;
}

struct PrometheusResponseParser::Impl {
  od::parser parser;
  std::string buffer;
  od::document doc;
  const char* base = nullptr;

  // --- errors ---------------------------------------------------------------------------

  Status Malformed(std::string_view path, std::string_view what, const char* at = nullptr) {
    std::string msg = "malformed Prometheus answer: ";
    if (!path.empty()) {
      msg += path;
      msg += ": ";
    }
    msg += what;
    if (at != nullptr && at >= base && at <= base + buffer.size()) {
      msg += fmt::format(" (at byte {})", at - base);
    }
    return Status::DataLoss(std::move(msg));
  }

  const char* Location() {
    auto loc = doc.current_location();
    return loc.error() ? nullptr : loc.value_unsafe();
  }

  // A simdjson error while reading `path`; `expected` names the type asked for.
  Status JsonError(std::string_view path, simdjson::error_code err, std::string_view expected,
                   const char* at = nullptr) {
    if (err == simdjson::INCORRECT_TYPE && !expected.empty()) {
      return Malformed(path, fmt::format("expected {}", expected), at);
    }
    return Malformed(path, fmt::format("invalid JSON ({})", simdjson::error_message(err)),
                     at != nullptr ? at : Location());
  }

  static const char* TokenStart(od::value& v) { return v.raw_json_token().data(); }

  // --- pieces ---------------------------------------------------------------------------

  Status ReadTime(od::value v, const LazyPath& path, double* seconds) {
    double s = 0;
    if (auto err = GetOnDemandDouble(v, &s)) {
      return JsonError(path.str(), err, "a number (unix seconds)", TokenStart(v));
    }
    if (!std::isfinite(s) || std::fabs(s) > kMaxAbsSeconds) {
      return Malformed(path.str(), fmt::format("timestamp {} s is out of range", s), TokenStart(v));
    }
    *seconds = s;
    return Status::Ok();
  }

  static TimestampNs SecondsToNs(double seconds) {
    // The servers compute in milliseconds; rounding removes the binary fraction error.
    return std::llround(seconds * 1000.0) * kNanosPerMilli;
  }

  Status ReadValueText(od::value v, const LazyPath& path, double* value) {
    // Fast path: a value string without escapes is read in place (no unescaping copy).
    // raw_json_token() includes the spaces up to the next token.
    std::string_view raw = v.raw_json_token();
    const char* at = raw.data();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    std::string_view text;
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"' &&
        raw.substr(1, raw.size() - 2).find_first_of("\\\"") == std::string_view::npos) {
      text = raw.substr(1, raw.size() - 2);
    } else if (auto err = v.get_string().get(text)) {
      return JsonError(path.str(), err, "a string value", at);
    }
    if (!ParsePrometheusValue(text, value)) {
      return Malformed(path.str(),
                       fmt::format("value \"{}\" is not a number",
                                   text.substr(0, std::min<size_t>(text.size(), 64))),
                       at);
    }
    return Status::Ok();
  }

  // [unix_seconds, "value"]
  Status ReadPoint(od::value v, const LazyPath& path, Sample* sample) {
    const char* at = TokenStart(v);
    od::array pair;
    if (auto err = v.get_array().get(pair)) {
      return JsonError(path.str(), err, "a [time, \"value\"] pair", at);
    }
    size_t n = 0;
    double seconds = 0;
    double value = 0;
    for (auto element_result : pair) {
      od::value element;
      if (auto err = element_result.get(element)) return JsonError(path.str(), err, "");
      if (n == 0) {
        INFERSCOPE_RETURN_IF_ERROR(ReadTime(element, path.Element(0), &seconds));
      } else if (n == 1) {
        INFERSCOPE_RETURN_IF_ERROR(ReadValueText(element, path.Element(1), &value));
      } else {
        return Malformed(path.str(), "a point has more than two elements", at);
      }
      ++n;
    }
    if (n != 2) {
      return Malformed(path.str(), fmt::format("a point has {} elements, not 2", n), at);
    }
    sample->timestamp_ns = SecondsToNs(seconds);
    sample->value = value;
    return Status::Ok();
  }

  Status ReadMetric(od::value v, const std::string& path, SeriesKey* key) {
    const char* at = TokenStart(v);
    od::object obj;
    if (auto err = v.get_object().get(obj)) return JsonError(path, err, "an object of labels", at);
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    for (auto field_result : obj) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError(path, err, "");
      std::string_view label;
      if (auto err = field.unescaped_key().get(label)) return JsonError(path, err, "");
      std::string label_name(label);
      od::value value = field.value();
      const char* value_at = TokenStart(value);
      std::string_view text;
      if (auto err = value.get_string().get(text)) {
        return JsonError(path + "." + label_name, err, "a string label value", value_at);
      }
      if (label_name == "__name__") {
        name.assign(text);
      } else {
        labels.emplace_back(std::move(label_name), std::string(text));
      }
    }
    std::sort(labels.begin(), labels.end());
    for (size_t i = 1; i < labels.size(); ++i) {
      if (labels[i].first == labels[i - 1].first) {
        return Malformed(path, fmt::format("label \"{}\" appears twice", labels[i].first), at);
      }
    }
    *key = SeriesKey(std::move(name), std::move(labels));
    return Status::Ok();
  }

  Status ReadSeries(od::value v, const std::string& path, Shape* shape,
                    PrometheusQueryResult* out) {
    const char* at = TokenStart(v);
    od::object obj;
    if (auto err = v.get_object().get(obj)) return JsonError(path, err, "a series object", at);
    PrometheusSeries series;
    bool has_metric = false;
    bool has_points = false;
    size_t histogram_points = 0;
    for (auto field_result : obj) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError(path, err, "");
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError(path, err, "");
      if (key == "metric") {
        if (has_metric) return Malformed(path, "\"metric\" appears twice", at);
        has_metric = true;
        INFERSCOPE_RETURN_IF_ERROR(ReadMetric(field.value(), path + ".metric", &series.key));
      } else if (key == "values") {
        if (has_points) return Malformed(path, "more than one \"values\"/\"value\"", at);
        has_points = true;
        shape->any_values = true;
        od::value values_value = field.value();
        const char* values_at = TokenStart(values_value);
        od::array values;
        if (auto err = values_value.get_array().get(values)) {
          return JsonError(path + ".values", err, "an array of points", values_at);
        }
        size_t i = 0;
        for (auto point_result : values) {
          od::value point;
          if (auto err = point_result.get(point)) return JsonError(path + ".values", err, "");
          Sample sample;
          INFERSCOPE_RETURN_IF_ERROR(
              ReadPoint(point, LazyPath{&path, ".values", static_cast<int64_t>(i), -1}, &sample));
          series.samples.push_back(sample);
          ++i;
        }
      } else if (key == "value") {
        if (has_points) return Malformed(path, "more than one \"values\"/\"value\"", at);
        has_points = true;
        shape->any_value = true;
        Sample sample;
        INFERSCOPE_RETURN_IF_ERROR(
            ReadPoint(field.value(), LazyPath{&path, ".value", -1, -1}, &sample));
        series.samples.push_back(sample);
      } else if (key == "histograms") {
        od::array points;
        if (field.value().get_array().get(points) == simdjson::SUCCESS) {
          size_t count = 0;
          if (points.count_elements().get(count) == simdjson::SUCCESS) histogram_points += count;
        }
        has_points = true;
        shape->any_values = true;
      } else if (key == "histogram") {
        ++histogram_points;
        has_points = true;
        shape->any_value = true;
      }
    }
    if (!has_metric) return Malformed(path, "missing \"metric\"", at);
    if (!has_points) return Malformed(path, "missing \"values\" (or \"value\")", at);
    if (histogram_points > 0) {
      out->warnings.push_back(fmt::format("{}: {} native histogram point(s) skipped",
                                          series.key.ToString(), histogram_points));
    }
    out->series.push_back(std::move(series));
    return Status::Ok();
  }

  Status ReadResult(od::value v, Shape* shape, PrometheusQueryResult* out) {
    const char* at = TokenStart(v);
    od::array arr;
    if (auto err = v.get_array().get(arr)) return JsonError("data.result", err, "an array", at);
    size_t i = 0;
    for (auto element_result : arr) {
      od::value element;
      if (auto err = element_result.get(element)) return JsonError("data.result", err, "");
      std::string path = fmt::format("data.result[{}]", i);
      const char* element_at = TokenStart(element);
      od::json_type type;
      if (auto err = element.type().get(type)) return JsonError(path, err, "");
      if (type == od::json_type::object) {
        if (shape->pair)
          return Malformed(path, "a series object inside a scalar result", element_at);
        shape->series = true;
        INFERSCOPE_RETURN_IF_ERROR(ReadSeries(element, path, shape, out));
      } else {
        if (shape->series) return Malformed(path, "expected a series object", element_at);
        shape->pair = true;
        if (i == 0) {
          INFERSCOPE_RETURN_IF_ERROR(
              ReadTime(element, LazyPath{&path, "", -1, -1}, &shape->pair_time));
        } else if (i == 1) {
          std::string_view text;
          if (auto err = element.get_string().get(text)) {
            return JsonError(path, err, "a string", element_at);
          }
          shape->pair_text.assign(text);
        } else {
          return Malformed("data.result", "a scalar result has more than two elements", at);
        }
        shape->pair_elements = i + 1;
      }
      ++i;
    }
    return Status::Ok();
  }

  Status ReadData(od::value v, PrometheusQueryResult* out) {
    const char* at = TokenStart(v);
    od::object obj;
    if (auto err = v.get_object().get(obj)) return JsonError("data", err, "an object", at);
    std::optional<PrometheusResultType> type;
    bool has_result = false;
    Shape shape;
    for (auto field_result : obj) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError("data", err, "");
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError("data", err, "");
      if (key == "resultType") {
        od::value type_value = field.value();
        const char* type_at = TokenStart(type_value);
        std::string_view name;
        if (auto err = type_value.get_string().get(name)) {
          return JsonError("data.resultType", err, "a string", type_at);
        }
        if (name == "matrix") {
          type = PrometheusResultType::kMatrix;
        } else if (name == "vector") {
          type = PrometheusResultType::kVector;
        } else if (name == "scalar") {
          type = PrometheusResultType::kScalar;
        } else if (name == "string") {
          type = PrometheusResultType::kString;
        } else {
          return Malformed("data.resultType",
                           fmt::format("unknown result type \"{}\"",
                                       name.substr(0, std::min<size_t>(name.size(), 32))),
                           type_at);
        }
      } else if (key == "result") {
        if (has_result) return Malformed("data", "\"result\" appears twice", at);
        has_result = true;
        INFERSCOPE_RETURN_IF_ERROR(ReadResult(field.value(), &shape, out));
      }
    }
    if (!type) return Malformed("data.resultType", "missing", at);
    if (!has_result) return Malformed("data.result", "missing", at);
    out->type = *type;
    switch (*type) {
      case PrometheusResultType::kMatrix:
      case PrometheusResultType::kVector:
        if (shape.pair) {
          return Malformed("data.result", fmt::format("a {} result must be an array of series",
                                                      PrometheusResultTypeName(*type)));
        }
        if (*type == PrometheusResultType::kMatrix && shape.any_value) {
          return Malformed("data.result", "a matrix series has \"value\" instead of \"values\"");
        }
        if (*type == PrometheusResultType::kVector && shape.any_values) {
          return Malformed("data.result", "a vector series has \"values\" instead of \"value\"");
        }
        break;
      case PrometheusResultType::kScalar:
      case PrometheusResultType::kString: {
        if (shape.series || shape.pair_elements != 2) {
          return Malformed("data.result",
                           fmt::format("a {} result must be a [time, \"value\"] pair",
                                       PrometheusResultTypeName(*type)));
        }
        if (*type == PrometheusResultType::kString) {
          out->string_value = std::move(shape.pair_text);
          out->string_timestamp_ns = SecondsToNs(shape.pair_time);
          break;
        }
        double value = 0;
        if (!ParsePrometheusValue(shape.pair_text, &value)) {
          return Malformed(
              "data.result[1]",
              fmt::format("value \"{}\" is not a number",
                          std::string_view(shape.pair_text)
                              .substr(0, std::min<size_t>(shape.pair_text.size(), 64))));
        }
        PrometheusSeries scalar;
        scalar.samples.push_back(Sample{SecondsToNs(shape.pair_time), value});
        out->series.push_back(std::move(scalar));
        break;
      }
    }
    return Status::Ok();
  }

  Status ReadWarnings(od::value v, PrometheusQueryResult* out) {
    const char* at = TokenStart(v);
    od::array arr;
    if (auto err = v.get_array().get(arr)) return JsonError("warnings", err, "an array", at);
    for (auto element_result : arr) {
      od::value element;
      if (auto err = element_result.get(element)) return JsonError("warnings", err, "");
      std::string_view text;
      if (auto err = element.get_string().get(text)) {
        return JsonError("warnings", err, "an array of strings");
      }
      out->warnings.emplace_back(text);
    }
    return Status::Ok();
  }

  Result<PrometheusQueryResult> Parse(std::string_view body) {
    buffer.clear();
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    buffer.append(body);
    base = buffer.data();
    if (auto err = parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) {
      return Malformed("", fmt::format("invalid JSON ({})", simdjson::error_message(err)));
    }
    od::object root;
    if (auto err = doc.get_object().get(root)) {
      return JsonError("", err, "a JSON object at the top level", base);
    }
    PrometheusQueryResult out;
    std::string status;
    std::string error_type;
    std::string error_message;
    bool has_status = false;
    bool has_data = false;
    for (auto field_result : root) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError("", err, "");
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError("", err, "");
      std::string_view text;
      if (key == "status" || key == "errorType" || key == "error") {
        std::string name(key);
        od::value value = field.value();
        const char* value_at = TokenStart(value);
        if (auto err = value.get_string().get(text)) {
          return JsonError(name, err, "a string", value_at);
        }
        if (name == "status") {
          has_status = true;
          status.assign(text);
        } else if (name == "errorType") {
          error_type.assign(text);
        } else {
          error_message.assign(text);
        }
      } else if (key == "data") {
        if (has_data) return Malformed("", "\"data\" appears twice");
        has_data = true;
        INFERSCOPE_RETURN_IF_ERROR(ReadData(field.value(), &out));
      } else if (key == "warnings") {
        INFERSCOPE_RETURN_IF_ERROR(ReadWarnings(field.value(), &out));
      }
    }
    // current_location() fails with OUT_OF_BOUNDS exactly when nothing follows the object.
    if (const char* trailing = Location(); trailing != nullptr) {
      return Malformed("", "bytes after the JSON object", trailing);
    }
    if (!has_status) return Malformed("status", "missing");
    if (status == "error") return ServerError(error_type, error_message);
    if (status != "success") {
      return Malformed("status",
                       fmt::format("\"{}\" is neither \"success\" nor \"error\"",
                                   status.substr(0, std::min<size_t>(status.size(), 32))));
    }
    if (!has_data) return Malformed("data", "missing");
    return out;
  }
};

PrometheusResponseParser::PrometheusResponseParser() : impl_(std::make_unique<Impl>()) {}
PrometheusResponseParser::~PrometheusResponseParser() = default;

Result<PrometheusQueryResult> PrometheusResponseParser::Parse(std::string_view body) {
  return impl_->Parse(body);
}

}  // namespace inferscope
