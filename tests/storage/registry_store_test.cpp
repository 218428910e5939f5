#include "storage/registry_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/registry_codec.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack::storage;
using fedstack::test::temp_dir;

namespace {

registry_entry make_entry(std::string global_id, std::string project,
                          resource_kind kind = resource_kind::image,
                          std::vector<cloud_copy> copies = {}) {
  registry_entry entry;
  entry.kind = kind;
  entry.global_id = std::move(global_id);
  entry.project_id = std::move(project);
  entry.state = entry_state::bound;
  entry.copies = std::move(copies);
  entry.created_unix_ms = 1700000000000;
  entry.name = "cirros";
  return entry;
}

struct registry_store_test : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<registry_db> db = std::make_unique<registry_db>(dir.path());
  registry_store& store() { return db->store(); }

  void reopen(const lmdb_options& options = {}) {
    db.reset();  // closes the environment first: one open per process
    db = std::make_unique<registry_db>(dir.path(), options);
  }

  void expect_consistent() {
    auto problems = db->store().check_consistency();
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  }
};

TEST(registry_types, names_round_trip) {
  for (auto kind : {resource_kind::image, resource_kind::network, resource_kind::subnet,
                    resource_kind::port, resource_kind::server, resource_kind::flavor,
                    resource_kind::floating_ip, resource_kind::router, resource_kind::volume,
                    resource_kind::volume_snapshot, resource_kind::volume_backup}) {
    resource_kind parsed = resource_kind::image;
    ASSERT_TRUE(from_string(to_string(kind), parsed));
    EXPECT_EQ(parsed, kind);
  }
  entry_state state = entry_state::reserved;
  EXPECT_TRUE(from_string("bound", state));
  EXPECT_EQ(state, entry_state::bound);
  EXPECT_TRUE(from_string("deleted", state));
  EXPECT_EQ(state, entry_state::deleted);
  EXPECT_EQ(to_string(entry_state::deleted), "deleted");
  resource_kind kind = resource_kind::image;
  EXPECT_FALSE(from_string("bucket", kind));
  EXPECT_FALSE(is_valid(static_cast<resource_kind>(42)));
}

TEST(registry_codec, records_round_trip_and_reject_garbage) {
  auto entry = make_entry("g1", "p1", resource_kind::port, {{"c1", "l1"}, {"c2", "l2"}});
  EXPECT_EQ(decode_entry("g1", encode_entry(entry)), entry);
  EXPECT_EQ(decode_project(encode_entry(entry)), "p1");
  EXPECT_THROW(decode_entry("g1", "not cbor"), corrupt_record);
  EXPECT_THROW(decode_entry("g1", ""), corrupt_record);
}

TEST(registry_codec, a_tombstones_time_round_trips_and_records_without_one_load_as_0) {
  auto entry = make_entry("g1", "p1", resource_kind::server, {{"c1", "l1"}});
  entry.state = entry_state::deleted;
  entry.deleted_unix_ms = 1700000000123;
  EXPECT_EQ(decode_entry("g1", encode_entry(entry)), entry);
  auto old = nlohmann::json::from_cbor(encode_entry(entry));
  old.erase("d");  // as written before tombstones had a time
  std::string bytes;
  nlohmann::json::to_cbor(old, bytes);
  EXPECT_EQ(decode_entry("g1", bytes).deleted_unix_ms, 0);
  entry.deleted_unix_ms = 0;
  EXPECT_EQ(encode_entry(entry), bytes) << "a time of 0 is written as before";
  old["d"] = 1.5;
  nlohmann::json::to_cbor(old, bytes = {});
  EXPECT_THROW(decode_entry("g1", bytes), corrupt_record);
}

