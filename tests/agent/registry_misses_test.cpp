// The registry's misses remembered by the agent (agent/services/registry_misses.hpp),
// through the real client, the real registry actor (detached) and LMDB: a miss
// spares the next ask, and an entry recorded after a miss is found at once.

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/register_types.hpp"
#include "actors/registry.hpp"
#include "agent/bridges/actor_registry_client.hpp"
#include "agent/services/registry_misses.hpp"
#include "http/asio.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack;
using namespace fedstack::agent;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct config : caf::actor_system_config {
  config() { register_types(*this); }
};

template <class T>
T run(asio::io_context& io, http::awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

storage::registry_entry bound(std::string global, std::string cloudlet, std::string local) {
  storage::registry_entry entry;
  entry.kind = storage::resource_kind::image;
  entry.global_id = std::move(global);
  entry.project_id = "p1";
  entry.state = storage::entry_state::bound;
  entry.copies = {{std::move(cloudlet), std::move(local)}};
  return entry;
}

/// A detached registry on a fresh LMDB directory and the agent's client to it.
struct registry_fixture {
  explicit registry_fixture(bool count_writes) {
    registry_config cfg;
    cfg.data_dir = dir.sub("registry");
    if (count_writes) cfg.lmdb.writes = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto spawned = spawn_registry(system, cfg);
    if (!spawned) throw std::runtime_error(system.render(spawned.error()));
    handle = *spawned;
    client = make_actor_registry_client(system, handle, connector_actor{}, peer_address{"127.0.0.1", 1}, 5s,
                                        cfg.lmdb.writes);
  }
  ~registry_fixture() { caf::anon_send_exit(handle, caf::exit_reason::user_shutdown); }
  std::vector<storage::id_mapping> to_global(std::vector<std::string> ids) {
    return run(io, client->to_global("p1", "c1", std::move(ids)));
  }
  void stop_registry() {
    caf::scoped_actor self{system};
    self->send_exit(handle, caf::exit_reason::user_shutdown);
    self->wait_for(handle);
  }

  test::temp_dir dir;
  config cfg;
  caf::actor_system system{cfg};
  registry_actor handle;
  std::unique_ptr<registry_client> client;
  asio::io_context io;
};

TEST(RegistryMisses, AnEntryRecordedAfterAMissIsFoundAtOnce) {
  registry_fixture f{true};
  EXPECT_TRUE(f.to_global({"l1"}).empty());
  EXPECT_TRUE(f.to_global({"l1"}).empty());   // now a remembered miss
  run(f.io, f.client->put(bound("g1", "c1", "l1")));
  auto found = f.to_global({"l1", "l2"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].local_id, "l1");
  EXPECT_EQ(found[0].global_id, "g1");
}

TEST(RegistryMisses, AMissIsNotAskedAgainUntilTheRegistryWrites) {
  registry_fixture f{true};
  run(f.io, f.client->put(bound("g1", "c1", "l1")));
  EXPECT_EQ(f.to_global({"l1", "l2"}).size(), 1u);
  f.stop_registry();
  // l2 is a miss the registry gave: no ask, so no failure without a registry.
  EXPECT_TRUE(f.to_global({"l2"}).empty());
  // A hit is never remembered, nor an ID never asked: both ask, and fail.
  EXPECT_THROW(f.to_global({"l1"}), registry_unavailable);
  EXPECT_THROW(f.to_global({"l3"}), registry_unavailable);
}

TEST(RegistryMisses, WithoutAWriteCountEveryIdIsAsked) {
  registry_fixture f{false};
  EXPECT_TRUE(f.to_global({"l2"}).empty());
  f.stop_registry();
  EXPECT_THROW(f.to_global({"l2"}), registry_unavailable);
}

TEST(RegistryMisses, MissesReadBeforeAWriteAreNotKept) {
  auto writes = std::make_shared<std::atomic<std::uint64_t>>(0);
  registry_misses misses{writes};
  auto before = misses.writes();
  EXPECT_EQ(misses.to_ask("p", "c", {"a", "b"}), (std::vector<std::string>{"a", "b"}));
  ++*writes;   // the registry wrote while the ask was on its way
  misses.record(before, "p", "c", {"a", "b"}, {});
  EXPECT_EQ(misses.to_ask("p", "c", {"a", "b"}), (std::vector<std::string>{"a", "b"}));
  before = misses.writes();
  misses.record(before, "p", "c", {"a", "b"}, {{"b", "g"}});
  EXPECT_EQ(misses.to_ask("p", "c", {"a", "b"}), (std::vector<std::string>{"b"}));
  // Another project or cloudlet is another question.
  EXPECT_EQ(misses.to_ask("p", "d", {"a"}), (std::vector<std::string>{"a"}));
  EXPECT_EQ(misses.to_ask("q", "c", {"a"}), (std::vector<std::string>{"a"}));
  ++*writes;   // any later write forgets every miss
  EXPECT_EQ(misses.to_ask("p", "c", {"a", "b"}), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
