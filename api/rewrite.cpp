#include "api/rewrite.hpp"

#include "api/urls.hpp"

namespace fedstack::api {
namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A character that, before a match, would make it the tail of a longer scheme.
bool continues_scheme(char c) noexcept { return is_alnum(c) || c == '+' || c == '-' || c == '.'; }

// A character that, after a match, would extend its host, port or last path segment.
bool continues_root(char c) noexcept {
  return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '~' || c == '%' ||
         c == '@' || c == '[' || c == ']';
}

bool whole_root_at(std::string_view text, std::size_t position, std::size_t length) {
  if (position > 0 && continues_scheme(text[position - 1])) return false;
  auto end = position + length;
  return end == text.size() || !continues_root(text[end]);
}

std::size_t rewrite_strings(nlohmann::json& node, std::string_view from, std::string_view to) {
  std::size_t changed = 0;
  if (node.is_string()) {
    auto& value = node.get_ref<std::string&>();
    if (value.find(from) != std::string::npos) {
      auto rewritten = rewrite_url_prefix(value, from, to);
      if (rewritten != value) {
        value = std::move(rewritten);
        ++changed;
      }
    }
  } else if (node.is_structured()) {
    for (auto& child : node) changed += rewrite_strings(child, from, to);
  }
  return changed;
}

} // namespace

std::string rewrite_url_prefix(std::string_view text, std::string_view from_root,
                               std::string_view to_root) {
  from_root = trim_trailing_slashes(from_root);
  to_root = trim_trailing_slashes(to_root);
  if (from_root.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  std::size_t position = text.find(from_root);
  while (position != std::string_view::npos) {
    if (whole_root_at(text, position, from_root.size())) {
      out.append(text.substr(copied, position - copied));
      out.append(to_root);
      copied = position + from_root.size();
      position = text.find(from_root, copied);
    } else {
      position = text.find(from_root, position + 1);
    }
  }
  out.append(text.substr(copied));
  return out;
}

std::size_t rewrite_json_urls(nlohmann::json& doc, std::string_view from_root,
                              std::string_view to_root) {
  from_root = trim_trailing_slashes(from_root);
  if (from_root.empty()) return 0;
  return rewrite_strings(doc, from_root, to_root);
}

std::optional<std::string> path_below_root(std::string_view url, std::string_view root) {
  if (!url.empty() && url.front() == '/' && (url.size() < 2 || url[1] != '/'))
    return std::string(url);
  root = trim_trailing_slashes(root);
  if (root.empty() || url.substr(0, root.size()) != root) return std::nullopt;
  auto rest = url.substr(root.size());
  if (rest.empty()) return std::string("/");
  if (rest.front() == '/') return std::string(rest);
  if (rest.front() == '?') return "/" + std::string(rest);
  return std::nullopt; // `root` matched only part of a host, port or segment
}

std::optional<std::string> agent_target_for(service_type s, std::string_view url,
                                            std::string_view upstream_root) {
  auto below = path_below_root(url, upstream_root);
  if (!below) return std::nullopt;
  return std::string(agent_path_prefix(s)) + *below;
}

} // namespace fedstack::api
