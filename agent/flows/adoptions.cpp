#include "agent/flows/adoptions.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "agent/flows/ask_every.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/direct_images.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/adoption_rule.hpp"
#include "agent/rules/direct_network_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/service_session.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "api/uuid.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

api::service_type service_of(resource_kind kind) {
  return kind == resource_kind::image ? api::service_type::image : api::service_type::network;
}

std::string collection_of(resource_kind kind) {
  return std::string(storage::to_string(kind)) + "s";
}

/// The list of `kind` items marked as copies made from `cloud_id`, filtered by the cloud.
std::string marked_list(resource_kind kind, const std::string& cloud_id) {
  if (kind == resource_kind::image)
    return "/v2/images?" + std::string(adopted_from_key) + "=" + api::percent_encode(cloud_id) + "&limit=1000";
  return "/v2.0/" + collection_of(kind) + "?tags=" + api::percent_encode(adopted_from_tag(cloud_id));
}

/// The agent's service token where it has a service user (every project's copies show), else the caller's.
http::awaitable<bhttp::fields> search_headers(request& r) {
  auto headers = client_call_headers(r);
  if (r.context.session) headers.set("X-Auth-Token", co_await r.context.session->token());
  co_return headers;
}

std::string own_adoption_id(request& r, resource_kind kind, const std::string& holder, const std::string& cloud_id) {
  // This agent's node, as every global ID it makes names it.
  auto self = api::global_id_owner(r.context.registry->new_global_id());
  auto id = self ? adopted_global_id(*self, kind, holder, cloud_id) : std::nullopt;
  return id.value_or(std::string{});
}

} // namespace

http::awaitable<std::vector<found_adoption>> find_adoptions(request& r, resource_kind kind, std::string cloud_id,
                                                            std::string holder, std::string project,
                                                            std::vector<cloudlet_endpoints> where,
                                                            std::vector<std::string>* unanswered) {
  std::vector<found_adoption> out;
  if (!api::is_uuid(cloud_id) || where.empty()) co_return out;
  const auto service = service_of(kind);
  const std::string collection = collection_of(kind);
  auto headers = co_await search_headers(r);
  auto calls = co_await ask_all(r, std::move(where), service, marked_list(kind, cloud_id), headers);
  std::vector<std::string> holders;
  if (holder.empty())
    for (const auto& c : all_cloudlets(r.context)) holders.push_back(c.region);
  else holders.push_back(holder);
  std::vector<std::pair<adopted_copy_sighting, std::string>> seen;   // a marked copy, and its holder
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {
    const auto& region = calls.cloudlets[i].region;
    auto doc = calls.ok(i) ? json::parse(calls.answers[i]->response.body, nullptr, false) : json();
    if (!calls.ok(i) || calls.answers[i]->response.status != 200 || !doc.is_object()) {
      if (unanswered) unanswered->push_back(region);
      continue;
    }
    for (const auto& h : holders)
      for (auto& s : adopted_copies_in(service, kind, region, doc.value(collection, json::array()), h, cloud_id))
        seen.emplace_back(std::move(s), h);
  }
  // Each entry read once; each sighting checked: a forged copy naming a real entry hides nothing.
  std::map<std::string, std::optional<registry_entry>> entries;
  std::set<std::string> taken;
  for (const auto& [sighting, h] : seen) {
    auto read = entries.find(sighting.global_id);
    if (read == entries.end()) {
      std::optional<registry_entry> entry;
      try {
        entry = co_await r.context.registry->get_any_project(sighting.global_id);
      } catch (const registry_unavailable& e) {
        spdlog::warn("{} the adoption {} of {} cannot be read: {}", r.request_id, sighting.global_id, cloud_id,
                     e.what());
      }
      read = entries.emplace(sighting.global_id, std::move(entry)).first;
    }
    // A marker alone proves nothing: only an entry listing that very copy is the federation's.
    const auto& entry = read->second;
    if (entry && entry_owns_copy(*entry, sighting, kind, h, cloud_id, project)) {
      if (taken.insert(sighting.global_id).second) out.push_back({h, *entry});
    } else {
      spdlog::warn("{} {} on {} is marked as made from {} for {}, which does not list it: left alone",
                   r.request_id, sighting.local_id, sighting.cloudlet, cloud_id, sighting.global_id);
    }
  }
  co_return out;
}

