#include "agent/flows/volume_backups.hpp"

#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/volumes.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Records the volume a restore made on `c` under a new global ID of the caller's
/// project, bound at once (the cloud made it already), then marks it on the cloud
/// so that the orphan sweep can tell whose it is. Its global ID.
http::awaitable<std::string> record_restored(request& r, const cloudlet_endpoints& c, const std::string& local_id,
                                             const std::string& name) {
  storage::registry_entry entry;
  entry.kind = storage::resource_kind::volume;
  entry.global_id = r.context.registry->new_global_id();
  entry.project_id = r.identity->project_id;
  entry.state = storage::entry_state::bound;
  entry.created_unix_ms = now_unix_ms();
  entry.name = name;
  entry.copies.push_back(storage::cloud_copy{c.region, local_id});
  co_await r.context.registry->put(entry);
  r.context.aliases.learn(c.region, local_id, entry.global_id);
  json metadata = {{"metadata", {{std::string(api::gid_key), entry.global_id}}}};
  auto marked = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::post,
                                       "/v3/volumes/" + local_id + "/metadata", client_call_headers(r),
                                       metadata.dump());
  if (marked.status >= 300)
    spdlog::warn("{} restored volume {} on {} recorded as {} but not marked ({})", r.request_id, local_id, c.region,
                 entry.global_id, marked.status);
  co_return entry.global_id;
}

} // namespace

http::awaitable<bool> handle_backup_restore(request& r, const storage::registry_entry& backup,
                                            const cloudlet_endpoints& c, const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  auto volume_id = restore_volume(doc);
  if (!volume_id.empty()) {
    // Into an existing volume: only one of the backup's cloudlet (an ID the caller may
    // not use goes on as given: Cinder's own not-found answer).
    auto home = co_await home_of_source(r, volume_id);
    auto refusal = home ? cross_cloudlet_restore(backup.global_id, c.region, volume_id, home->region) : std::nullopt;
    if (!refusal) co_return false;
    spdlog::info("{} restore refused: {}", r.request_id, *refusal);
    co_await send_error(r, 409, *refusal);
    co_return true;
  }
  if (!doc.is_object() || !doc.contains("restore") || !doc["restore"].is_object()) co_return false;   // Cinder's 400
  const auto& primary = backup.copies.front();
  auto path = api::rewrite_uuids(r.route.upstream_path, [&](std::string_view id) -> std::optional<std::string> {
    if (id == backup.global_id) return primary.local_id;
    return std::nullopt;
  });
  r.upstream = endpoint_of(c, api::service_type::volume).to_string();
  auto answer = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::post, path,
                                       client_call_headers(r), body);
  std::map<std::string, std::string> known;
  known.emplace(primary.local_id, backup.global_id);
  auto answered = json::parse(answer.body, nullptr, false);
  auto made = answer.status == 202 ? restored_volume(answered) : std::string{};
  if (!made.empty()) {
    auto name = answered["restore"].value("volume_name", std::string{});
    auto global_id = co_await record_restored(r, c, made, name);
    known.emplace(made, global_id);
  }
  auto text = co_await translate_answer(r, c, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
  co_return true;
}

} // namespace fedstack::agent
