#include "api/urls.hpp"

#include "api/uuid.hpp"

#include <initializer_list>

namespace fedstack::api {
namespace {

// The last path segment of `url` (after its origin), or "" if there is none.
std::string_view last_segment(std::string_view url) {
  auto origin_length = url_origin(url).size();
  auto slash = url.rfind('/');
  if (slash == std::string_view::npos || slash < origin_length) return {};
  return url.substr(slash + 1);
}

std::string_view drop_last_segment(std::string_view url) {
  return url.substr(0, url.size() - last_segment(url).size() - 1);
}

bool drop_version(std::string_view& url, std::initializer_list<std::string_view> versions) {
  auto last = last_segment(url);
  for (auto version : versions) {
    if (!last.empty() && last == version) {
      url = drop_last_segment(url);
      return true;
    }
  }
  return false;
}

} // namespace

std::string_view trim_trailing_slashes(std::string_view url) noexcept {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

std::string_view agent_path_prefix(service_type s) noexcept {
  switch (s) {
    case service_type::image: return "/image";
    case service_type::network: return "/network";
    case service_type::compute: return "/compute";
    case service_type::volume: return "/volume";
    case service_type::identity:
    case service_type::none: break;
  }
  return "";
}

std::string agent_service_root(service_type s, std::string_view agent_base) {
  return std::string(trim_trailing_slashes(agent_base)) + std::string(agent_path_prefix(s));
}

std::string agent_endpoint_url(service_type s, std::string_view agent_base) {
  auto root = agent_service_root(s, agent_base);
  switch (s) {
    case service_type::identity: return root + "/v3";
    case service_type::compute: return root + "/v2.1";
    case service_type::volume: return root + "/v3";
    case service_type::image:
    case service_type::network:
    case service_type::none: break;
  }
  return root;
}

std::string upstream_service_root(service_type s, std::string_view catalog_url) {
  std::string_view url = trim_trailing_slashes(catalog_url);
  switch (s) {
    case service_type::identity: drop_version(url, {"v3", "v2.0"}); break;
    case service_type::image: drop_version(url, {"v2", "v1"}); break;
    case service_type::network: drop_version(url, {"v2.0"}); break;
    case service_type::compute: {
      if (drop_version(url, {"v2.1", "v2"})) break;
      // `.../v2.1/<project>`: the project segment comes after the version.
      auto last = last_segment(url);
      bool templated = !last.empty() && last.front() == '$';
      if (is_hex_id(last) || templated) {
        std::string_view shorter = drop_last_segment(url);
        if (drop_version(shorter, {"v2.1", "v2"})) url = shorter;
      }
      break;
    }
    case service_type::volume: {
      // Cinder's catalog URL names the project: `.../v3/<project>` or `.../v3/$(project_id)s`.
      if (drop_version(url, {"v3"})) break;
      std::string_view shorter = drop_last_segment(url);
      if (!last_segment(url).empty() && drop_version(shorter, {"v3"})) url = shorter;
      break;
    }
    case service_type::none: break;
  }
  return std::string(url);
}

std::string url_origin(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto path_start = url.find_first_of("/?#", scheme_end + 3);
  return std::string(url.substr(0, path_start));
}

std::string next_page_path(std::string_view link) {
  if (link.size() < 2 || link[0] != '/' || link[1] == '/') return {};
  for (char c : link)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return {};   // no header smuggling
  return std::string(link);
}

bool stays_on_agent(std::string_view url, std::string_view agent_base) noexcept {
  if (url.size() >= 1 && url[0] == '/') return url.size() == 1 || url[1] != '/';
  auto base = trim_trailing_slashes(agent_base);
  if (base.empty() || url.substr(0, base.size()) != base) return false;
  return url.size() == base.size() || url[base.size()] == '/' || url[base.size()] == '?';
}

} // namespace fedstack::api
