// The scheduler's rules without actors: each filter, each weigher, the config
// parser's messages, and thesis workflow 5's three cases.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "actors/scheduler_logic.hpp"

namespace fedstack {
namespace {

capacity_report cloud(const std::string& name, std::int64_t ram, std::int64_t disk = 100,
                      std::int64_t vcpus = 16, std::vector<std::string> images = {}) {
  capacity_report r;
  r.region = name;
  r.node = {name, 4000};
  r.free_ram_mb = ram;
  r.free_disk_gb = disk;
  r.free_vcpus = vcpus;
  r.image_checksums = std::move(images);
  return r;
}

placement_request server(std::int64_t ram = 512, std::int64_t disk = 1, std::int64_t vcpus = 1) {
  placement_request q;
  q.kind = placement_kind::server;
  q.ram_mb = ram;
  q.disk_gb = disk;
  q.vcpus = vcpus;
  return q;
}

placement_request image(std::int64_t size_gb) {
  placement_request q;
  q.kind = placement_kind::image;
  q.image_size_gb = size_gb;
  return q;
}

std::vector<placement_candidate> candidates_of(const std::vector<capacity_report>& reports) {
  std::vector<placement_candidate> result;
  for (const auto& r : reports) result.push_back({r, false});
  return result;
}

std::vector<std::string> regions(const std::vector<placement_candidate>& xs) {
  std::vector<std::string> result;
  for (const auto& x : xs) result.push_back(x.report.region);
  return result;
}

std::vector<std::string> regions(const std::vector<placement_target>& xs) {
  std::vector<std::string> result;
  for (const auto& x : xs) result.push_back(x.region);
  return result;
}

scheduler_policy policy_of(const std::string& filters, const std::string& weighers) {
  auto chain = parse_chain(filters, weighers);
  EXPECT_TRUE(chain) << chain.error;
  return {*chain.value, *chain.value};
}

// -- resource filter ----------------------------------------------------------

TEST(resource_filter, keeps_clouds_with_room_for_the_flavor_and_says_what_is_short) {
  auto filter = make_filter("resource");
  ASSERT_TRUE(filter);
  auto survivors = candidates_of({cloud("fits", 1024, 10, 2), cloud("exact", 512, 1, 1),
                                  cloud("no-ram", 511), cloud("no-disk", 4096, 0),
                                  cloud("no-cpu", 4096, 10, 0)});
  std::vector<rejected_candidate> rejected;
  std::mt19937 rng{1};
  filter->apply(server(512, 1, 1), survivors, rejected, rng);
  EXPECT_EQ(regions(survivors), (std::vector<std::string>{"fits", "exact"}));
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].target.region, "no-ram");
  EXPECT_EQ(rejected[0].filter, "resource");
  EXPECT_EQ(rejected[0].why, "ram 511MB free < 512MB needed");
  EXPECT_EQ(rejected[1].why, "disk 0GB free < 1GB needed");
  EXPECT_EQ(rejected[2].why, "vcpus 0 free < 1 needed");
}

TEST(resource_filter, needs_only_disk_for_an_image) {
  auto filter = make_filter("resource");
  auto survivors = candidates_of({cloud("big", 0, 20, 0), cloud("small", 99999, 4)});
  std::vector<rejected_candidate> rejected;
  std::mt19937 rng{1};
  filter->apply(image(5), survivors, rejected, rng);
  EXPECT_EQ(regions(survivors), (std::vector<std::string>{"big"}));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].why, "disk 4GB free < 5GB needed");
}

// -- availability zone filter -------------------------------------------------

TEST(availability_zone_filter, keeps_only_the_pinned_region) {
  auto filter = make_filter("availability_zone");
  auto survivors = candidates_of({cloud("a", 1), cloud("b", 1), cloud("c", 1)});
  std::vector<rejected_candidate> rejected;
  std::mt19937 rng{1};
  auto q = server();
  q.availability_zone = "b";
  filter->apply(q, survivors, rejected, rng);
  EXPECT_EQ(regions(survivors), (std::vector<std::string>{"b"}));
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].why, "zone a is not b");
}

