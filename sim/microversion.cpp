#include "sim/microversion.hpp"

#include "sim/util.hpp"

namespace fedstack::sim {
namespace {

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string{text};
}

/// The "<service> ..." entry of an OpenStack-API-Version header, if any.
std::optional<std::string> service_entry(std::string_view header, std::string_view service) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto entry = trim(header.substr(0, comma));
    auto space = entry.find(' ');
    if (space != std::string::npos && iequals(entry.substr(0, space), service)) {
      return trim(std::string_view{entry}.substr(space + 1));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

/// Checks `wanted` ("<major>.<minor>" or "latest") against major.[low, high].
microversion_result check_version(std::optional<std::string> wanted, int major_wanted, int low, int high) {
  microversion_result out;
  out.minor = low;
  if (!wanted) return out;
  out.requested = *wanted;
  if (iequals(*wanted, "latest")) {
    out.minor = high;
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
  if (*major != major_wanted || *minor < low || *minor > high) {
    auto prefix = std::to_string(major_wanted) + ".";
    out.status = 406;
    out.message = "Version " + *wanted + " is not supported by the API. Minimum is " + prefix + std::to_string(low) +
                  " and maximum is " + prefix + std::to_string(high) + ".";
    return out;
  }
  out.minor = static_cast<int>(*minor);
  return out;
}

} // namespace

microversion_result negotiate_compute_version(const request& r) {
  std::optional<std::string> wanted;
  if (auto header = r.header("OpenStack-API-Version"); !header.empty()) wanted = service_entry(header, "compute");
  if (!wanted) {
    if (auto legacy = r.header("X-OpenStack-Nova-API-Version"); !legacy.empty()) wanted = trim(legacy);
  }
  return check_version(wanted, 2, min_compute_minor, max_compute_minor);
}

microversion_result negotiate_volume_version(const request& r) {
  auto header = r.header("OpenStack-API-Version");
  if (header.empty()) return check_version(std::nullopt, 3, min_volume_minor, max_volume_minor);
  auto wanted = service_entry(header, "volume");
  if (!wanted) {
    // Cinder's set_api_version_request raises VersionNotFoundForAPIMethod.
    microversion_result out;
    out.minor = min_volume_minor;
    out.status = 404;
    out.message = "API version None is not supported on this method.";
    return out;
  }
  return check_version(wanted, 3, min_volume_minor, max_volume_minor);
}

} // namespace fedstack::sim
