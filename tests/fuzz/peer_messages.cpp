// Fuzz target: the bytes a peer sends over CAF, decoded with CAF 0.17's
// binary_deserializer as the middleman does. Input: one byte choosing what the
// bytes are, then the bytes:
//   0: a whole caf::message (type names, then values), as BASP delivers it;
//   1: a CYCLON shuffle request (sender entry, sample);  2: a shuffle answer;
//   3: a capacity report;  4: a capacity view;  5: join seeds;
//   6: a registry entry;  7: a placement decision (`fedstack decisions`);
//   8, 9, 10: what a peer asks of the node's registry part (registry_key,
//   copy_addition, copy_removal), whose IDs must pass storage::check_id.
// Besides sanitizer reports, it checks that whatever decodes re-encodes to bytes
// that decode to the same value, and that feeding the decoded entries and reports
// to the CYCLON rules and the scheduler keeps their invariants: the cache holds
// at most c valid, distinct entries and never the node itself; every report is
// either weighed or filtered out, with scores normalised into [0, 1].

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>

#include "actors/actors.hpp"
#include "actors/cyclon.hpp"
#include "actors/register_types.hpp"
#include "actors/scheduler_logic.hpp"
#include "fuzz_check.hpp"
#include "storage/registry_codec.hpp"

#include <cmath>
#include <cstdint>
#include <set>

using namespace fedstack;

