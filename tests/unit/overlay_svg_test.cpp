// The status page's pure parts: the overlay walk's state machine and its
// renderings (JSON, DOT, SVG), and the escaping every peer-sent text goes through.

#include "agent/pages/markup.hpp"
#include "agent/pages/overlay_graph.hpp"
#include "agent/pages/overlay_svg.hpp"

#include <algorithm>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fedstack::agent {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

peer_address local(std::uint16_t port) { return {"127.0.0.1", port}; }

/// n nodes at ports 4001.., each listing the next two (a ring with chords).
overlay_graph ring(std::uint16_t n) {
  overlay_graph g;
  g.start = local(4001);
  for (std::uint16_t i = 0; i < n; ++i) {
    g.nodes.push_back({local(4001 + i), "cloudlet-" + std::to_string(i + 1),
                       "http://127.0.0.1:" + std::to_string(5001 + i)});
    for (std::uint16_t k = 1; k <= 2 && k < n; ++k)
      g.edges.push_back({local(4001 + i), local(4001 + (i + k) % n), static_cast<std::uint32_t>(k)});
  }
  return g;
}

// -- markup -------------------------------------------------------------------

TEST(markup, escapes_the_five_characters) {
  EXPECT_EQ(escape_markup("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(escape_markup("cloudlet-1"), "cloudlet-1");
}

TEST(markup, keeps_utf8_and_replaces_what_is_not) {
  EXPECT_EQ(escape_markup("r\xC3\xA9gion \xF0\x9F\x8C\x8D"), "r\xC3\xA9gion \xF0\x9F\x8C\x8D");
  EXPECT_EQ(escape_markup("a\xFFz"), "a\xEF\xBF\xBDz");                  // stray byte
  EXPECT_EQ(escape_markup("a\xC3"), "a\xEF\xBF\xBD");                    // cut sequence
  EXPECT_EQ(escape_markup("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");     // overlong '<'
  EXPECT_EQ(escape_markup("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");   // surrogate
}

TEST(markup, drops_control_characters_but_tab_and_newline) {
  EXPECT_EQ(escape_markup(std::string("a\0b\x01\x1b[31m\x7f\tc\n", 13)), "ab[31m\tc\n");
}

TEST(markup, shortens_by_code_points) {
  EXPECT_EQ(shorten("abcdef", 6), "abcdef");
  EXPECT_EQ(shorten("abcdef", 4), "abc\xE2\x80\xA6");
  EXPECT_EQ(shorten("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(shorten("abc", 0), "");
}

// -- the walk -----------------------------------------------------------------

std::vector<peer_entry> entries(std::initializer_list<std::uint16_t> ports, std::uint32_t age = 1) {
  std::vector<peer_entry> out;
  for (auto p : ports) out.push_back({local(p), age, "cloudlet-" + std::to_string(p - 4000), "http://x"});
  return out;
}

TEST(overlay_walk, visits_breadth_first_once_each) {
  overlay_walk walk{local(4001), 100};
  EXPECT_EQ(walk.next(5), std::vector<peer_address>{local(4001)});
  walk.reached(local(4001), {local(4001), 0, "cloudlet-1", "u1"}, entries({4002, 4003}));
  auto level = walk.next(5);
  ASSERT_EQ(level, (std::vector<peer_address>{local(4002), local(4003)}));
  walk.reached(local(4002), entries({4002})[0], entries({4001, 4003, 4004}));
  walk.failed(local(4003), "timeout");
  EXPECT_EQ(walk.next(5), std::vector<peer_address>{local(4004)});
  walk.reached(local(4004), entries({4004})[0], entries({4001}));
  EXPECT_TRUE(walk.finished());
  auto g = walk.finish();
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[2].address, local(4004));
  EXPECT_EQ(g.edges.size(), 6u);
  ASSERT_EQ(g.unreachable.size(), 1u);
  EXPECT_EQ(g.unreachable[0].region, "cloudlet-3");   // as the neighbour named it
  EXPECT_EQ(g.unreachable[0].error, "timeout");
  EXPECT_TRUE(g.not_asked.empty());
  EXPECT_TRUE(g.stopped_by.empty());
}

TEST(overlay_walk, asks_at_most_max_nodes_answering_or_not) {
  overlay_walk walk{local(4001), 2};
  walk.next(1);
  walk.failed(local(4001), "down");   // even the start may fail: nothing more is known
  EXPECT_TRUE(walk.finished());

  overlay_walk bounded{local(4001), 2};
  bounded.next(10);
  bounded.reached(local(4001), entries({4001})[0], entries({4002, 4003, 4004}));
  EXPECT_EQ(bounded.next(10).size(), 1u);
  EXPECT_TRUE(bounded.finished());
  auto g = bounded.finish();
  EXPECT_EQ(g.not_asked.size(), 2u);
  EXPECT_EQ(g.stopped_by, "the bound of 2 nodes");
}

TEST(overlay_walk, leaves_out_invalid_entries_and_self_links) {
  overlay_walk walk{local(4001), 10};
  walk.next(1);
  auto members = entries({4001, 4002});
  members.push_back({peer_address{"bad host", 1}, 0, "x", "y"});
  members.push_back({peer_address{"127.0.0.1", 0}, 0, "x", "y"});
  walk.reached(local(4001), entries({4001})[0], members);
  auto g = walk.finish();
  ASSERT_EQ(g.edges.size(), 1u);
  EXPECT_EQ(g.edges[0].to, local(4002));
}

TEST(overlay_walk, stop_reports_the_rest_as_not_asked) {
  overlay_walk walk{local(4001), 10};
  walk.next(1);
  walk.reached(local(4001), entries({4001})[0], entries({4002, 4003}));
  walk.stop("its deadline (5000 ms)");
  EXPECT_TRUE(walk.finished());
  EXPECT_TRUE(walk.next(5).empty());
  auto g = walk.finish();
  EXPECT_EQ(g.not_asked.size(), 2u);
  EXPECT_EQ(g.stopped_by, "its deadline (5000 ms)");
  EXPECT_EQ(to_json(g)["complete"], false);
}

TEST(overlay_graph, json_and_dot_name_every_node_and_edge) {
  auto g = ring(3);
  g.unreachable.push_back({local(4009), "far \"away\"", "timeout"});
  auto j = to_json(g);
  EXPECT_EQ(j["nodes"].size(), 3u);
  EXPECT_EQ(j["edges"].size(), 6u);
  EXPECT_EQ(j["edges"][0]["from"], "127.0.0.1:4001");
  EXPECT_EQ(j["unreachable"][0]["node"], "127.0.0.1:4009");
  EXPECT_EQ(j["complete"], true);
  auto dot = to_dot(g);
  EXPECT_NE(dot.find("\"127.0.0.1:4001\" -> \"127.0.0.1:4002\" [label=\"1\"];"), std::string::npos);
  g.nodes[0].region = "evil\"];\n x -> y [label=\"";
  dot = to_dot(g);
  EXPECT_NE(dot.find("label=\"evil\\\"]; x -> y [label=\\\"\\n127.0.0.1:4001\"]"), std::string::npos) << dot;
}

// -- SVG ----------------------------------------------------------------------

TEST(overlay_svg, one_group_per_node_with_its_address) {
  auto svg = render_overlay_svg(ring(4), local(4001));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(count(svg, "<g class=\"node\""), 4u);
  for (std::uint16_t p = 4001; p <= 4004; ++p)
    EXPECT_EQ(count(svg, "data-node=\"127.0.0.1:" + std::to_string(p) + "\""), 1u);
  EXPECT_EQ(count(svg, "data-state=\"self\""), 1u);
  EXPECT_NE(svg.find("data-node=\"127.0.0.1:4001\" data-state=\"self\""), std::string::npos);
  EXPECT_EQ(count(svg, "data-state=\"reached\""), 3u);
  EXPECT_NE(svg.find(">cloudlet-1 (this node)<"), std::string::npos);
  EXPECT_NE(svg.find(">cloudlet-3<"), std::string::npos);
  EXPECT_NE(svg.find(">127.0.0.1:4003<"), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 880.0 620.0\""), std::string::npos);
  EXPECT_EQ(count(svg, "<g"), count(svg, "</g>"));
}

TEST(overlay_svg, directed_edges_have_arrowheads_and_ages) {
  auto g = ring(4);
  auto svg = render_overlay_svg(g, local(4001));
  EXPECT_NE(svg.find("<marker id=\"fs-arrow\""), std::string::npos);
  EXPECT_EQ(count(svg, "<g class=\"edge\""), g.edges.size());
  EXPECT_EQ(count(svg, "marker-end=\"url(#fs-arrow)\""), g.edges.size());
  EXPECT_EQ(count(svg, "data-from=\"127.0.0.1:4001\" data-to=\"127.0.0.1:4002\" data-age=\"1\""), 1u);
  EXPECT_EQ(count(svg, "data-from=\"127.0.0.1:4001\" data-to=\"127.0.0.1:4003\" data-age=\"2\""), 1u);
  // A link to itself (a confused peer) is not drawn; a node with no links still is.
  g.edges.push_back({local(4002), local(4002), 0});
  g.nodes.push_back({local(4005), "alone", ""});
  svg = render_overlay_svg(g, local(4001));
  EXPECT_EQ(count(svg, "<g class=\"edge\""), g.edges.size() - 1);
  EXPECT_EQ(count(svg, "<g class=\"node\""), 5u);
}

TEST(overlay_svg, first_address_at_the_top_then_clockwise) {
  auto svg = render_overlay_svg(ring(4), local(4003));
  // Centre (440, 290), radius 210: 4001 at the top, 4002 on the right.
  EXPECT_NE(svg.find("data-node=\"127.0.0.1:4001\" data-state=\"reached\" data-region=\"cloudlet-1\">"
                     "<title>cloudlet-1 \xE2\x80\x94 127.0.0.1:4001 \xE2\x80\x94 http://127.0.0.1:5001</title>"
                     "<circle cx=\"440.0\" cy=\"80.0\""),
            std::string::npos)
    << svg;
  EXPECT_NE(svg.find("data-node=\"127.0.0.1:4002\" data-state=\"reached\" data-region=\"cloudlet-2\">"
                     "<title>cloudlet-2 \xE2\x80\x94 127.0.0.1:4002 \xE2\x80\x94 http://127.0.0.1:5002</title>"
                     "<circle cx=\"650.0\" cy=\"290.0\""),
            std::string::npos);
}

TEST(overlay_svg, same_graph_same_picture_whatever_the_walk_order) {
  auto g = ring(6);
  auto first = render_overlay_svg(g, local(4002));
  EXPECT_EQ(first, render_overlay_svg(g, local(4002)));
  std::mt19937 rng{7};
  std::shuffle(g.nodes.begin(), g.nodes.end(), rng);
  EXPECT_EQ(first, render_overlay_svg(g, local(4002)));
}

TEST(overlay_svg, escapes_what_peers_send) {
  auto g = ring(3);
  g.nodes[1].region = "<script>alert(1)</script>";
  g.nodes[2].region = "\"><img src=x onerror=alert(2)>";
  g.nodes[2].http_url = "javascript:alert(3)'\x01";
  g.unreachable.push_back({peer_address{"evil\"><script>", 1}, "a&b", "<b>bold</b>"});
  auto svg = render_overlay_svg(g, local(4001));
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("data-region=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""), std::string::npos);
  EXPECT_NE(svg.find("data-node=\"evil&quot;&gt;&lt;script&gt;:1\""), std::string::npos);
  EXPECT_NE(svg.find("a&amp;b"), std::string::npos);
  EXPECT_EQ(count(svg, "<g class=\"node\""), 4u);
}

TEST(overlay_svg, unreachable_dashed_and_not_asked_dotted) {
  auto g = ring(3);
  g.unreachable.push_back({local(4007), "cloudlet-7", "timeout"});
  g.edges.push_back({local(4001), local(4007), 3});
  g.not_asked.push_back({local(4008), "cloudlet-8", ""});
  g.stopped_by = "the bound of 4 nodes";
  auto svg = render_overlay_svg(g, local(4001));
  EXPECT_EQ(count(svg, "<g class=\"node\""), 5u);
  auto unreachable = svg.find("data-node=\"127.0.0.1:4007\" data-state=\"unreachable\"");
  ASSERT_NE(unreachable, std::string::npos);
  auto end = svg.find("</g>", unreachable);
  EXPECT_NE(svg.substr(unreachable, end - unreachable).find("stroke-dasharray=\"5 4\""), std::string::npos);
  EXPECT_NE(svg.find("no answer: timeout"), std::string::npos);
  auto unasked = svg.find("data-node=\"127.0.0.1:4008\" data-state=\"not-asked\"");
  ASSERT_NE(unasked, std::string::npos);
  EXPECT_NE(svg.substr(unasked, svg.find("</g>", unasked) - unasked).find("stroke-dasharray=\"2 3\""),
            std::string::npos);
  // The link to a node that did not answer is grey and dashed.
  EXPECT_NE(svg.find("data-to=\"127.0.0.1:4007\" data-age=\"3\""), std::string::npos);
  EXPECT_EQ(count(svg, "marker-end=\"url(#fs-arrow-grey)\""), 1u);
  EXPECT_NE(svg.find("walk stopped by the bound of 4 nodes"), std::string::npos);
}

TEST(overlay_svg, one_node_alone_and_many_nodes) {
  overlay_graph alone;
  alone.start = local(4001);
  alone.nodes.push_back({local(4001), "solo", ""});
  auto svg = render_overlay_svg(alone, local(4001));
  EXPECT_EQ(count(svg, "<g class=\"node\""), 1u);
  EXPECT_NE(svg.find("<circle cx=\"440.0\" cy=\"290.0\""), std::string::npos);
  EXPECT_EQ(count(render_overlay_svg(ring(64), local(4001)), "<g class=\"node\""), 64u);
}

} // namespace
} // namespace fedstack::agent