TEST(registry_codec, a_reservations_attempt_round_trips_and_records_without_one_still_load) {
  auto entry = make_entry("g1", "p1", resource_kind::network, {});
  entry.state = entry_state::reserved;
  entry.attempt = reserved_attempt{"00112233445566778899aabbccddeeff", "cloudlet-2", "the client's words"};
  EXPECT_EQ(check_entry(entry), std::nullopt);
  EXPECT_EQ(decode_entry("g1", encode_entry(entry)), entry);
  // A record written before reservations kept their attempt (no "a" key) loads without one.
  auto record = nlohmann::json::from_cbor(encode_entry(entry));
  record.erase("a");
  auto bytes = nlohmann::json::to_cbor(record);
  auto old = decode_entry("g1", std::string(bytes.begin(), bytes.end()));
  EXPECT_EQ(old.attempt, std::nullopt);
  EXPECT_EQ(old.name, entry.name);
  // A malformed attempt is refused on the way in and is a corrupt record on the way out.
  auto bad = entry;
  bad.attempt->token = "not-a-token";
  EXPECT_NE(check_entry(bad), std::nullopt);
  EXPECT_THROW(decode_entry("g1", encode_entry(bad)), corrupt_record);
  bad = entry;
  bad.attempt->cloudlet.clear();
  EXPECT_NE(check_entry(bad), std::nullopt);
}

TEST(registry_codec, huge_declared_sizes_are_corrupt_records) {
  // Found by tests/fuzz/stored_records.cpp: a CBOR map that declares 2^63 pairs made
  // from_cbor throw out_of_range although exceptions were off, past corrupt_record.
  const std::string map_of_huge_size = "\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb\xbb";
  EXPECT_THROW(decode_entry("g1", map_of_huge_size), corrupt_record);
  EXPECT_THROW(decode_project(map_of_huge_size), corrupt_record);
  const std::string array_of_huge_size = "\x9b\x7f\xff\xff\xff\xff\xff\xff\xff";
  EXPECT_THROW(decode_entry("g1", array_of_huge_size), corrupt_record);
}

TEST(registry_codec, only_integer_versions_and_times_decode) {
  // Found while writing tests/fuzz/stored_records.cpp, confirmed by it under UBSan: a
  // float time was cast to int64 (undefined for 1e300), and version 2^32 + 1 read as 1.
  auto entry = make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}});
  auto record = nlohmann::json::from_cbor(encode_entry(entry));
  auto with = [&](const char* key, nlohmann::json value) {
    auto changed = record;
    changed[key] = std::move(value);
    return nlohmann::json::to_cbor(changed);
  };
  auto as_bytes = [](const std::vector<std::uint8_t>& bytes) {
    return std::string(bytes.begin(), bytes.end());
  };
  EXPECT_EQ(decode_entry("g1", as_bytes(with("t", 42))).created_unix_ms, 42);
  EXPECT_THROW(decode_entry("g1", as_bytes(with("t", 1e300))), corrupt_record);
  EXPECT_THROW(decode_entry("g1", as_bytes(with("t", 1.5))), corrupt_record);
  EXPECT_THROW(decode_entry("g1", as_bytes(with("t", UINT64_MAX))), corrupt_record);
  EXPECT_THROW(decode_entry("g1", as_bytes(with("v", 4294967297ULL))), corrupt_record);
}

TEST_F(registry_store_test, put_get_erase) {
  auto entry = make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}});
  ASSERT_TRUE(store().put(entry));
  auto got = store().get("p1", "g1");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, entry);
  EXPECT_TRUE(store().erase("p1", "g1"));
  EXPECT_EQ(store().get("p1", "g1").error().code, store_errc::not_found);
  EXPECT_EQ(store().find_global("p1", "c1", "l1").error().code, store_errc::not_found);
  EXPECT_FALSE(store().erase("p1", "g1"));
  EXPECT_EQ(store().count(resource_kind::image), 0u);
  expect_consistent();
}

TEST_F(registry_store_test, get_any_project_finds_an_entry_whatever_its_project) {
  auto entry = make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}});
  ASSERT_TRUE(store().put(entry));
  EXPECT_EQ(store().get("p2", "g1").error().code, store_errc::not_found) << "scoped reads stay scoped";
  auto any = store().get_any_project("g1");
  ASSERT_TRUE(any);
  EXPECT_EQ(*any, entry);
  EXPECT_EQ(store().get_any_project("g2").error().code, store_errc::not_found);
  EXPECT_EQ(store().get_any_project("").error().code, store_errc::invalid_argument);
  ASSERT_TRUE(store().erase("p1", "g1"));
  EXPECT_EQ(store().get_any_project("g1").error().code, store_errc::not_found);
}

