#include "actors/scheduler_logic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>

namespace fedstack {

const char* const default_server_filters = "resource,availability_zone,two_choices";
const char* const default_server_weighers = "ram:1.0,image:0.5";
const char* const default_image_filters = "resource,availability_zone,two_choices";
const char* const default_image_weighers = "disk:1.0";

std::string to_string(placement_kind x) {
  switch (x) {
    case placement_kind::image: return "image";
    case placement_kind::volume: return "volume";
    case placement_kind::server: break;
  }
  return "server";
}

bool is_valid(placement_kind x) {
  return x == placement_kind::image || x == placement_kind::server || x == placement_kind::volume;
}

std::string summarize(const placement_request& r) {
  std::ostringstream out;
  out << to_string(r.kind);
  if (r.kind == placement_kind::server)
    out << " ram=" << r.ram_mb << "MB disk=" << r.disk_gb << "GB vcpus=" << r.vcpus
        << " image=" << (r.image_checksum.empty() ? "none" : r.image_checksum);
  else
    out << " size=" << r.image_size_gb << "GB";
  out << " az=" << (r.availability_zone.empty() ? "any" : r.availability_zone);
  return out.str();
}

namespace {

/// What a volume is weighed and filtered on: its cloudlet's Cinder pools when
/// read, else (no pool read) the hypervisors' disk, as before pools were polled.
bool weighs_pools(const placement_request& q, const capacity_report& r) {
  return q.kind == placement_kind::volume && r.volume_pools > 0;
}

placement_target target_of(const capacity_report& r) {
  return {r.region, r.node};
}

/// Moves the candidates failing `keep` to `rejected` with the text `why`
/// gives, keeping the order of both lists.
void partition(const std::string& filter, std::vector<placement_candidate>& survivors,
               std::vector<rejected_candidate>& rejected,
               const std::function<std::string(const capacity_report&)>& why_not) {
  std::vector<placement_candidate> kept;
  for (auto& c : survivors) {
    auto why = why_not(c.report);
    if (why.empty())
      kept.push_back(std::move(c));
    else
      rejected.push_back({target_of(c.report), filter, std::move(why)});
  }
  survivors = std::move(kept);
}

std::string shortfall(const char* what, std::int64_t free, std::int64_t needed, const char* unit) {
  if (free >= needed) return {};
  std::ostringstream out;
  out << what << ' ' << free << unit << " free < " << needed << unit << " needed";
  return out.str();
}

class resource_filter : public placement_filter {
public:
  std::string name() const override { return "resource"; }
  void apply(const placement_request& q, std::vector<placement_candidate>& survivors,
             std::vector<rejected_candidate>& rejected, std::mt19937&) const override {
    partition(name(), survivors, rejected, [&q](const capacity_report& r) {
      // A pool reporting "infinite" or "unknown" passes, as Cinder's CapacityFilter lets it.
      if (weighs_pools(q, r))
        return r.free_volume_gb == -1 ? std::string{} : shortfall("volume pool", r.free_volume_gb, q.image_size_gb, "GB");
      // An image or a volume only needs room for its bytes; a server needs its flavor.
      if (q.kind != placement_kind::server)
        return shortfall("disk", r.free_disk_gb, q.image_size_gb, "GB");
      for (auto why : {shortfall("ram", r.free_ram_mb, q.ram_mb, "MB"),
                       shortfall("disk", r.free_disk_gb, q.disk_gb, "GB"),
                       shortfall("vcpus", r.free_vcpus, q.vcpus, "")})
        if (!why.empty()) return why;
      return std::string{};
    });
  }
};

class availability_zone_filter : public placement_filter {
public:
  std::string name() const override { return "availability_zone"; }
  void apply(const placement_request& q, std::vector<placement_candidate>& survivors,
             std::vector<rejected_candidate>& rejected, std::mt19937&) const override {
    if (q.availability_zone.empty()) return;
    partition(name(), survivors, rejected, [&q](const capacity_report& r) {
      return r.region == q.availability_zone ? std::string{}
                                             : "zone " + r.region + " is not " + q.availability_zone;
    });
  }
};

/// Mitzenmacher's d = 2: keep two survivors drawn uniformly without
/// replacement, in their candidate order (so ties still favour own cloud).
class two_choices_filter : public placement_filter {
public:
  std::string name() const override { return "two_choices"; }
  bool samples() const override { return true; }
  void apply(const placement_request&, std::vector<placement_candidate>& survivors,
             std::vector<rejected_candidate>& rejected, std::mt19937& rng) const override {
    if (survivors.size() <= 2) return;
    std::vector<std::size_t> index(survivors.size());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
    // A partial Fisher-Yates shuffle with our own draws: std::shuffle and
    // uniform_int_distribution differ between standard libraries, and the
    // tests and the benchmark must be reproducible everywhere.
    for (std::size_t i = 0; i < 2; ++i) {
      auto span = static_cast<std::uint64_t>(index.size() - i);
      auto j = i + static_cast<std::size_t>(rng() % span);
      std::swap(index[i], index[j]);
    }
    std::set<std::size_t> chosen{index[0], index[1]};
    std::size_t i = 0;
    partition(name(), survivors, rejected, [&](const capacity_report&) {
      return chosen.count(i++) ? std::string{} : std::string{"not among the two random choices"};
    });
  }
};

class ram_weigher : public placement_weigher {
public:
  std::string name() const override { return "ram"; }
  double raw(const placement_request&, const capacity_report& r) const override {
    return static_cast<double>(r.free_ram_mb);
  }
};

class disk_weigher : public placement_weigher {
public:
  std::string name() const override { return "disk"; }
  double raw(const placement_request& q, const capacity_report& r) const override {
    // -1 for "infinite" or "unknown": the lowest weight, as Cinder's CapacityWeigher gives them.
    return static_cast<double>(weighs_pools(q, r) ? r.free_volume_gb : r.free_disk_gb);
  }
};

class image_weigher : public placement_weigher {
public:
  std::string name() const override { return "image"; }
  double raw(const placement_request& q, const capacity_report& r) const override {
    if (q.image_checksum.empty()) return 0;
    const auto& held = r.image_checksums;
    return std::find(held.begin(), held.end(), q.image_checksum) != held.end() ? 1 : 0;
  }
};

const char* const filter_names = "resource, availability_zone, two_choices";
const char* const weigher_names = "ram, disk, image";

std::string trim(std::string_view x) {
  auto first = x.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto last = x.find_last_not_of(" \t");
  return std::string{x.substr(first, last - first + 1)};
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  if (trim(text).empty()) return items;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    items.push_back(trim(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

/// Nova's normalization: (x - min) / (max - min), all 0 when every value is
/// the same (a weigher that cannot tell candidates apart adds nothing).
std::vector<double> normalize(const std::vector<double>& xs) {
  std::vector<double> result(xs.size(), 0.0);
  if (xs.empty()) return result;
  auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
  if (*hi == *lo) return result;
  for (std::size_t i = 0; i < xs.size(); ++i) result[i] = (xs[i] - *lo) / (*hi - *lo);
  return result;
}

const placement_chain& chain_for(const scheduler_policy& policy, const placement_request& q) {
  return q.kind == placement_kind::server ? policy.server : policy.image;
}

/// Weighs the survivors, orders them best first (stable: ties keep the
/// candidate order), and fills candidates, winner, fallback and placed.
void weigh(const placement_chain& chain, const placement_request& q,
           std::vector<placement_candidate> survivors, const std::vector<placement_target>& spares,
           placement_decision& d) {
  std::vector<scored_candidate> scored;
  for (auto& c : survivors) {
    scored_candidate s;
    s.target = target_of(c.report);
    s.report = std::move(c.report);
    s.probed = c.probed;
    scored.push_back(std::move(s));
  }
  for (const auto& w : chain.weighers) {
    std::vector<double> raws;
    for (const auto& s : scored) raws.push_back(w.weigher->raw(q, s.report));
    auto normalized = normalize(raws);
    for (std::size_t i = 0; i < scored.size(); ++i) {
      scored[i].scores.push_back({w.weigher->name(), raws[i], normalized[i], w.multiplier});
      scored[i].total += normalized[i] * w.multiplier;
    }
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.total > y.total; });
  d.candidates = std::move(scored);
  d.placed = !d.candidates.empty();
  d.fallback.clear();
  if (d.placed) {
    d.winner = d.candidates.front().target;
    for (std::size_t i = 1; i < d.candidates.size(); ++i) d.fallback.push_back(d.candidates[i].target);
  }
  for (const auto& t : spares) d.fallback.push_back(t);
}

std::string winner_text(const placement_decision& d) {
  if (!d.placed) return "no candidate passed the filters";
  std::ostringstream out;
  out << d.winner.region << " (" << to_string(d.winner.node) << ") scored "
      << d.candidates.front().total;
  if (d.candidates.size() > 1) out << " against " << d.candidates[1].total << " of " << d.candidates[1].target.region;
  return out.str();
}

} // namespace

std::shared_ptr<const placement_filter> make_filter(std::string_view name) {
  if (name == "resource") return std::make_shared<resource_filter>();
  if (name == "availability_zone") return std::make_shared<availability_zone_filter>();
  if (name == "two_choices") return std::make_shared<two_choices_filter>();
  return nullptr;
}

std::shared_ptr<const placement_weigher> make_weigher(std::string_view name) {
  if (name == "ram") return std::make_shared<ram_weigher>();
  if (name == "disk") return std::make_shared<disk_weigher>();
  if (name == "image") return std::make_shared<image_weigher>();
  return nullptr;
}

parse_result<std::vector<std::shared_ptr<const placement_filter>>>
parse_filters(std::string_view text) {
  std::vector<std::shared_ptr<const placement_filter>> result;
  std::set<std::string> seen;
  for (const auto& item : split_commas(text)) {
    if (item.empty()) return {std::nullopt, "filters: empty name in \"" + std::string{text} + "\""};
    auto filter = make_filter(item);
    if (!filter)
      return {std::nullopt, "filters: unknown filter \"" + item + "\" (known: " + filter_names + ")"};
    if (!seen.insert(item).second) return {std::nullopt, "filters: \"" + item + "\" given twice"};
    result.push_back(std::move(filter));
  }
  return {std::move(result), {}};
}

parse_result<std::vector<weighed_by>> parse_weighers(std::string_view text) {
  std::vector<weighed_by> result;
  std::set<std::string> seen;
  for (const auto& item : split_commas(text)) {
    auto colon = item.find(':');
    auto name = trim(std::string_view{item}.substr(0, colon));
    if (name.empty()) return {std::nullopt, "weighers: empty name in \"" + std::string{text} + "\""};
    auto weigher = make_weigher(name);
    if (!weigher)
      return {std::nullopt, "weighers: unknown weigher \"" + name + "\" (known: " + weigher_names + ")"};
    if (!seen.insert(name).second) return {std::nullopt, "weighers: \"" + name + "\" given twice"};
    double multiplier = 1.0;
    if (colon != std::string::npos) {
      auto number = trim(std::string_view{item}.substr(colon + 1));
      // strtod on a copy: std::from_chars for double needs GCC 11's libstdc++
      // at least, and strtod reports where it stopped just as well.
      char* end = nullptr;
      multiplier = number.empty() ? NAN : std::strtod(number.c_str(), &end);
      if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(multiplier))
        return {std::nullopt, "weighers: multiplier of \"" + name + "\" is not a finite number: \"" +
                                number + "\" (syntax: name:multiplier, e.g. ram:1.0)"};
    }
    result.push_back({std::move(weigher), multiplier});
  }
  return {std::move(result), {}};
}

parse_result<placement_chain> parse_chain(std::string_view filters, std::string_view weighers) {
  auto f = parse_filters(filters);
  if (!f) return {std::nullopt, f.error};
  auto w = parse_weighers(weighers);
  if (!w) return {std::nullopt, w.error};
  return {placement_chain{std::move(*f.value), std::move(*w.value)}, {}};
}

scheduler_policy default_policy() {
  return {*parse_chain(default_server_filters, default_server_weighers).value,
          *parse_chain(default_image_filters, default_image_weighers).value};
}

std::string_view reason_category(const placement_decision& d) {
  if (!d.placed) return "nothing_fits";
  if (std::any_of(d.candidates.begin(), d.candidates.end(), [](const scored_candidate& c) { return c.probed; }))
    return "live_probe";
  // Every reachable cloudlet ends up weighed or filtered out; the own one is among them.
  auto considered = d.candidates.size();
  for (const auto& r : d.filtered_out)
    if (r.filter != "unreachable") ++considered;
  if (considered <= 1) return "own_cloud_only";
  if (considered == 2) return "one_neighbour";
  return "weighed";
}

placement_decision decide_placement(const scheduler_policy& policy, const placement_request& q,
                          const std::vector<capacity_report>& reports,
                          const std::vector<peer_address>& unreachable, std::mt19937& rng,
                          std::int64_t now_unix_ms) {
  placement_decision d;
  d.request = q;
  d.summary = summarize(q);
  d.decided_unix_ms = now_unix_ms;
  std::vector<placement_candidate> survivors;
  for (const auto& r : reports) {
    // The capacity actor drops an unreachable peer's report, but a view may
    // be assembled elsewhere: never schedule onto a node known to be down.
    if (std::find(unreachable.begin(), unreachable.end(), r.node) != unreachable.end())
      d.filtered_out.push_back({target_of(r), "unreachable", "circuit breaker open"});
    else
      survivors.push_back({r, false});
  }
  auto neighbours = survivors.empty() ? 0 : survivors.size() - 1;
  const auto& chain = chain_for(policy, q);
  std::vector<placement_target> spares;
  for (const auto& filter : chain.filters) {
    auto before = d.filtered_out.size();
    filter->apply(q, survivors, d.filtered_out, rng);
    if (filter->samples())
      for (auto i = before; i < d.filtered_out.size(); ++i) spares.push_back(d.filtered_out[i].target);
  }
  weigh(chain, q, std::move(survivors), spares, d);
  std::ostringstream why;
  if (neighbours == 0)
    why << "workflow 5 case 1 (no reachable neighbour): own cloud only; ";
  else if (neighbours == 1)
    why << "workflow 5 case 2 (one neighbour): weighed against own cloud; ";
  else
    why << "workflow 5 case 3 (" << neighbours << " neighbours): filtered, then weighed; ";
  why << winner_text(d);
  d.reason = why.str();
  return d;
}

placement_decision refine_placement(const scheduler_policy& policy, const placement_decision& first,
                          const std::vector<capacity_report>& fresh, std::int64_t now_unix_ms) {
  placement_decision d;
  d.request = first.request;
  d.summary = first.summary;
  d.filtered_out = first.filtered_out;
  d.decided_unix_ms = now_unix_ms;
  std::vector<placement_candidate> survivors;
  std::size_t probed = 0;
  for (const auto& s : first.candidates) {
    auto it = std::find_if(fresh.begin(), fresh.end(),
                           [&s](const capacity_report& r) { return r.node == s.target.node; });
    if (it != fresh.end()) ++probed;
    survivors.push_back(it != fresh.end() ? placement_candidate{*it, true} : placement_candidate{s.report, s.probed});
  }
  // Spares are what the sampling filter set aside: the fallback minus the
  // candidates weighed the first time.
  std::vector<placement_target> spares;
  for (const auto& t : first.fallback)
    if (std::none_of(first.candidates.begin(), first.candidates.end(),
                     [&t](const scored_candidate& s) { return s.target.node == t.node; }))
      spares.push_back(t);
  const auto& chain = chain_for(policy, d.request);
  std::mt19937 unused; // non-sampling filters draw nothing
  for (const auto& filter : chain.filters)
    if (!filter->samples()) filter->apply(d.request, survivors, d.filtered_out, unused);
  weigh(chain, d.request, std::move(survivors), spares, d);
  std::ostringstream why;
  why << first.reason.substr(0, first.reason.find(';')) << "; live probe refreshed " << probed << " of "
      << first.candidates.size() << " finalists; " << winner_text(d);
  d.reason = why.str();
  return d;
}

} // namespace fedstack
