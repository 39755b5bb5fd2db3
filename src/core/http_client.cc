#include "core/http_client.h"

#include <charconv>

namespace inferscope {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) { return EqualsIgnoreCase(a, b); }

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Result<ParsedUrl> ParseHttpUrl(std::string_view url) {
  ParsedUrl out;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument("URL '" + std::string(url) +
                                   "' has no scheme (http:// or https://)");
  }
  std::string_view scheme = url.substr(0, scheme_end);
  if (EqualsIgnoreCase(scheme, "http")) {
    out.scheme = "http";
    out.port = 80;
  } else if (EqualsIgnoreCase(scheme, "https")) {
    out.scheme = "https";
    out.port = 443;
  } else {
    return Status::InvalidArgument("URL '" + std::string(url) + "': scheme must be http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start == std::string_view::npos) {
    out.path = "/";
  } else {
    out.path = std::string(rest.substr(path_start));
    if (out.path[0] == '?') out.path.insert(out.path.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "URL '" + std::string(url) +
        "': credentials in URLs are not supported; use the auth options");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("URL '" + std::string(url) + "': unterminated IPv6 address");
    }
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Status::InvalidArgument("URL '" + std::string(url) + "': junk after IPv6 address");
      }
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
  }
  if (out.host.empty()) {
    return Status::InvalidArgument("URL '" + std::string(url) + "' has no host");
  }
  if (!port_text.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return Status::InvalidArgument("URL '" + std::string(url) + "': bad port '" +
                                     std::string(port_text) + "'");
    }
    out.port = port;
  }
  return out;
}

}  // namespace inferscope
