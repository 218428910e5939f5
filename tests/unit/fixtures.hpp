#pragma once
// Reads the captured OpenStack answers in tests/unit/data (see data/README.md).

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace fedstack::test {

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(FEDSTACK_UNIT_DATA_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json fixture_json(const std::string& name) {
  return nlohmann::json::parse(read_fixture(name));
}

/// The fixture with every occurrence of `from` replaced by `to`, parsed as JSON.
inline nlohmann::json fixture_json_with(const std::string& name, const std::string& from,
                                        const std::string& to) {
  auto text = read_fixture(name);
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return nlohmann::json::parse(text);
}

} // namespace fedstack::test