TEST(availability_zone_filter, keeps_everything_when_no_zone_is_pinned) {
  auto filter = make_filter("availability_zone");
  auto survivors = candidates_of({cloud("a", 1), cloud("b", 1)});
  std::vector<rejected_candidate> rejected;
  std::mt19937 rng{1};
  filter->apply(server(), survivors, rejected, rng);
  EXPECT_EQ(survivors.size(), 2u);
  EXPECT_TRUE(rejected.empty());
}

// -- two choices filter -------------------------------------------------------

TEST(two_choices_filter, keeps_two_in_candidate_order_and_is_reproducible) {
  auto filter = make_filter("two_choices");
  EXPECT_TRUE(filter->samples());
  auto all = candidates_of({cloud("a", 1), cloud("b", 1), cloud("c", 1), cloud("d", 1), cloud("e", 1)});
  std::vector<std::string> first_run;
  for (int run = 0; run < 2; ++run) {
    auto survivors = all;
    std::vector<rejected_candidate> rejected;
    std::mt19937 rng{42};
    filter->apply(server(), survivors, rejected, rng);
    ASSERT_EQ(survivors.size(), 2u);
    EXPECT_EQ(rejected.size(), 3u);
    EXPECT_LT(survivors[0].report.region, survivors[1].report.region);  // order kept
    for (const auto& r : rejected) EXPECT_EQ(r.why, "not among the two random choices");
    auto names = regions(survivors);
    if (run == 0) first_run = names;
    else EXPECT_EQ(names, first_run);  // same seed, same choice
  }
}

TEST(two_choices_filter, leaves_two_or_fewer_alone) {
  auto filter = make_filter("two_choices");
  auto survivors = candidates_of({cloud("a", 1), cloud("b", 1)});
  std::vector<rejected_candidate> rejected;
  std::mt19937 rng{1};
  filter->apply(server(), survivors, rejected, rng);
  EXPECT_EQ(survivors.size(), 2u);
  EXPECT_TRUE(rejected.empty());
}

TEST(two_choices_filter, picks_every_pair_about_equally_often) {
  auto filter = make_filter("two_choices");
  auto all = candidates_of({cloud("a", 1), cloud("b", 1), cloud("c", 1), cloud("d", 1)});
  std::map<std::vector<std::string>, int> pairs;
  std::mt19937 rng{7};
  const int draws = 6000;
  for (int i = 0; i < draws; ++i) {
    auto survivors = all;
    std::vector<rejected_candidate> rejected;
    filter->apply(server(), survivors, rejected, rng);
    ++pairs[regions(survivors)];
  }
  ASSERT_EQ(pairs.size(), 6u);  // C(4,2)
  for (const auto& [pair, n] : pairs) {
    EXPECT_GT(n, 800) << pair[0] << pair[1];  // expected 1000 each
    EXPECT_LT(n, 1200) << pair[0] << pair[1];
  }
}

// -- weighers -----------------------------------------------------------------

TEST(weighers, ram_and_disk_rate_free_capacity) {
  auto r = cloud("a", 2048, 30);
  EXPECT_EQ(make_weigher("ram")->raw(server(), r), 2048.0);
  EXPECT_EQ(make_weigher("disk")->raw(image(1), r), 30.0);
}

TEST(weighers, image_rates_one_only_where_the_checksum_is) {
  auto weigher = make_weigher("image");
  auto q = server();
  q.image_checksum = "abc";
  EXPECT_EQ(weigher->raw(q, cloud("has", 1, 1, 1, {"x", "abc"})), 1.0);
  EXPECT_EQ(weigher->raw(q, cloud("lacks", 1, 1, 1, {"x"})), 0.0);
  EXPECT_EQ(weigher->raw(server(), cloud("has", 1, 1, 1, {"abc"})), 0.0);  // no image asked
}

