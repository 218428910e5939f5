// The node actor's registry face under CAF's deterministic test_coordinator:
// other agents ask it about the entries this node owns; it asks the registry,
// which scopes every call by project, and refuses before it is wired. And
// who may ask what: each sender is who its certificate says (node_config's
// identify, here a table from sender to identity).

#include "actors/node.hpp"

#include <functional>
#include <map>
#include <vector>

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
  node_impl_actor node_impl = sys.spawn(fedstack::node, node_config{});
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
    return ask_from<T>(self, to, std::forward<Ts>(xs)...);
  }

  template <class T, class Handle, class... Ts>
  caf::expected<T> ask_from(caf::scoped_actor& from, const Handle& to, Ts&&... xs) {
    auto handle = from->request(to, caf::infinite, std::forward<Ts>(xs)...);
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
  auto got = ask<registry_entry>(node, atom::get_v, registry_key{"p", "g"});
  EXPECT_EQ(got.error(), ec::peer_unreachable);
}

TEST_F(node_actor_test, answers_for_the_entries_it_owns_by_project) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  auto got = ask<registry_entry>(node, atom::get_v, registry_key{"p1", "g1"});
  ASSERT_TRUE(got) << sys.render(got.error());
  EXPECT_EQ(got->copies.front().local_id, "local-1");
  // Another project's caller learns nothing, not even that the ID exists.
  EXPECT_EQ(ask<registry_entry>(node, atom::get_v, registry_key{"p2", "g1"}).error(),
            ec::not_found);
}

TEST_F(node_actor_test, adds_copies_and_settles_races_per_cloudlet) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  auto added = ask<registry_entry>(node, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-4", "local-4"}});
  ASSERT_TRUE(added) << sys.render(added.error());
  EXPECT_EQ(added->copies.size(), 2u);
  // A second agent that copied to the same cloudlet at the same time loses.
  auto raced = ask<registry_entry>(node, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-4", "other"}});
  EXPECT_EQ(raced.error(), ec::duplicate_id);
  auto removed = ask<registry_entry>(node, atom::remove_copy_v, copy_removal{"p1", "g1", "cloudlet-4"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->copies.size(), 1u);
}

TEST_F(node_actor_test, erases_only_within_the_project) {
  wire();
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, entry("g1", "p1")));
  EXPECT_EQ(ask<bool>(node, atom::erase_v, registry_key{"p2", "g1"}), false);
  EXPECT_EQ(ask<bool>(node, atom::erase_v, registry_key{"p1", "g1"}), true);
  EXPECT_EQ(ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"g1"}).error(),
            ec::not_found);
}

/// A node that authorizes: `self` is local, the others are who the table says.
struct node_authorization_test : node_actor_test {
  caf::scoped_actor cloudlet_two{sys, true};
  caf::scoped_actor operator_{sys, true};
  caf::scoped_actor stranger{sys, true};
  caf::scoped_actor cloudlet_three{sys, true};
  std::map<caf::actor_addr, peer_identity> identities{
    {caf::actor_cast<caf::actor_addr>(self), peer_identity::local()},
    {caf::actor_cast<caf::actor_addr>(cloudlet_two), peer_identity::of_cloudlet("cloudlet-2")},
    {caf::actor_cast<caf::actor_addr>(cloudlet_three), peer_identity::of_cloudlet("cloudlet-3")},
    {caf::actor_cast<caf::actor_addr>(operator_), peer_identity::operator_()},
  };
  /// What the fake cloud check answers, and the copies it was asked about.
  bool copies_exist = false;
  bool primary_gone = false;
  std::string owner_on_cloud = "p1";   // the project the cloud shows the primary in
  std::vector<cloud_copy> checked;
  /// While set, check_moved's answers wait here for the test to give them.
  bool hold_moved_checks = false;
  std::vector<std::function<void(bool)>> held;
  node_impl_actor guarded = sys.spawn(
    fedstack::node,
    node_config{[this](const caf::strong_actor_ptr& sender) {
                  auto i = identities.find(caf::actor_cast<caf::actor_addr>(sender));
                  return i == identities.end() ? peer_identity::unknown() : i->second;
                },
                [this](storage::resource_kind, std::string, cloud_copy copy, std::function<void(bool)> done) {
                  checked.push_back(copy);
                  done(copies_exist);
                },
                [this](storage::resource_kind, cloud_copy primary, std::function<void(bool)> done) {
                  checked.push_back(primary);
                  done(primary_gone);
                },
                [this](storage::resource_kind, cloud_copy primary, std::string project, std::function<void(bool)> done) {
                  checked.push_back(primary);
                  done(project == owner_on_cloud);
                },
                [this](storage::resource_kind, std::string, std::string project, cloud_copy copy,
                       std::function<void(bool)> done) {
                  checked.push_back(copy);
                  if (hold_moved_checks) held.push_back(std::move(done));
                  else done(copies_exist && project == owner_on_cloud);
                }});

