// Identity v3 through the agent: everything goes to the shared Keystone; token
// answers get their catalog rewritten so clients come back to this agent.

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/catalog.hpp"
#include "api/rewrite.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Seeds the token cache from a token answer, saving a validation round trip.
void remember_token(agent_context& context, const std::string& token, const json& body) {
  if (token.empty() || !body.is_object() || !body.contains("token")) return;
  const auto& t = body["token"];
  if (!t.is_object() || !t.contains("project") || !t["project"].is_object()) return;
  auto expires = parse_keystone_time(t.value("expires_at", std::string{}));
  if (!expires) return;
  token_identity identity;
  identity.user_id = t.value("user", json::object()).value("id", std::string{});
  identity.project_id = t["project"].value("id", std::string{});
  identity.expires_at = *expires;
  for (const auto& role : t.value("roles", json::array()))
    if (role.is_object() && role.value("name", std::string{}) == "admin") identity.is_admin = true;
  context.tokens->insert(token, std::move(identity));
}

} // namespace

http::awaitable<void> handle_identity(request& r) {
  auto& context = r.context;
  auto method = r.header().method();
  std::string body;
  if (method != bhttp::verb::get && method != bhttp::verb::head && method != bhttp::verb::delete_) {
    auto read = co_await read_json_body(r);
    if (!read) co_return;
    body = std::move(*read);
  }
  auto target = r.route.upstream_path + (r.route.query.empty() ? "" : "?" + r.route.query);
  r.upstream = context.keystone.to_string();
  auto answer = co_await context.upstream->call(context.keystone, method, target, r.header(), std::move(body),
                                                context.upstream_timeout(), nullptr, r.request_id);

  // Keystone's links name Keystone; clients must come back here instead.
  auto text = api::rewrite_url_prefix(answer.body, context.keystone.to_string(), context.base_url);
  bool is_token_call = r.route.resource == "tokens" || r.route.resource == "catalog";
  if (is_token_call && answer.status < 300) {
    auto document = json::parse(text, nullptr, false);
    if (document.is_object()) {
      api::rewrite_catalog(document, context.base_url, context.cloudlet.region);
      if (r.route.resource == "tokens" && method == bhttp::verb::post)
        remember_token(context, std::string(answer.headers["X-Subject-Token"]), document);
      text = document.dump();
    }
  }
  if (auto location = answer.headers.find(bhttp::field::location); location != answer.headers.end()) {
    answer.headers.set(bhttp::field::location,
                       api::rewrite_url_prefix(location->value(), context.keystone.to_string(), context.base_url));
  }
  if (method == bhttp::verb::delete_ && r.route.resource == "tokens")
    context.tokens->erase(std::string(r.header()["X-Subject-Token"]));
  co_await send_upstream_response(r, answer, std::move(text));
}

} // namespace fedstack::agent
