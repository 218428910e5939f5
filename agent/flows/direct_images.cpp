#include "agent/flows/direct_images.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "agent/flows/adoptions.hpp"
#include "agent/flows/client_answer.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/copy_changes.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/lifecycle.hpp"
#include "agent/rules/adoption_rule.hpp"
#include "agent/rules/direct_image_rule.hpp"
#include "agent/rules/image_patch_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "api/uuid.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

struct sighting_answer {
  bool answered = false;
  bool shown = false;
  json image;
};

/// One cloudlet's Glance asked for the image with the caller's token. Runs
/// outside the request (fan_out.hpp): copies only.
http::awaitable<void> ask_glance(agent_context* context, bhttp::fields headers, cloudlet_endpoints c, std::string id,
                                 std::shared_ptr<sighting_answer> out) {
  try {
    auto answer = co_await call_cloudlet(*context, c, api::service_type::image, bhttp::verb::get, "/v2/images/" + id,
                                         headers);
    auto doc = json::parse(answer.body, nullptr, false);
    out->answered = answer.status < 500;
    out->shown = answer.status == 200 && doc.is_object();
    if (out->shown) out->image = std::move(doc);
  } catch (const std::exception&) {
    out->shown = false;   // a cloudlet that cannot tell shows nothing
  }
}

} // namespace

http::awaitable<std::optional<direct_image>> find_direct_image(request& r, const std::string& cloud_id,
                                                               std::vector<std::string>* unanswered) {
  if (!api::is_uuid(cloud_id)) co_return std::nullopt;
  auto cloudlets = all_cloudlets(r.context);
  auto headers = client_call_headers(r);
  std::vector<std::shared_ptr<sighting_answer>> answers;
  std::vector<std::function<http::awaitable<void>()>> tasks;
  for (const auto& c : cloudlets) {
    auto answer = std::make_shared<sighting_answer>();
    answers.push_back(answer);
    tasks.push_back([context = &r.context, headers, c, cloud_id, answer]() {
      return ask_glance(context, headers, c, cloud_id, answer);
    });
  }
  auto done = co_await run_all(std::move(tasks), std::chrono::milliseconds{r.context.options.list_deadline_ms});
  std::vector<image_sighting> shown;
  for (std::size_t i = 0; i < cloudlets.size(); ++i) {
    if (done[i] && answers[i]->shown) shown.push_back({cloudlets[i].region, answers[i]->image});
    if ((!done[i] || !answers[i]->answered) && unanswered) unanswered->push_back(cloudlets[i].region);
  }
  auto holder = choose_image_holder(shown, r.context.cloudlet.region);
  if (!holder.cloudlet && holder.conflict.empty()) co_return std::nullopt;
  direct_image out;
  out.id = cloud_id;
  out.conflict = holder.conflict;
  out.holder = holder.cloudlet.value_or(std::string{});
  for (auto& s : shown) {
    out.shown_on.push_back(s.cloudlet);
    if (s.cloudlet == out.holder || out.image.is_null()) out.image = std::move(s.image);
  }
  co_return out;
}

http::awaitable<std::string> direct_image_on(request& r, const direct_image& image, const cloudlet_endpoints& c) {
  for (const auto& region : image.shown_on)
    if (region == c.region) co_return image.id;
  if (!image.conflict.empty()) throw copy_failed(image.conflict, 409);
  // The target's own equal image (the operator's cirros on every cloudlet): no copy.
  auto name = image.image.value("name", std::string{});
  auto listed = co_await call_cloudlet(r.context, c, api::service_type::image, bhttp::verb::get,
                                       "/v2/images?name=" + api::percent_encode(name), client_call_headers(r));
  auto doc = json::parse(listed.body, nullptr, false);
  if (listed.status == 200 && doc.is_object())
    if (auto equal = equal_image_in(doc.value("images", json::array()), image.image)) {
      spdlog::info("{} image {}: {} holds an equal image {}", r.request_id, image.id, c.region, *equal);
      co_return *equal;
    }
  auto entry = co_await adoption_for(r, storage::resource_kind::image, image.holder, image.image, c);
  storage::cloud_copy source{image.holder, image.id};
  entry = co_await ensure_image_on(r, entry, c, &source);
  const auto* copy = entry.copy_on(c.region);
  if (!copy) throw copy_failed("image " + image.id + " has no copy on " + c.region);
  co_return copy->local_id;
}

http::awaitable<std::optional<adopted_image>> find_adopted(request& r, const std::string& cloud_id) {
  if (!api::is_uuid(cloud_id)) co_return std::nullopt;
  auto text = co_await r.context.registry->get_meta(adopted_image_key(cloud_id));
  auto record = text ? decode_adopted(*text) : std::nullopt;
  // A record names only an adoption of this very image (a planted one names nothing).
  if (!record || record->local_id != cloud_id ||
      !is_adoption_of(record->global_id, storage::resource_kind::image, record->cloudlet, cloud_id))
    co_return std::nullopt;
  auto entry = co_await r.context.registry->get(record->project, record->global_id);
  if (!entry) co_return std::nullopt;
  co_return adopted_image{*record, *entry};
}

} // namespace fedstack::agent

