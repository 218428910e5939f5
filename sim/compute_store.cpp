#include "sim/compute_store.hpp"

#include <algorithm>

namespace fedstack::sim {
namespace {

std::optional<std::int64_t> integer(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) return parse_int(it->get<std::string>());
  return std::nullopt;
}

api_error invalid_field(std::string_view field, const json& value, std::string_view why) {
  return bad_request("Invalid input for field/attribute " + std::string{field} + ". Value: " +
                     (value.is_string() ? value.get<std::string>() : value.dump()) + ". " + std::string{why});
}

} // namespace

compute_store::compute_store(std::string region, compute_options options, clock_fn clock)
  : region_(std::move(region)), options_(options), clock_(std::move(clock)) {
  struct seed { const char* name; std::int64_t ram, disk; int vcpus; };
  // The classic devstack flavors under each cloud's own IDs, as on real clouds
  // (the lab's two regions give m1.tiny different UUIDs); stable across restarts.
  for (const auto& f : {seed{"m1.tiny", 512, 1, 1}, seed{"m1.small", 2048, 20, 1},
                        seed{"m1.medium", 4096, 40, 2}, seed{"m1.large", 8192, 80, 4}}) {
    flavor_record record;
    record.id = name_uuid("flavor/" + region_ + "/" + f.name);
    record.name = f.name;
    record.ram = f.ram;
    record.disk = f.disk;
    record.vcpus = f.vcpus;
    record.sequence = next_sequence_++;
    flavors_.emplace(record.id, record);
  }
  for (int i = 0; i < std::max(options_.hypervisors, 0); ++i) {
    hypervisor_record h;
    h.id = i + 1;
    h.uuid = new_uuid();
    h.hostname = region_ + "-hv" + std::to_string(i + 1);
    h.service_id = i + 3;   // 1 and 2 are the scheduler and the conductor
    h.service_uuid = new_uuid();
    h.memory_mb = options_.hypervisor_ram_mb;
    h.local_gb = options_.hypervisor_disk_gb;
    h.vcpus = options_.hypervisor_vcpus;
    hypervisors_.push_back(h);
  }
}

// --- flavors ---

outcome<flavor_record> compute_store::create_flavor(const json& body) {
  if (!body.is_object()) return bad_request("Invalid input for field/attribute flavor. Value: None. None is not of type 'object'");
  flavor_record f;
  auto name = body.find("name");
  if (name == body.end() || !name->is_string() || name->get<std::string>().empty() ||
      name->get<std::string>().size() > 255) {
    return bad_request("Invalid input for field/attribute name. Value: " +
                       (name == body.end() ? std::string{"None"} : name->dump()) + ". 'name' is a required property");
  }
  f.name = name->get<std::string>();
  auto required_int = [&](const char* key, std::int64_t minimum, std::int64_t& field) -> std::optional<api_error> {
    auto value = integer(body, key);
    if (!value || *value < minimum) {
      return invalid_field(key, body.contains(key) ? body[key] : json("None"),
                           "must be an integer of at least " + std::to_string(minimum));
    }
    field = *value;
    return std::nullopt;
  };
  std::int64_t vcpus = 0;
  if (auto e = required_int("ram", 1, f.ram)) return *e;
  if (auto e = required_int("vcpus", 1, vcpus)) return *e;
  if (auto e = required_int("disk", 0, f.disk)) return *e;
  f.vcpus = static_cast<int>(vcpus);
  if (body.contains("OS-FLV-EXT-DATA:ephemeral")) {
    if (auto e = required_int("OS-FLV-EXT-DATA:ephemeral", 0, f.ephemeral)) return *e;
  }
  if (body.contains("swap") && !(body["swap"].is_string() && body["swap"] == "")) {
    if (auto e = required_int("swap", 0, f.swap)) return *e;
  }
  if (auto rxtx = body.find("rxtx_factor"); rxtx != body.end()) {
    if (!rxtx->is_number() || rxtx->get<double>() <= 0) return invalid_field("rxtx_factor", *rxtx, "must be positive");
    f.rxtx_factor = rxtx->get<double>();
  }
  if (auto pub = body.find("os-flavor-access:is_public"); pub != body.end()) {
    auto value = pub->is_boolean() ? std::optional{pub->get<bool>()}
                                   : (pub->is_string() ? parse_bool(pub->get<std::string>()) : std::nullopt);
    if (!value) return invalid_field("os-flavor-access:is_public", *pub, "must be a boolean");
    f.is_public = *value;
  }
  if (body.contains("description") && body["description"].is_string()) f.description = body["description"];
  auto id = body.find("id");
  if (id == body.end() || id->is_null() || (id->is_string() && id->get<std::string>() == "auto")) {
    f.id = new_uuid();
  } else if (id->is_string() || id->is_number_integer()) {
    f.id = id->is_string() ? id->get<std::string>() : std::to_string(id->get<std::int64_t>());
  } else {
    return invalid_field("id", *id, "must be a string");
  }
  // Nova's flavors table declares its unique ID before its unique name, so a
  // create that repeats both is refused for the ID (nova/db/api/models.py).
  if (flavors_.count(f.id)) return conflict("Flavor with ID " + f.id + " already exists.");
  for (const auto& [other_id, other] : flavors_) {
    if (other.name == f.name) return conflict("Flavor with name " + f.name + " already exists.");
  }
  f.sequence = next_sequence_++;
  flavors_.emplace(f.id, f);
  return f;
}

