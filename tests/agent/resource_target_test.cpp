// Which cloud answers a call about one resource (agent/rules/resource_target.hpp),
// from what its owner's registry said.

#include <gtest/gtest.h>

#include "agent/rules/resource_target.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using storage::cloud_copy;
using storage::entry_state;
using storage::registry_entry;

const std::string gid = *api::make_global_id({"127.0.0.1", 4790});

owner_answer entry(entry_state state, std::vector<cloud_copy> copies) {
  registry_entry e;
  e.kind = storage::resource_kind::image;
  e.global_id = gid;
  e.project_id = "project-a";
  e.state = state;
  e.copies = std::move(copies);
  return owner_answer{e, std::nullopt};
}

owner_answer bound_with_copy() {
  // The primary on cloudlet-2, a copy for a boot on cloudlet-1.
  return entry(entry_state::bound, {{"cloudlet-2", "local-primary"}, {"cloudlet-1", "local-copy"}});
}

const owner_answer no_entry{};
const owner_answer owner_away{std::nullopt, "node 127.0.0.1:4790 does not answer"};

void expect_primary(const resource_target& t) {
  EXPECT_EQ(t.kind, target_kind::primary);
  EXPECT_EQ(t.cloudlet, "cloudlet-2");
  EXPECT_EQ(t.local_id, "local-primary");
}

TEST(target_of, a_bound_entry_sends_reads_and_writes_to_its_primary_never_to_a_copy) {
  for (auto use : {id_use::read, id_use::write, id_use::list_marker})
    for (bool admin : {false, true}) expect_primary(target_of(bound_with_copy(), use, admin));
}

TEST(target_of, the_owner_away_lets_reads_search_by_marker_and_refuses_writes) {
  for (auto use : {id_use::read, id_use::list_marker}) {
    auto t = target_of(owner_away, use, true);
    EXPECT_EQ(t.kind, target_kind::search_by_marker);
    EXPECT_EQ(t.why, "node 127.0.0.1:4790 does not answer");
  }
  auto t = target_of(owner_away, id_use::write, true);
  EXPECT_EQ(t.kind, target_kind::registry_unavailable);
  EXPECT_EQ(t.why, "node 127.0.0.1:4790 does not answer");
}

TEST(target_of, no_entry_of_this_project_is_searched_for_reads_and_not_found_for_writes) {
  auto read = target_of(no_entry, id_use::read, false);
  EXPECT_EQ(read.kind, target_kind::search_by_marker);
  EXPECT_EQ(read.why, "no entry of this project");
  EXPECT_EQ(target_of(no_entry, id_use::list_marker, false).kind, target_kind::search_by_marker);
  EXPECT_EQ(target_of(no_entry, id_use::write, false).kind, target_kind::not_found);
}

TEST(target_of, an_admin_without_an_entry_asks_under_the_project_the_cloud_names) {
  EXPECT_EQ(target_of(no_entry, id_use::read, true).kind, target_kind::other_project);
  EXPECT_EQ(target_of(no_entry, id_use::write, true).kind, target_kind::other_project);
  // A list marker is this project's view only.
  EXPECT_EQ(target_of(no_entry, id_use::list_marker, true).kind, target_kind::search_by_marker);
  // An entry in the caller's project, even an unbound one, is the caller's.
  EXPECT_EQ(target_of(entry(entry_state::reserved, {}), id_use::write, true).kind, target_kind::not_found);
}

TEST(target_of, a_reservation_places_nothing_for_a_call) {
  auto reserved = entry(entry_state::reserved, {});
  EXPECT_EQ(target_of(reserved, id_use::read, false).kind, target_kind::search_by_marker);
  EXPECT_EQ(target_of(reserved, id_use::write, false).kind, target_kind::not_found);
  EXPECT_EQ(target_of(reserved, id_use::list_marker, false).kind, target_kind::search_by_marker);
  // Only a list marker takes any entry with copies (as it always has).
  auto reserved_with_copy = entry(entry_state::reserved, {{"cloudlet-2", "local-primary"}});
  EXPECT_EQ(target_of(reserved_with_copy, id_use::read, false).kind, target_kind::search_by_marker);
  EXPECT_EQ(target_of(reserved_with_copy, id_use::write, false).kind, target_kind::not_found);
  expect_primary(target_of(reserved_with_copy, id_use::list_marker, false));
}

TEST(target_of, a_tombstone_is_not_found_for_every_use_and_never_searched_for) {
  auto tombstone = entry(entry_state::deleted, {{"cloudlet-2", "local-primary"}});
  for (auto use : {id_use::read, id_use::write, id_use::list_marker})
    for (bool admin : {false, true})
      EXPECT_EQ(target_of(tombstone, use, admin).kind, target_kind::not_found)
        << static_cast<int>(use) << " admin " << admin;
}

TEST(target_of, a_bound_entry_without_copies_places_nothing) {
  auto empty = entry(entry_state::bound, {});
  EXPECT_EQ(target_of(empty, id_use::read, false).kind, target_kind::search_by_marker);
  EXPECT_EQ(target_of(empty, id_use::write, false).kind, target_kind::not_found);
  EXPECT_EQ(target_of(empty, id_use::list_marker, false).kind, target_kind::search_by_marker);
}

} // namespace
} // namespace fedstack::agent