// A volume transfer's accept: the entry moves to the accepting project, its local
// IDs with it, and the giving project no longer finds it.
TEST_F(registry_store_test, give_moves_an_entry_to_another_project) {
  auto entry = make_entry("g1", "p1", resource_kind::volume, {{"c1", "l1"}});
  ASSERT_TRUE(store().put(entry));
  auto given = store().give("g1", "p2");
  ASSERT_TRUE(given);
  EXPECT_EQ(given->project_id, "p2");
  EXPECT_EQ(store().get("p1", "g1").error().code, store_errc::not_found);
  EXPECT_EQ(store().get("p2", "g1")->copies, entry.copies);
  EXPECT_EQ(store().find_global("p2", "c1", "l1").value(), "g1");
  EXPECT_EQ(store().find_global("p1", "c1", "l1").error().code, store_errc::not_found);
  EXPECT_TRUE(store().list("p1", resource_kind::volume)->empty());
  EXPECT_EQ(store().list("p2", resource_kind::volume)->size(), 1u);
  EXPECT_EQ(store().give("g1", "p2")->project_id, "p2") << "again: nothing changes";
  EXPECT_EQ(store().count(resource_kind::volume), 1u);
  EXPECT_EQ(store().give("g2", "p2").error().code, store_errc::not_found);
  EXPECT_EQ(store().give("g1", "").error().code, store_errc::invalid_argument);
  expect_consistent();
}

TEST_F(registry_store_test, put_updates_and_reindexes) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::network, {{"c1", "l1"}})));
  auto updated = make_entry("g1", "p1", resource_kind::network, {{"c2", "l2"}});
  updated.name = "renamed";
  ASSERT_TRUE(store().put(updated));
  EXPECT_EQ(*store().get("p1", "g1"), updated);
  EXPECT_FALSE(store().find_global("p1", "c1", "l1"));
  EXPECT_EQ(*store().find_global("p1", "c2", "l2"), "g1");
  EXPECT_EQ(store().count(resource_kind::network), 1u);
  expect_consistent();
}

TEST_F(registry_store_test, put_rejects_conflicts) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}})));
  EXPECT_EQ(store().put(make_entry("g1", "p2")).error().code, store_errc::wrong_project);
  EXPECT_EQ(store().put(make_entry("g1", "p1", resource_kind::server)).error().code,
            store_errc::duplicate_id);
  // A cloud-local ID belongs to at most one global ID.
  EXPECT_EQ(store().put(make_entry("g2", "p1", resource_kind::image, {{"c1", "l1"}}))
              .error()
              .code,
            store_errc::duplicate_id);
  EXPECT_EQ(store().get("p1", "g2").error().code, store_errc::not_found);
  EXPECT_EQ(*store().get("p1", "g1"), make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}}));
  expect_consistent();
}

TEST_F(registry_store_test, project_isolation) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}})));
  // Another project sees nothing...
  EXPECT_EQ(store().get("p2", "g1").error().code, store_errc::not_found);
  EXPECT_EQ(store().find_global("p2", "c1", "l1").error().code, store_errc::not_found);
  EXPECT_TRUE(store().resolve_many("p2", "c1", {"l1"})->empty());
  EXPECT_TRUE(store().list("p2", resource_kind::image)->empty());
  // ...and changes nothing.
  EXPECT_FALSE(store().erase("p2", "g1"));
  EXPECT_EQ(store().add_copy("p2", "g1", {"c2", "l2"}).error().code, store_errc::not_found);
  EXPECT_EQ(store().remove_copy("p2", "g1", "c1").error().code, store_errc::not_found);
  EXPECT_EQ(*store().get("p1", "g1"), make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}}));
  // A project ID that is a prefix of another does not match it.
  EXPECT_TRUE(store().list("p", resource_kind::image)->empty());
  expect_consistent();
}