std::optional<api_error> compute_store::delete_flavor(std::string_view id) {
  auto it = flavors_.find(id);
  if (it == flavors_.end()) return not_found("Flavor " + std::string{id} + " could not be found.");
  flavors_.erase(it);
  return std::nullopt;
}

const flavor_record* compute_store::find_flavor(const auth_context& ctx, std::string_view id) const {
  auto it = flavors_.find(id);
  if (it == flavors_.end()) return nullptr;
  const auto& f = it->second;
  if (f.is_public || ctx.is_admin || f.access.count(ctx.project_id)) return &f;
  return nullptr;
}

flavor_record* compute_store::flavor_mutable(std::string_view id) {
  auto it = flavors_.find(id);
  return it == flavors_.end() ? nullptr : &it->second;
}

std::vector<const flavor_record*> compute_store::flavors(const auth_context& ctx, std::optional<bool> is_public) const {
  std::vector<const flavor_record*> out;
  for (const auto& [id, f] : flavors_) {
    bool accessible = f.is_public || f.access.count(ctx.project_id);
    if (!ctx.is_admin) {
      if (accessible) out.push_back(&f);
    } else if (!is_public || *is_public == f.is_public || (*is_public && accessible)) {
      out.push_back(&f);
    }
  }
  return out;   // the map orders them by flavor ID, Nova's default sort key
}

// --- scheduling and servers ---

std::optional<std::size_t> compute_store::schedule(const flavor_record& flavor,
                                                   const std::function<bool(std::size_t)>& allowed) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < hypervisors_.size(); ++i) {
    if (allowed && !allowed(i)) continue;
    const auto& h = hypervisors_[i];
    bool fits = h.memory_mb - h.memory_mb_used >= flavor.ram && h.local_gb - h.local_gb_used >= flavor.disk_gb_needed() &&
                h.vcpus - h.vcpus_used >= flavor.vcpus;
    // Like Nova's RAM weigher: spread onto the host with the most free memory.
    if (fits && (!best || h.memory_mb - h.memory_mb_used >
                            hypervisors_[*best].memory_mb - hypervisors_[*best].memory_mb_used)) {
      best = i;
    }
  }
  if (best) {
    auto& h = hypervisors_[*best];
    h.memory_mb_used += flavor.ram;
    h.local_gb_used += flavor.disk_gb_needed();
    h.vcpus_used += flavor.vcpus;
    h.running_vms += 1;
  }
  return best;
}