TEST(weighers, are_normalized_over_the_candidates_then_multiplied_and_summed) {
  auto policy = policy_of("", "ram:2.0,image:0.5");
  auto q = server();
  q.image_checksum = "img";
  std::mt19937 rng{1};
  auto d = decide_placement(policy, q, {cloud("a", 1000), cloud("b", 3000, 100, 16, {"img"}), cloud("c", 2000)},
                  {}, rng, 5);
  ASSERT_EQ(d.candidates.size(), 3u);
  // b: ram 1.0*2 + image 1*0.5; c: ram 0.5*2; a: 0.
  EXPECT_EQ(d.candidates[0].target.region, "b");
  EXPECT_DOUBLE_EQ(d.candidates[0].total, 2.5);
  EXPECT_EQ(d.candidates[1].target.region, "c");
  EXPECT_DOUBLE_EQ(d.candidates[1].total, 1.0);
  EXPECT_DOUBLE_EQ(d.candidates[2].total, 0.0);
  const auto& ram = d.candidates[1].scores[0];
  EXPECT_EQ(ram.weigher, "ram");
  EXPECT_EQ(ram.raw, 2000.0);
  EXPECT_DOUBLE_EQ(ram.normalized, 0.5);
  EXPECT_EQ(ram.multiplier, 2.0);
  EXPECT_EQ(d.decided_unix_ms, 5);
}

TEST(weighers, that_cannot_tell_candidates_apart_add_nothing_and_ties_keep_order) {
  auto policy = policy_of("", "ram");
  std::mt19937 rng{1};
  auto d = decide_placement(policy, server(), {cloud("own", 1000), cloud("n1", 1000)}, {}, rng, 0);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_EQ(d.candidates[0].scores[0].normalized, 0.0);
  EXPECT_EQ(d.winner.region, "own");  // ties go to the own cloud
}

