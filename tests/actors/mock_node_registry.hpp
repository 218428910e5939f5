#pragma once
// The registry face of a node_actor for mock nodes whose tests do not
// exercise it: every call answers "not found" (or erases nothing).

#include <string>

#include "actors/actors.hpp"

namespace fedstack::test {

inline const auto no_registry_get = [](atom::get, const registry_key&) -> caf::result<storage::registry_entry> {
  return caf::make_error(ec::not_found, "mock node");
};
inline const auto no_registry_lookup = [](atom::get, const entry_lookup&) -> caf::result<storage::registry_entry> {
  return caf::make_error(ec::not_found, "mock node");
};
inline const auto no_registry_add_copy = [](atom::add_copy, const copy_addition&)
  -> caf::result<storage::registry_entry> { return caf::make_error(ec::not_found, "mock node"); };
inline const auto no_registry_remove_copy = [](atom::remove_copy, const copy_removal&)
  -> caf::result<storage::registry_entry> { return caf::make_error(ec::not_found, "mock node"); };
inline const auto no_registry_erase = [](atom::erase, const registry_key&) { return false; };
inline const auto no_registry_give = [](atom::give, const registry_key&) -> caf::result<storage::registry_entry> {
  return caf::make_error(ec::not_found, "mock node");
};
inline const auto no_registry_rebind = [](atom::rebind, const copy_addition&, const storage::cloud_copy&)
  -> caf::result<storage::registry_entry> { return caf::make_error(ec::not_found, "mock node"); };
inline const auto no_keypair_copy = [](atom::get_meta, const keypair_copy_lookup&) -> caf::result<std::string> {
  return caf::make_error(ec::not_found, "mock node");
};
inline const auto no_orphans = [](atom::orphans) -> caf::result<std::string> {
  return caf::make_error(ec::not_found, "mock node");
};

} // namespace fedstack::test
