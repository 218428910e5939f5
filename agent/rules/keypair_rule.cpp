#include "agent/rules/keypair_rule.hpp"

namespace fedstack::agent {

using json = nlohmann::json;

std::optional<keypair_view> read_keypair(const json& body) {
  if (!body.is_object()) return std::nullopt;
  const json& item = body.contains("keypair") && body["keypair"].is_object() ? body["keypair"] : body;
  auto text = [&](const char* key) {
    auto it = item.find(key);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  keypair_view out{text("name"), text("public_key"), text("fingerprint"), text("type")};
  if (out.name.empty() || out.public_key.empty() || out.fingerprint.empty()) return std::nullopt;
  return out;
}

keypair_step keypair_step_for(const keypair_view& source, const std::optional<keypair_view>& there) {
  if (!there) return keypair_step::copy;
  return there->fingerprint == source.fingerprint ? keypair_step::use : keypair_step::refuse;
}

json keypair_copy_body(const keypair_view& source) {
  json keypair{{"name", source.name}, {"public_key", source.public_key}};
  if (!source.type.empty()) keypair["type"] = source.type;
  return json{{"keypair", keypair}};
}

std::optional<std::string> keypair_copy_key(const std::string& cloudlet, const std::string& user_id,
                                            const std::string& name, const std::string& fingerprint) {
  // Neither a region nor a user ID holds '\n'; the fingerprint (hex and ':') is
  // last, so any name between them is unambiguous.
  auto key = "keypair_copy\n" + cloudlet + "\n" + user_id + "\n" + name + "\n" + fingerprint;
  if (key.size() > 200 || key.find('\0') != std::string::npos) return std::nullopt;
  return key;
}

bool delete_keypair_there(const std::optional<keypair_view>& there, const std::optional<std::string>& record) {
  return there.has_value() && record.has_value() && *record == keypair_copy_recorded;
}

} // namespace fedstack::agent
