#include "api/json_uuids.hpp"

#include <unordered_set>
#include <utility>

namespace fedstack::api {
namespace {

// Shorter strings cannot hold a UUID; most keys and values are shorter.
constexpr std::size_t uuid_length = 36;

void collect(const nlohmann::json& node, std::vector<std::string>& found,
             std::unordered_set<std::string>& seen) {
  auto scan = [&](const std::string& text) {
    if (text.size() < uuid_length) return;
    for (auto& id : collect_uuids(text))
      if (seen.insert(id).second) found.push_back(std::move(id));
  };
  if (node.is_string()) {
    scan(node.get_ref<const std::string&>());
  } else if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      scan(it.key());
      collect(it.value(), found, seen);
    }
  } else if (node.is_array()) {
    for (const auto& child : node) collect(child, found, seen);
  }
}

/// Rewrites `text` in place; true if it changed.
bool rewrite(std::string& text, const uuid_map& map) {
  if (text.size() < uuid_length) return false;
  auto rewritten = rewrite_uuids(text, map);
  if (rewritten == text) return false;
  text = std::move(rewritten);
  return true;
}

} // namespace

std::vector<std::string> collect_json_uuids(const nlohmann::json& doc) {
  std::vector<std::string> found;
  std::unordered_set<std::string> seen;
  collect(doc, found, seen);
  return found;
}

std::size_t rewrite_json_uuids(nlohmann::json& doc, const uuid_map& map) {
  std::size_t changed = 0;
  if (doc.is_string()) {
    changed += rewrite(doc.get_ref<std::string&>(), map) ? 1 : 0;
  } else if (doc.is_object()) {
    std::vector<std::pair<std::string, std::string>> renamed;   // keys cannot change in place
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      changed += rewrite_json_uuids(it.value(), map);
      if (it.key().size() < uuid_length) continue;
      auto key = it.key();
      if (rewrite(key, map)) renamed.emplace_back(it.key(), std::move(key));
    }
    for (auto& [from, to] : renamed) {
      auto value = std::move(doc[from]);
      doc.erase(from);
      doc[to] = std::move(value);
      ++changed;
    }
  } else if (doc.is_array()) {
    for (auto& child : doc) changed += rewrite_json_uuids(child, map);
  }
  return changed;
}

} // namespace fedstack::api