  node_authorization_test() {
    auto wired = ask<atom::ok>(guarded, atom::put_v, peer_entry{}, membership_actor{},
                               capacity_actor{}, scheduler_actor{}, registry);
    EXPECT_TRUE(wired);
    registry_entry e = entry("g1", "p1");
    e.copies = {{"cloudlet-1", "primary"}, {"cloudlet-2", "copy-2"}, {"cloudlet-3", "copy-3"}};
    EXPECT_TRUE(ask<atom::ok>(registry, atom::put_v, e));
  }

  ~node_authorization_test() override {
    caf::anon_send_exit(guarded, caf::exit_reason::user_shutdown);
    sched.run();
  }

  caf::expected<registry_entry> stored() {
    return ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"g1"});
  }
};

TEST_F(node_authorization_test, a_peer_changes_copies_only_on_its_own_cloudlet) {
  auto foreign = ask_from<registry_entry>(cloudlet_two, guarded, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-4", "chosen-by-peer"}});
  EXPECT_EQ(foreign.error(), ec::not_authorized);
  EXPECT_EQ(checked.size(), 1u);   // looked for on cloudlet-4 and not found
  auto removed_foreign = ask_from<registry_entry>(cloudlet_two, guarded, atom::remove_copy_v, copy_removal{"p1", "g1", "cloudlet-3"});
  EXPECT_EQ(removed_foreign.error(), ec::not_authorized);
  ASSERT_TRUE(stored());
  EXPECT_EQ(stored()->copies.size(), 3u);
  // Its own cloudlet's copy: removed.
  auto removed_own = ask_from<registry_entry>(cloudlet_two, guarded, atom::remove_copy_v, copy_removal{"p1", "g1", "cloudlet-2"});
  ASSERT_TRUE(removed_own) << sys.render(removed_own.error());
  EXPECT_FALSE(removed_own->copy_on("cloudlet-2"));
  auto added_own = ask_from<registry_entry>(cloudlet_two, guarded, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-2", "copy-2b"}});
  ASSERT_TRUE(added_own) << sys.render(added_own.error());
  EXPECT_EQ(added_own->copy_on("cloudlet-2")->local_id, "copy-2b");
}

TEST_F(node_authorization_test, a_copy_on_another_cloudlet_is_recorded_only_once_seen_there) {
  // A boot placed on cloudlet-4 by cloudlet-2's agent: the copy is found there, marked.
  copies_exist = true;
  auto added = ask_from<registry_entry>(cloudlet_two, guarded, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-4", "copy-4"}});
  ASSERT_TRUE(added) << sys.render(added.error());
  EXPECT_EQ(added->copy_on("cloudlet-4")->local_id, "copy-4");
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_EQ(checked.front().local_id, "copy-4");
  // Its own cloudlet needs no check.
  ASSERT_TRUE(ask_from<registry_entry>(cloudlet_two, guarded, atom::remove_copy_v, copy_removal{"p1", "g1", "cloudlet-2"}));
  ASSERT_TRUE(ask_from<registry_entry>(cloudlet_two, guarded, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-2", "copy-2c"}}));
  EXPECT_EQ(checked.size(), 1u);
}

TEST_F(node_authorization_test, a_peer_never_removes_the_primary_copy_nor_erases_a_live_resource) {
  identities[caf::actor_cast<caf::actor_addr>(cloudlet_two)] = peer_identity::of_cloudlet("cloudlet-1");
  auto primary = ask_from<registry_entry>(cloudlet_two, guarded, atom::remove_copy_v, copy_removal{"p1", "g1", "cloudlet-1"});
  EXPECT_EQ(primary.error(), ec::not_authorized);
  // The primary is still on its cloud: the record stays.
  auto erased = ask_from<bool>(cloudlet_two, guarded, atom::erase_v, registry_key{"p1", "g1"});
  EXPECT_EQ(erased.error(), ec::not_authorized);
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_EQ(checked.front().local_id, "primary");
  ASSERT_TRUE(stored());
  EXPECT_EQ(stored()->copies.front().local_id, "primary");
  // This process' own flows still erase, unchecked.
  EXPECT_EQ(ask<bool>(guarded, atom::erase_v, registry_key{"p1", "g1"}), true);
  EXPECT_EQ(checked.size(), 1u);
}

TEST_F(node_authorization_test, a_delete_through_another_agent_erases_once_the_primary_is_gone) {
  primary_gone = true;
  auto erased = ask_from<bool>(cloudlet_two, guarded, atom::erase_v, registry_key{"p1", "g1"});
  ASSERT_TRUE(erased) << sys.render(erased.error());
  EXPECT_TRUE(*erased);
  EXPECT_EQ(stored().error(), ec::not_found);
  // Another project's ID: nothing to erase, nothing checked.
  EXPECT_EQ(ask_from<bool>(cloudlet_two, guarded, atom::erase_v, registry_key{"p2", "g1"}), false);
  EXPECT_EQ(checked.size(), 1u);
}

// A volume transfer accepted through another agent: the entry goes to the accepting
// project only once the cloud shows the primary there; this process' flows give unchecked.
TEST_F(node_authorization_test, a_peer_gives_an_entry_only_to_the_project_the_cloud_shows_it_in) {
  auto refused = ask_from<registry_entry>(cloudlet_two, guarded, atom::give_v, registry_key{"p2", "g1"});
  EXPECT_EQ(refused.error(), ec::not_authorized);
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_EQ(checked.front().local_id, "primary");
  ASSERT_TRUE(stored()) << "still p1's";
  owner_on_cloud = "p2";
  auto given = ask_from<registry_entry>(cloudlet_two, guarded, atom::give_v, registry_key{"p2", "g1"});
  ASSERT_TRUE(given) << sys.render(given.error());
  EXPECT_EQ(given->project_id, "p2");
  EXPECT_EQ(stored().error(), ec::not_found);
  EXPECT_EQ(ask<registry_entry>(registry, atom::get_v, std::string{"p2"}, std::string{"g1"})->project_id, "p2");
  EXPECT_EQ(ask_from<registry_entry>(operator_, guarded, atom::give_v, registry_key{"p3", "g1"}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_two, guarded, atom::give_v, registry_key{"p2", "nothing"}).error(),
            ec::not_found);
  auto back = ask<registry_entry>(guarded, atom::give_v, registry_key{"p1", "g1"});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->project_id, "p1");
  EXPECT_EQ(checked.size(), 2u) << "this process' own give is not checked";
}

// A floating IP moved through another agent: its entry's one copy becomes the new
// one only once the cloud shows it there marked in the entry's project; nothing else moves.
TEST_F(node_authorization_test, a_peer_rebinds_only_a_floating_ip_the_cloud_shows_moved) {
  copy_addition moved{"p1", "g1", cloud_copy{"cloudlet-3", "fip-3"}};
  cloud_copy was{"cloudlet-1", "fip-1"};
  auto image = ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was);
  EXPECT_EQ(image.error(), ec::not_authorized) << "g1 is an image";
  registry_entry fip = entry("f1", "p1");
  fip.kind = storage::resource_kind::floating_ip;
  fip.copies = {{"cloudlet-1", "fip-1"}};
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_v, fip));
  moved.global_id = "f1";
  auto unseen = ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was);
  EXPECT_EQ(unseen.error(), ec::not_authorized);
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_EQ(checked.back().local_id, "fip-3");
  copies_exist = true;
  owner_on_cloud = "p2";   // there, but another project's
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was).error(), ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(operator_, guarded, atom::rebind_v, moved, was).error(), ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v,
                                     copy_addition{"p2", "f1", cloud_copy{"cloudlet-3", "fip-3"}}, was).error(),
            ec::not_found) << "another project's ID";
  auto kept = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->copies, fip.copies);
  owner_on_cloud = "p1";
  auto rebound = ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was);
  ASSERT_TRUE(rebound) << sys.render(rebound.error());
  EXPECT_EQ(rebound->copies, (std::vector<cloud_copy>{{"cloudlet-3", "fip-3"}}));
  auto now = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(now);
  EXPECT_EQ(now->copies, rebound->copies);
}

