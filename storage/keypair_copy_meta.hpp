#pragma once
// The meta keys (beside the registry, put_meta) under which an agent records the
// keypair copies it made (agent/rules/keypair_rule.hpp): the one family of meta
// keys a peer's node may read (actors/actors.hpp, keypair_copy_lookup).

#include <string_view>

namespace fedstack::storage {

inline constexpr std::string_view keypair_copy_meta_prefix = "keypair_copy\n";

} // namespace fedstack::storage
