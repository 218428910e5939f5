#pragma once

// Key layout, input limits and the record encoding of the registry store.
//
//   entries     global_id                      -> CBOR record (versioned; a
//                                                 reservation's attempt under the
//                                                 optional key "a", absent from
//                                                 older records; a tombstone's
//                                                 deletion time under "d", absent
//                                                 from live entries and older ones)
//   by_local    cloudlet \0 local_id           -> global_id
//   by_project  project \0 kind \0 global_id   -> "" (sorted by global_id)
//   abandoned   attempt token                  -> CBOR record (abandoned_attempt)
//   meta        "schema"                       -> "1"
//               "count/<kind>"                 -> uint64, little endian
//               "app/<key>"                    -> opaque value (put_meta)
//
// IDs may not contain NUL: it separates key parts, and an ID with a NUL in it
// could forge another project's prefix.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/registry_types.hpp"
#include "storage/store_result.hpp"

namespace fedstack::storage {

/// Longest project, global, cloudlet or local ID: two IDs, a kind name and
/// two separators must fit LMDB's 511-byte keys.
constexpr std::size_t max_id_size = 250;

/// Longest resource name we keep (OpenStack allows 255 characters).
constexpr std::size_t max_name_size = 1024;

/// Most copies one entry may have (one per cloudlet).
constexpr std::size_t max_copies = 1024;

/// Longest key of put_meta/get_meta ("app/" + key must fit a 511-byte key).
constexpr std::size_t max_meta_key_size = 200;

/// Largest value of put_meta: meant for small state, not for bulk data.
constexpr std::size_t max_meta_value_size = std::size_t{1} << 20;

/// Version written into every record.
constexpr int record_version = 1;

/// A stored record that cannot be decoded: the database is damaged.
class corrupt_record : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Checks one ID; `what` names it in the error message.
std::optional<store_error> check_id(std::string_view what, std::string_view id);

/// Checks every field of an entry (IDs, enums, sizes, one copy per cloudlet).
std::optional<store_error> check_entry(const registry_entry& entry);

std::string project_prefix(std::string_view project, resource_kind kind);
std::string project_key(std::string_view project, resource_kind kind,
                        std::string_view global_id);
std::string local_key(std::string_view cloudlet, std::string_view local_id);
std::string count_key(resource_kind kind);
/// Where put_meta stores `key` in the meta database (apart from "schema"
/// and the counters, which no caller can overwrite).
std::string app_meta_key(std::string_view key);

/// The record stored under entries[global_id] (global_id is not repeated).
std::string encode_entry(const registry_entry& entry);

/// Inverse of encode_entry; throws corrupt_record.
registry_entry decode_entry(std::string_view global_id, std::string_view bytes);

/// Only the owning project of a record; throws corrupt_record.
std::string decode_project(std::string_view bytes);

/// Checks an abandoned attempt's fields: a token of 32 lowercase hex
/// digits, IDs as check_id, a valid kind.
std::optional<store_error> check_abandoned(const abandoned_attempt& attempt);

/// The record stored under abandoned[token] (the token is not repeated).
std::string encode_abandoned(const abandoned_attempt& attempt);

/// Inverse of encode_abandoned; throws corrupt_record.
abandoned_attempt decode_abandoned(std::string_view token, std::string_view bytes);

std::string encode_count(std::uint64_t value);
std::uint64_t decode_count(std::string_view bytes);

}  // namespace fedstack::storage
