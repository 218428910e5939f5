#pragma once
// A string member of a cloud's JSON object, or empty: the one reading the rules
// and flows share (a missing or non-string member reads as empty).

#include <string>

#include <nlohmann/json.hpp>

namespace fedstack::agent::json_fields {

inline std::string text(const nlohmann::json& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace fedstack::agent::json_fields
