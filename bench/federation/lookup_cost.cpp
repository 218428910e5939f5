// What the any-agent design costs on the wire: bytes of the CYCLON messages a
// node sends and receives per period (unchanged by it: owners travel inside
// the global IDs), against a directory spread by gossip, and the bytes of one
// owner lookup. Sizes are CAF's binary serialization of the real message
// types; CAF's BASP header, the same for every message, is not counted.
//
//   build/bench/bench_lookup_cost [nodes]

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "api/global_id.hpp"

namespace {

using namespace fedstack;

struct config : caf::actor_system_config {
  config() { register_types(*this); }
};

template <class... Ts>
std::size_t size_of(caf::actor_system& sys, Ts&... xs) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  if (auto err = sink(xs...)) {
    std::fprintf(stderr, "serialize: %s\n", sys.render(err).c_str());
    std::exit(1);
  }
  return buf.size();
}

peer_entry sample_entry(int i) {
  return {peer_address{"10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1), 4790},
          3, "cloudlet-" + std::to_string(i), "http://10.0.0." + std::to_string(i % 250 + 1) + ":8080"};
}

} // namespace

int main(int argc, char** argv) {
  long nodes = argc > 1 ? std::atol(argv[1]) : 1000;
  config cfg;
  caf::actor_system sys{cfg};

  // CYCLON with the thesis' c = 4, l = 2: a request carries the sender's
  // fresh entry and l - 1 entries, the answer l entries.
  auto self = sample_entry(1);
  std::vector<peer_entry> sent{sample_entry(2)};
  std::vector<peer_entry> answer{sample_entry(3), sample_entry(4)};
  auto shuffle_atom = atom::shuffle_v;
  auto request_bytes = size_of(sys, shuffle_atom, self, sent);
  auto answer_bytes = size_of(sys, answer);
  // Each node starts one shuffle per period and, on average, answers one.
  auto per_node_messages = 4;
  auto per_node_bytes = 2 * (request_bytes + answer_bytes);

  // The alternative: a directory (owner tag -> node address) spread by
  // gossip. Anti-entropy that piggybacks k directory rows on each shuffle
  // message reaches everyone only after about N ln N / (2k) rows per node
  // have been exchanged; shipping whole directories costs N rows per message.
  std::string tag(12, 'f');
  peer_address node{"10.0.3.250", 4790};
  auto row_bytes = size_of(sys, tag, node);

  // One lookup of a global ID at its owner, and the answer (two copies).
  std::string project(32, 'a');
  auto gid = *api::make_global_id({"10.0.3.250", 4790});
  auto get_atom = atom::get_v;
  registry_key key{project, gid};
  auto lookup_bytes = size_of(sys, get_atom, key);
  storage::registry_entry entry{storage::resource_kind::image, gid, project, storage::entry_state::bound,
                                {{"cloudlet-1", gid}, {"cloudlet-7", gid}}, 1764390000000, "cirros", {}};
  auto reply_bytes = size_of(sys, entry);

  std::printf("# any-agent resolution: cost per node per CYCLON period (c = 4, l = 2), N = %ld\n\n", nodes);
  std::printf("| design | messages per node per period | bytes per node per period |\n");
  std::printf("|---|---|---|\n");
  std::printf("| CYCLON alone (shuffle request %zu B, answer %zu B) | %d | %zu |\n", request_bytes,
              answer_bytes, per_node_messages, per_node_bytes);
  std::printf("| + owner in the global ID (ours) | +0 | +0 |\n");
  for (int k : {8, 32})
    std::printf("| + directory rows piggybacked, k = %d per message | +0 | +%zu |\n", k,
                static_cast<std::size_t>(4 * k) * row_bytes);
  std::printf("| + whole directory on every message | +0 | +%zu |\n",
              static_cast<std::size_t>(4 * nodes) * row_bytes);
  std::printf("\nDirectory row: %zu B. One owner lookup: request %zu B, answer %zu B (an image with "
              "two copies), one round trip each time an agent that does not own a global ID resolves it (not cached yet).\n",
              row_bytes, lookup_bytes, reply_bytes);
  std::printf("Command: build/bench/bench_lookup_cost %ld\n", nodes);
  return 0;
}
