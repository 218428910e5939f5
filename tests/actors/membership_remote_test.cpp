// The production path over CAF's io middleman: two actor systems in one
// process, published on 127.0.0.1 (port 0), real sockets and serialization.
// Not deterministic like the other actor tests; every wait is bounded.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/connector.hpp"
#include "actors/membership.hpp"
#include "actors/register_types.hpp"

using namespace fedstack;
using namespace std::chrono_literals;

namespace {

struct config : caf::actor_system_config {
  config() {
    register_types(*this);
    load<caf::io::middleman>();
    set("scheduler.max-threads", 2);
  }
};

/// One node: an actor system with the middleman and a published actor.
struct node {
  config cfg;
  caf::actor_system sys{cfg};
};

peer_entry entry_of(const std::string& name, std::uint16_t port) {
  return {{"127.0.0.1", port}, 0, "region-" + name, "http://127.0.0.1:1/" + name};
}

caf::expected<node_actor> connect(caf::actor_system& sys, const connector_actor& conn,
                                         std::uint16_t port) {
  caf::scoped_actor self{sys};
  caf::expected<node_actor> result{caf::error{}};
  self->request(conn, 10s, caf::connect_atom_v, peer_address{"127.0.0.1", port})
    .receive([&](node_actor& x) { result = std::move(x); },
             [&](caf::error& err) { result = std::move(err); });
  return result;
}

std::vector<peer_entry> members(caf::actor_system& sys, const membership_actor& m) {
  caf::scoped_actor self{sys};
  std::vector<peer_entry> result;
  self->request(m, 5s, atom::members_v)
    .receive([&](std::vector<peer_entry>& x) { result = std::move(x); },
             [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  return result;
}

/// Polls `pred` every 20 ms for up to `limit`.
template <class Predicate>
bool eventually(Predicate pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

membership_config config_for(const peer_entry& self) {
  membership_config result;
  result.self = self;
  result.period = 100ms;
  result.shuffle_timeout = 2s;
  result.seed = 3;
  return result;
}

TEST(middleman_connector, connects_checks_the_interface_and_caches) {
  node server;
  auto server_connector = spawn_local_connector(server.sys);
  membership_config server_config = config_for(entry_of("a", 1));
  server_config.period = std::chrono::hours{1};  // passive: only serves
  auto published = spawn_membership(server.sys, server_config, server_connector);
  ASSERT_TRUE(published);
  auto published_node = spawn_shuffle_only_node(server.sys, *published);
  auto port = server.sys.middleman().publish(published_node, 0, "127.0.0.1", true);
  ASSERT_TRUE(port) << server.sys.render(port.error());
  // Something without a shuffle handler, on another port.
  auto other = server.sys.spawn([]() -> caf::behavior {
    return {[](caf::get_atom) { return 1; }};
  });
  auto other_port = server.sys.middleman().publish(other, 0, "127.0.0.1", true);
  ASSERT_TRUE(other_port);
  // A shuffle handler alone is not a node: the connector hands out the node's
  // whole interface, so it must not take a narrower actor for one.
  auto bare_port = server.sys.middleman().publish(*published, 0, "127.0.0.1", true);
  ASSERT_TRUE(bare_port);

  node client;
  auto conn = spawn_middleman_connector(client.sys);
  auto peer = connect(client.sys, conn, *port);
  ASSERT_TRUE(peer) << client.sys.render(peer.error());
  EXPECT_EQ(connect(client.sys, conn, *port).value(), *peer);  // cached

  // A real shuffle over the wire: the sender's entry lands in a's cache.
  caf::scoped_actor self{client.sys};
  auto me = entry_of("b", 2);
  self->request(*peer, 5s, atom::shuffle_v, me, std::vector<peer_entry>{entry_of("c", 3)})
    .receive([&](std::vector<peer_entry>& answer) { EXPECT_TRUE(answer.empty()); },
             [&](caf::error& err) { FAIL() << client.sys.render(err); });
  EXPECT_EQ(members(server.sys, *published), (std::vector<peer_entry>{me, entry_of("c", 3)}));

  auto mismatch = connect(client.sys, conn, *other_port);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error(), ec::peer_unreachable);
  auto bare = connect(client.sys, conn, *bare_port);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error(), ec::peer_unreachable);

  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(*published, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(server_connector, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(conn, caf::exit_reason::user_shutdown);
}

TEST(middleman_connector, nothing_listening_is_unreachable) {
  node client;
  auto conn = spawn_middleman_connector(client.sys);
  // Bind a port, close it again: nothing listens there now.
  std::uint16_t port = 0;
  {
    node probe;
    auto dummy = probe.sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
    auto bound = probe.sys.middleman().publish(dummy, 0, "127.0.0.1", true);
    ASSERT_TRUE(bound);
    port = *bound;
    caf::anon_send_exit(dummy, caf::exit_reason::user_shutdown);
  }
  auto result = connect(client.sys, conn, port);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ec::peer_unreachable);
  caf::anon_send_exit(conn, caf::exit_reason::user_shutdown);
}

TEST(middleman_connector, refuses_addresses_outside_the_peer_networks) {
  node server;
  auto local = spawn_local_connector(server.sys);
  auto config = config_for(entry_of("a", 1));
  config.period = std::chrono::hours{1};
  auto published = spawn_membership(server.sys, config, local);
  ASSERT_TRUE(published);
  auto port = server.sys.middleman().publish(spawn_shuffle_only_node(server.sys, *published), 0, "127.0.0.1", true);
  ASSERT_TRUE(port);

  node client;
  middleman_connector_config elsewhere;
  elsewhere.allowed = *peer_networks::parse("10.0.0.0/8");
  auto refusing = spawn_middleman_connector(client.sys, elsewhere);
  auto refused = connect(client.sys, refusing, *port);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), ec::peer_not_allowed);

  middleman_connector_config loopback;
  loopback.allowed = *peer_networks::parse("127.0.0.0/8");
  auto allowing = spawn_middleman_connector(client.sys, loopback);
  EXPECT_TRUE(connect(client.sys, allowing, *port));

  for (auto& a : {caf::actor_cast<caf::actor>(refusing), caf::actor_cast<caf::actor>(allowing),
                  caf::actor_cast<caf::actor>(*published), caf::actor_cast<caf::actor>(local)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST(middleman_connector, drops_the_handle_when_the_peer_goes_down) {
  node client;
  auto conn = spawn_middleman_connector(client.sys);
  std::uint16_t port = 0;
  {
    auto server = std::make_unique<node>();
    auto local = spawn_local_connector(server->sys);
    auto config = config_for(entry_of("a", 1));
    config.period = std::chrono::hours{1};
    auto published = spawn_membership(server->sys, config, local);
    ASSERT_TRUE(published);
    auto bound = server->sys.middleman().publish(spawn_shuffle_only_node(server->sys, *published), 0,
                                                 "127.0.0.1", true);
    ASSERT_TRUE(bound);
    port = *bound;
    ASSERT_TRUE(connect(client.sys, conn, port));
    caf::anon_send_exit(*published, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
  }  // the server's actor system shuts down: its sockets close
  // The down_msg makes the connector forget the handle; connecting again
  // goes to the network and fails, instead of returning a dead handle.
  EXPECT_TRUE(eventually([&] { return !connect(client.sys, conn, port); }));
  caf::anon_send_exit(conn, caf::exit_reason::user_shutdown);
}

TEST(middleman_connector, without_a_middleman_every_connect_fails) {
  caf::actor_system_config cfg;
  register_types(cfg);
  caf::actor_system sys{cfg};
  auto conn = spawn_middleman_connector(sys);
  auto result = connect(sys, conn, 1);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ec::peer_unreachable);
  caf::anon_send_exit(conn, caf::exit_reason::user_shutdown);
}

TEST(membership_remote, two_agents_shuffle_over_the_network) {
  node a;
  node b;
  auto conn_a = spawn_middleman_connector(a.sys);
  auto conn_b = spawn_middleman_connector(b.sys);
  // A node's own entry names its port, which is known only after publishing,
  // and publishing needs the actor. So: let the kernel pick a free port with
  // a placeholder, release it, and publish the membership actor there.
  membership_config config_a = config_for(entry_of("a", 0));
  membership_config config_b = config_for(entry_of("b", 0));
  auto probe_a = a.sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  auto port_a = a.sys.middleman().publish(probe_a, 0, "127.0.0.1", true);
  auto probe_b = b.sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  auto port_b = b.sys.middleman().publish(probe_b, 0, "127.0.0.1", true);
  ASSERT_TRUE(port_a && port_b);
  a.sys.middleman().unpublish(probe_a, *port_a);
  b.sys.middleman().unpublish(probe_b, *port_b);
  caf::anon_send_exit(probe_a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(probe_b, caf::exit_reason::user_shutdown);
  config_a.period = std::chrono::hours{1};  // a only serves, so its cache stays put
  config_a.self.address.port = *port_a;
  config_b.self.address.port = *port_b;
  auto ma = spawn_membership(a.sys, config_a, conn_a);
  auto mb = spawn_membership(b.sys, config_b, conn_b);
  ASSERT_TRUE(ma && mb);
  ASSERT_TRUE(a.sys.middleman().publish(spawn_shuffle_only_node(a.sys, *ma), *port_a, "127.0.0.1", true));
  ASSERT_TRUE(b.sys.middleman().publish(spawn_shuffle_only_node(b.sys, *mb), *port_b, "127.0.0.1", true));
  caf::anon_send(*mb, atom::join_v, std::vector<peer_address>{config_a.self.address});
  // b's first shuffle reverses its link: a then holds b's own entry.
  EXPECT_TRUE(eventually([&] {
    auto cache = members(a.sys, *ma);
    return cache.size() == 1 && cache[0].address == config_b.self.address
           && cache[0].http_url == config_b.self.http_url;
  }));
  for (auto x : {caf::actor_cast<caf::actor>(*ma), caf::actor_cast<caf::actor>(conn_a)})
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
  for (auto x : {caf::actor_cast<caf::actor>(*mb), caf::actor_cast<caf::actor>(conn_b)})
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
}

}  // namespace