TEST(weighers, a_negative_multiplier_stacks_instead_of_spreading) {
  auto policy = policy_of("", "ram:-1");
  std::mt19937 rng{1};
  auto d = decide_placement(policy, server(), {cloud("own", 1000), cloud("n1", 500)}, {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n1");
}

TEST(weighers, disk_decides_for_images_by_default) {
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), image(2), {cloud("own", 99999, 10), cloud("n1", 1, 50)}, {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n1");
  ASSERT_EQ(d.candidates[0].scores.size(), 1u);
  EXPECT_EQ(d.candidates[0].scores[0].weigher, "disk");
}

// -- volumes: Cinder's pools --------------------------------------------------

capacity_report with_pools(capacity_report r, std::int64_t free_gb) {
  r.volume_pools = 1;
  r.free_volume_gb = free_gb;
  r.total_volume_gb = 1000;
  return r;
}

placement_request volume(std::int64_t size_gb) {
  placement_request q;
  q.kind = placement_kind::volume;
  q.image_size_gb = size_gb;
  return q;
}

TEST(volumes, are_filtered_and_weighed_on_cinders_pools_not_the_hypervisors_disk) {
  std::mt19937 rng{1};
  // The own cloudlet's hypervisors have the most disk, its pool the least room.
  auto d = decide_placement(default_policy(), volume(20),
                            {with_pools(cloud("own", 1, 900), 5), with_pools(cloud("n1", 1, 10), 300),
                             with_pools(cloud("n2", 1, 10), 200)},
                            {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n1");
  ASSERT_EQ(d.filtered_out.size(), 1u);
  EXPECT_EQ(d.filtered_out[0].target.region, "own");
  EXPECT_EQ(d.filtered_out[0].why, "volume pool 5GB free < 20GB needed");
  EXPECT_EQ(summarize(volume(20)), "volume size=20GB az=any");
}

TEST(volumes, an_infinite_or_unknown_pool_passes_with_the_lowest_weight) {
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), volume(20), {with_pools(cloud("own", 1), -1), with_pools(cloud("n1", 1), 30)},
                            {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n1");
  ASSERT_EQ(d.fallback.size(), 1u);
  EXPECT_EQ(d.fallback[0].region, "own") << "kept: Cinder's CapacityFilter lets it pass";
}

TEST(volumes, are_weighed_on_the_hypervisors_disk_where_no_pool_was_read) {
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), volume(20), {cloud("own", 1, 30), cloud("n1", 1, 90)}, {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n1");
  EXPECT_TRUE(is_valid(placement_kind::volume));
}

// -- config parser ------------------------------------------------------------

TEST(scheduler_config_parser, reads_names_multipliers_and_spaces) {
  auto filters = parse_filters(" resource , availability_zone,two_choices ");
  ASSERT_TRUE(filters) << filters.error;
  ASSERT_EQ(filters.value->size(), 3u);
  EXPECT_EQ((*filters.value)[1]->name(), "availability_zone");
  auto weighers = parse_weighers("ram:1.0, image : 0.5,disk");
  ASSERT_TRUE(weighers) << weighers.error;
  ASSERT_EQ(weighers.value->size(), 3u);
  EXPECT_EQ((*weighers.value)[1].weigher->name(), "image");
  EXPECT_EQ((*weighers.value)[1].multiplier, 0.5);
  EXPECT_EQ((*weighers.value)[2].multiplier, 1.0);
  EXPECT_TRUE(parse_filters("")) << "no filters is allowed";
  EXPECT_TRUE(parse_weighers("  ")) << "no weighers is allowed";
}

TEST(scheduler_config_parser, names_what_is_wrong) {
  EXPECT_EQ(parse_filters("resource,ram").error,
            "filters: unknown filter \"ram\" (known: resource, availability_zone, two_choices)");
  EXPECT_EQ(parse_filters("resource,,two_choices").error,
            "filters: empty name in \"resource,,two_choices\"");
  EXPECT_EQ(parse_filters("resource,resource").error, "filters: \"resource\" given twice");
  EXPECT_EQ(parse_weighers("cpu:1").error, "weighers: unknown weigher \"cpu\" (known: ram, disk, image)");
  EXPECT_EQ(parse_weighers("ram:lots").error,
            "weighers: multiplier of \"ram\" is not a finite number: \"lots\" "
            "(syntax: name:multiplier, e.g. ram:1.0)");
  EXPECT_EQ(parse_weighers("ram:").error,
            "weighers: multiplier of \"ram\" is not a finite number: \"\" "
            "(syntax: name:multiplier, e.g. ram:1.0)");
  EXPECT_FALSE(parse_weighers("ram:inf"));
  EXPECT_FALSE(parse_weighers("ram:1.0x"));
  EXPECT_EQ(parse_weighers("ram,ram:2").error, "weighers: \"ram\" given twice");
  EXPECT_EQ(parse_weighers(":1").error, "weighers: empty name in \":1\"");
  EXPECT_EQ(parse_chain("resource", "bogus").error,
            "weighers: unknown weigher \"bogus\" (known: ram, disk, image)");
}

TEST(scheduler_config_parser, default_policy_is_the_thesis_chain) {
  auto p = default_policy();
  ASSERT_EQ(p.server.filters.size(), 3u);
  EXPECT_EQ(p.server.filters[2]->name(), "two_choices");
  ASSERT_EQ(p.server.weighers.size(), 2u);
  EXPECT_EQ(p.server.weighers[0].weigher->name(), "ram");
  EXPECT_EQ(p.server.weighers[1].weigher->name(), "image");
  ASSERT_EQ(p.image.weighers.size(), 1u);
  EXPECT_EQ(p.image.weighers[0].weigher->name(), "disk");
}

// -- workflow 5 ---------------------------------------------------------------

TEST(workflow_5, case_1_no_neighbour_boots_on_the_own_cloud) {
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), server(), {cloud("own", 1024)}, {}, rng, 0);
  ASSERT_TRUE(d.placed);
  EXPECT_EQ(d.winner.region, "own");
  EXPECT_TRUE(d.fallback.empty());
  EXPECT_EQ(d.reason.rfind("workflow 5 case 1", 0), 0u) << d.reason;
}

TEST(workflow_5, case_1_counts_unreachable_neighbours_as_absent) {
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), server(), {cloud("own", 1024), cloud("gone", 9999)},
                  {peer_address{"gone", 4000}}, rng, 0);
  EXPECT_EQ(d.winner.region, "own");
  ASSERT_EQ(d.filtered_out.size(), 1u);
  EXPECT_EQ(d.filtered_out[0].filter, "unreachable");
  EXPECT_EQ(d.reason.rfind("workflow 5 case 1", 0), 0u) << d.reason;
}

