// What an authenticated peer (or an operator) can make an agent's node do:
// attaches to a node like another agent would, with the certificate given,
// sends one message and prints the answer as one JSON line. The e2e tests
// (test_node_authorization.py) use it to try the node-protocol attacks of
// issue 16, which no openstack command can send.
//
//   node_probe --node HOST:PORT [--ca F --cert F --key F] COMMAND ARGS...
//     get PROJECT GID | add_copy PROJECT GID CLOUDLET LOCAL_ID | remove_copy PROJECT GID CLOUDLET
//     erase PROJECT GID | shuffle REGION | members
//     scan-ids N     asks every actor ID 1..N of the node's process for a registry value:
//                    {"answered": [IDs that answered]} (only the node actor should)
//     link           links an actor of its own to the node actor, then dies abruptly (the
//                    link brings the node an exit message from this process)
//
// Actors other than the published one are reached by a hand-made proxy for
// (the node's node ID, actor ID) behind CAF's BASP broker: what any peer
// program could build.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/forwarding_actor_proxy.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "actors/tls.hpp"

using namespace fedstack;
using json = nlohmann::json;

namespace {

constexpr auto timeout = std::chrono::seconds{5};

json error_of(caf::actor_system& sys, const caf::error& e) {
  std::string code = e.category() == caf::atom("fedstack") ? to_string(static_cast<ec>(e.code()))
                                                            : "caf:" + sys.render(e);
  return {{"ok", false}, {"error", code}, {"message", sys.render(e)}};
}

template <class T>
json ask(caf::actor_system& sys, const caf::strong_actor_ptr& to, caf::message msg,
         std::function<json(T&)> show) {
  caf::scoped_actor self{sys};
  json out;
  self->request(caf::actor_cast<caf::actor>(to), timeout, std::move(msg))
    .receive([&](T& x) { out = {{"ok", true}, {"value", show(x)}}; },
             [&](caf::error& e) { out = error_of(sys, e); });
  return out;
}

json entry_json(const storage::registry_entry& e) {
  json copies = json::array();
  for (const auto& c : e.copies) copies.push_back({{"cloudlet", c.cloudlet}, {"local_id", c.local_id}});
  return {{"global_id", e.global_id}, {"project_id", e.project_id}, {"copies", copies}};
}

/// A proxy for actor `id` of `node`, routed by this process' BASP broker.
caf::actor proxy_for(caf::actor_system& sys, const caf::node_id& node, caf::actor_id id) {
  auto broker = sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  caf::actor_config cfg;
  auto ptr = caf::make_actor<caf::forwarding_actor_proxy, caf::strong_actor_ptr>(id, node, &sys, cfg,
                                                                                  broker);
  return caf::actor_cast<caf::actor>(ptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string node_text;
  tls_files tls;
  std::size_t i = 0;
  for (; i + 1 < args.size() && args[i].rfind("--", 0) == 0; i += 2) {
    if (args[i] == "--node") node_text = args[i + 1];
    else if (args[i] == "--ca") tls.ca = args[i + 1];
    else if (args[i] == "--cert") tls.cert = args[i + 1];
    else if (args[i] == "--key") tls.key = args[i + 1];
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  auto address = parse_peer_address(node_text);
  if (!address || rest.empty()) {
    std::cerr << "usage: node_probe --node HOST:PORT [--ca F --cert F --key F] COMMAND ARGS...\n";
    return 2;
  }
  caf::actor_system_config cfg;
  register_types(cfg);
  cfg.load<caf::io::middleman>();
  if (tls_enabled(tls)) use_tls(cfg, tls);
  caf::actor_system sys{cfg};
  caf::strong_actor_ptr node;
  caf::node_id remote;
  {
    caf::scoped_actor self{sys};
    std::string error;
    self->request(node_middleman(sys), timeout, caf::connect_atom_v, address->host, address->port)
      .receive(
        [&](const caf::node_id& nid, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
          remote = nid;
          node = std::move(ptr);
        },
        [&](caf::error& e) { error = sys.render(e); });
    if (!node) {
      std::cout << json{{"ok", false}, {"error", "connect"}, {"message", error}}.dump() << std::endl;
      return 1;
    }
  }
  const auto& cmd = rest[0];
  auto arg = [&](std::size_t k) { return k < rest.size() ? rest[k] : std::string{}; };
  auto show_entry = std::function<json(storage::registry_entry&)>{entry_json};
  json out;
  if (cmd == "get") {
    out = ask<storage::registry_entry>(sys, node, caf::make_message(atom::get_v, registry_key{arg(1), arg(2)}), show_entry);
  } else if (cmd == "add_copy") {
    out = ask<storage::registry_entry>(
      sys, node, caf::make_message(atom::add_copy_v, copy_addition{arg(1), arg(2), storage::cloud_copy{arg(3), arg(4)}}),
      show_entry);
  } else if (cmd == "remove_copy") {
    out = ask<storage::registry_entry>(sys, node, caf::make_message(atom::remove_copy_v, copy_removal{arg(1), arg(2), arg(3)}),
                                       show_entry);
  } else if (cmd == "erase") {
    out = ask<bool>(sys, node, caf::make_message(atom::erase_v, registry_key{arg(1), arg(2)}),
                    std::function<json(bool&)>{[](bool& b) { return json(b); }});
  } else if (cmd == "shuffle") {
    peer_entry from{{"127.0.0.1", 9}, 0, arg(1), "http://127.0.0.1:9"};
    out = ask<std::vector<peer_entry>>(
      sys, node, caf::make_message(atom::shuffle_v, from, std::vector<peer_entry>{}),
      std::function<json(std::vector<peer_entry>&)>{[](std::vector<peer_entry>& v) { return json(v.size()); }});
  } else if (cmd == "members") {
    out = ask<std::vector<peer_entry>>(
      sys, node, caf::make_message(atom::members_v),
      std::function<json(std::vector<peer_entry>&)>{[](std::vector<peer_entry>& v) { return json(v.size()); }});
  } else if (cmd == "link") {
    // Links an actor of this process to the node actor and ends the process
    // without a goodbye: the node's proxy of that actor goes down with
    // remote_link_unreachable, which the link turns into an exit message.
    caf::scoped_actor self{sys};
    self->link_to(caf::actor_cast<caf::actor>(node));
    self->request(caf::actor_cast<caf::actor>(node), timeout, atom::members_v)
      .receive([](std::vector<peer_entry>&) {}, [](caf::error&) {});
    std::cout << json{{"ok", true}}.dump() << std::endl;
    std::_Exit(0);
  } else if (cmd == "scan-ids") {
    auto n = static_cast<caf::actor_id>(std::stoul(arg(1).empty() ? "64" : arg(1)));
    json answered = json::array();
    caf::scoped_actor self{sys};
    for (caf::actor_id id = 1; id <= n; ++id) {
      if (id == node->id()) continue;
      auto target = proxy_for(sys, remote, id);
      // A registry answers get_meta with a value or a fedstack error; other
      // actors with "unexpected message"; nobody, if the message is dropped.
      self->request(target, std::chrono::milliseconds{500}, atom::get_meta_v, std::string{"membership.cache"})
        .receive([&](std::string&) { answered.push_back(id); },
                 [&](caf::error& e) {
                   if (e.category() == caf::atom("fedstack") || e == caf::sec::unexpected_message)
                     answered.push_back(id);
                 });
    }
    out = {{"ok", true}, {"answered", answered}, {"node_actor", node->id()}};
  } else {
    std::cerr << "node_probe: unknown command '" << cmd << "'\n";
    return 2;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}
