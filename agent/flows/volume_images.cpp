#include "agent/flows/volume_images.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {

http::awaitable<std::optional<storage::registry_entry>> volume_image_of(request& r, const nlohmann::json& doc) {
  auto id = read_volume_create(storage::resource_kind::volume, doc).image_id;
  if (!api::global_id_owner(id)) co_return std::nullopt;
  auto entry = co_await visible_entry(r, id);
  if (!entry || entry->kind != storage::resource_kind::image || entry->copies.empty()) co_return std::nullopt;
  co_return entry;
}

http::awaitable<std::optional<not_ready>> prepare_volume_image_on(request& r, storage::registry_entry& image,
                                                                  nlohmann::json& doc, const cloudlet_endpoints& c) {
  std::optional<not_ready> failure;
  try {
    image = co_await ensure_image_on(r, image, c);
    if (const auto* copy = image.copy_on(c.region)) doc["volume"]["imageRef"] = copy->local_id;
  } catch (const copy_failed& e) {
    failure = not_ready{e.status, e.what()};
  } catch (const upstream_failure& e) {
    failure = not_ready{503, e.what()};
  }
  if (failure) spdlog::warn("{} cannot copy image {} to {} for a volume: {}", r.request_id, image.global_id, c.region,
                            failure->message);
  co_return failure;
}

} // namespace fedstack::agent
