#include "sim/microversion.hpp"

#include "sim/util.hpp"

namespace fedstack::sim {
namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string{text};
}

/// The "compute ..." entry of an OpenStack-API-Version header, if any.
std::optional<std::string> compute_entry(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto entry = trim(header.substr(0, comma));
    auto space = entry.find(' ');
    if (space != std::string::npos && iequals(entry.substr(0, space), "compute")) {
      return trim(std::string_view{entry}.substr(space + 1));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

} // namespace

microversion_result negotiate_compute_version(const request& r) {
  std::optional<std::string> wanted;
  if (auto header = r.header("OpenStack-API-Version"); !header.empty()) wanted = compute_entry(header);
  if (!wanted) {
    if (auto legacy = r.header("X-OpenStack-Nova-API-Version"); !legacy.empty()) wanted = trim(legacy);
  }
  microversion_result out;
  if (!wanted) return out;
  out.requested = *wanted;
  if (iequals(*wanted, "latest")) {
    out.minor = max_compute_minor;
    return out;
  }
  auto dot = wanted->find('.');
  auto major = dot == std::string::npos ? std::nullopt : parse_int(std::string_view{*wanted}.substr(0, dot));
  auto minor = dot == std::string::npos ? std::nullopt : parse_int(std::string_view{*wanted}.substr(dot + 1));
  bool leading_zero = dot != std::string::npos && dot + 2 < wanted->size() && (*wanted)[dot + 1] == '0';
  if (!major || !minor || leading_zero || (*major == 0)) {
    out.status = 400;
    out.message = "API Version String " + *wanted + " is of invalid format. Must be of format MajorNum.MinorNum.";
    return out;
  }
  if (*major != 2 || *minor < min_compute_minor || *minor > max_compute_minor) {
    out.status = 406;
    out.message = "Version " + *wanted + " is not supported by the API. Minimum is 2." +
                  std::to_string(min_compute_minor) + " and maximum is 2." + std::to_string(max_compute_minor) + ".";
    return out;
  }
  out.minor = static_cast<int>(*minor);
  return out;
}

} // namespace fedstack::sim
