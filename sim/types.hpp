#pragma once
// The transport-free request and reply every simulated service works on. The
// HTTP bridge (http_bridge.cpp) converts to and from Beast; unit tests build
// them directly.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedstack::sim {

/// Orders header names case-insensitively, as HTTP compares them.
struct header_less {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using header_map = std::map<std::string, std::string, header_less>;

struct request {
  std::string method;                 // "GET", "POST", ...
  std::string path;                   // as sent, without the query
  std::vector<std::string> segments;  // path split at '/', each percent-decoded
  std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
  header_map headers;
  std::string body;

  /// A header's value, or "" when absent.
  std::string header(std::string_view name) const;
  /// The first value of a query parameter.
  std::optional<std::string> query_value(std::string_view name) const;
  /// Every value of a query parameter (repeated keys are an OR in Neutron).
  std::vector<std::string> query_values(std::string_view name) const;
};

/// Builds a request from a method and a target such as "/v2/images?limit=2".
request make_request(std::string method, std::string_view target, std::string body = {},
                     header_map headers = {});

struct reply {
  unsigned status = 200;
  header_map headers;
  std::string body;

  reply& with_header(std::string name, std::string value) {
    headers[std::move(name)] = std::move(value);
    return *this;
  }
};

} // namespace fedstack::sim