/// A floating IP entry f1 of p1 whose primary is fip-1 on cloudlet-1.
registry_entry floating_ip_f1(node_authorization_test& t) {
  registry_entry fip = t.entry("f1", "p1");
  fip.kind = storage::resource_kind::floating_ip;
  fip.copies = {{"cloudlet-1", "fip-1"}};
  EXPECT_TRUE(t.ask<atom::ok>(t.registry, atom::put_v, fip));
  return fip;
}

/// The answer to a request sent earlier, once the coordinator ran.
template <class Handle>
caf::expected<registry_entry> answer_of(Handle& handle) {
  caf::expected<registry_entry> result{caf::error{}};
  handle.receive([&](registry_entry& x) { result = std::move(x); }, [&](caf::error& err) { result = std::move(err); });
  return result;
}

// Two agents move one floating IP at once: the owner takes their rebinds one at a
// time; the first wins, the second finds the primary it expected gone and is refused
// without its floating IP being recorded (its mover releases it).
TEST_F(node_authorization_test, two_moves_of_one_floating_ip_at_once_record_only_the_first) {
  floating_ip_f1(*this);
  hold_moved_checks = true;
  cloud_copy was{"cloudlet-1", "fip-1"};
  auto first = cloudlet_two->request(guarded, caf::infinite, atom::rebind_v,
                                     copy_addition{"p1", "f1", cloud_copy{"cloudlet-2", "fip-2"}}, was);
  sched.run();
  auto second = cloudlet_three->request(guarded, caf::infinite, atom::rebind_v,
                                        copy_addition{"p1", "f1", cloud_copy{"cloudlet-3", "fip-3"}}, was);
  sched.run();
  ASSERT_EQ(held.size(), 1u) << "the second move is checked while the first is under way";
  held[0](true);
  sched.run();
  auto won = answer_of(first);
  ASSERT_TRUE(won) << sys.render(won.error());
  EXPECT_EQ(won->copies, (std::vector<cloud_copy>{{"cloudlet-2", "fip-2"}}));
  auto lost = answer_of(second);
  EXPECT_EQ(lost.error(), ec::not_authorized);
  EXPECT_EQ(held.size(), 1u) << "a stale move is refused before any check";
  auto now = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(now);
  EXPECT_EQ(now->copies, won->copies);
}

