// Fuzz target: bytes read back from LMDB, where a damaged or foreign database
// may hold anything. Input: one byte choosing the record kind, then its bytes:
//   0: a registry record (CBOR, storage/registry_codec);  1: a counter;
//   2: the saved membership cache (JSON, actors/peer.hpp).
// Damage must surface as corrupt_record (or nullopt), never as another exception,
// a crash or undefined behaviour; what decodes must re-encode to the same value.

#include "actors/peer.hpp"
#include "storage/registry_codec.hpp"
#include "fuzz_check.hpp"

#include <cstdint>

using namespace fedstack;

namespace {

void check_entry_record(std::string_view bytes) {
  storage::registry_entry entry;
  try {
    entry = storage::decode_entry("fuzz-global-id", bytes);
  } catch (const storage::corrupt_record&) {
    return;
  }
  FUZZ_CHECK(storage::is_valid(entry.kind) && storage::is_valid(entry.state),
             "a record decoded to an invalid enum");
  FUZZ_CHECK(storage::decode_project(bytes) == entry.project_id,
             "decode_project disagrees with decode_entry");
  auto again = storage::decode_entry(entry.global_id, storage::encode_entry(entry));
  FUZZ_CHECK(again == entry, "a registry record does not round-trip");
}

void check_project(std::string_view bytes) {
  try {
    storage::decode_project(bytes);
  } catch (const storage::corrupt_record&) {
  }
}

void check_count(std::string_view bytes) {
  std::uint64_t value = 0;
  try {
    value = storage::decode_count(bytes);
  } catch (const storage::corrupt_record&) {
    return;
  }
  FUZZ_CHECK(storage::encode_count(value) == bytes, "a counter does not round-trip");
}

void check_peer_cache(std::string_view text) {
  auto entries = decode_peer_entries(text);
  if (!entries) return;
  for (const auto& entry : *entries) FUZZ_CHECK(is_valid(entry), "an invalid entry decoded");
  auto again = decode_peer_entries(encode_peer_entries(*entries));
  FUZZ_CHECK(again && *again == *entries, "the membership cache does not round-trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  auto kind = in.byte();
  auto bytes = in.rest();
  switch (kind % 3) {
    case 0:
      check_entry_record(bytes);
      check_project(bytes);
      break;
    case 1: check_count(bytes); break;
    case 2: check_peer_cache(bytes); break;
  }
  return 0;
}
