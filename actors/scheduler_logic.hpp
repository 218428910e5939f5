#pragma once
// The cloud selection scheduler's rules (thesis 3.5, workflow 5): pluggable
// filters and weighers over the capacity reports of this node's own cloudlet
// and its neighbours', composed from configuration strings, and a decision
// record that says why. Plain C++17 and no CAF, so that the rules are unit-
// tested and benchmarked without an actor system; actors/actors.hpp adds the
// inspect overloads and actors/scheduler.hpp the actor.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "actors/capacity_report.hpp"
#include "actors/peer.hpp"

namespace fedstack {

// -- requests and decisions ---------------------------------------------------

/// A volume is weighed on its cloudlet's Cinder pools, or its hypervisors'
/// disk where no pool was read; it uses the image chain.
enum class placement_kind : std::uint8_t { image, server, volume };

std::string to_string(placement_kind x);
/// True for the enumerators above (guards against bytes from the wire).
bool is_valid(placement_kind x);

/// What is to be created. Empty strings mean "not given": they travel more
/// simply than optionals and no checksum or zone is ever empty.
struct placement_request {
  placement_kind kind = placement_kind::server;
  /// The flavor (servers).
  std::int64_t ram_mb = 0;
  std::int64_t disk_gb = 0;
  std::int64_t vcpus = 0;
  /// The image's or the volume's size (what the new cloud must store).
  std::int64_t image_size_gb = 0;
  /// The image to boot from (servers): a cloud holding it needs no copy.
  std::string image_checksum;
  /// The availability zone (= region) the user pinned the create to.
  std::string availability_zone;
};

/// A cloudlet, as the decision names it.
struct placement_target {
  std::string region;
  peer_address node;
};

/// One weigher's view of one candidate.
struct weigher_score {
  std::string weigher;
  /// What the weigher measured (free MB, free GB, 1/0 for image present).
  double raw = 0;
  /// raw, scaled to [0, 1] over the weighed candidates (Nova's normalize).
  double normalized = 0;
  double multiplier = 0;
};

/// A candidate that reached the weighers.
struct scored_candidate {
  placement_target target;
  /// The report it was weighed on (gossiped, or fresh when probed).
  capacity_report report;
  /// True if `report` came from a live probe at decision time.
  bool probed = false;
  std::vector<weigher_score> scores;
  /// Sum of normalized * multiplier over the weighers.
  double total = 0;
};

/// A candidate a filter removed, and why.
struct rejected_candidate {
  placement_target target;
  std::string filter;
  std::string why;
};

/// Everything a scheduler decided and why: kept in a ring by the scheduler
/// actor and shown by `fedstack decisions`.
struct placement_decision {
  placement_request request;
  /// e.g. "server ram=512MB disk=1GB vcpus=1 image=abc az=any".
  std::string summary;
  /// Weighed candidates, best first (the winner is the first).
  std::vector<scored_candidate> candidates;
  std::vector<rejected_candidate> filtered_out;
  /// False when no candidate survived the filters.
  bool placed = false;
  placement_target winner;
  /// Where to retry, in order, if the create fails on the winner: the other
  /// weighed candidates, then those that passed every filter except the
  /// sampling one (two_choices), in candidate order.
  std::vector<placement_target> fallback;
  std::string reason;
  std::int64_t decided_unix_ms = 0;
};

/// A decision's reason in a word, for metric labels: nothing_fits,
/// own_cloud_only (workflow 5 case 1), one_neighbour (case 2), weighed
/// (case 3), live_probe (finalists re-read before the choice).
std::string_view reason_category(const placement_decision& d);

/// "server ram=512MB disk=1GB vcpus=1 image=<checksum|none> az=<zone|any>".
std::string summarize(const placement_request& request);

// -- filters and weighers -----------------------------------------------------

/// A candidate during a decision: its report and where it stands in the
/// candidate list (own cloud first), which breaks ties.
struct placement_candidate {
  capacity_report report;
  bool probed = false;
};

/// A filter keeps some candidates and explains each one it removes.
class placement_filter {
public:
  virtual ~placement_filter() = default;
  virtual std::string name() const = 0;
  /// A sampling filter removes candidates that fit, at random (two_choices):
  /// they stay usable as retry targets, and a re-decision on fresh reports
  /// of the survivors does not sample again.
  virtual bool samples() const { return false; }
  /// Moves what it removes from `survivors` to `rejected`, keeping order.
  virtual void apply(const placement_request& request, std::vector<placement_candidate>& survivors,
                     std::vector<rejected_candidate>& rejected, std::mt19937& rng) const = 0;
};

/// A weigher rates one candidate; the scheduler normalizes the raw values
/// over all weighed candidates before multiplying.
class placement_weigher {
public:
  virtual ~placement_weigher() = default;
  virtual std::string name() const = 0;
  virtual double raw(const placement_request& request, const capacity_report& report) const = 0;
};

/// Filter names: "resource" (enough free RAM, disk and vCPUs for the flavor;
/// free disk for an image's size), "availability_zone" (the pinned region
/// only), "two_choices" (two random survivors, Mitzenmacher).
std::shared_ptr<const placement_filter> make_filter(std::string_view name);
/// Weigher names: "ram" (free RAM), "disk" (free disk), "image" (1 if the
/// cloud holds the request's image checksum, else 0).
std::shared_ptr<const placement_weigher> make_weigher(std::string_view name);

struct weighed_by {
  std::shared_ptr<const placement_weigher> weigher;
  double multiplier = 1.0;
};

/// Filters applied in order, then weighers summed.
struct placement_chain {
  std::vector<std::shared_ptr<const placement_filter>> filters;
  std::vector<weighed_by> weighers;
};

/// Either a value or a message naming what is wrong and what is allowed.
template <class T>
struct parse_result {
  std::optional<T> value;
  std::string error;
  explicit operator bool() const { return value.has_value(); }
};

/// "resource,availability_zone,two_choices" (spaces allowed; empty: none).
/// Unknown or repeated names are errors.
parse_result<std::vector<std::shared_ptr<const placement_filter>>>
parse_filters(std::string_view text);

/// "ram:1.0,image:0.5" (a name without ":m" has multiplier 1; empty: none).
/// Unknown or repeated names and multipliers that are not finite numbers
/// are errors.
parse_result<std::vector<weighed_by>> parse_weighers(std::string_view text);

/// Both lists at once; the error says which of the two was wrong.
parse_result<placement_chain> parse_chain(std::string_view filters, std::string_view weighers);

/// One chain per kind of request.
struct scheduler_policy {
  placement_chain server;
  placement_chain image;
};

/// The thesis' chains: servers "resource,availability_zone,two_choices" with
/// "ram:1.0,image:0.5" (workflow 5; the image weigher breaks RAM ties),
/// images the same filters with "disk:1.0".
scheduler_policy default_policy();

/// The config strings of default_policy, for the option table and docs.
extern const char* const default_server_filters;
extern const char* const default_server_weighers;
extern const char* const default_image_filters;
extern const char* const default_image_weighers;

// -- deciding -----------------------------------------------------------------

/// Workflow 5 over `reports` (own cloud first if measured; the rest are
/// neighbours), ignoring reports from `unreachable` nodes. The three cases
/// fall out of the chain: with no neighbour only the own cloud is a
/// candidate; with one, two candidates are weighed against each other (two
/// choices keeps both); with more, the filters pick two and they are
/// weighed. Ties go to the earlier candidate, so the own cloud wins them.
placement_decision decide_placement(const scheduler_policy& policy, const placement_request& request,
                          const std::vector<capacity_report>& reports,
                          const std::vector<peer_address>& unreachable, std::mt19937& rng,
                          std::int64_t now_unix_ms);

/// Re-decides `first` with fresh reports for (some of) its weighed
/// candidates, matched by node: re-runs the non-sampling filters on them
/// (a finalist may have filled up since it gossiped) and weighs again. Keeps
/// the first decision's rejections and spare candidates for the fallback.
placement_decision refine_placement(const scheduler_policy& policy, const placement_decision& first,
                          const std::vector<capacity_report>& fresh, std::int64_t now_unix_ms);

} // namespace fedstack
