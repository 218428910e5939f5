#include "agent/rules/image_patch_rule.hpp"

#include <set>
#include <string>

#include "agent/rules/marker_guard.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

// Glance refuses these on an active image (its schema's read-only attributes;
// the formats "can be only replaced for a queued image"), or they name one
// image's own data: its locations.
const std::set<std::string, std::less<>> per_image{
  "locations", "id", "status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value",
  "created_at", "updated_at", "self", "file", "schema", "direct_url", "stores", "disk_format",
  "container_format"};

/// The top-level member an operation's JSON pointer names ("/a/b" -> "a"); empty when malformed.
std::string member_of(const json& op) {
  if (!op.is_object()) return {};
  auto path = op.value("path", std::string{});
  if (path.size() < 2 || path[0] != '/') return {};
  return path.substr(1, path.find('/', 1) - 1);
}

bool for_copies(const json& op) {
  auto member = member_of(op);
  return !member.empty() && !per_image.count(member) && !is_reserved_name(member);
}

} // namespace

bool patch_reaches_copies(const json& ops) {
  if (!ops.is_array()) return false;
  for (const auto& op : ops)
    if (for_copies(op)) return true;
  return false;
}

json copy_patch(const json& ops, const json& copy_image) {
  json out = json::array();
  if (!ops.is_array()) return out;
  // What the copy holds as the operations go, in their order (an add then a remove of one key).
  std::set<std::string, std::less<>> held;
  if (copy_image.is_object())
    for (const auto& [key, value] : copy_image.items()) held.insert(key);
  for (const auto& op : ops) {
    if (!for_copies(op)) continue;
    auto member = member_of(op);
    auto kind = op.value("op", std::string{});
    bool whole = op.value("path", std::string{}) == "/" + member;   // not "/tags/x"
    if (whole && kind == "remove") {
      if (held.erase(member) == 0) continue;   // already as the primary will be
    } else if (whole && kind == "replace" && !held.count(member)) {
      auto added = op;
      added["op"] = "add";
      out.push_back(std::move(added));
      held.insert(member);
      continue;
    } else if (whole && kind == "add") {
      held.insert(member);
    }
    out.push_back(op);
  }
  return out;
}

} // namespace fedstack::agent
