// The status page's HTML and JSON (agent/pages/status_view.hpp): every section, the
// parts that are unavailable, and the escaping of what peers send.

#include "agent/pages/status_view.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fedstack::agent {
namespace {

constexpr std::int64_t now = 1'700'000'000'000;
const std::string checksum = "d41d8cd98f00b204e9800998ecf8427e";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

peer_address local(std::uint16_t port) { return {"127.0.0.1", port}; }

capacity_report report(std::uint16_t port, const std::string& region) {
  capacity_report r;
  r.region = region;
  r.node = local(port);
  r.free_ram_mb = 12'288;
  r.total_ram_mb = 16'384;
  r.free_disk_gb = 900;
  r.total_disk_gb = 1000;
  r.free_vcpus = 6;
  r.total_vcpus = 8;
  r.running_vms = 2;
  r.hypervisors = 1;
  r.image_checksums = {checksum};
  r.measured_unix_ms = now - 2500;
  return r;
}

placement_decision decision(const std::string& winner, std::int64_t at) {
  placement_decision d;
  d.request.kind = placement_kind::server;
  d.request.ram_mb = 512;
  d.request.disk_gb = 1;
  d.request.vcpus = 1;
  d.request.image_checksum = checksum;
  d.summary = summarize(d.request);
  scored_candidate c;
  c.target = {winner, local(4002)};
  c.scores = {{"ram", 12288, 1.0, 1.0}};
  c.total = 1.0;
  d.candidates.push_back(c);
  d.filtered_out.push_back({{"cloudlet-3", local(4003)}, "resource", "ram: 100MB free, 512MB wanted"});
  d.placed = true;
  d.winner = c.target;
  d.reason = "workflow 5 case 3 (2 neighbours): filtered, then weighed; " + winner + " wins";
  d.decided_unix_ms = at;
  return d;
}

status_snapshot full() {
  status_snapshot s;
  s.self = {local(4001), 0, "cloudlet-1", "http://127.0.0.1:5001"};
  s.now_unix_ms = now;
  s.uptime_s = 3725;
  s.capacity.value = report(4001, "cloudlet-1");
  s.neighbours.value = {{local(4002), 3, "cloudlet-2", "http://127.0.0.1:5002"},
                        {local(4003), 1, "cloudlet-3", "http://127.0.0.1:5003"}};
  s.neighbour_capacity.value = {report(4001, "cloudlet-1"), report(4002, "cloudlet-2")};
  s.unreachable_neighbours = {local(4003)};
  overlay_graph g;
  g.start = local(4001);
  g.nodes = {{local(4001), "cloudlet-1", ""}, {local(4002), "cloudlet-2", ""}, {local(4003), "cloudlet-3", ""}};
  g.edges = {{local(4001), local(4002), 3}, {local(4002), local(4003), 1}};
  s.overlay.value = g;
  s.decisions.value = {decision("cloudlet-2", now - 60'000), decision("cloudlet-4", now - 1000)};
  return s;
}

TEST(status_html, shows_every_section) {
  auto html = render_status_html(full());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<td id=\"self-region\">cloudlet-1</td>"), std::string::npos);
  EXPECT_NE(html.find("127.0.0.1:4001"), std::string::npos);
  EXPECT_NE(html.find("http://127.0.0.1:5001"), std::string::npos);
  EXPECT_NE(html.find("1 h 2 min"), std::string::npos);                  // uptime
  EXPECT_NE(html.find("12,288 MB"), std::string::npos);                  // capacity
  EXPECT_NE(html.find("2.5 s ago"), std::string::npos);                  // the reading's age
  EXPECT_NE(html.find("<table id=\"neighbours-table\""), std::string::npos);
  EXPECT_NE(html.find("<tr data-node=\"127.0.0.1:4002\">"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"down\" data-node=\"127.0.0.1:4003\">"), std::string::npos);
  EXPECT_EQ(count(html, "<g class=\"node\""), 3u);                      // the inline graph
  EXPECT_NE(html.find("<section id=\"decisions\""), std::string::npos);
  EXPECT_NE(html.find("ram: 100MB free, 512MB wanted"), std::string::npos);
  EXPECT_NE(html.find("cloudlet-2 (winner)"), std::string::npos);
  // Self-contained: no script and nothing fetched from elsewhere.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
}

TEST(status_html, decisions_newest_first_without_image_checksums) {
  auto html = render_status_html(full());
  auto newest = html.find("cloudlet-4 wins"), older = html.find("cloudlet-2 wins");
  ASSERT_NE(newest, std::string::npos);
  ASSERT_NE(older, std::string::npos);
  EXPECT_LT(newest, older);
  EXPECT_NE(html.find("server ram=512MB disk=1GB vcpus=1 image=yes az=any"), std::string::npos);
  EXPECT_EQ(html.find(checksum), std::string::npos);
  auto json = status_json(full());
  EXPECT_EQ(json["decisions"][0]["winner"], "cloudlet-4");
  EXPECT_EQ(json["decisions"].dump().find(checksum), std::string::npos);
  // The CLI (operators on the CAF port) keeps the scheduler's own summary.
  EXPECT_EQ(decision_json(decision("c", 0), false)["summary"], "server ram=512MB disk=1GB vcpus=1 image=" +
                                                                   checksum + " az=any");
}

TEST(status_html, says_when_there_are_no_decisions_or_neighbours) {
  auto s = full();
  s.decisions.value->clear();
  s.neighbours.value->clear();
  auto html = render_status_html(s);
  EXPECT_NE(html.find("no decisions yet"), std::string::npos);
  EXPECT_NE(html.find("no neighbours yet"), std::string::npos);
}

TEST(status_html, a_part_that_did_not_answer_is_unavailable_and_the_rest_shown) {
  auto s = full();
  s.capacity = {};
  s.capacity.error = "no reading of the cloudlet yet";
  s.overlay = {};
  s.overlay.error = "no answer within 6500 ms";
  s.decisions = {};
  s.decisions.error = "no answer within 2000 ms";
  auto html = render_status_html(s);
  EXPECT_NE(html.find("unavailable: no reading of the cloudlet yet"), std::string::npos);
  EXPECT_NE(html.find("unavailable: no answer within 6500 ms"), std::string::npos);
  EXPECT_NE(html.find("unavailable: no answer within 2000 ms"), std::string::npos);
  EXPECT_NE(html.find("<table id=\"neighbours-table\""), std::string::npos);
  auto json = status_json(s);
  EXPECT_TRUE(json["capacity"].is_null());
  EXPECT_EQ(json["unavailable"]["capacity"], "no reading of the cloudlet yet");
  EXPECT_EQ(json["unavailable"]["overlay"], "no answer within 6500 ms");
  EXPECT_FALSE(json["unavailable"].contains("neighbours"));
  EXPECT_EQ(json["neighbours"].size(), 2u);
}

TEST(status_html, escapes_hostile_regions_urls_and_errors) {
  auto s = full();
  const std::string hostile = "<script>alert(1)</script>";
  (*s.neighbours.value)[0].region = hostile;
  (*s.neighbours.value)[1].http_url = "\"><img src=x onerror=alert(2)>";
  s.overlay.value->nodes[1].region = hostile;
  s.overlay.value->unreachable.push_back({local(4009), hostile, "<iframe>"});
  (*s.decisions.value)[0].winner.region = hostile;
  (*s.decisions.value)[0].reason = "</p><style>body{display:none}</style>";
  (*s.decisions.value)[1].filtered_out[0].why = "<svg onload=alert(4)>";
  s.self.region = "it's <b>mine</b> & \"ours\"";
  auto html = render_status_html(s);
  for (const char* tag : {"<script", "<img", "<iframe", "<b>", "<svg onload", "<style>body"})
    EXPECT_EQ(html.find(tag), std::string::npos) << tag;
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<td id=\"self-region\">it&#39;s &lt;b&gt;mine&lt;/b&gt; &amp; &quot;ours&quot;</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<title>fedstack it&#39;s &lt;b&gt;mine"), std::string::npos);
  // Exactly one <style> element (ours) and one <svg> (the graph).
  EXPECT_EQ(count(html, "<style"), 1u);
  EXPECT_EQ(count(html, "<svg"), 1u);
}