// The owner's own move (a client of this agent) waits for a peer's under way too.
TEST_F(node_authorization_test, the_owners_own_move_waits_for_a_peers_and_finds_it_won) {
  floating_ip_f1(*this);
  hold_moved_checks = true;
  cloud_copy was{"cloudlet-1", "fip-1"};
  auto peer = cloudlet_two->request(guarded, caf::infinite, atom::rebind_v,
                                    copy_addition{"p1", "f1", cloud_copy{"cloudlet-2", "fip-2"}}, was);
  sched.run();
  auto own = self->request(guarded, caf::infinite, atom::rebind_v,
                           copy_addition{"p1", "f1", cloud_copy{"cloudlet-1", "fip-1b"}}, was);
  sched.run();
  auto meanwhile = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(meanwhile);
  EXPECT_EQ(meanwhile->copies.front().local_id, "fip-1") << "the owner's move did not wait";
  ASSERT_EQ(held.size(), 1u);
  held[0](true);
  sched.run();
  ASSERT_TRUE(answer_of(peer));
  EXPECT_EQ(answer_of(own).error(), ec::not_authorized);
  auto now = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(now);
  EXPECT_EQ(now->copies, (std::vector<cloud_copy>{{"cloudlet-2", "fip-2"}}));
}

// A mover whose answer was lost asks again: a repeat of a done move answers the entry
// (unchecked, unchanged); a stale or foreign one is refused and changes nothing.
TEST_F(node_authorization_test, a_repeated_move_answers_what_became_of_it_and_hostile_ones_change_nothing) {
  floating_ip_f1(*this);
  copies_exist = true;
  cloud_copy was{"cloudlet-1", "fip-1"};
  copy_addition moved{"p1", "f1", cloud_copy{"cloudlet-2", "fip-2"}};
  ASSERT_TRUE(ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was));
  ASSERT_EQ(checked.size(), 1u);
  auto repeat = ask_from<registry_entry>(cloudlet_two, guarded, atom::rebind_v, moved, was);
  ASSERT_TRUE(repeat) << sys.render(repeat.error());
  EXPECT_EQ(repeat->copies, (std::vector<cloud_copy>{{"cloudlet-2", "fip-2"}}));
  EXPECT_EQ(checked.size(), 1u) << "a repeat needs no check";
  // Stale: it expects the primary the first move replaced.
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_three, guarded, atom::rebind_v,
                                     copy_addition{"p1", "f1", cloud_copy{"cloudlet-3", "fip-3"}}, was).error(),
            ec::not_authorized);
  // A primary this peer did not allocate: not found marked on the cloud.
  copies_exist = false;
  cloud_copy current{"cloudlet-2", "fip-2"};
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_three, guarded, atom::rebind_v,
                                     copy_addition{"p1", "f1", cloud_copy{"cloudlet-3", "someone-elses"}}, current).error(),
            ec::not_authorized);
  // Another project's floating IP there, or another project's entry.
  copies_exist = true;
  owner_on_cloud = "p2";
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_three, guarded, atom::rebind_v,
                                     copy_addition{"p1", "f1", cloud_copy{"cloudlet-3", "theirs"}}, current).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_three, guarded, atom::rebind_v,
                                     copy_addition{"p2", "f1", cloud_copy{"cloudlet-3", "theirs"}}, current).error(),
            ec::not_found);
  auto now = ask<registry_entry>(registry, atom::get_v, std::string{"p1"}, std::string{"f1"});
  ASSERT_TRUE(now);
  EXPECT_EQ(now->copies, (std::vector<cloud_copy>{{"cloudlet-2", "fip-2"}}));
}

