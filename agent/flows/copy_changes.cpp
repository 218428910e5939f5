#include "agent/flows/copy_changes.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/image_patch_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {

using json = nlohmann::json;

http::awaitable<bool> refused_by_copy(request& r, const storage::registry_entry& entry, const storage::cloud_copy& copy,
                                      const cloudlet_endpoints& cloudlet, http::response& answer, std::string_view what) {
  if (answer.status < 300 || answer.status == 404) co_return false;
  spdlog::warn("{} {} the copy of {} on {} answered {}", r.request_id, what, entry.global_id, copy.cloudlet,
               answer.status);
  std::map<std::string, std::string> none;
  auto text = co_await translate_answer(r, cloudlet, answer, none);
  co_await send_upstream_response(r, answer, std::move(text));
  co_return true;
}

http::awaitable<bool> change_copies(request& r, const storage::registry_entry& entry, std::size_t first,
                                    const copy_change& change) {
  auto read_headers = client_call_headers(r);
  for (std::size_t i = first; i < entry.copies.size(); ++i) {
    const auto& copy = entry.copies[i];
    auto cloudlet = find_cloudlet(r.context, copy.cloudlet);
    if (!cloudlet) continue;   // a region that left the catalog holds nothing we can reach
    auto path = change.path(copy);
    auto shown = co_await call_cloudlet(r.context, *cloudlet, change.service, bhttp::verb::get, path, read_headers, {});
    bool unread = co_await refused_by_copy(r, entry, copy, *cloudlet, shown, "reading");
    if (unread) co_return false;
    if (shown.status >= 300) continue;   // gone
    auto body = change.body(json::parse(shown.body, nullptr, false));
    if (body.empty()) continue;
    auto answer = co_await call_cloudlet(r.context, *cloudlet, change.service, change.method, path, change.headers,
                                         std::move(body));
    bool refused = co_await refused_by_copy(r, entry, copy, *cloudlet, answer, "changing");
    if (refused) co_return false;
  }
  co_return true;
}

copy_change image_patch_change(request& r, json ops, std::function<std::string(const storage::cloud_copy& copy)> path) {
  copy_change change{api::service_type::image, std::move(path), bhttp::verb::patch, client_call_headers(r),
                     [ops = std::move(ops)](const json& shown) {
                       auto patch = copy_patch(ops, shown);
                       return patch.empty() ? std::string{} : patch.dump();
                     }};
  change.headers.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  return change;
}

} // namespace fedstack::agent
