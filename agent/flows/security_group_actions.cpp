#include "agent/flows/security_group_actions.hpp"

#include <optional>
#include <utility>

#include "agent/flows/copies.hpp"
#include "agent/flows/security_groups.hpp"
#include "agent/rules/security_group_action.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

// Built outside the coroutine: GCC 12 cannot keep an initializer_list in a coroutine frame.
json naming(const std::string& given) {
  json item = json::object();
  item["name"] = given;
  json server = json::object();
  server["security_groups"] = json::array({item});
  return server;
}

} // namespace

http::awaitable<bool> prepare_security_group_action(request& r, const cloudlet_endpoints& at, std::string& body) {
  if (at.region == r.context.cloudlet.region) co_return false;
  auto doc = json::parse(body, nullptr, false);
  auto action = security_group_action_of(r.route, r.header().method(), doc);
  if (!action) co_return false;
  auto groups = co_await read_boot_groups(r, naming(action->given));
  if (groups.empty()) co_return false;   // not the client's group here: Nova there judges the name
  std::optional<std::pair<unsigned, std::string>> failure;
  try {
    if (action->add) co_await ensure_group_on(r, groups.front(), at);
  } catch (const copy_failed& e) {
    failure.emplace(e.status, e.what());
  } catch (const upstream_failure& e) {
    failure.emplace(503u, e.what());
  }
  if (failure) {
    co_await send_error(r, failure->first, failure->second);
    co_return true;
  }
  body = name_action_group(std::move(doc), groups.front().name).dump();
  co_return false;
}

} // namespace fedstack::agent
