#include "api/microversion.hpp"

namespace fedstack::api {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A decimal number without a leading zero (except "0" when `zero_ok`); nullopt on overflow.
std::optional<int> parse_number(std::string_view digits, bool zero_ok) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  if (digits[0] == '0' && (digits.size() > 1 || !zero_ok)) return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// The last non-empty comma-separated item, trimmed.
std::string_view last_item(std::string_view value) {
  while (true) {
    auto comma = value.rfind(',');
    auto item = trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
    if (!item.empty() || comma == std::string_view::npos) return item;
    value = value.substr(0, comma);
  }
}

// The version of the last `<service> X` entry (service in lowercase) in an
// OpenStack-API-Version value; the service name is matched without case.
std::optional<std::string_view> service_entry(std::string_view value, std::string_view wanted) {
  while (!value.empty()) {
    auto comma = value.rfind(',');
    auto item = trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
    auto space = item.find_first_of(" \t");
    if (space != std::string_view::npos) {
      auto service = item.substr(0, space);
      bool same = service.size() == wanted.size();
      for (std::size_t i = 0; same && i < wanted.size(); ++i) same = (service[i] | 0x20) == wanted[i];
      if (same) return trim(item.substr(space + 1));
    }
    if (comma == std::string_view::npos) break;
    value = value.substr(0, comma);
  }
  return std::nullopt;
}

microversion_result resolve(std::string_view requested, const microversion_range& range) {
  microversion_result result;
  if (requested == "latest") {
    result.version = range.max;
    return result;
  }
  auto version = parse_microversion(requested);
  if (!version) {
    result.status = microversion_status::bad_request;
    result.message = "API Version String " + std::string(requested) +
                     " is of invalid format. Must be of format MajorNum.MinorNum.";
    return result;
  }
  if (*version < range.min || *version > range.max) {
    result.status = microversion_status::not_acceptable;
    result.version = *version;   // Nova and Cinder echo the refused version on their 406
    result.message = "Version " + to_string(*version) +
                     " is not supported by the API. Minimum is " + to_string(range.min) +
                     " and maximum is " + to_string(range.max) + ".";
    return result;
  }
  result.version = *version;
  return result;
}

std::optional<microversion_range> range_of(const nlohmann::json& version) {
  if (!version.is_object()) return std::nullopt;
  auto min = version.find("min_version");
  auto max = version.find("version");
  if (min == version.end() || max == version.end() || !min->is_string() || !max->is_string())
    return std::nullopt;
  auto low = parse_microversion(min->get<std::string>());
  auto high = parse_microversion(max->get<std::string>());
  if (!low || !high || *high < *low) return std::nullopt;
  return microversion_range{*low, *high};
}

} // namespace

std::optional<microversion> parse_microversion(std::string_view text) {
  text = trim(text);
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto major = parse_number(text.substr(0, dot), false);
  auto minor = parse_number(text.substr(dot + 1), true);
  if (!major || !minor) return std::nullopt;
  return microversion{*major, *minor};
}

std::string to_string(microversion v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

microversion_result negotiate_microversion(std::optional<std::string_view> openstack_api_version,
                                           std::optional<std::string_view> nova_api_version,
                                           const microversion_range& range) {
  if (openstack_api_version)
    if (auto requested = service_entry(*openstack_api_version, "compute"))
      return resolve(*requested, range);
  if (nova_api_version) {
    auto requested = last_item(*nova_api_version);
    if (!requested.empty()) return resolve(requested, range);
  }
  microversion_result result;
  result.version = range.min;
  return result;
}

microversion_result negotiate_volume_microversion(std::optional<std::string_view> openstack_api_version,
                                                  const microversion_range& range) {
  if (openstack_api_version)
    if (auto requested = service_entry(*openstack_api_version, "volume")) return resolve(*requested, range);
  microversion_result result;
  result.version = range.min;
  return result;
}

std::string openstack_api_version_header(microversion v) { return "compute " + to_string(v); }

std::string volume_api_version_header(microversion v) { return "volume " + to_string(v); }

std::string nova_api_version_header(microversion v) { return to_string(v); }

std::optional<microversion_range> intersect(const microversion_range& a,
                                            const microversion_range& b) {
  microversion_range both{a.min < b.min ? b.min : a.min, a.max < b.max ? a.max : b.max};
  if (both.max < both.min) return std::nullopt;
  return both;
}

std::optional<microversion_range> range_from_version_document(const nlohmann::json& doc) {
  if (!doc.is_object()) return std::nullopt;
  if (auto version = doc.find("version"); version != doc.end()) return range_of(*version);
  auto versions = doc.find("versions");
  if (versions == doc.end() || !versions->is_array()) return std::nullopt;
  for (const auto& entry : *versions) {
    if (!entry.is_object()) continue;
    auto id = entry.find("id");
    if (id != entry.end() && id->is_string() && id->get<std::string>() == "v2.1")
      return range_of(entry);
  }
  return std::nullopt;
}

} // namespace fedstack::api