TEST(workflow_5, case_2_weighs_the_one_neighbour_against_the_own_cloud) {
  std::mt19937 rng{1};
  auto more_ram = decide_placement(default_policy(), server(), {cloud("own", 1024), cloud("n1", 4096)}, {}, rng, 0);
  EXPECT_EQ(more_ram.winner.region, "n1");
  EXPECT_EQ(regions(more_ram.fallback), (std::vector<std::string>{"own"}));
  EXPECT_EQ(more_ram.reason.rfind("workflow 5 case 2", 0), 0u) << more_ram.reason;
  // Equal RAM: the image weigher decides.
  auto q = server();
  q.image_checksum = "img";
  auto has_image = decide_placement(default_policy(), q, {cloud("own", 2048), cloud("n1", 2048, 100, 16, {"img"})},
                          {}, rng, 0);
  EXPECT_EQ(has_image.winner.region, "n1");
}

TEST(workflow_5, case_3_filters_to_two_then_weighs_them) {
  std::vector<capacity_report> reports{cloud("own", 1000), cloud("n1", 2000), cloud("n2", 3000),
                                       cloud("n3", 4000), cloud("full", 100)};
  std::set<std::string> winners;
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng{seed};
    auto d = decide_placement(default_policy(), server(512), reports, {}, rng, 0);
    ASSERT_TRUE(d.placed);
    ASSERT_EQ(d.candidates.size(), 2u) << d.reason;
    // The better of the two finalists wins.
    EXPECT_GT(d.candidates[0].report.free_ram_mb, d.candidates[1].report.free_ram_mb);
    EXPECT_EQ(d.reason.rfind("workflow 5 case 3 (4 neighbours)", 0), 0u) << d.reason;
    // "full" is out by the resource filter, two more by two choices.
    ASSERT_EQ(d.filtered_out.size(), 3u);
    EXPECT_EQ(d.filtered_out[0].target.region, "full");
    EXPECT_EQ(d.filtered_out[0].filter, "resource");
    // Fallback: the other finalist, then the two set aside at random.
    ASSERT_EQ(d.fallback.size(), 3u);
    EXPECT_EQ(d.fallback[0].region, d.candidates[1].target.region);
    winners.insert(d.winner.region);
  }
  // Random choice: the emptiest cloud does not win every time (no herding),
  // and the fullest fitting cloud never wins (it loses every pairing).
  EXPECT_GT(winners.size(), 1u);
  EXPECT_EQ(winners.count("own"), 0u);
  EXPECT_EQ(winners.count("full"), 0u);
}

TEST(workflow_5, nothing_placed_when_nothing_fits) {
  std::mt19937 rng{1};
  auto q = server(8192);
  auto d = decide_placement(default_policy(), q, {cloud("own", 1024), cloud("n1", 2048)}, {}, rng, 0);
  EXPECT_FALSE(d.placed);
  EXPECT_TRUE(d.candidates.empty());
  EXPECT_EQ(d.filtered_out.size(), 2u);
  EXPECT_NE(d.reason.find("no candidate passed the filters"), std::string::npos);
  EXPECT_EQ(d.summary, "server ram=8192MB disk=1GB vcpus=1 image=none az=any");
}

