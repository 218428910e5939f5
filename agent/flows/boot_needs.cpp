#include "agent/flows/boot_needs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <functional>

#include <spdlog/spdlog.h>

#include "agent/flows/adoptions.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/flavors.hpp"
#include "agent/flows/keypairs.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/port_rule.hpp"
#include "agent/rules/security_group_rule.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The last path segment of an ID or a link to one (imageRef, flavorRef).
std::string id_from_ref(const json& ref) {
  if (!ref.is_string()) return {};
  auto text = ref.get<std::string>();
  auto slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

json parse_object(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

/// Nova's min_count/max_count make several servers from one request, each
/// recorded under its own global ID (multi_create.hpp), also when
/// the answer is a reservation ID that names none of them (create_attempt.cpp
/// finds them by the attempt's marker).
std::optional<std::string> refuse_multiple(const json& server) {
  for (const char* key : {"min_count", "max_count"}) {
    auto it = server.find(key);
    if (it == server.end()) continue;
    if (!it->is_number_integer() && !it->is_string()) return std::string("Invalid input for field/attribute ") + key + ".";
  }
  return std::nullopt;
}

/// The flavor's shape, where it lives: this agent's cloudlet first, then the
/// others (a flavor made through another agent; flavors.hpp, locate_flavor).
http::awaitable<void> read_flavor(request& r, boot_needs& needs) {
  std::vector<std::string> unreachable;
  auto found = co_await locate_flavor(r, needs.flavor_id, &unreachable);
  // Not found while a cloudlet could not tell is not "no such flavor".
  if (!found && !unreachable.empty())
    throw upstream_failure(503, "flavor " + needs.flavor_id + ": " + unreachable_header(unreachable) +
                                  " did not answer");
  if (found) {
    needs.flavor = found->flavor;
    needs.flavor_region = found->cloudlet.region;
  }
  needs.request.ram_mb = needs.flavor.is_object() ? needs.flavor.value("ram", 0) : 0;
  needs.request.disk_gb = needs.flavor.is_object() ? needs.flavor.value("disk", 0) : 0;
  needs.request.vcpus = needs.flavor.is_object() ? needs.flavor.value("vcpus", 0) : 0;
}

/// The image's entry, and its checksum and size from its primary copy.
http::awaitable<void> read_image(request& r, boot_needs& needs, const std::string& image_id,
                                 const bhttp::fields& headers) {
  needs.image = co_await visible_entry(r, image_id);
  if (!needs.image || needs.image->copies.empty()) co_return;
  const auto& primary = needs.image->copies.front();
  auto from = find_cloudlet(r.context, primary.cloudlet);
  if (!from) co_return;
  auto shown = co_await call_cloudlet(r.context, *from, api::service_type::image, bhttp::verb::get,
                                      "/v2/images/" + primary.local_id, headers);
  auto image = parse_object(shown.body);
  if (image.contains("checksum") && image["checksum"].is_string()) needs.request.image_checksum = image["checksum"];
  if (image.contains("size") && image["size"].is_number())
    needs.request.image_size_gb =
      static_cast<std::int64_t>(std::ceil(image["size"].get<double>() / (1024.0 * 1024 * 1024)));
}

/// An image named by a cloud's ID: where the clouds show it to the caller, for
/// the scheduler its checksum and size; when no cloudlet shows it (its holder
/// gone), this agent's adopted entry for it, if the caller may use that.
http::awaitable<void> read_direct_image(request& r, boot_needs& needs, const std::string& image_id) {
  std::vector<std::string> unanswered;
  needs.direct = co_await find_direct_image(r, image_id, &unanswered);
  if (!needs.direct) {
    // Only while its holder cannot tell (a holder that answered 404 has no such
    // image any more), and only for the image's own project: another's use is
    // for the holder to allow. This agent's adoption first, else another agent's (adoptions.hpp).
    auto adopted = co_await find_adopted(r, image_id);
    if (adopted && adopted->entry.project_id == r.identity->project_id &&
        std::find(unanswered.begin(), unanswered.end(), adopted->record.cloudlet) != unanswered.end())
      needs.image = std::move(adopted->entry);
    if (!needs.image) {
      auto found = co_await adoption_while_holder_down(r, storage::resource_kind::image, image_id, unanswered);
      if (found) needs.image = std::move(found->entry);
    }
    needs.image_by_cloud_id = needs.image.has_value();
    co_return;
  }
  const auto& image = needs.direct->image;
  if (image.contains("checksum") && image["checksum"].is_string()) needs.request.image_checksum = image["checksum"];
  if (image.contains("size") && image["size"].is_number())
    needs.request.image_size_gb =
      static_cast<std::int64_t>(std::ceil(image["size"].get<double>() / (1024.0 * 1024 * 1024)));
}

/// A boot from or with the federation's volumes goes to their cloudlet: Nova uses only
/// its own cloud's volumes. Unknown IDs reach the cloud as given (its answer decides).
http::awaitable<void> place_with_volumes(request& r, boot_needs& needs, const json& server) {
  std::vector<std::string> cloudlets;
  for (const auto& id : boot_volume_ids(server)) {
    if (!api::global_id_owner(id)) continue;
    auto entry = co_await visible_entry(r, id);
    if (entry && !entry->copies.empty()) cloudlets.push_back(entry->copies.front().cloudlet);
  }
  auto placed = place_boot_with_volumes(needs.request.availability_zone, cloudlets);
  needs.refusal = placed.refusal;
  if (!placed.refusal) needs.request.availability_zone = placed.cloudlet;
}

/// A boot on the federation's ports goes to their cloudlet (rules/port_rule.hpp).
/// Unknown IDs reach the cloud as given (its answer decides).
http::awaitable<void> place_with_ports(request& r, boot_needs& needs, const json& server) {
  if (needs.refusal || !server.contains("networks") || !server["networks"].is_array()) co_return;
  std::vector<boot_port> ports;
  for (const auto& n : server["networks"]) {
    auto id = n.is_object() ? n.value("port", std::string{}) : std::string{};
    if (!api::global_id_owner(id)) continue;
    auto entry = co_await visible_entry(r, id);
    if (entry && !entry->copies.empty()) ports.push_back({id, entry->copies.front().cloudlet});
  }
  auto placed = place_boot_on_ports(needs.request.availability_zone, ports);
  needs.refusal = placed.refusal;
  if (!placed.refusal) needs.request.availability_zone = placed.cloudlet;
}

} // namespace

std::optional<std::string> refuse_boot(const json& body) {
  if (!body.contains("server") || !body["server"].is_object()) return "Invalid input for field/attribute server.";
  return refuse_multiple(body["server"]);
}

namespace {

/// The flavor's read (Nova) and the image's (Glance), at once: each service
/// checks a fresh token with Keystone on its first call, which a loaded
/// Keystone makes take seconds (docs/conformance.md, "Tempest"). Both run to
/// their end before this returns; the first failure is thrown then.
/// A boot pinned to another cloudlet than the flavor's: its flavor there, looked
/// up now, beside the image's read (a registry ask to its owner, then its
/// primary's Glance: round trips the look-up need not wait for). A look-up that
/// fails is made again when the boot is prepared there. Not for an image whose
/// entry is this agent's: its read is mostly local, and the look-up runs beside
/// the copies when the boot is prepared.
http::awaitable<void> flavor_on_pinned(request& r, boot_needs& needs) {
  // A copy: the volumes' and ports' placement, read beside this, may move the zone.
  const auto zone = needs.request.availability_zone;
  if (zone.empty() || zone == needs.flavor_region || needs.flavor.is_null()) co_return;
  auto to = find_cloudlet(r.context, zone);
  if (!to) co_return;
  std::optional<std::string> found;
  try {
    found = co_await flavor_like_on(r, needs.flavor, *to);
  } catch (const std::exception& e) {
    spdlog::info("{} flavor {} on {}: {}; looked up again there", r.request_id, needs.flavor_id, zone, e.what());
  }
  if (found) needs.flavor_there = std::pair{zone, *found};
}

http::awaitable<void> read_flavor_task(request& r, boot_needs& needs, bool look_on_pinned,
                                       std::exception_ptr& failed) {
  try {
    co_await read_flavor(r, needs);
    if (look_on_pinned) co_await flavor_on_pinned(r, needs);
  } catch (...) {
    failed = std::current_exception();
  }
}

http::awaitable<void> read_image_task(request& r, boot_needs& needs, const std::string& image_id,
                                      const bhttp::fields& headers, std::exception_ptr& failed) {
  try {
    // A global ID is the federation's; any other ID is a cloud's own.
    if (api::global_id_owner(image_id)) co_await read_image(r, needs, image_id, headers);
    else co_await read_direct_image(r, needs, image_id);
  } catch (...) {
    failed = std::current_exception();
  }
}

http::awaitable<void> read_flavor_and_image(request& r, boot_needs& needs, const std::string& image_id,
                                            const bhttp::fields& headers) {
  std::exception_ptr flavor_failed;
  std::exception_ptr image_failed;
  std::vector<std::function<http::awaitable<void>()>> tasks;
  const bool image_elsewhere = !image_id.empty() && !is_own_entry(r, image_id);
  if (!needs.flavor_id.empty())
    tasks.push_back([&r, &needs, image_elsewhere, &flavor_failed] {
      return read_flavor_task(r, needs, image_elsewhere, flavor_failed);
    });
  if (!image_id.empty())
    tasks.push_back([&r, &needs, &image_id, &headers, &image_failed] {
      return read_image_task(r, needs, image_id, headers, image_failed);
    });
  // No deadline of its own: every call in them ends within --upstream-timeout-ms,
  // and the tasks use the request, so they must not outlive this call.
  co_await run_all(std::move(tasks), std::chrono::hours{24});
  if (flavor_failed) std::rethrow_exception(flavor_failed);
  if (image_failed) std::rethrow_exception(image_failed);
}

} // namespace

namespace {

/// Runs `step` to its end; what it throws is kept in `failure` (read_boot, prepare_boot_on).
http::awaitable<void> kept(std::function<http::awaitable<void>()> step, std::exception_ptr& failure) {
  try {
    co_await step();
  } catch (...) {
    failure = std::current_exception();
  }
}

/// The volumes' cloudlet, then the ports': each may pin the boot (and refuse it).
http::awaitable<void> place_with_attachments(request& r, boot_needs& needs, const json& server) {
  co_await place_with_volumes(r, needs, server);
  co_await place_with_ports(r, needs, server);
}

/// What one of the body's networks names: the federation's entry, or a network made on a cloud directly.
struct network_read {
  std::optional<storage::registry_entry> entry;
  std::optional<direct_network> direct;
};

http::awaitable<void> read_network(request& r, const json& n, network_read& out) {
  auto id = n.is_object() ? n.value("uuid", std::string{}) : std::string{};
  // Any other ID is a cloud's own: a network made on a cloud directly, or unknown.
  if (!api::global_id_owner(id)) out.direct = co_await find_direct_network(r, id);
  else out.entry = co_await visible_entry(r, id);
}

http::awaitable<void> read_keypair(request& r, boot_needs& needs, const json& server) {
  needs.keypair = co_await read_own_keypair(r, server["key_name"].get<std::string>());
}

http::awaitable<void> read_groups(request& r, boot_needs& needs, const json& server) {
  needs.groups = co_await read_boot_groups(r, server);
}

} // namespace

http::awaitable<boot_needs> read_boot(request& r, json& server) {
  boot_needs needs;
  needs.request.kind = placement_kind::server;
  auto headers = client_call_headers(r);
  needs.flavor_id = id_from_ref(server.value("flavorRef", json()));
  auto image_id = id_from_ref(server.value("imageRef", json()));
  // `--boot-from-volume N`: Nova makes the volume from the image on the server's cloud, so the image is copied there.
  if (image_id.empty()) image_id = boot_volume_image(server);
  if (server.contains("availability_zone") && server["availability_zone"].is_string()) {
    needs.request.availability_zone = server["availability_zone"];
    server.erase("availability_zone");
  }
  // Every read at once: they are independent, and a registry ask to another
  // agent or a call to a remote cloud is a round trip each (docs/performance.md,
  // "What serialises round trips"). All end before this returns; then the first
  // failure in the order they were once made in (flavor and image, volumes and
  // ports, keypair, groups, networks) is thrown.
  const json no_networks = json::array();
  const auto& networks =
    server.contains("networks") && server["networks"].is_array() ? server["networks"] : no_networks;
  std::vector<network_read> network_reads(networks.size());
  std::vector<std::function<http::awaitable<void>()>> reads;
  reads.push_back([&r, &needs, &image_id, &headers] { return read_flavor_and_image(r, needs, image_id, headers); });
  reads.push_back([&r, &needs, &server] { return place_with_attachments(r, needs, server); });
  if (server.contains("key_name") && server["key_name"].is_string())
    reads.push_back([&r, &needs, &server] { return read_keypair(r, needs, server); });
  reads.push_back([&r, &needs, &server] { return read_groups(r, needs, server); });
  for (std::size_t i = 0; i < networks.size(); ++i)
    reads.push_back([&r, &networks, &network_reads, i] { return read_network(r, networks[i], network_reads[i]); });
  std::vector<std::exception_ptr> failures(reads.size());
  std::vector<std::function<http::awaitable<void>()>> running;
  for (std::size_t i = 0; i < reads.size(); ++i)
    running.push_back([&reads, &failures, i] { return kept(reads[i], failures[i]); });
  co_await run_all_to_end(std::move(running));
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  for (std::size_t i = 0; i < network_reads.size(); ++i) {
    if (network_reads[i].direct) needs.direct_networks.emplace_back(i, std::move(*network_reads[i].direct));
    if (network_reads[i].entry) needs.networks.push_back(std::move(*network_reads[i].entry));
  }
  co_return needs;
}

namespace {

/// The flavor's own cloudlet boots with its ID; any other, this agent's
/// included when the flavor lives elsewhere, with its equal flavor or a copy.
http::awaitable<void> flavor_step(request& r, const boot_needs& boot, json& server, const cloudlet_endpoints& c) {
  if (boot.flavor_id.empty()) co_return;
  if (c.region == boot.flavor_region) {
    server["flavorRef"] = boot.flavor_id;   // an earlier candidate may have renamed it
    co_return;
  }
  if (boot.flavor.is_null()) throw copy_failed("Flavor " + boot.flavor_id + " could not be found.", 400);
  std::optional<std::string> found;   // read_boot's look-up there, for a boot pinned to `c`
  if (boot.flavor_there && boot.flavor_there->first == c.region) found = boot.flavor_there->second;
  auto id_there = co_await ensure_flavor_on(r, boot.flavor, boot.flavor_region, c, found);
  co_await share_flavor_access(r, boot.flavor, boot.flavor_region, c, id_there);
  server["flavorRef"] = id_there;
}

/// Each group copied in a pass at once; a second pass brings in rules whose
/// remote is another of the boot's groups, copied after the group that names it.
http::awaitable<void> groups_step(request& r, const boot_needs& boot, const cloudlet_endpoints& c) {
  const int passes = boot.groups.size() > 1 ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    std::vector<std::exception_ptr> failures(boot.groups.size());
    std::vector<std::function<http::awaitable<void>()>> copies;
    for (std::size_t i = 0; i < boot.groups.size(); ++i)
      if (copied_for_boot(boot.groups[i].name))
        copies.push_back([&r, &boot, &c, &failures, i] {
          return kept([&r, &boot, &c, i] { return ensure_group_on(r, boot.groups[i], c); }, failures[i]);
        });
    co_await run_all_to_end(std::move(copies));
    for (const auto& failure : failures)
      if (failure) std::rethrow_exception(failure);
  }
}

http::awaitable<void> image_step(request& r, boot_needs& boot, const cloudlet_endpoints& c) {
  boot.image = co_await ensure_image_on(r, *boot.image, c);
}

http::awaitable<void> network_step(request& r, storage::registry_entry& network, const cloudlet_endpoints& c) {
  network = co_await ensure_network_on(r, network, c);
}

http::awaitable<void> direct_image_step(request& r, const boot_needs& boot, json& server,
                                        const cloudlet_endpoints& c) {
  auto id_there = co_await direct_image_on(r, *boot.direct, c);
  server["imageRef"] = id_there;
}

http::awaitable<void> direct_network_step(request& r, const direct_network& network, std::size_t index,
                                          json& server, const cloudlet_endpoints& c) {
  auto id_there = co_await direct_network_on(r, network, c);
  server["networks"][index]["uuid"] = id_there;
}

} // namespace