namespace fedstack::agent {
namespace {

/// DELETE, as the caller, of an image the federation adopted, on its holder
/// (r.target); once it is gone (2xx, or 404), the copies every adoption of it
/// made, then their entries. A copy that cannot be deleted keeps its entry (a
/// later DELETE of the ID, answered 404 by the holder, tries again). The
/// holder's answer is the client's.
http::awaitable<void> delete_adopted(request& r, const std::vector<found_adoption>& adoptions) {
  auto headers = client_call_headers(r);
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::image, bhttp::verb::delete_,
                                       "/v2/images/" + r.route.resource_id, headers);
  bool gone = (answer.status >= 200 && answer.status < 300) || answer.status == 404;
  if (gone) co_await forget_adoptions(r, adoptions, api::service_type::image, "/v2/images/");
  co_await send_upstream_response(r, answer, answer.body);
}

/// A PATCH of the image `holder` holds: what of it reaches copies made on every
/// adoption's copies, with the caller's token, before the holder (copy_changes.hpp),
/// as a recorded image's PATCH reaches its copies. False when a copy refused:
/// that answer was the client's.
http::awaitable<bool> patch_adopted_copies(request& r, const std::string& holder, const std::string& body) {
  auto ops = json::parse(body, nullptr, false);
  if (!patch_reaches_copies(ops)) co_return true;   // or Glance's answer from the holder
  auto adoptions = co_await adoptions_of(r, storage::resource_kind::image, r.route.resource_id, holder);
  auto change = image_patch_change(r, std::move(ops),
                                   [](const storage::cloud_copy& copy) { return "/v2/images/" + copy.local_id; });
  for (const auto& adoption : adoptions) {
    bool in_step = co_await change_copies(r, adoption.entry, 0, change);
    if (!in_step) co_return false;
  }
  co_return true;
}

} // namespace

http::awaitable<bool> delete_adopted_copies(request& r, const storage::registry_entry& entry,
                                            api::service_type service, const std::string& path) {
  auto headers = client_call_headers(r);
  bool all_gone = true;
  for (const auto& copy : entry.copies) {
    auto cloudlet = find_cloudlet(r.context, copy.cloudlet);
    if (!cloudlet) continue;
    unsigned status = 0;
    try {
      auto removed = co_await call_cloudlet(r.context, *cloudlet, service, bhttp::verb::delete_, path + copy.local_id,
                                            headers);
      status = removed.status;
    } catch (const upstream_failure& e) {
      spdlog::warn("{} deleting the copy {} of {} on {}: {}", r.request_id, copy.local_id, entry.global_id,
                   copy.cloudlet, e.what());
    }
    if (status < 200 || (status >= 300 && status != 404)) all_gone = false;
  }
  co_return all_gone;
}

bool is_direct_image_call(const api::route& route) {
  return route.service == api::service_type::image && route.resource == "images" && !route.is_collection &&
         api::is_uuid(route.resource_id) && !api::global_id_owner(route.resource_id);
}

http::awaitable<void> handle_direct_image_call(request& r, std::string body) {
  const auto id = r.route.resource_id;
  // A show: this agent's cloudlet first, one call, as before; the others only when it has no such image.
  if (r.route.action.empty() && r.header().method() == bhttp::verb::get) {
    r.target = r.context.cloudlet;
    r.upstream = endpoint_of(r.target, api::service_type::image).to_string();
    auto own = co_await call_cloudlet(r.context, r.target, api::service_type::image, bhttp::verb::get,
                                      r.route.upstream_path, client_call_headers(r));
    if (own.status != 404) {
      std::map<std::string, std::string> none;
      auto text = co_await translate_answer(r, r.target, own, none);
      co_return co_await send_upstream_response(r, own, std::move(text));
    }
  }
  auto found = co_await find_direct_image(r, id);
  // This agent's cloudlet answers what no cloudlet shows (its 404), as before.
  std::string region = r.context.cloudlet.region;
  if (found) {
    bool own = std::find(found->shown_on.begin(), found->shown_on.end(), region) != found->shown_on.end();
    if (!own) region = found->holder.empty() ? found->shown_on.front() : found->holder;
  }
  std::vector<found_adoption> adoptions;
  bool deleting = r.route.action.empty() && r.header().method() == bhttp::verb::delete_;
  // Whichever agent adopted it: every adoption found on the clouds, and this agent's own.
  const std::string holder = found ? region : std::string{};
  if (deleting) adoptions = co_await adoptions_of(r, storage::resource_kind::image, id, holder);
  // Gone from its holder already (a DELETE repeated after a copy could not be deleted): the
  // holder its adoptions were made from answers (404), never another cloudlet.
  if (!adoptions.empty() && !found) region = adoptions.front().holder;
  std::erase_if(adoptions, [&](const found_adoption& a) { return a.holder != region; });
  auto cloudlet = find_cloudlet(r.context, region);
  if (!cloudlet) co_return co_await send_error(r, 503, "The cloudlet " + region + " is not in the catalog.");
  r.target = *cloudlet;
  r.upstream = endpoint_of(*cloudlet, api::service_type::image).to_string();
  if (!adoptions.empty()) co_return co_await delete_adopted(r, adoptions);
  // A change of it reaches the federation's copies first, whichever agent made them.
  bool patching = found && r.route.action.empty() && r.header().method() == bhttp::verb::patch;
  bool copies_in_step = true;   // no co_await after && (GCC 12)
  if (patching) copies_in_step = co_await patch_adopted_copies(r, region, body);
  if (!copies_in_step) co_return;
  std::string path = r.route.upstream_path;   // named: no temporaries as coroutine arguments
  if (!r.route.query.empty()) path += "?" + r.route.query;
  if (r.route.action == "file" && r.header().method() == bhttp::verb::get)
    co_return co_await handle_image_download(r, path);
  if (r.route.action == "file" && r.header().method() == bhttp::verb::put)
    co_return co_await handle_image_upload(r, r.route.upstream_path);
  co_await forward_to_target(r, std::move(body), {});
}

} // namespace fedstack::agent