TEST(workflow_5, a_pinned_zone_wins_even_when_fuller) {
  std::mt19937 rng{1};
  auto q = server();
  q.availability_zone = "n2";
  auto d = decide_placement(default_policy(), q, {cloud("own", 9000), cloud("n1", 9000), cloud("n2", 600)}, {}, rng, 0);
  EXPECT_EQ(d.winner.region, "n2");
  EXPECT_TRUE(d.fallback.empty());
}

// -- refine (live probe) ------------------------------------------------------

TEST(refine, reweighs_the_finalists_on_fresh_reports) {
  std::mt19937 rng{1};
  auto first = decide_placement(default_policy(), server(), {cloud("own", 1000), cloud("n1", 4000)}, {}, rng, 0);
  ASSERT_EQ(first.winner.region, "n1");
  // n1 filled up since it gossiped.
  auto d = refine_placement(default_policy(), first, {cloud("n1", 800)}, 9);
  EXPECT_EQ(d.winner.region, "own");
  EXPECT_EQ(d.decided_unix_ms, 9);
  auto n1 = std::find_if(d.candidates.begin(), d.candidates.end(),
                         [](const auto& c) { return c.target.region == "n1"; });
  ASSERT_NE(n1, d.candidates.end());
  EXPECT_TRUE(n1->probed);
  EXPECT_EQ(n1->report.free_ram_mb, 800);
  EXPECT_NE(d.reason.find("live probe refreshed 1 of 2 finalists"), std::string::npos) << d.reason;
}

TEST(refine, drops_a_finalist_that_no_longer_fits_and_keeps_the_spares) {
  std::vector<capacity_report> reports{cloud("own", 1000), cloud("n1", 2000), cloud("n2", 3000),
                                       cloud("n3", 4000)};
  std::mt19937 rng{3};
  auto first = decide_placement(default_policy(), server(512), reports, {}, rng, 0);
  ASSERT_EQ(first.candidates.size(), 2u);
  auto full = first.winner;
  auto d = refine_placement(default_policy(), first, {cloud(full.region, 100)}, 0);
  ASSERT_TRUE(d.placed);
  EXPECT_NE(d.winner.region, full.region);
  EXPECT_EQ(d.filtered_out.back().target.region, full.region);
  EXPECT_EQ(d.filtered_out.back().filter, "resource");
  EXPECT_EQ(d.fallback.size(), 2u);  // the two spares; the full finalist is gone
  for (const auto& t : d.fallback) EXPECT_NE(t.region, full.region);
}


TEST(reason_category, names_the_workflow_case_in_a_word) {
  std::mt19937 rng{3};
  auto own_only = decide_placement(default_policy(), server(512), {cloud("own", 1000)}, {}, rng, 0);
  EXPECT_EQ(reason_category(own_only), "own_cloud_only");
  auto pair = decide_placement(default_policy(), server(512), {cloud("own", 1000), cloud("n1", 2000)}, {}, rng, 0);
  EXPECT_EQ(reason_category(pair), "one_neighbour");
  std::vector<capacity_report> four{cloud("own", 1000), cloud("n1", 2000), cloud("n2", 3000), cloud("n3", 4000)};
  auto weighed = decide_placement(default_policy(), server(512), four, {}, rng, 0);
  EXPECT_EQ(reason_category(weighed), "weighed");
  auto probed = refine_placement(default_policy(), weighed, {cloud(weighed.winner.region, 4000)}, 0);
  EXPECT_EQ(reason_category(probed), "live_probe");
  auto none = decide_placement(default_policy(), server(1 << 20), four, {}, rng, 0);
  ASSERT_FALSE(none.placed);
  EXPECT_EQ(reason_category(none), "nothing_fits");
}

} // namespace
} // namespace fedstack