TEST_F(registry_store_test, reverse_index_and_resolve_many) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::network, {{"c1", "n1"}, {"c2", "n1b"}})));
  ASSERT_TRUE(store().put(make_entry("g2", "p1", resource_kind::subnet, {{"c1", "s1"}})));
  ASSERT_TRUE(store().put(make_entry("g3", "p2", resource_kind::network, {{"c1", "n3"}})));
  EXPECT_EQ(*store().find_global("p1", "c1", "n1"), "g1");
  EXPECT_EQ(*store().find_global("p1", "c2", "n1b"), "g1");
  EXPECT_EQ(store().find_global("p1", "c2", "n1").error().code, store_errc::not_found);
  auto mapped = store().resolve_many("p1", "c1", {"s1", "unknown", "n3", "n1", "", "s1"});
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, (std::vector<id_mapping>{{"s1", "g2"}, {"n1", "g1"}, {"s1", "g2"}}));
  EXPECT_TRUE(store().resolve_many("p1", "c9", {"n1"})->empty());
}

TEST_F(registry_store_test, add_and_remove_copies) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}})));
  auto added = store().add_copy("p1", "g1", {"c2", "l2"});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->copies, (std::vector<cloud_copy>{{"c1", "l1"}, {"c2", "l2"}}));
  EXPECT_EQ(*store().find_global("p1", "c2", "l2"), "g1");
  // The same copy again is a no-op; a second copy on one cloudlet is not.
  EXPECT_EQ(store().add_copy("p1", "g1", {"c2", "l2"})->copies.size(), 2u);
  EXPECT_EQ(store().add_copy("p1", "g1", {"c2", "other"}).error().code, store_errc::duplicate_id);
  // A local ID that another entry holds.
  ASSERT_TRUE(store().put(make_entry("g2", "p1", resource_kind::image, {{"c3", "l3"}})));
  EXPECT_EQ(store().add_copy("p1", "g1", {"c3", "l3"}).error().code, store_errc::duplicate_id);
  EXPECT_EQ(store().add_copy("p1", "nope", {"c4", "l4"}).error().code, store_errc::not_found);

  auto removed = store().remove_copy("p1", "g1", "c1");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->copies, (std::vector<cloud_copy>{{"c2", "l2"}}));
  EXPECT_EQ(store().find_global("p1", "c1", "l1").error().code, store_errc::not_found);
  EXPECT_EQ(store().remove_copy("p1", "g1", "c1").error().code, store_errc::not_found);
  EXPECT_EQ(store().get("p1", "g1")->copies, (std::vector<cloud_copy>{{"c2", "l2"}}));
  expect_consistent();
}

TEST_F(registry_store_test, list_orders_by_global_id_and_pages) {
  for (auto id : {"g3", "g1", "g4", "g2"})
    ASSERT_TRUE(store().put(make_entry(id, "p1", resource_kind::server)));
  ASSERT_TRUE(store().put(make_entry("g0", "p1", resource_kind::image)));
  ASSERT_TRUE(store().put(make_entry("g5", "p2", resource_kind::server)));
  auto ids = [](const std::vector<registry_entry>& xs) {
    std::vector<std::string> result;
    for (const auto& x : xs)
      result.push_back(x.global_id);
    return result;
  };
  using strings = std::vector<std::string>;
  EXPECT_EQ(ids(*store().list("p1", resource_kind::server)), (strings{"g1", "g2", "g3", "g4"}));
  EXPECT_EQ(ids(*store().list("p1", resource_kind::server, "g1", 2)), (strings{"g2", "g3"}));
  EXPECT_EQ(ids(*store().list("p1", resource_kind::server, "g25")), (strings{"g3", "g4"}));
  EXPECT_EQ(ids(*store().list("p1", resource_kind::server, "g4")), strings{});
  EXPECT_EQ(ids(*store().list("p1", resource_kind::image)), (strings{"g0"}));
}

TEST_F(registry_store_test, counts_span_projects) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image)));
  ASSERT_TRUE(store().put(make_entry("g2", "p2", resource_kind::image)));
  ASSERT_TRUE(store().put(make_entry("g3", "p2", resource_kind::flavor)));
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image)));  // update
  EXPECT_EQ(store().count(resource_kind::image), 2u);
  EXPECT_EQ(store().count(resource_kind::flavor), 1u);
  EXPECT_EQ(store().count(resource_kind::port), 0u);
  EXPECT_TRUE(store().erase("p2", "g2"));
  EXPECT_EQ(store().count(resource_kind::image), 1u);
  expect_consistent();
}