TEST_F(node_authorization_test, an_operator_only_reads) {
  // Allowed: this node has no membership actor, so the read gets as far as "still starting".
  EXPECT_EQ(ask_from<peer_entry>(operator_, guarded, atom::info_v).error(), ec::peer_unreachable);
  EXPECT_EQ(ask_from<registry_entry>(operator_, guarded, atom::get_v, registry_key{"p1", "g1"}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(operator_, guarded, atom::add_copy_v, copy_addition{"p1", "g1", cloud_copy{"cloudlet-4", "x"}}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<bool>(operator_, guarded, atom::erase_v, registry_key{"p1", "g1"}).error(),
            ec::not_authorized);
  peer_entry from{{"10.0.0.9", 4790}, 0, "cloudlet-9", "http://10.0.0.9:5000"};
  EXPECT_EQ(ask_from<std::vector<peer_entry>>(operator_, guarded, atom::shuffle_v, from, std::vector<peer_entry>{})
              .error(),
            ec::not_authorized);
}

TEST_F(node_authorization_test, a_sender_without_identity_gets_nothing) {
  EXPECT_EQ(ask_from<peer_entry>(stranger, guarded, atom::info_v).error(), ec::not_authorized);
  EXPECT_EQ(ask_from<std::vector<peer_entry>>(stranger, guarded, atom::members_v).error(), ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(stranger, guarded, atom::get_v, registry_key{"p1", "g1"}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<bool>(stranger, guarded, atom::erase_v, registry_key{"p1", "g1"}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<std::string>(stranger, guarded, atom::orphans_v).error(), ec::not_authorized);
  EXPECT_TRUE(stored());
}

TEST_F(node_authorization_test, the_orphan_list_is_read_only_introspection) {
  // Orphans name projects and resources: an operator and a peer may read the list, a stranger may not.
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_meta_v, std::string{"orphans"}, std::string{R"({"total":1})"}));
  auto by_operator = ask_from<std::string>(operator_, guarded, atom::orphans_v);
  ASSERT_TRUE(by_operator) << sys.render(by_operator.error());
  EXPECT_EQ(*by_operator, R"({"total":1})");
  EXPECT_TRUE(ask_from<std::string>(cloudlet_two, guarded, atom::orphans_v));
}

TEST_F(node_authorization_test, a_peer_reads_a_keypair_copys_record_and_nothing_else_of_the_meta) {
  // A peer deleting a keypair asks which marker this agent gave the copy it made
  // (agent/flows/keypairs.cpp); operators and strangers get nothing.
  std::string key = "keypair_copy\ncloudlet-2\nu1\nk\naa:bb";
  ASSERT_TRUE(ask<atom::ok>(registry, atom::put_meta_v, key, std::string{"the-marker"}));
  auto by_peer = ask_from<std::string>(cloudlet_two, guarded, atom::get_meta_v, keypair_copy_lookup{key});
  ASSERT_TRUE(by_peer) << sys.render(by_peer.error());
  EXPECT_EQ(*by_peer, "the-marker");
  EXPECT_EQ(ask_from<std::string>(cloudlet_two, guarded, atom::get_meta_v, keypair_copy_lookup{key + "x"}).error(),
            ec::not_found);
  EXPECT_EQ(ask_from<std::string>(operator_, guarded, atom::get_meta_v, keypair_copy_lookup{key}).error(),
            ec::not_authorized);
  EXPECT_EQ(ask_from<std::string>(stranger, guarded, atom::get_meta_v, keypair_copy_lookup{key}).error(),
            ec::not_authorized);
}

TEST_F(node_authorization_test, a_peer_announces_only_its_own_cloudlet_and_address) {
  peer_entry other{{"10.0.0.9", 4790}, 0, "cloudlet-1", "http://10.0.0.9:5000"};
  auto herded = ask_from<std::vector<peer_entry>>(cloudlet_two, guarded, atom::shuffle_v, other,
                                                  std::vector<peer_entry>{});
  EXPECT_EQ(herded.error(), ec::not_authorized);
  // A certificate that names IP 10.0.0.2 cannot announce another node's host.
  auto with_ip = peer_identity::of_cloudlet("cloudlet-2");
  with_ip.addresses = {"10.0.0.2"};
  identities[caf::actor_cast<caf::actor_addr>(cloudlet_two)] = with_ip;
  peer_entry elsewhere{{"10.0.0.9", 4790}, 0, "cloudlet-2", "http://10.0.0.9:5000"};
  EXPECT_EQ(ask_from<std::vector<peer_entry>>(cloudlet_two, guarded, atom::shuffle_v, elsewhere,
                                              std::vector<peer_entry>{})
              .error(),
            ec::not_authorized);
  // Its own entry gets past the checks (and finds no membership actor here).
  peer_entry own{{"10.0.0.2", 4790}, 0, "cloudlet-2", "http://10.0.0.2:5000"};
  EXPECT_EQ(ask_from<std::vector<peer_entry>>(cloudlet_two, guarded, atom::shuffle_v, own, std::vector<peer_entry>{})
              .error(),
            ec::peer_unreachable);
}

TEST_F(node_actor_test, is_wired_once) {
  wire();
  auto again = ask<atom::ok>(node_impl, atom::put_v, peer_entry{}, membership_actor{},
                             capacity_actor{}, scheduler_actor{}, registry);
  EXPECT_EQ(again.error(), ec::invalid_argument);
}

TEST_F(node_authorization_test, only_peers_find_an_entry_of_any_project) {
  // A peer resolves an ID for a client of another project; what the client
  // sees is gated by the owning cloud (docs/federation.md, "Who sees what").
  auto by_peer = ask_from<registry_entry>(cloudlet_two, guarded, atom::get_v, entry_lookup{"g1"});
  ASSERT_TRUE(by_peer) << sys.render(by_peer.error());
  EXPECT_EQ(by_peer->project_id, "p1");
  EXPECT_EQ(by_peer->copies.front().local_id, "primary");
  EXPECT_EQ(ask_from<registry_entry>(cloudlet_two, guarded, atom::get_v, entry_lookup{"g2"}).error(), ec::not_found);
  EXPECT_EQ(ask_from<registry_entry>(operator_, guarded, atom::get_v, entry_lookup{"g1"}).error(), ec::not_authorized);
  EXPECT_EQ(ask_from<registry_entry>(stranger, guarded, atom::get_v, entry_lookup{"g1"}).error(), ec::not_authorized);
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

TEST_F(node_actor_test, takes_registry_messages_only_as_named_structs) {
  // Positional strings would let a project ID pass for a global ID and reach
  // a handler unchecked: no message a peer sends the node takes a bare string
  // (CAF 0.17 names std::string "@str" in an interface's signatures).
  auto types = sys.message_types<node_actor>();
  for (const auto& name : types) {
    auto inputs = name.substr(0, name.find(">::with<"));
    EXPECT_EQ(inputs.find("@str"), std::string::npos) << name;
  }
  // The registry part, by name (atoms show as their text).
  for (const auto* expected :
       {"caf::replies_to<get,fedstack::registry_key>::with<fedstack::storage::registry_entry>",
        "caf::replies_to<get,fedstack::entry_lookup>::with<fedstack::storage::registry_entry>",
        "caf::replies_to<add_copy,fedstack::copy_addition>::with<fedstack::storage::registry_entry>",
        "caf::replies_to<rm_copy,fedstack::copy_removal>::with<fedstack::storage::registry_entry>",
        "caf::replies_to<erase,fedstack::registry_key>::with<bool>",
        "caf::replies_to<rebind,fedstack::copy_addition,fedstack::storage::cloud_copy>::with<fedstack::storage::registry_entry>"})
    EXPECT_EQ(types.count(expected), 1u) << expected << " in " << ::testing::PrintToString(types);
}