http::awaitable<std::optional<registry_entry>> own_adoption(request& r, resource_kind kind, std::string holder,
                                                            std::string cloud_id, std::string project) {
  auto id = own_adoption_id(r, kind, holder, cloud_id);
  if (id.empty()) co_return std::nullopt;
  std::optional<registry_entry> entry;   // no co_await inside ?: (GCC 12)
  if (project.empty()) entry = co_await r.context.registry->get_any_project(id);
  else entry = co_await r.context.registry->get(project, id);
  if (!entry || entry->kind != kind || entry->state != storage::entry_state::bound) co_return std::nullopt;
  co_return entry;
}

http::awaitable<registry_entry> adoption_for(request& r, resource_kind kind, const std::string& holder,
                                             const json& item, const cloudlet_endpoints& target) {
  const auto id = item.value("id", std::string{});
  const auto project = owner_project(item);
  const auto what = std::string(storage::to_string(kind));
  if (project.empty() || !api::is_uuid(id))
    throw copy_failed(what + " " + id + " has no project on " + holder + " to record it under", 409);
  auto guard = co_await r.context.copy_locks.acquire("adopt\n" + what + "\n" + id);
  auto own = co_await own_adoption(r, kind, holder, id, project);
  if (own && own->copy_on(target.region)) co_return std::move(*own);
  // Another agent's copy there, made from the same item for the same project: reused.
  std::vector<cloudlet_endpoints> where{target};
  auto found = co_await find_adoptions(r, kind, id, holder, project, std::move(where));
  if (!found.empty()) {
    spdlog::info("{} {} {} on {}: the federation's copy {} on {} is reused", r.request_id, what, id, holder,
                 found.front().entry.global_id, target.region);
    co_return std::move(found.front().entry);
  }
  if (own) co_return std::move(*own);
  auto made = adopt_neutron_item(kind, own_adoption_id(r, kind, holder, id), holder, item, now_unix_ms());
  if (!made || made->first.global_id.empty())
    throw copy_failed(what + " " + id + " has no project on " + holder + " to record it under", 409);
  co_await r.context.registry->put(made->second);
  co_await r.context.registry->put_meta(adopted_neutron_key(kind, id), encode_adopted(made->first));
  spdlog::info("{} adopted {} {} of {} on {}: its copies are {}", r.request_id, what, id, made->first.project,
               holder, made->first.global_id);
  co_return std::move(made->second);
}

http::awaitable<bool> forget_adoptions(request& r, const std::vector<found_adoption>& adoptions,
                                       api::service_type service, const std::string& path) {
  bool all_gone = true;
  for (const auto& adoption : adoptions) {
    bool gone = co_await delete_adopted_copies(r, adoption.entry, service, path);
    if (gone) gone = co_await r.context.registry->erase(adoption.entry.project_id, adoption.entry.global_id);
    if (!gone) all_gone = false;
  }
  co_return all_gone;
}

http::awaitable<std::optional<found_adoption>> adoption_while_holder_down(request& r, resource_kind kind,
                                                                         const std::string& cloud_id,
                                                                         const std::vector<std::string>& unanswered) {
  if (unanswered.empty()) co_return std::nullopt;
  auto down = [&](const std::string& region) {
    return std::find(unanswered.begin(), unanswered.end(), region) != unanswered.end();
  };
  std::vector<cloudlet_endpoints> answering;
  for (auto& c : all_cloudlets(r.context))
    if (!down(c.region)) answering.push_back(std::move(c));
  auto found = co_await find_adoptions(r, kind, cloud_id, std::string{}, r.identity->project_id, std::move(answering));
  // A holder that answered (404) has no such item any more: no copy stands in for it.
  std::erase_if(found, [&](const found_adoption& a) { return !down(a.holder); });
  if (found.empty()) co_return std::nullopt;
  auto first = std::min_element(found.begin(), found.end(), [](const found_adoption& a, const found_adoption& b) {
    return a.entry.global_id < b.entry.global_id;
  });
  co_return std::move(*first);
}