TEST_F(registry_store_test, erasing_a_bound_server_leaves_its_tombstone_and_nothing_else_does) {
  ASSERT_TRUE(store().put(make_entry("s1", "p1", resource_kind::server, {{"c2", "l1"}})));
  ASSERT_TRUE(store().put(make_entry("i1", "p1", resource_kind::image, {{"c2", "l2"}})));
  auto reserved = make_entry("s2", "p1", resource_kind::server);
  reserved.state = entry_state::reserved;
  ASSERT_TRUE(store().put(reserved));
  EXPECT_TRUE(store().erase("p1", "s1"));
  EXPECT_TRUE(store().erase("p1", "i1"));
  EXPECT_TRUE(store().erase("p1", "s2"));
  reopen();
  auto tombstone = store().get("p1", "s1");
  ASSERT_TRUE(tombstone);
  EXPECT_EQ(tombstone->state, entry_state::deleted);
  EXPECT_EQ(tombstone->copies, (std::vector<cloud_copy>{{"c2", "l1"}})) << "where it was";
  EXPECT_EQ(store().get_any_project("s1")->state, entry_state::deleted);
  EXPECT_EQ(store().get("p1", "i1").error().code, store_errc::not_found) << "an image goes";
  EXPECT_EQ(store().get("p1", "s2").error().code, store_errc::not_found) << "a reservation goes";
  EXPECT_EQ(store().get("p2", "s1").error().code, store_errc::not_found) << "another project's";
  EXPECT_FALSE(store().find_global("p1", "c2", "l1")) << "its cloud ID names nothing";
  EXPECT_TRUE(store().list("p1", resource_kind::server)->empty()) << "not listed";
  EXPECT_EQ(store().count(resource_kind::server), 0u) << "not counted";
  EXPECT_FALSE(store().erase("p1", "s1")) << "a tombstone stays";
  EXPECT_EQ(store().give("s1", "p2").error().code, store_errc::not_found) << "nor is it given";
  EXPECT_TRUE(store().list("p2", resource_kind::server)->empty());
  EXPECT_TRUE(store().get("p1", "s1"));
  expect_consistent();
}

constexpr std::int64_t retention = 7LL * 24 * 3600 * 1000;

