// registry_entry and friends through CAF's binary serializer, as they would
// travel between agents, plus checks that every interface type is named.

#include <gtest/gtest.h>

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "serialization_fixture.hpp"

using namespace fedstack;
using storage::registry_entry;

namespace {

using serialization_test = test::serialization_fixture;

registry_entry sample() {
  registry_entry entry;
  entry.kind = storage::resource_kind::subnet;
  entry.global_id = "6f1c2a9e-agent";
  entry.project_id = "p-0123456789abcdef";
  entry.state = storage::entry_state::reserved;
  entry.copies = {{"cloudlet-a", "uuid-a"}, {"cloudlet-b", "uuid-b"}};
  entry.created_unix_ms = -12345678901234;
  entry.name = "subnet \xc3\xa9";
  return entry;
}

TEST_F(serialization_test, registry_entry_round_trips) {
  auto entry = sample();
  auto buf = save(entry);
  registry_entry copy;
  ASSERT_FALSE(load(buf, copy));
  EXPECT_EQ(copy, entry);
}

TEST_F(serialization_test, vectors_and_mappings_round_trip) {
  std::vector<registry_entry> entries{sample(), sample()};
  entries[1].global_id = "other";
  entries[1].copies.clear();
  auto buf = save(entries);
  std::vector<registry_entry> copy;
  ASSERT_FALSE(load(buf, copy));
  EXPECT_EQ(copy, entries);
  std::vector<storage::id_mapping> mappings{{"l1", "g1"}, {"l2", "g2"}};
  auto buf2 = save(mappings);
  std::vector<storage::id_mapping> copy2;
  ASSERT_FALSE(load(buf2, copy2));
  EXPECT_EQ(copy2, mappings);
}

TEST_F(serialization_test, invalid_enum_bytes_are_rejected) {
  auto entry = sample();
  auto buf = save(entry);
  // The kind is the first field: its single byte leads the buffer.
  ASSERT_FALSE(buf.empty());
  buf[0] = 99;
  registry_entry copy;
  EXPECT_EQ(load(buf, copy), ec::invalid_argument);
}

TEST_F(serialization_test, the_node_s_registry_messages_round_trip) {
  registry_key key{"p-0123", "6f1c2a9e-agent"};
  registry_key key_copy;
  ASSERT_FALSE(load(save(key), key_copy));
  EXPECT_EQ(key_copy, key);
  copy_addition addition{"p-0123", "6f1c2a9e-agent", {"cloudlet-b", "uuid-b"}};
  copy_addition addition_copy;
  ASSERT_FALSE(load(save(addition), addition_copy));
  EXPECT_EQ(addition_copy, addition);
  copy_removal removal{"p-0123", "6f1c2a9e-agent", "cloudlet-b"};
  copy_removal removal_copy;
  ASSERT_FALSE(load(save(removal), removal_copy));
  EXPECT_EQ(removal_copy, removal);
  EXPECT_NE(caf::deep_to_string(addition).find("copy_addition"), std::string::npos);
}

TEST_F(serialization_test, a_peer_s_registry_message_with_an_id_the_registry_refuses_fails_to_load) {
  // Empty, NUL-bearing and overlong IDs are refused as they are decoded,
  // before any handler sees them (storage::check_id's rules).
  registry_key empty_project{"", "g1"};
  registry_key key;
  EXPECT_EQ(load(save(empty_project), key), ec::invalid_argument);
  registry_key nul_id{"p1", std::string("g\0" "1", 3)};
  EXPECT_EQ(load(save(nul_id), key), ec::invalid_argument);
  copy_addition long_local{"p1", "g1", {"cloudlet-b", std::string(storage::max_id_size + 1, 'x')}};
  copy_addition addition;
  EXPECT_EQ(load(save(long_local), addition), ec::invalid_argument);
  copy_addition no_cloudlet{"p1", "g1", {"", "uuid"}};
  EXPECT_EQ(load(save(no_cloudlet), addition), ec::invalid_argument);
  copy_removal no_cloudlet_removal{"p1", "g1", ""};
  copy_removal removal;
  EXPECT_EQ(load(save(no_cloudlet_removal), removal), ec::invalid_argument);
  // At the bound: accepted.
  copy_addition longest{"p1", "g1", {"cloudlet-b", std::string(storage::max_id_size, 'x')}};
  EXPECT_FALSE(load(save(longest), addition));
}

TEST_F(serialization_test, renders_readably) {
  auto text = caf::deep_to_string(sample());
  EXPECT_NE(text.find("subnet"), std::string::npos) << text;
  EXPECT_NE(text.find("cloudlet-b"), std::string::npos) << text;
}

TEST_F(serialization_test, interface_types_are_all_registered) {
  // Remote peers match interfaces by these names; an unregistered type
  // shows up as "<invalid-type...>" and breaks remote_actor.
  auto names = sys.message_types<registry_actor>();
  EXPECT_EQ(names.size(), 18u);   // with abandon, abandoned, forget (the reconciler), get all (any project), give (a transfer) and prune (tombstones)
  for (const auto& name : names)
    EXPECT_EQ(name.find("invalid"), std::string::npos) << name;
  auto membership = sys.message_types<membership_actor>();
  EXPECT_EQ(membership.size(), 4u);
  auto connector = sys.message_types<local_connector_actor>();
  EXPECT_EQ(connector.size(), 4u);
  for (const auto& name : membership)
    EXPECT_EQ(name.find("invalid"), std::string::npos) << name;
  for (const auto& name : connector)
    EXPECT_EQ(name.find("invalid"), std::string::npos) << name;
  // What agents publish to each other, the registry face included.
  for (const auto& name : sys.message_types<node_actor>())
    EXPECT_EQ(name.find("invalid"), std::string::npos) << name;
  // The registry can stand in for a meta store, remotely too.
  auto store = sys.message_types<meta_store_actor>();
  EXPECT_TRUE(std::includes(names.begin(), names.end(), store.begin(), store.end()));
  // A membership actor published as it is offers what a shuffle needs.
  auto peer = sys.message_types<cyclon_peer_actor>();
  EXPECT_TRUE(std::includes(membership.begin(), membership.end(), peer.begin(), peer.end()));
}

TEST_F(serialization_test, an_entry_lookup_round_trips_and_a_bad_id_is_refused_when_decoded) {
  entry_lookup lookup{"6f1c2a9e-agent"};
  entry_lookup copy;
  ASSERT_FALSE(load(save(lookup), copy));
  EXPECT_EQ(copy, lookup);
  entry_lookup empty{""};
  EXPECT_EQ(load(save(empty), copy), ec::invalid_argument);
}

TEST_F(serialization_test, a_keypair_copy_lookup_carries_only_a_keypair_copys_key) {
  keypair_copy_lookup lookup{"keypair_copy\ncloudlet-2\nu1\nk\naa:bb"};
  keypair_copy_lookup copy;
  ASSERT_FALSE(load(save(lookup), copy));
  EXPECT_EQ(copy.key, lookup.key);
  // The node reads no other meta for a peer: the membership cache, the orphan list.
  for (const auto* other : {"membership.cache", "orphans", "keypair_cop", ""}) {
    keypair_copy_lookup refused{other};
    EXPECT_EQ(load(save(refused), copy), ec::invalid_argument) << other;
  }
  keypair_copy_lookup too_long{"keypair_copy\n" + std::string(200, 'k')};
  EXPECT_EQ(load(save(too_long), copy), ec::invalid_argument);
}

TEST_F(serialization_test, peer_entries_round_trip) {
  std::vector<peer_entry> entries{{{"127.0.0.1", 4000}, 3, "region-a", "http://127.0.0.1:8080"},
                                  {{"::1", 1}, 0, "", ""}};
  auto buf = save(entries);
  std::vector<peer_entry> copy;
  EXPECT_FALSE(load(buf, copy));
  EXPECT_EQ(copy, entries);
  std::vector<peer_address> seeds{{"a", 1}, {"b", 2}};
  auto seed_buf = save(seeds);
  std::vector<peer_address> seed_copy;
  EXPECT_FALSE(load(seed_buf, seed_copy));
  EXPECT_EQ(seed_copy, seeds);
  EXPECT_NE(caf::deep_to_string(entries).find("region-a"), std::string::npos);
}

TEST_F(serialization_test, errors_render_with_the_category) {
  auto err = caf::make_error(ec::not_found, "global ID g1 not found");
  EXPECT_EQ(err.category(), caf::atom("fedstack"));
  auto text = sys.render(err);
  EXPECT_NE(text.find("not_found"), std::string::npos) << text;
}

}  // namespace