server_record& compute_store::add_server(server_record server, const std::function<bool(std::size_t)>& allowed) {
  server.hypervisor = schedule(server.flavor, allowed);
  if (!server.hypervisor) {
    server.fault = {{"code", 500},
                    {"created", format_time(server.created_at, time_style::seconds_z)},
                    {"message", "No valid host was found. There are not enough hosts available."},
                    {"details", "Traceback (most recent call last):\n  nova.exception.NoValidHost: No valid host was "
                                "found. There are not enough hosts available.\n"}};
  }
  auto id = server.id;
  return servers_.insert_or_assign(id, std::move(server)).first->second;
}

const server_record* compute_store::find_server(const auth_context& ctx, std::string_view id) const {
  auto it = servers_.find(id);
  if (it == servers_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

server_record* compute_store::server_mutable(const auth_context& ctx, std::string_view id) {
  return const_cast<server_record*>(find_server(ctx, id));
}

std::vector<const server_record*> compute_store::servers() const {
  std::vector<const server_record*> out;
  for (const auto& [id, s] : servers_) out.push_back(&s);
  return out;
}

void compute_store::remove_server(std::string_view id) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  if (auto index = it->second.hypervisor) {
    auto& h = hypervisors_[*index];
    const auto& f = it->second.flavor;
    h.memory_mb_used -= f.ram;
    h.local_gb_used -= f.disk_gb_needed();
    h.vcpus_used -= f.vcpus;
    h.running_vms -= 1;
  }
  servers_.erase(it);
}

void compute_store::set_flavor(server_record& s, const flavor_record& flavor) {
  if (s.hypervisor) {
    auto& h = hypervisors_[*s.hypervisor];
    h.memory_mb_used += flavor.ram - s.flavor.ram;
    h.local_gb_used += flavor.disk_gb_needed() - s.flavor.disk_gb_needed();
    h.vcpus_used += flavor.vcpus - s.flavor.vcpus;
  }
  s.flavor = flavor;
}

std::string compute_store::instance_name(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "instance-%08llx", static_cast<unsigned long long>(n));
  return buf;
}

// --- derived state ---

std::string compute_store::status(const server_record& s) const {
  if (!s.hypervisor) return "ERROR";
  if (clock_() < s.created_at + options_.build_delay) return "BUILD";
  if (!s.lifecycle.empty()) return s.lifecycle;
  return s.stopped ? "SHUTOFF" : "ACTIVE";
}

std::string compute_store::vm_state(const server_record& s) const {
  auto st = status(s);
  if (st == "ERROR") return "error";
  if (st == "BUILD") return "building";
  if (st == "SHUTOFF") return "stopped";
  if (st == "VERIFY_RESIZE") return "resized";
  if (st == "SHELVED_OFFLOADED") return "shelved_offloaded";
  return "active";
}

json compute_store::task_state(const server_record& s) const {
  if (status(s) != "BUILD") return nullptr;
  // Walk through Nova's build steps across the delay.
  auto elapsed = clock_() - s.created_at;
  if (elapsed < options_.build_delay / 3) return "scheduling";
  if (elapsed < options_.build_delay * 2 / 3) return "networking";
  return "spawning";
}

int compute_store::power_state(const server_record& s) const {
  auto st = status(s);
  if (st == "ACTIVE" || st == "VERIFY_RESIZE") return 1;
  if (st == "SHUTOFF") return 4;
  return 0;
}

std::optional<time_point> compute_store::launched_at(const server_record& s) const {
  if (!s.hypervisor) return std::nullopt;
  auto at = s.created_at + std::chrono::duration_cast<time_point::duration>(options_.build_delay);
  if (clock_() < at) return std::nullopt;
  return at;
}

time_point compute_store::updated_at(const server_record& s) const {
  auto launched = launched_at(s);
  return launched && *launched > s.updated_at ? *launched : s.updated_at;
}

std::string compute_store::host_of(const server_record& s) const {
  return s.hypervisor ? hypervisors_[*s.hypervisor].hostname : std::string{};
}

} // namespace fedstack::sim