TEST_F(registry_store_test, a_tombstone_is_pruned_once_older_than_the_retention_and_nothing_live_ever_is) {
  ASSERT_TRUE(store().put(make_entry("s1", "p1", resource_kind::server, {{"c2", "l1"}})));
  ASSERT_TRUE(store().put(make_entry("s2", "p1", resource_kind::server, {{"c2", "l2"}})));
  ASSERT_TRUE(store().put(make_entry("s3", "p1", resource_kind::server, {{"c2", "l3"}})));
  ASSERT_TRUE(store().put(make_entry("i1", "p1", resource_kind::image, {{"c2", "l4"}})));
  auto reserved = make_entry("s4", "p1", resource_kind::server);
  reserved.state = entry_state::reserved;
  reserved.created_unix_ms = 1;  // as old as it gets: still never pruned
  ASSERT_TRUE(store().put(reserved));
  ASSERT_TRUE(store().erase("p1", "s1", 1'000));
  ASSERT_TRUE(store().erase("p1", "s2", 5'000));
  reopen();
  EXPECT_EQ(store().get("p1", "s1")->deleted_unix_ms, 1'000) << "its time survives a restart";

  auto inside = store().prune_tombstones(1'000 + retention - 1, retention, {}, 100);
  EXPECT_EQ(inside.pruned, 0u);
  EXPECT_EQ(inside.examined, 5u);
  EXPECT_TRUE(inside.next.empty()) << "one step saw everything";
  EXPECT_EQ(store().get("p1", "s1")->state, entry_state::deleted) << "inside the retention";

  auto after = store().prune_tombstones(1'000 + retention, retention, {}, 100);
  EXPECT_EQ(after.pruned, 1u);
  reopen();
  EXPECT_EQ(store().get("p1", "s1").error().code, store_errc::not_found) << "pruned, for good";
  EXPECT_EQ(store().get_any_project("s1").error().code, store_errc::not_found);
  EXPECT_EQ(store().get("p1", "s2")->state, entry_state::deleted) << "the younger one stays";
  EXPECT_EQ(store().get("p1", "s3")->state, entry_state::bound);
  EXPECT_EQ(store().get("p1", "s4")->state, entry_state::reserved);
  EXPECT_TRUE(store().get("p1", "i1"));

  store().prune_tombstones(5'000 + 100 * retention, retention, {}, 100);
  EXPECT_EQ(store().get("p1", "s2").error().code, store_errc::not_found);
  EXPECT_EQ(store().list("p1", resource_kind::server)->size(), 2u) << "live servers, years later";
  EXPECT_EQ(store().count(resource_kind::server), 2u);
  expect_consistent();
}

TEST_F(registry_store_test, a_tombstone_without_a_time_gets_one_when_first_seen_and_lives_a_full_retention) {
  ASSERT_TRUE(store().put(make_entry("s1", "p1", resource_kind::server, {{"c2", "l1"}})));
  ASSERT_TRUE(store().erase("p1", "s1", 0));  // written as before tombstones had a time
  constexpr std::int64_t first_seen = 9'000'000'000'000;
  auto seen = store().prune_tombstones(first_seen, retention, {}, 100);
  EXPECT_EQ(seen.stamped, 1u);
  EXPECT_EQ(seen.pruned, 0u) << "not pruned at once";
  reopen();
  EXPECT_EQ(store().get("p1", "s1")->deleted_unix_ms, first_seen);
  EXPECT_EQ(store().prune_tombstones(first_seen + retention - 1, retention, {}, 100).pruned, 0u);
  EXPECT_EQ(store().get("p1", "s1")->deleted_unix_ms, first_seen) << "stamped once";
  EXPECT_EQ(store().prune_tombstones(first_seen + retention, retention, {}, 100).pruned, 1u);
  EXPECT_FALSE(store().get("p1", "s1"));
  expect_consistent();
}

TEST_F(registry_store_test, pruning_goes_in_bounded_steps_that_together_see_every_entry) {
  for (int i = 0; i < 5; ++i) {
    auto id = "s" + std::to_string(i);
    ASSERT_TRUE(store().put(make_entry(id, "p1", resource_kind::server, {{"c2", "l" + id}})));
    ASSERT_TRUE(store().erase("p1", id, 1));
    ASSERT_TRUE(store().put(make_entry("n" + std::to_string(i), "p1", resource_kind::network)));
  }
  std::string cursor;
  std::size_t steps = 0, pruned = 0;
  do {
    auto step = store().prune_tombstones(1 + retention, retention, cursor, 3);
    EXPECT_LE(step.examined, 3u);
    pruned += step.pruned;
    cursor = step.next;
    ASSERT_LT(++steps, 10u);
  } while (!cursor.empty());
  EXPECT_EQ(steps, 4u) << "10 entries, at most 3 a step";
  EXPECT_EQ(pruned, 5u);
  EXPECT_EQ(store().list("p1", resource_kind::network)->size(), 5u);
  expect_consistent();
}

TEST_F(registry_store_test, records_survive_restart) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}})));
  ASSERT_TRUE(store().put(make_entry("g2", "p1", resource_kind::image, {{"c2", "l2"}})));
  ASSERT_TRUE(store().erase("p1", "g2"));
  reopen();
  auto& reopened = db->store();
  EXPECT_EQ(*reopened.get("p1", "g1"),
            make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}}));
  EXPECT_EQ(*reopened.find_global("p1", "c1", "l1"), "g1");
  EXPECT_EQ(reopened.get("p1", "g2").error().code, store_errc::not_found);
  EXPECT_EQ(reopened.list("p1", resource_kind::image)->size(), 1u);
  EXPECT_EQ(reopened.count(resource_kind::image), 1u);
  expect_consistent();
}

TEST_F(registry_store_test, grows_from_a_tiny_map) {
  lmdb_options tiny;
  tiny.map_size = 64 * 1024;
  reopen(tiny);
  auto& small = db->store();
  for (int i = 0; i < 300; ++i) {
    auto id = "g" + std::to_string(i);
    auto entry = make_entry(id, "p1", resource_kind::image, {{"c1", "l" + std::to_string(i)}});
    entry.name = std::string(800, 'n');
    ASSERT_TRUE(small.put(entry)) << i;
  }
  EXPECT_GT(db->env().num_map_growths(), 0u);
  EXPECT_EQ(small.count(resource_kind::image), 300u);
  EXPECT_EQ(*small.find_global("p1", "c1", "l299"), "g299");
  expect_consistent();
}