namespace {

struct fuzz_config : caf::actor_system_config {
  fuzz_config() { register_types(*this); }
};

// One actor system for the whole run: caf::message needs its type registry. The
// typed decoders below need none (no actor handles travel in these types).
caf::actor_system& system() {
  static auto* config = new fuzz_config;
  static auto* sys = new caf::actor_system(*config);
  return *sys;
}

caf::execution_unit* const no_context = nullptr;

template <class... Ts>
bool decode(std::string_view bytes, Ts&... xs) {
  caf::binary_deserializer source{no_context, bytes.data(), bytes.size()};
  return !source(xs...);
}

template <class... Ts>
std::vector<char> encode(Ts&... xs) {
  std::vector<char> bytes;
  caf::binary_serializer sink{no_context, bytes};
  auto err = sink(xs...);
  FUZZ_CHECK(!err, "a decoded value does not encode");
  return bytes;
}

// decode -> encode -> decode gives an equal value and the same bytes again.
template <class T>
T round_trip(T& x) {
  auto bytes = encode(x);
  T y;
  FUZZ_CHECK(decode(std::string_view(bytes.data(), bytes.size()), y),
             "encoded bytes do not decode");
  FUZZ_CHECK(encode(y) == bytes, "decode -> encode is not stable");
  return y;
}

const peer_entry self_entry{{"127.0.0.1", 4000}, 0, "own-region", "http://127.0.0.1:8080"};

// A cache as a running node has it: c = 4, half full, l = 2 (the thesis' values).
neighbour_cache running_cache() {
  neighbour_cache cache{self_entry, 4};
  cache.insert({{"127.0.0.2", 4000}, 3, "region-b", "http://127.0.0.2:8080"});
  cache.insert({{"127.0.0.3", 4000}, 1, "region-c", "http://127.0.0.3:8080"});
  return cache;
}

void check_cache(const neighbour_cache& cache) {
  FUZZ_CHECK(cache.size() <= cache.capacity(), "the cache outgrew its capacity");
  std::set<std::pair<std::string, std::uint16_t>> seen;
  for (const auto& entry : cache.entries()) {
    FUZZ_CHECK(is_valid(entry), "an invalid entry entered the cache");
    FUZZ_CHECK(entry.address != self_entry.address, "the node itself entered its cache");
    FUZZ_CHECK(seen.emplace(entry.address.host, entry.address.port).second,
               "an address is twice in the cache");
  }
}

// What the membership actor does with a shuffle request (actors/membership.cpp).
void serve_shuffle(const peer_entry& sender, const std::vector<peer_entry>& sample,
                   unsigned seed) {
  if (!is_valid(sender) || sender.address == self_entry.address) return;
  auto cache = running_cache();
  cyclon_rng rng{seed};
  auto fresh = sender;
  fresh.age = 0;
  auto answer = cache.answer_shuffle(fresh, sample, 2, rng);
  FUZZ_CHECK(answer.size() <= 2, "a shuffle answer longer than l");
  check_cache(cache);
}

// What the initiator does with an answer.
void take_answer(const std::vector<peer_entry>& answer, unsigned seed) {
  auto cache = running_cache();
  cyclon_rng rng{seed};
  auto offer = cache.start_shuffle(2, rng);
  FUZZ_CHECK(offer.has_value(), "a non-empty cache did not start a shuffle");
  cache.merge(answer, offer->sample, 2);
  check_cache(cache);
  for (const auto& seed_entry : answer) cache.insert_evicting_oldest(seed_entry);
  check_cache(cache);
}

capacity_report own_report() {
  capacity_report r;
  r.region = self_entry.region;
  r.node = self_entry.address;
  r.free_ram_mb = 4096;
  r.free_disk_gb = 40;
  r.free_vcpus = 4;
  r.image_checksums = {"d41d8cd98f00b204e9800998ecf8427e"};
  return r;
}

void schedule(std::vector<capacity_report> reports, const std::vector<peer_address>& unreachable,
              unsigned seed) {
  reports.insert(reports.begin(), own_report());
  std::mt19937 rng{seed};
  static const auto policy = default_policy();
  for (auto kind : {placement_kind::server, placement_kind::image}) {
    placement_request q;
    q.kind = kind;
    q.ram_mb = 512;
    q.disk_gb = 1;
    q.vcpus = 1;
    q.image_size_gb = 1;
    q.image_checksum = "d41d8cd98f00b204e9800998ecf8427e";
    auto d = decide_placement(policy, q, reports, unreachable, rng, 0);
    FUZZ_CHECK(d.candidates.size() + d.filtered_out.size() == reports.size(),
               "a report was neither weighed nor filtered out");
    FUZZ_CHECK(d.placed == !d.candidates.empty(), "placed disagrees with the candidates");
    if (d.placed)
      FUZZ_CHECK(d.winner.node == d.candidates.front().target.node, "the winner is not first");
    for (const auto& c : d.candidates) {
      FUZZ_CHECK(std::isfinite(c.total), "a candidate's total is not finite");
      for (const auto& s : c.scores)
        FUZZ_CHECK(s.normalized >= 0 && s.normalized <= 1, "a score outside [0, 1]");
    }
    round_trip(d);
  }
}

/// What decodes must be IDs the registry takes: the node relies on it.
void check_ids(std::initializer_list<const std::string*> ids) {
  for (const auto* id : ids)
    FUZZ_CHECK(!storage::check_id("id", *id), "a registry message with an invalid ID decoded");
}

void check_registry_message(const registry_key& x) { check_ids({&x.project_id, &x.global_id}); }

void check_registry_message(const copy_addition& x) {
  check_ids({&x.project_id, &x.global_id, &x.copy.cloudlet, &x.copy.local_id});
}

void check_registry_message(const copy_removal& x) {
  check_ids({&x.project_id, &x.global_id, &x.cloudlet});
}

/// Mode 8, 9, 10: one of the node's registry requests, alone.
template <class Request>
void check_registry_request(std::string_view bytes) {
  Request request;
  if (!decode(bytes, request)) return;
  check_registry_message(request);
  FUZZ_CHECK(round_trip(request) == request, "a registry request does not round-trip");
}

void dispatch_message(const caf::message& msg, unsigned seed) {
  if (msg.match_elements<caf::atom_value, peer_entry, std::vector<peer_entry>>())
    serve_shuffle(msg.get_as<peer_entry>(1), msg.get_as<std::vector<peer_entry>>(2), seed);
  else if (msg.match_elements<std::vector<peer_entry>>())
    take_answer(msg.get_as<std::vector<peer_entry>>(0), seed);
  else if (msg.match_elements<caf::atom_value, capacity_report>())
    schedule({msg.get_as<capacity_report>(1)}, {}, seed);
  else if (msg.match_elements<capacity_report>())
    schedule({msg.get_as<capacity_report>(0)}, {}, seed);
  else if (msg.match_elements<capacity_view>())
    schedule(msg.get_as<capacity_view>(0).reports, msg.get_as<capacity_view>(0).unreachable, seed);
  else if (msg.match_elements<caf::atom_value, registry_key>())
    check_registry_message(msg.get_as<registry_key>(1));
  else if (msg.match_elements<caf::atom_value, copy_addition>())
    check_registry_message(msg.get_as<copy_addition>(1));
  else if (msg.match_elements<caf::atom_value, copy_removal>())
    check_registry_message(msg.get_as<copy_removal>(1));
}

void check_message(std::string_view bytes, unsigned seed) {
  caf::message msg;
  {
    caf::binary_deserializer source{system(), bytes.data(), bytes.size()};
    if (source(msg)) return;
  }
  std::vector<char> encoded;
  {
    caf::binary_serializer sink{system(), encoded};
    FUZZ_CHECK(!sink(msg), "a decoded message does not encode");
  }
  caf::message again;
  {
    caf::binary_deserializer source{system(), encoded};
    FUZZ_CHECK(!source(again), "an encoded message does not decode");
  }
  std::vector<char> reencoded;
  {
    caf::binary_serializer sink{system(), reencoded};
    FUZZ_CHECK(!sink(again), "a decoded message does not encode");
  }
  FUZZ_CHECK(encoded == reencoded, "message decode -> encode is not stable");
  dispatch_message(msg, seed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  auto kind = in.byte();
  unsigned seed = in.byte();
  auto bytes = in.rest();
  switch (kind % 11) {
    case 0: check_message(bytes, seed); break;
    case 1: {
      peer_entry sender;
      std::vector<peer_entry> sample;
      if (!decode(bytes, sender, sample)) break;
      FUZZ_CHECK(round_trip(sender) == sender && round_trip(sample) == sample,
                 "a shuffle request does not round-trip");
      serve_shuffle(sender, sample, seed);
      break;
    }
    case 2: {
      std::vector<peer_entry> answer;
      if (!decode(bytes, answer)) break;
      FUZZ_CHECK(round_trip(answer) == answer, "a shuffle answer does not round-trip");
      take_answer(answer, seed);
      break;
    }
    case 3: {
      capacity_report report;
      if (!decode(bytes, report)) break;
      FUZZ_CHECK(round_trip(report) == report, "a capacity report does not round-trip");
      schedule({report}, {}, seed);
      break;
    }
    case 4: {
      capacity_view view;
      if (!decode(bytes, view)) break;
      auto copy = round_trip(view);
      FUZZ_CHECK(copy.reports == view.reports && copy.unreachable == view.unreachable,
                 "a capacity view does not round-trip");
      schedule(view.reports, view.unreachable, seed);
      break;
    }
    case 5: {
      std::vector<peer_address> seeds;
      if (!decode(bytes, seeds)) break;
      FUZZ_CHECK(round_trip(seeds) == seeds, "join seeds do not round-trip");
      auto cache = running_cache();
      for (const auto& address : seeds) {
        cache.insert_evicting_oldest({address, 0, "", ""});
        if (auto parsed = parse_peer_address(to_string(address)); parsed && is_valid(address))
          FUZZ_CHECK(*parsed == address, "a peer address does not print and parse back");
      }
      check_cache(cache);
      break;
    }
    case 6: {
      storage::registry_entry entry;
      if (!decode(bytes, entry)) break;
      FUZZ_CHECK(is_valid(entry.kind) && is_valid(entry.state), "an invalid enum decoded");
      FUZZ_CHECK(round_trip(entry) == entry, "a registry entry does not round-trip");
      break;
    }
    case 7: {
      placement_decision decision;
      if (!decode(bytes, decision)) break;
      FUZZ_CHECK(is_valid(decision.request.kind), "an invalid placement kind decoded");
      round_trip(decision);
      break;
    }
    case 8: check_registry_request<registry_key>(bytes); break;
    case 9: check_registry_request<copy_addition>(bytes); break;
    case 10: check_registry_request<copy_removal>(bytes); break;
  }
  return 0;
}
