#include "api/prometheus_text_writer.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace inferscope {
namespace {

void AppendEscaped(std::string* out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '"':
        if (escape_quotes) {
          *out += "\\\"";
        } else {
          *out += c;
        }
        break;
      default:
        *out += c;
    }
  }
}

}  // namespace

std::string FormatPrometheusValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g", value);
    // Prefer the shortest representation that round-trips.
    for (int precision = 6; precision < 17; ++precision) {
      char shorter[32];
      std::snprintf(shorter, sizeof(shorter), "%.*g", precision, value);
      if (std::strtod(shorter, nullptr) == value) {
        return shorter;
      }
    }
  }
  return buf;
}

void PrometheusTextWriter::Family(std::string_view name, std::string_view type,
                                  std::string_view help) {
  *out_ += "# HELP ";
  *out_ += name;
  *out_ += ' ';
  AppendEscaped(out_, help, /*escape_quotes=*/false);
  *out_ += "\n# TYPE ";
  *out_ += name;
  *out_ += ' ';
  *out_ += type;
  *out_ += '\n';
}

void PrometheusTextWriter::Labels(const PromLabel* begin, const PromLabel* end,
                                  const PromLabel* extra) {
  if (begin == end && extra == nullptr) return;
  *out_ += '{';
  bool first = true;
  auto one = [&](const PromLabel& label) {
    if (!first) *out_ += ',';
    first = false;
    *out_ += label.first;
    *out_ += "=\"";
    AppendEscaped(out_, label.second, /*escape_quotes=*/true);
    *out_ += '"';
  };
  for (const PromLabel* it = begin; it != end; ++it) one(*it);
  if (extra != nullptr) one(*extra);
  *out_ += '}';
}

void PrometheusTextWriter::Sample(std::string_view name, const std::vector<PromLabel>& labels,
                                  double value) {
  *out_ += name;
  Labels(labels.data(), labels.data() + labels.size(), nullptr);
  *out_ += ' ';
  *out_ += FormatPrometheusValue(value);
  *out_ += '\n';
}

void PrometheusTextWriter::Sample(std::string_view name, std::initializer_list<PromLabel> labels,
                                  double value) {
  *out_ += name;
  Labels(labels.begin(), labels.end(), nullptr);
  *out_ += ' ';
  *out_ += FormatPrometheusValue(value);
  *out_ += '\n';
}

void PrometheusTextWriter::Histogram(std::string_view name, const std::vector<PromLabel>& labels,
                                     const std::vector<double>& bounds,
                                     const std::vector<uint64_t>& counts, double sum) {
  std::string bucket_name = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::string le = i < bounds.size() ? FormatPrometheusValue(bounds[i]) : "+Inf";
    PromLabel le_label{"le", le};
    *out_ += bucket_name;
    Labels(labels.data(), labels.data() + labels.size(), &le_label);
    *out_ += ' ';
    *out_ += FormatPrometheusValue(static_cast<double>(cumulative));
    *out_ += '\n';
  }
  Sample(std::string(name) + "_sum", labels, sum);
  Sample(std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace inferscope