TEST_F(registry_store_test, bad_inputs_are_errors) {
  auto invalid = [](const store_status& x) {
    return !x && x.error().code == store_errc::invalid_argument;
  };
  EXPECT_TRUE(invalid(store().put(make_entry("", "p1"))));
  EXPECT_TRUE(invalid(store().put(make_entry("g1", ""))));
  EXPECT_TRUE(invalid(store().put(make_entry(std::string(251, 'g'), "p1"))));
  EXPECT_TRUE(invalid(store().put(make_entry("g1", std::string(600, 'p')))));
  EXPECT_TRUE(invalid(store().put(make_entry(std::string("g\0x", 3), "p1"))));
  EXPECT_TRUE(invalid(store().put(make_entry("g1", "p1", resource_kind::image, {{"", "l1"}}))));
  EXPECT_TRUE(invalid(store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", ""}}))));
  EXPECT_TRUE(invalid(
    store().put(make_entry("g1", "p1", resource_kind::image, {{"c1", "l1"}, {"c1", "l2"}}))));
  EXPECT_TRUE(invalid(store().put(make_entry("g1", "p1", static_cast<resource_kind>(11)))));
  auto long_name = make_entry("g1", "p1");
  long_name.name = std::string(max_name_size + 1, 'n');
  EXPECT_TRUE(invalid(store().put(long_name)));
  // Longest valid IDs fit LMDB's key limit in every index.
  std::string longest(max_id_size, 'x');
  ASSERT_TRUE(store().put(make_entry(longest, longest, resource_kind::network, {{longest, longest}})));
  EXPECT_EQ(*store().find_global(longest, longest, longest), longest);
  // Lookups with bad IDs are errors too, never crashes.
  EXPECT_EQ(store().get("", "g1").error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().get("p1", std::string(1000, 'g')).error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().find_global("p1", "", "l1").error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().resolve_many("p1", "", {"l1"}).error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().add_copy("p1", "g1", {"c1", ""}).error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().remove_copy("p1", "", "c1").error().code, store_errc::invalid_argument);
  EXPECT_EQ(store().list("", resource_kind::image).error().code, store_errc::invalid_argument);
  EXPECT_FALSE(store().erase("", ""));
  EXPECT_EQ(store().count(resource_kind::image), 0u);
  expect_consistent();
}

TEST_F(registry_store_test, meta_values_round_trip_and_survive_reopening) {
  EXPECT_EQ(store().get_meta("membership.cache").error().code, store_errc::not_found);
  ASSERT_TRUE(store().put_meta("membership.cache", "v1"));
  ASSERT_TRUE(store().put_meta("membership.cache", std::string("v2\0binary", 9)));
  reopen();
  auto value = store().get_meta("membership.cache");
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, std::string("v2\0binary", 9));
  expect_consistent();
}

TEST_F(registry_store_test, meta_keys_cannot_touch_the_schema_or_counters) {
  ASSERT_TRUE(store().put(make_entry("g1", "p1")));
  // "schema" and "count/image" live in the same database under their own
  // names; application keys are prefixed, so these are new keys.
  EXPECT_EQ(store().get_meta("schema").error().code, store_errc::not_found);
  ASSERT_TRUE(store().put_meta("schema", "999"));
  ASSERT_TRUE(store().put_meta("count/image", "garbage"));
  reopen();  // the schema check still sees "1"
  EXPECT_EQ(store().count(resource_kind::image), 1u);
  expect_consistent();
}

TEST_F(registry_store_test, meta_rejects_bad_keys_and_large_values) {
  auto invalid = [](const store_status& status) {
    return !status && status.error().code == store_errc::invalid_argument;
  };
  EXPECT_TRUE(invalid(store().put_meta("", "v")));
  EXPECT_TRUE(invalid(store().put_meta(std::string(max_meta_key_size + 1, 'k'), "v")));
  EXPECT_TRUE(invalid(store().put_meta(std::string("a\0b", 3), "v")));
  EXPECT_TRUE(invalid(store().put_meta("k", std::string(max_meta_value_size + 1, 'v'))));
  EXPECT_TRUE(store().put_meta(std::string(max_meta_key_size, 'k'), "v"));
  EXPECT_TRUE(store().put_meta("big", std::string(max_meta_value_size, 'v')));
  EXPECT_EQ(store().get_meta("").error().code, store_errc::invalid_argument);
}

}  // namespace

