// Fuzz target: what a client puts in a request line, and the URLs the agent reads
// from catalogs. Input: one byte choosing the method, then the request target.
// Besides sanitizer reports, it checks that
// - classify() is normalising: the agent path of an API route's upstream path
//   classifies to the same call (so no second reading of a path differs);
// - upstream paths never contain bytes or segments classify() refuses;
// - query strings, percent-encoding and endpoints survive encode -> parse;
// - link rewriting to the agent and back gives the original text.

#include "api/list_merge.hpp"
#include "api/percent.hpp"
#include "api/query.hpp"
#include "api/rewrite.hpp"
#include "api/route.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"
#include "http/endpoint.hpp"
#include "fuzz_check.hpp"

#include <array>
#include <cstdint>

using namespace fedstack;
using api::route_kind;
using api::service_type;

namespace {

constexpr std::array<std::string_view, 8> methods = {"GET",   "HEAD",   "POST",    "PUT",
                                                     "PATCH", "DELETE", "OPTIONS", "get"};
constexpr std::array<service_type, 4> services = {service_type::identity, service_type::image,
                                                  service_type::network, service_type::compute};
// Never in a fuzz input by chance; its characters cannot continue a root.
constexpr std::string_view agent_base = "http://fuzz-agent.invalid:1";

bool has_bad_byte(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '#' || c == '\\') return true;
  }
  return false;
}

// True if `method` is an item of the comma-separated `allow`.
bool listed(std::string_view method, std::string_view allow) {
  while (!allow.empty()) {
    auto comma = allow.find(", ");
    if (allow.substr(0, comma) == method) return true;
    allow.remove_prefix(comma == std::string_view::npos ? allow.size() : comma + 2);
  }
  return false;
}

void check_reclassified(std::string_view method, const api::route& r) {
  // Nova reads a 32-hex first segment as a project ID: such a path has two readings.
  if (r.service == service_type::compute && api::is_hex_id(r.segments.front())) return;
  auto again_target = std::string(api::agent_path_prefix(r.service)) + api::upstream_target(r);
  if (again_target.size() > api::max_target_length) return;
  auto again = api::classify(method, again_target);
  FUZZ_CHECK(again.kind == route_kind::api, "upstream path does not classify as an API call");
  FUZZ_CHECK(again.service == r.service, "upstream path changes the service");
  FUZZ_CHECK(again.api_version == r.api_version, "upstream path changes the version");
  FUZZ_CHECK(again.upstream_path == r.upstream_path, "upstream path is not normalised");
  FUZZ_CHECK(again.query == r.query, "query changes");
  FUZZ_CHECK(again.segments == r.segments, "segments change");
  FUZZ_CHECK(again.resource == r.resource && again.resource_id == r.resource_id &&
                 again.action == r.action && again.sub_id == r.sub_id,
             "resource, id, action or sub-ID change");
  FUZZ_CHECK(again.is_collection == r.is_collection && again.allow == r.allow,
             "collection or allowed methods change");
}

