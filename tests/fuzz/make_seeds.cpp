// Writes the binary seeds of the peer_messages and stored_records fuzz targets:
// real messages and records encoded exactly as agents encode them (CAF's
// binary_serializer, storage/registry_codec, the membership cache codec).
// Usage: fuzz_make_seeds <tests/fuzz/corpus>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "storage/registry_codec.hpp"

#include <cstdio>
#include <fstream>
#include <string>

using namespace fedstack;

namespace {

struct seed_config : caf::actor_system_config {
  seed_config() { register_types(*this); }
};

void write(const std::string& path, unsigned char mode, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.put(static_cast<char>(mode));
  out.put(7); // the generator seed byte
  out << bytes;
}

void write_stored(const std::string& path, unsigned char mode, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.put(static_cast<char>(mode));
  out << bytes;
}

template <class... Ts>
std::string encode(caf::actor_system& sys, const Ts&... xs) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  if (auto err = sink(const_cast<Ts&>(xs)...)) throw std::runtime_error(sys.render(err));
  return {buf.begin(), buf.end()};
}

capacity_report report(const std::string& region, std::uint16_t port, std::int64_t ram) {
  capacity_report r;
  r.region = region;
  r.node = {"127.0.0.1", port};
  r.http_url = "http://127.0.0.1:" + std::to_string(port + 4000);
  r.free_ram_mb = ram;
  r.free_disk_gb = 80;
  r.free_vcpus = 6;
  r.total_ram_mb = 16384;
  r.total_disk_gb = 160;
  r.total_vcpus = 8;
  r.running_vms = 2;
  r.hypervisors = 1;
  r.image_checksums = {"d41d8cd98f00b204e9800998ecf8427e", "9e107d9d372bb6826bd81d3542a419d6"};
  r.measured_unix_ms = 1795000000000;
  return r;
}

storage::registry_entry entry() {
  storage::registry_entry e;
  e.kind = storage::resource_kind::server;
  e.global_id = "0b1e9c44-2f7a-8c1d-9e3f-0a0102030fa0";
  e.project_id = "075a8a3d2acb45d896abd52d5e055929";
  e.state = storage::entry_state::bound;
  e.copies = {{"RegionOne", "fb0d083a-af02-4d8f-8280-09bc28b85f56"},
              {"RegionTwo", "fb0d083a-af02-4d8f-8280-09bc28b85f57"}};
  e.created_unix_ms = 1795000000000;
  e.name = "vm-1";
  return e;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  std::string peer = std::string(argv[1]) + "/peer_messages/";
  std::string stored = std::string(argv[1]) + "/stored_records/";
  seed_config cfg;
  caf::actor_system sys{cfg};

  peer_entry sender{{"127.0.0.2", 4000}, 0, "RegionTwo", "http://127.0.0.2:8080"};
  std::vector<peer_entry> sample{{{"127.0.0.3", 4001}, 2, "RegionThree", "http://127.0.0.3:8080"},
                                 {{"::1", 4002}, 5, "RegionFour", "http://[::1]:8080"}};
  auto c1 = report("RegionTwo", 4000, 8192);
  auto c2 = report("RegionThree", 4001, 2048);
  capacity_view view{{c1, c2}, {{"127.0.0.3", 4001}}};
  std::vector<peer_address> seeds{{"127.0.0.2", 4000}, {"node-4.example", 4003}};
  placement_decision decision;
  decision.request.ram_mb = 512;
  decision.summary = "server ram=512MB disk=1GB vcpus=1 image=any az=any";
  decision.candidates.push_back({{"RegionTwo", {"127.0.0.2", 4000}}, c1, false,
                                 {{"ram", 8192, 1, 1}}, 1});
  decision.filtered_out.push_back({{"RegionThree", {"127.0.0.3", 4001}}, "resource", "ram"});
  decision.placed = true;
  decision.winner = {"RegionTwo", {"127.0.0.2", 4000}};
  decision.reason = "workflow 5 case 2";

  // Whole messages, as BASP carries them.
  write(peer + "msg-shuffle", 0,
        encode(sys, caf::make_message(atom::shuffle_v, sender, sample)));
  write(peer + "msg-shuffle-answer", 0, encode(sys, caf::make_message(sample)));
  write(peer + "msg-capacity-update", 0, encode(sys, caf::make_message(atom::update_v, c1)));
  write(peer + "msg-capacity-answer", 0, encode(sys, caf::make_message(c1)));
  write(peer + "msg-capacity-view", 0, encode(sys, caf::make_message(view)));
  write(peer + "msg-join", 0, encode(sys, caf::make_message(atom::join_v, seeds)));
  auto e = entry();
  registry_key key{e.project_id, e.global_id};
  copy_addition addition{e.project_id, e.global_id, e.copies.back()};
  copy_removal removal{e.project_id, e.global_id, e.copies.back().cloudlet};
  write(peer + "msg-registry-get", 0, encode(sys, caf::make_message(atom::get_v, key)));
  write(peer + "msg-registry-add-copy", 0, encode(sys, caf::make_message(atom::add_copy_v, addition)));
  write(peer + "msg-registry-remove-copy", 0, encode(sys, caf::make_message(atom::remove_copy_v, removal)));
  write(peer + "msg-registry-erase", 0, encode(sys, caf::make_message(atom::erase_v, key)));
  // The values alone.
  write(peer + "shuffle-request", 1, encode(sys, sender, sample));
  write(peer + "shuffle-answer", 2, encode(sys, sample));
  write(peer + "capacity-report", 3, encode(sys, c1));
  write(peer + "capacity-view", 4, encode(sys, view));
  write(peer + "join-seeds", 5, encode(sys, seeds));
  write(peer + "registry-entry", 6, encode(sys, entry()));
  write(peer + "placement-decision", 7, encode(sys, decision));
  write(peer + "registry-key", 8, encode(sys, key));
  write(peer + "copy-addition", 9, encode(sys, addition));
  write(peer + "copy-removal", 10, encode(sys, removal));

  write_stored(stored + "registry-record", 0, storage::encode_entry(entry()));
  auto reserved = entry();
  reserved.state = storage::entry_state::reserved;
  reserved.copies.clear();
  write_stored(stored + "registry-record-reserved", 0, storage::encode_entry(reserved));
  write_stored(stored + "counter", 1, storage::encode_count(12345));
  write_stored(stored + "membership-cache", 2, encode_peer_entries(sample));
  return 0;
}
