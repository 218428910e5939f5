// The neighbour cache survives a restart: the membership actor saves it in
// the registry's meta store once per period when it changed, and a new
// membership actor on the same store starts from it (deterministic clock).

#include <gtest/gtest.h>

#include "actors/registry.hpp"
#include "tests/actors/membership_test_fixture.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack;
using namespace fedstack::test;
using strings = std::vector<std::string>;

namespace {

struct membership_persistence_test : membership_fixture {
  temp_dir dir;
  registry_actor registry = open_registry();

  registry_actor open_registry() {
    registry_config config;
    config.data_dir = dir.path();
    config.detached = false;  // the test coordinator drives it
    auto result = spawn_registry(sys, config);
    if (!result)
      throw std::runtime_error(sys.render(result.error()));
    return track(*result);
  }

  std::optional<std::vector<peer_entry>> saved() {
    auto text = ask<std::string>(registry, atom::get_meta_v, std::string{"membership.cache"});
    if (!text)
      return std::nullopt;
    return decode_peer_entries(*text);
  }
};

TEST_F(membership_persistence_test, cache_round_trips_through_the_registry) {
  auto first = spawn(config_for("p"), {}, registry);
  EXPECT_FALSE(saved());  // nothing saved yet, and no error either
  caf::anon_send(first, atom::join_v,
                 std::vector<peer_address>{address_of("a"), address_of("b")});
  advance(1s);  // the tick saves the changed cache before shuffling
  auto stored = saved();
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, (std::vector<peer_entry>{{address_of("a"), 0, "", ""},
                                              {address_of("b"), 0, "", ""}}));
  stop(first);
  // A restarted node finds its neighbours without a seed.
  auto second = spawn(config_for("p"), {}, registry);
  EXPECT_EQ(member_hosts(second), (strings{"a", "b"}));
  stop(second);
  // Entries handed over at spawn come first; the saved ones fill up.
  auto third = spawn(config_for("p"), {entry_of("c"), entry_of("a", 3)}, registry);
  auto cache = members(third);
  ASSERT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache[0], entry_of("c"));
  EXPECT_EQ(cache[1], entry_of("a", 3));
  EXPECT_EQ(cache[2].address, address_of("b"));
}

TEST_F(membership_persistence_test, unchanged_cache_is_not_written_again) {
  auto config = config_for("p");
  config.rejoin_when_empty = false;  // keep the empty cache empty
  spawn_peer("a", {});                // answers with nothing new
  auto p = spawn(config, {}, registry);
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("a")});
  advance(1s);  // saves {a}; a answers with nothing new and is kept
  ASSERT_TRUE(saved());
  EXPECT_EQ(saved()->size(), 1u);
  caf::anon_send(p, atom::peer_down_v, address_of("a"));
  advance(1s);  // saves {} (changed by the drop)
  EXPECT_TRUE(saved()->empty());
  // Overwrite behind its back: with nothing new, the actor writes nothing.
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_meta_v, std::string{"membership.cache"},
                            encode_peer_entries({entry_of("z")})));
  advance(1s);
  EXPECT_EQ(saved()->size(), 1u);
}

TEST_F(membership_persistence_test, registry_meta_rejects_bad_keys_and_finds_nothing) {
  EXPECT_EQ(ask<std::string>(registry, atom::get_meta_v, std::string{"nope"}).error(),
            ec::not_found);
  EXPECT_EQ(ask<atom::ok>(registry, atom::put_meta_v, std::string{}, std::string{"v"}).error(),
            ec::invalid_argument);
  EXPECT_EQ(ask<atom::ok>(registry, atom::put_meta_v, std::string(201, 'k'), std::string{"v"})
              .error(),
            ec::invalid_argument);
}

}  // namespace