void check_route(std::string_view method, std::string_view target) {
  auto r = api::classify(method, target);
  if (r.kind == route_kind::bad) {
    FUZZ_CHECK(!r.reason.empty(), "a bad route without a reason");
    return;
  }
  FUZZ_CHECK(target.size() <= api::max_target_length, "an over-long target was accepted");
  if (r.kind == route_kind::not_found) return;
  FUZZ_CHECK(r.method_allowed == listed(method, r.allow), "method_allowed disagrees with allow");
  FUZZ_CHECK(!r.upstream_path.empty() && r.upstream_path.front() == '/',
             "upstream path is not absolute");
  FUZZ_CHECK(!has_bad_byte(api::upstream_target(r)), "upstream target has a refused byte");
  FUZZ_CHECK(r.upstream_path.find("//") == std::string::npos, "upstream path has '//'");
  if (r.kind != route_kind::api) return;
  FUZZ_CHECK(!r.segments.empty(), "an API call without segments");
  for (const auto& segment : r.segments)
    FUZZ_CHECK(!segment.empty() && segment != "." && segment != ".." &&
                   segment.find('/') == std::string::npos &&
                   segment.find('\0') == std::string::npos,
               "a segment classify() should have refused");
  FUZZ_CHECK(r.is_collection == r.resource_id.empty(), "is_collection disagrees with the ID");
  check_reclassified(method, r);

  auto query = api::query_string::parse(r.query);
  FUZZ_CHECK(api::query_string::parse(query.encode()) == query,
             "query parse -> encode -> parse changes it");
  for (auto service : services) {
    auto sort = api::parse_list_sort(service, r.resource, r.query);
    if (!sort.ok()) continue;
    bool has_id = false;
    for (std::size_t i = 0; i < sort.keys.size(); ++i) {
      has_id = has_id || sort.keys[i].field == "id";
      for (std::size_t j = 0; j < i; ++j)
        FUZZ_CHECK(sort.keys[j].field != sort.keys[i].field, "a sort key repeats");
    }
    FUZZ_CHECK(has_id, "a sort order without the id tie-breaker");
  }
  auto next = api::query_string::parse(api::next_query(r.query, "fuzz-marker"));
  FUZZ_CHECK(next.get_all("marker") == std::vector<std::string>{"fuzz-marker"},
             "next_query does not set exactly one marker");
  FUZZ_CHECK(!api::query_string::parse(api::first_query(r.query)).has("marker"),
             "first_query keeps a marker");
}

void check_percent(std::string_view text) {
  FUZZ_CHECK(api::percent_decode(api::percent_encode(text)) == std::string(text),
             "percent_encode does not round-trip");
  auto segment = api::percent_encode_segment(text);
  FUZZ_CHECK(segment.find('/') == std::string::npos && segment.find('?') == std::string::npos,
             "an encoded segment keeps '/' or '?'");
  FUZZ_CHECK(api::percent_decode(segment) == std::string(text),
             "percent_encode_segment does not round-trip");
  auto query = api::query_string::parse(text);
  FUZZ_CHECK(api::query_string::parse(query.encode()) == query,
             "query parse -> encode -> parse changes it");
  auto limit = query.limit();
  if (limit.present && limit.valid) {
    api::query_string copy = query;
    copy.set_limit(limit.value);
    FUZZ_CHECK(copy.limit().value == limit.value, "set_limit does not round-trip");
  }
}

void check_endpoint(std::string_view url) {
  auto parsed = http::parse_endpoint(url);
  if (!parsed) return;
  FUZZ_CHECK(!parsed->host.empty() && parsed->port != 0, "an endpoint without host or port");
  FUZZ_CHECK(!has_bad_byte(parsed->host + parsed->base_path),
             "an endpoint would put a refused byte into a request line");
  auto again = http::parse_endpoint(parsed->to_string());
  FUZZ_CHECK(again.has_value(), "an endpoint's to_string() does not parse");
  FUZZ_CHECK(again->host == parsed->host && again->port == parsed->port &&
                 again->base_path == parsed->base_path,
             "endpoint parse -> to_string -> parse changes it");
}

void check_urls(std::string_view url) {
  if (url.empty()) return;
  auto origin = api::url_origin(url);
  FUZZ_CHECK(url.substr(0, origin.size()) == origin, "url_origin is not a prefix");
  if (url.find(agent_base) != std::string_view::npos) return;
  for (auto service : services) {
    auto root = api::upstream_service_root(service, url);
    FUZZ_CHECK(url.substr(0, root.size()) == root, "a service root is not a prefix");
    if (api::trim_trailing_slashes(root).empty() || url.front() == '/') continue;
    auto below = api::path_below_root(url, root);
    FUZZ_CHECK(below && !below->empty() && below->front() == '/',
               "a URL is not below its own service root");
    auto agent_root = api::agent_service_root(service, agent_base);
    auto rewritten = api::rewrite_url_prefix(url, root, agent_root);
    FUZZ_CHECK(api::rewrite_url_prefix(rewritten, agent_root, root) == url,
               "rewriting a link to the agent and back changes it");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  auto method = methods[in.byte() % methods.size()];
  auto target = in.rest();
  check_route(method, target);
  check_percent(target);
  check_endpoint(target);
  check_urls(target);
  return 0;
}