http::awaitable<std::optional<not_ready>> prepare_boot_on(request& r, boot_needs& boot, json& doc,
                                                          const cloudlet_endpoints& c) {
  std::optional<not_ready> failure;
  auto& server = doc["server"];
  const bool own = c.region == r.context.cloudlet.region;
  // Every step at once: they are independent, and across sites each call in
  // turn is a round trip (docs/performance.md, "What serialises round trips").
  // Each ends as it would alone (a failed Neutron create found or recorded as
  // abandoned, a failed image copy deleted); `failures` keeps their order, so
  // the first failing step in it decides why `c` is not ready.
  std::vector<std::function<http::awaitable<void>()>> steps;
  steps.push_back([&r, &boot, &server, &c] { return flavor_step(r, boot, server, c); });
  if (boot.keypair && !own) steps.push_back([&r, &boot, &c] { return ensure_keypair_on(r, *boot.keypair, c); });
  if (!own) steps.push_back([&r, &boot, &c] { return groups_step(r, boot, c); });
  if (boot.server_group)
    steps.push_back([&r, &boot, &doc, &c] { return ensure_server_group_on(r, *boot.server_group, doc, c); });
  if (boot.image) steps.push_back([&r, &boot, &c] { return image_step(r, boot, c); });
  for (auto& network : boot.networks) steps.push_back([&r, &network, &c] { return network_step(r, network, c); });
  if (boot.direct) steps.push_back([&r, &boot, &server, &c] { return direct_image_step(r, boot, server, c); });
  for (const auto& [index, network] : boot.direct_networks)
    steps.push_back([&r, &network, index, &server, &c] { return direct_network_step(r, network, index, server, c); });
  std::vector<std::exception_ptr> failures(steps.size());
  std::vector<std::function<http::awaitable<void>()>> running;
  for (std::size_t i = 0; i < steps.size(); ++i)
    running.push_back([&steps, &failures, i] { return kept(steps[i], failures[i]); });
  co_await run_all_to_end(std::move(running));
  try {
    for (const auto& f : failures)
      if (f) std::rethrow_exception(f);
    name_groups_for(boot.groups, server, own);
    if (boot.image && boot.image_by_cloud_id) server["imageRef"] = boot.image->copy_on(c.region)->local_id;
  } catch (const copy_failed& e) {
    failure = not_ready{e.status, e.what()};
  } catch (const upstream_failure& e) {
    failure = not_ready{503, e.what()};
  }
  if (failure) spdlog::warn("{} cannot prepare {} for the boot: {}", r.request_id, c.region, failure->message);
  co_return failure;
}

} // namespace fedstack::agent
