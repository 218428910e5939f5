// The production path: spawn_registry spawns the actor detached, on its own
// thread, under the normal scheduler. Requests block here (fine in tests).

#include "actors/registry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/register_types.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack;
using namespace std::chrono_literals;

namespace {

struct config : caf::actor_system_config {
  config() {
    register_types(*this);
  }
};

TEST(registry_detached, answers_requests_on_its_own_thread) {
  test::temp_dir dir;
  config cfg;
  caf::actor_system sys{cfg};
  auto registry = spawn_registry(sys, dir.sub("registry"));
  ASSERT_TRUE(registry) << sys.render(registry.error());
  storage::registry_entry entry;
  entry.kind = storage::resource_kind::image;
  entry.global_id = "g1";
  entry.project_id = "p1";
  entry.state = storage::entry_state::bound;
  entry.copies = {{"c1", "l1"}};
  caf::scoped_actor self{sys};
  bool stored = false;
  self->request(*registry, 5s, atom::put_v, entry)
    .receive([&](atom::ok) { stored = true; },
             [&](caf::error& err) { FAIL() << sys.render(err); });
  EXPECT_TRUE(stored);
  std::string found;
  self->request(*registry, 5s, atom::find_v, std::string{"p1"}, std::string{"c1"},
                std::string{"l1"})
    .receive([&](std::string& global_id) { found = global_id; },
             [&](caf::error& err) { FAIL() << sys.render(err); });
  EXPECT_EQ(found, "g1");
  self->send_exit(*registry, caf::exit_reason::user_shutdown);
}

TEST(registry_detached, bad_directory_is_an_error_not_a_dead_actor) {
  test::temp_dir dir;
  std::ofstream{dir.sub("file")} << "x";
  config cfg;
  caf::actor_system sys{cfg};
  auto registry = spawn_registry(sys, dir.sub("file/registry"));
  ASSERT_FALSE(registry);
  EXPECT_EQ(registry.error(), ec::storage_failure);
  EXPECT_FALSE(spawn_registry(sys, std::string{}));
}

}  // namespace