TEST(status_json, has_the_same_data) {
  auto json = status_json(full());
  EXPECT_EQ(json["node"]["region"], "cloudlet-1");
  EXPECT_EQ(json["node"]["node"], "127.0.0.1:4001");
  EXPECT_EQ(json["node"]["uptime_s"], 3725);
  EXPECT_EQ(json["capacity"]["free_ram_mb"], 12288);
  EXPECT_DOUBLE_EQ(json["capacity"]["age_s"].get<double>(), 2.5);
  EXPECT_EQ(json["capacity"]["images"], 1);
  ASSERT_EQ(json["neighbours"].size(), 2u);
  EXPECT_EQ(json["neighbours"][0]["node"], "127.0.0.1:4002");
  EXPECT_EQ(json["neighbours"][0]["age"], 3);
  EXPECT_EQ(json["neighbours"][0]["capacity"]["region"], "cloudlet-2");
  EXPECT_EQ(json["neighbours"][1]["unreachable"], true);
  EXPECT_TRUE(json["neighbours"][1]["capacity"].is_null());
  EXPECT_EQ(json["overlay"]["nodes"].size(), 3u);
  EXPECT_EQ(json["overlay"]["complete"], true);
  EXPECT_EQ(json["decisions"].size(), 2u);
  EXPECT_EQ(json["decisions"][0]["candidates"][0]["weighers"][0]["weigher"], "ram");
  EXPECT_EQ(json["decisions"][0]["filtered_out"][0]["filter"], "resource");
  EXPECT_TRUE(json["unavailable"].empty());
}

} // namespace
} // namespace fedstack::agent