TEST_F(registry_store_test, reserved_lists_old_reservations_of_every_project) {
  auto reservation = [](std::string id, std::string project, std::int64_t created) {
    auto e = make_entry(std::move(id), std::move(project), resource_kind::image);
    e.state = entry_state::reserved;
    e.copies.clear();
    e.created_unix_ms = created;
    return e;
  };
  ASSERT_TRUE(store().put(reservation("old-1", "p1", 100)));
  ASSERT_TRUE(store().put(reservation("old-2", "p2", 200)));
  ASSERT_TRUE(store().put(reservation("fresh", "p1", 900)));
  auto bound = make_entry("bound", "p1", resource_kind::image, {{"c1", "l1"}});
  bound.created_unix_ms = 50;
  ASSERT_TRUE(store().put(bound));

  auto stale = store().reserved(500, 10);
  std::vector<std::string> ids;
  for (const auto& e : stale) ids.push_back(e.global_id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"old-1", "old-2"}));
  EXPECT_EQ(store().reserved(500, 1).size(), 1u);   // the limit holds
  EXPECT_TRUE(store().reserved(100, 10).empty());   // strictly before
}

namespace {

abandoned_attempt make_attempt(std::string token, std::int64_t at, std::string cloudlet = "cloudlet-2") {
  abandoned_attempt a;
  a.token = std::move(token);
  a.kind = resource_kind::server;
  a.global_id = "g1";
  a.project_id = "p1";
  a.cloudlet = std::move(cloudlet);
  a.abandoned_unix_ms = at;
  return a;
}

const std::string token_a(32, 'a');
const std::string token_b(32, 'b');

}  // namespace

TEST_F(registry_store_test, abandoned_attempts_round_trip_survive_reopening_and_are_forgotten_once) {
  ASSERT_TRUE(store().put_abandoned(make_attempt(token_a, 1000)));
  ASSERT_TRUE(store().put_abandoned(make_attempt(token_b, 5000, "cloudlet-3")));
  reopen();
  auto all = store().abandoned(INT64_MAX, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], make_attempt(token_a, 1000));
  EXPECT_EQ(all[1], make_attempt(token_b, 5000, "cloudlet-3"));
  // Only those recorded before the time, at most `limit`.
  auto old = store().abandoned(5000, 0);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].token, token_a);
  EXPECT_EQ(store().abandoned(INT64_MAX, 1).size(), 1u);
  EXPECT_TRUE(store().forget_abandoned(token_a));
  EXPECT_FALSE(store().forget_abandoned(token_a));
  EXPECT_FALSE(store().forget_abandoned(""));
  ASSERT_EQ(store().abandoned(INT64_MAX, 0).size(), 1u);
  // Abandoned attempts are no registry entries: nothing is counted or indexed.
  EXPECT_EQ(store().count(resource_kind::server), 0u);
  EXPECT_FALSE(store().get("p1", "g1"));
  expect_consistent();
}

TEST_F(registry_store_test, abandoned_attempts_refuse_malformed_records) {
  auto invalid = [](const store_status& status) {
    return !status && status.error().code == store_errc::invalid_argument;
  };
  EXPECT_TRUE(invalid(store().put_abandoned(make_attempt("short", 1))));
  EXPECT_TRUE(invalid(store().put_abandoned(make_attempt(std::string(32, 'A'), 1))));   // upper case
  EXPECT_TRUE(invalid(store().put_abandoned(make_attempt(std::string(32, 'g'), 1))));
  auto no_project = make_attempt(token_a, 1);
  no_project.project_id.clear();
  EXPECT_TRUE(invalid(store().put_abandoned(no_project)));
  auto bad_kind = make_attempt(token_a, 1);
  bad_kind.kind = static_cast<resource_kind>(99);
  EXPECT_TRUE(invalid(store().put_abandoned(bad_kind)));
  EXPECT_TRUE(store().abandoned(INT64_MAX, 0).empty());
}
