#include "agent/rules/keypair_rule.hpp"

#include <vector>

#include "api/global_id.hpp"
#include "storage/keypair_copy_meta.hpp"

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
  auto key = std::string(storage::keypair_copy_meta_prefix) + cloudlet + "\n" + user_id + "\n" + name + "\n" + fingerprint;
  if (key.size() > 200 || key.find('\0') != std::string::npos) return std::nullopt;
  return key;
}

namespace {

/// The whitespace-separated words of an OpenSSH public key line.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto start = text.find_first_not_of(" \t\r\n", at);
    if (start == std::string::npos) break;
    auto end = text.find_first_of(" \t\r\n", start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    at = end;
  }
  return out;
}

bool is_marker_word(const std::string& word) { return word.starts_with(keypair_marker_word); }

} // namespace

bool keypair_markable(const keypair_view& k) {
  if (k.type == "x509") return false;
  return words_of(k.public_key).size() >= 2 && k.public_key.find("-----BEGIN") == std::string::npos;
}

std::string marked_public_key(const std::string& public_key, const std::string& marker) {
  std::string out;
  for (const auto& word : words_of(public_key)) {
    if (is_marker_word(word)) continue;
    out += word;
    out += ' ';
  }
  return out + std::string(keypair_marker_word) + marker;
}

std::optional<std::string> keypair_marker(const keypair_view& k) {
  auto words = words_of(k.public_key);
  // The key's type and data come first: a marker is a word of the comment.
  for (std::size_t i = words.size(); i > 2; --i) {
    if (!is_marker_word(words[i - 1])) continue;
    auto id = words[i - 1].substr(keypair_marker_word.size());
    if (!api::global_id_owner(id)) return std::nullopt;
    return id;
  }
  return std::nullopt;
}

bool delete_keypair_there(const std::optional<keypair_view>& there, const std::optional<std::string>& record) {
  if (!there || !record || record->empty()) return false;
  if (*record == keypair_copy_recorded) return true;   // unmarked: its fingerprint is the proof
  return keypair_marker(*there) == *record;
}

bool delete_copy_of_another_agent(const std::optional<keypair_view>& there, const std::optional<std::string>& record) {
  if (!there || !record) return false;
  auto marker = keypair_marker(*there);
  return marker.has_value() && *marker == *record;
}

} // namespace fedstack::agent
