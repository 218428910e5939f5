#pragma once
// Federation-wide operator views (docs/federation.md, "Operator views"): Nova's
// hypervisor statistics, absolute limits and quota sets combined over the
// cloudlets that answered, and hypervisor lists merged with IDs that stay
// unique across cloudlets. Pure: the flow (flows/operator_views.cpp) gathers
// each cloudlet's answer and sends what these functions make of them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// How one numeric field combines across cloudlets.
enum class combine {
  sum,       // amounts each cloudlet holds on its own: capacity, usage, per-cloudlet quotas
  minimum,   // what holds wherever a request lands: per-request maxima, limits of replicated kinds
  maximum,   // usage of kinds every cloudlet holds a copy of (keypairs, groups): the fullest cloudlet's
  first,     // not a number to combine: the first answer's value
};

/// A field of Nova's `limits.absolute` (GET /v2.1/limits).
combine limit_combination(std::string_view field);

/// A field of Nova's quota set (GET /v2.1/os-quota-sets/{project}); the
/// quota set's `id` is `first`.
combine quota_combination(std::string_view field);

/// A field of Cinder's `limits.absolute` (GET /v3/{project}/limits). Each
/// Cinder holds and counts its own volumes, snapshots and backups, so every
/// limit and every use sums; Cinder shows no per-request maximum here.
combine volume_limit_combination(std::string_view field);

/// A field of Cinder's quota set (GET /v3/{project}/os-quota-sets/{project},
/// its `?usage=true` form and `/defaults`): the kinds each Cinder holds
/// (volumes, gigabytes, snapshots, backups, backup_gigabytes, groups and the
/// per-type `volumes_<type>`, `gigabytes_<type>`, `snapshots_<type>`) sum;
/// `per_volume_gigabytes`, a per-request maximum, is the minimum; `id` is `first`.
combine volume_quota_combination(std::string_view field);

/// A field of Neutron's quota (GET /v2.0/quotas/{project} and its `/details`):
/// the kinds each Neutron holds on its own (port, floatingip, router,
/// subnetpool, rbac_policy) sum; those the federation copies to the cloudlets
/// a boot needs them on (network, subnet, security_group, security_group_rule)
/// are the minimum, their use the maximum, as Nova's security groups are.
combine network_quota_combination(std::string_view field);

/// Values combined as `how` says. Nova's -1 means unlimited: a sum or a
/// maximum with one -1 is -1; a minimum ignores -1 unless every value is -1.
nlohmann::json combine_values(combine how, const std::vector<nlohmann::json>& values);

/// The objects combined field by field, `rule` naming each field's combination;
/// a field missing from some answers combines over those that have it. A
/// quota-set detail field ({"in_use", "limit", "reserved"}; Neutron's says
/// `used`) combines each part: the limit as `rule` says, the use and `reserved` as usage.
nlohmann::json combine_objects(const std::vector<nlohmann::json>& objects, combine (*rule)(std::string_view));

/// Nova's `hypervisor_statistics` over cloudlets: every field is an amount or a count, so each sums.
nlohmann::json sum_hypervisor_statistics(const std::vector<nlohmann::json>& statistics);

/// Federation IDs of integer hypervisor and compute-service IDs (below
/// microversion 2.53 each Nova numbers its own from 1): `number *
/// hypervisor_id_stride + id`, where `number` is the cloudlet's place (from 1)
/// among the catalog's regions sorted by name. UUIDs (2.53 on) are unique
/// already and stay.
inline constexpr std::int64_t hypervisor_id_stride = 1000000;

/// One cloudlet's `hypervisors` items with federation IDs (in `id` and `service.id`).
void federate_hypervisor_ids(nlohmann::json& hypervisors, std::size_t cloudlet_number);

/// The cloudlet number and the cloud's own ID of a federation hypervisor ID;
/// nullopt for anything that is not one.
struct local_hypervisor_id {
  std::size_t cloudlet_number = 0;
  std::int64_t id = 0;
};
std::optional<local_hypervisor_id> split_hypervisor_id(std::string_view federation_id);

/// One cloudlet's answer to a view, as far as the decision goes.
struct cloudlet_reply {
  bool answered = false;   // false: no answer in time, or the call failed
  unsigned status = 0;
};

/// What the view answers, from every cloudlet's reply.
struct view_outcome {
  enum class kind {
    combine,   // combine the 200s; the others are named unreachable
    relay,     // no 200, but a cloudlet refused the request (4xx): its answer, as Nova gave it
    failed,    // no cloudlet answered: `status` 503, or 504 when each timed out
  } what = kind::failed;
  std::size_t relay_index = 0;   // for relay
  unsigned status = 503;         // for failed
};

/// A 4xx is the client's request (a non-admin's policy refusal, a
/// microversion that removed the API) and is relayed only when no cloudlet
/// answered 200; a 5xx or no answer is the cloudlet's fault and it is named
/// unreachable. `timed_out[i]`: cloudlet i missed the deadline or timed out.
view_outcome decide_view(const std::vector<cloudlet_reply>& replies, const std::vector<bool>& timed_out);

} // namespace fedstack::agent
