// The node actor's registry face under CAF's deterministic test_coordinator:
// other agents ask it about the entries this node owns; it delegates to the
// registry, which scopes every call by project, and refuses before it is wired.

#include "actors/node.hpp"

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/register_types.hpp"
#include <algorithm>

#include "actors/registry.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack;
using storage::cloud_copy;
using storage::registry_entry;

namespace {

struct node_actor_test : ::testing::Test {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    register_types(cfg);
    return cfg;
  }

  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  registry_actor registry = spawn_registry_here();
  node_impl_actor node_impl = sys.spawn(fedstack::node);
  node_actor node = caf::actor_cast<node_actor>(node_impl);

  registry_actor spawn_registry_here() {
    registry_config config;
    config.data_dir = dir.path();
    config.detached = false;
    auto result = spawn_registry(sys, config);
    if (!result) throw std::runtime_error(sys.render(result.error()));
    return *result;
  }

  ~node_actor_test() override {
    caf::anon_send_exit(node_impl, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    sched.run();
  }

  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& to, Ts&&... xs) {
    auto handle = self->request(to, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{caf::error{}};
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// Wires the node with the registry (membership, capacity and scheduler
  /// are not what these tests ask for).
  void wire() {
    auto wired = ask<atom::ok>(node_impl, atom::put_v, peer_entry{}, membership_actor{},
                               capacity_actor{}, scheduler_actor{}, registry);
    ASSERT_TRUE(wired) << sys.render(wired.error());
  }

  registry_entry entry(std::string id, std::string project) {
    registry_entry e;
    e.kind = storage::resource_kind::image;
    e.global_id = std::move(id);
    e.project_id = std::move(project);
    e.state = storage::entry_state::bound;
    e.copies = {{"cloudlet-1", "local-1"}};
    e.name = "cirros";
    return e;
  }
};

TEST_F(node_actor_test, refuses_registry_calls_until_wired) {
  auto got = ask<registry_entry>(node, atom::get_v, std::string{"p"}, std::string{"g"});
  EXPECT_EQ(got.error(), ec::peer_unreachable);
}

TEST_F(node_actor_test, answers_for_the_entries_it_owns_by_project) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  auto got = ask<registry_entry>(node, atom::get_v, std::string{"p1"}, std::string{"g1"});
  ASSERT_TRUE(got) << sys.render(got.error());
  EXPECT_EQ(got->copies.front().local_id, "local-1");
  // Another project's caller learns nothing, not even that the ID exists.
  EXPECT_EQ(ask<registry_entry>(node, atom::get_v, std::string{"p2"}, std::string{"g1"}).error(),
            ec::not_found);
}

TEST_F(node_actor_test, adds_copies_and_settles_races_per_cloudlet) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  auto added = ask<registry_entry>(node, atom::add_copy_v, std::string{"p1"}, std::string{"g1"},
                                   cloud_copy{"cloudlet-4", "local-4"});
  ASSERT_TRUE(added) << sys.render(added.error());
  EXPECT_EQ(added->copies.size(), 2u);
  // A second agent that copied to the same cloudlet at the same time loses.
  auto raced = ask<registry_entry>(node, atom::add_copy_v, std::string{"p1"}, std::string{"g1"},
                                   cloud_copy{"cloudlet-4", "other"});
  EXPECT_EQ(raced.error(), ec::duplicate_id);
  auto removed = ask<registry_entry>(node, atom::remove_copy_v, std::string{"p1"},
                                     std::string{"g1"}, std::string{"cloudlet-4"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->copies.size(), 1u);
}

TEST_F(node_actor_test, erases_only_within_the_project) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  EXPECT_EQ(ask<bool>(node, atom::erase_v, std::string{"p2"}, std::string{"g1"}), false);
  EXPECT_EQ(ask<bool>(node, atom::erase_v, std::string{"p1"}, std::string{"g1"}), true);
  EXPECT_EQ(ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"g1"}).error(),
            ec::not_found);
}

TEST_F(node_actor_test, is_wired_once) {
  wire();
  auto again = ask<atom::ok>(node_impl, atom::put_v, peer_entry{}, membership_actor{},
                             capacity_actor{}, scheduler_actor{}, registry);
  EXPECT_EQ(again.error(), ec::invalid_argument);
}

} // namespace

TEST_F(node_actor_test, shows_the_orphan_list_read_only_and_no_abandoned_attempts) {
  wire();
  EXPECT_EQ(ask<std::string>(node, atom::orphans_v).error(), ec::not_found);   // no sweep yet
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_meta_v, std::string{"orphans"}, std::string{R"({"total":0})"}));
  auto listed = ask<std::string>(node, atom::orphans_v);
  ASSERT_TRUE(listed) << sys.render(listed.error());
  EXPECT_EQ(*listed, R"({"total":0})");
  // Abandoned attempts decide what may be deleted: a peer can neither read nor change them.
  auto registry_types = sys.message_types<registry_actor>();
  EXPECT_TRUE(std::any_of(registry_types.begin(), registry_types.end(),
                          [](const std::string& name) { return name.find("abandoned_attempt") != std::string::npos; }));
  auto types = sys.message_types<node_actor>();
  for (const auto& name : types) {
    EXPECT_EQ(name.find("abandoned_attempt"), std::string::npos) << name;
    EXPECT_EQ(name.find("put_meta"), std::string::npos) << name;
  }
}
