#include "storage/registry_types.hpp"

#include <array>
#include <tuple>

namespace fedstack::storage {

namespace {

constexpr std::array<std::string_view, 11> kind_names
  = {"image", "network", "subnet", "port", "server", "flavor", "floatingip", "router", "volume", "snapshot", "backup"};

constexpr std::array<std::string_view, 3> state_names = {"reserved", "bound", "deleted"};

template <class Enum, std::size_t N>
bool parse(const std::array<std::string_view, N>& names, std::string_view in,
           Enum& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == in) {
      out = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string to_string(resource_kind x) {
  return is_valid(x) ? std::string{kind_names[static_cast<std::size_t>(x)]}
                     : "invalid-kind";
}

std::string to_string(entry_state x) {
  return is_valid(x) ? std::string{state_names[static_cast<std::size_t>(x)]}
                     : "invalid-state";
}

bool from_string(std::string_view in, resource_kind& out) {
  return parse(kind_names, in, out);
}

bool from_string(std::string_view in, entry_state& out) {
  return parse(state_names, in, out);
}

bool is_valid(resource_kind x) {
  return static_cast<std::size_t>(x) < kind_names.size();
}

bool is_valid(entry_state x) {
  return static_cast<std::size_t>(x) < state_names.size();
}

const cloud_copy* registry_entry::copy_on(std::string_view cloudlet) const {
  for (const auto& copy : copies)
    if (copy.cloudlet == cloudlet)
      return &copy;
  return nullptr;
}

bool operator==(const cloud_copy& x, const cloud_copy& y) {
  return x.cloudlet == y.cloudlet && x.local_id == y.local_id;
}

bool operator!=(const cloud_copy& x, const cloud_copy& y) {
  return !(x == y);
}

bool operator==(const reserved_attempt& x, const reserved_attempt& y) {
  return std::tie(x.token, x.cloudlet, x.description) == std::tie(y.token, y.cloudlet, y.description);
}

bool operator==(const registry_entry& x, const registry_entry& y) {
  return std::tie(x.kind, x.global_id, x.project_id, x.state, x.copies,
                  x.created_unix_ms, x.name, x.attempt, x.deleted_unix_ms)
         == std::tie(y.kind, y.global_id, y.project_id, y.state, y.copies,
                     y.created_unix_ms, y.name, y.attempt, y.deleted_unix_ms);
}

bool operator!=(const registry_entry& x, const registry_entry& y) {
  return !(x == y);
}

bool operator==(const id_mapping& x, const id_mapping& y) {
  return x.local_id == y.local_id && x.global_id == y.global_id;
}

bool operator!=(const id_mapping& x, const id_mapping& y) {
  return !(x == y);
}

bool operator==(const abandoned_attempt& x, const abandoned_attempt& y) {
  return std::tie(x.token, x.kind, x.global_id, x.project_id, x.cloudlet, x.abandoned_unix_ms)
         == std::tie(y.token, y.kind, y.global_id, y.project_id, y.cloudlet, y.abandoned_unix_ms);
}

bool leaves_tombstone(const registry_entry& entry) {
  return entry.kind == resource_kind::server && entry.state == entry_state::bound && !entry.copies.empty();
}

}  // namespace fedstack::storage