http::awaitable<std::vector<found_adoption>> adoptions_of(request& r, resource_kind kind,
                                                                 const std::string& cloud_id,
                                                                 const std::string& holder) {
  auto found = co_await find_adoptions(r, kind, cloud_id, holder, std::string{}, all_cloudlets(r.context));
  std::vector<std::string> holders;
  if (holder.empty())
    for (const auto& c : all_cloudlets(r.context)) holders.push_back(c.region);
  else holders.push_back(holder);
  for (const auto& h : holders) {
    auto own = co_await own_adoption(r, kind, h, cloud_id);
    if (!own) continue;
    bool listed = std::any_of(found.begin(), found.end(),
                              [&](const found_adoption& f) { return f.entry.global_id == own->global_id; });
    if (!listed) found.push_back({h, std::move(*own)});
  }
  co_return found;
}

namespace {

/// subnet_adoptions' search of the network copies: `holder` empty, any cloudlet's.
/// `sighted` gets every subnet copy found (cloudlet, ID) whose entry lists it.
http::awaitable<std::vector<found_adoption>> subnets_on_copies(request& r, const std::vector<found_adoption>& networks,
                                                               const std::string& holder,
                                                               const std::vector<std::string>& subnet_ids,
                                                               std::set<std::pair<std::string, std::string>>* sighted) {
  std::vector<found_adoption> out;
  std::vector<std::string> holders;
  if (holder.empty())
    for (const auto& c : all_cloudlets(r.context)) holders.push_back(c.region);
  else holders.push_back(holder);
  auto headers = co_await search_headers(r);
  auto listed = [&](const std::string& id) {
    return std::any_of(out.begin(), out.end(), [&](const found_adoption& f) { return f.entry.global_id == id; });
  };
  for (const auto& network : networks)
    for (const auto& copy : network.entry.copies) {
      auto cloudlet = find_cloudlet(r.context, copy.cloudlet);
      if (!cloudlet) continue;
      http::response answer;
      try {
        answer = co_await call_cloudlet(r.context, *cloudlet, api::service_type::network, bhttp::verb::get,
                                        "/v2.0/subnets?network_id=" + copy.local_id, headers);
      } catch (const upstream_failure& e) {
        spdlog::warn("{} the subnets of {} on {} cannot be read: {}", r.request_id, copy.local_id, copy.cloudlet,
                     e.what());
        continue;
      }
      auto doc = json::parse(answer.body, nullptr, false);
      if (answer.status != 200 || !doc.is_object()) continue;
      for (const auto& h : holders) {
        auto marked = adopted_subnets_in(copy.cloudlet, doc.value("subnets", json::array()), h, subnet_ids);
        for (const auto& [sighting, subnet] : marked) {
          auto entry = co_await r.context.registry->get_any_project(sighting.global_id);
          if (!entry || !entry_owns_copy(*entry, sighting, resource_kind::subnet, h, subnet, std::string{})) continue;
          if (sighted) sighted->emplace(sighting.cloudlet, sighting.local_id);
          if (!listed(sighting.global_id)) out.push_back({h, std::move(*entry)});
        }
      }
    }
  co_return out;
}

} // namespace

http::awaitable<std::vector<found_adoption>> subnet_adoptions(request& r, const std::vector<found_adoption>& networks,
                                                              const std::string& holder,
                                                              const std::vector<std::string>& subnet_ids) {
  auto out = co_await subnets_on_copies(r, networks, holder, subnet_ids, nullptr);
  auto listed = [&](const std::string& id) {
    return std::any_of(out.begin(), out.end(), [&](const found_adoption& f) { return f.entry.global_id == id; });
  };
  for (const auto& subnet : subnet_ids) {
    auto own = co_await own_adoption(r, resource_kind::subnet, holder, subnet);
    if (own && !listed(own->global_id)) out.push_back({holder, std::move(*own)});
  }
  co_return out;
}

http::awaitable<std::vector<found_adoption>> subnet_adoptions_on(request& r, const registry_entry& network) {
  std::set<std::pair<std::string, std::string>> sighted;
  std::vector<found_adoption> networks{{std::string{}, network}};
  std::vector<std::string> none;
  auto out = co_await subnets_on_copies(r, networks, std::string{}, none, &sighted);
  std::erase_if(out, [&](const found_adoption& subnet) {
    return std::any_of(subnet.entry.copies.begin(), subnet.entry.copies.end(), [&](const storage::cloud_copy& c) {
      return !sighted.count({c.cloudlet, c.local_id});
    });
  });
  co_return out;
}

} // namespace fedstack::agent
