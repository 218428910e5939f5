#include "agent/pages/overlay_svg.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "agent/pages/markup.hpp"

namespace fedstack::agent {
namespace {

constexpr double pi = 3.14159265358979323846;

enum class vertex_state { self, reached, unreachable, not_asked };

const char* state_name(vertex_state s) {
  switch (s) {
    case vertex_state::self: return "self";
    case vertex_state::reached: return "reached";
    case vertex_state::unreachable: return "unreachable";
    case vertex_state::not_asked: return "not-asked";
  }
  return "reached";
}

struct vertex {
  vertex_state state = vertex_state::not_asked;
  std::string region;
  std::string detail;   // URL, or why it did not answer
  double x = 0, y = 0;
};

struct style {
  const char* fill;
  const char* stroke;
  const char* width;
  const char* dash;   // empty: solid
};

style style_of(vertex_state s) {
  switch (s) {
    case vertex_state::self: return {"#2f6fb0", "#173f66", "3", ""};
    case vertex_state::reached: return {"#e8f1fb", "#2f6fb0", "2", ""};
    case vertex_state::unreachable: return {"#eeeeee", "#888888", "2", "5 4"};
    case vertex_state::not_asked: return {"#ffffff", "#aaaaaa", "1.5", "2 3"};
  }
  return {"#ffffff", "#000000", "1", ""};
}

/// Coordinates with one decimal, whatever the C++ locale.
std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + escape_markup(value) + "\"";
}

std::string circle_element(double x, double y, double r, const style& s) {
  std::string out = "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\" fill=\"" +
                    s.fill + "\" stroke=\"" + s.stroke + "\" stroke-width=\"" + s.width + "\"";
  if (*s.dash) out += std::string(" stroke-dasharray=\"") + s.dash + "\"";
  return out + "/>";
}

/// Every address the graph names, with what is known about it.
std::map<peer_address, vertex> vertices_of(const overlay_graph& g, const peer_address& self) {
  std::map<peer_address, vertex> v;
  for (const auto& n : g.not_asked) v[n.address] = {vertex_state::not_asked, n.region, n.http_url};
  for (const auto& e : g.edges) {
    v.emplace(e.from, vertex{});
    v.emplace(e.to, vertex{});
  }
  for (const auto& u : g.unreachable)
    v[u.address] = {vertex_state::unreachable, u.region, "no answer: " + u.error};
  for (const auto& n : g.nodes)
    v[n.address] = {n.address == self ? vertex_state::self : vertex_state::reached, n.region, n.http_url};
  return v;
}

} // namespace

std::string render_overlay_svg(const overlay_graph& graph, const peer_address& self) {
  constexpr double width = overlay_svg_width, height = overlay_svg_height;
  constexpr double cx = width / 2, cy = 290, radius = 210;
  auto vertices = vertices_of(graph, self);
  const auto n = vertices.size();
  double r = 22;
  if (n > 12) r = std::max(5.0, std::min(22.0, 0.4 * 2 * pi * radius / static_cast<double>(n)));
  double region_font = n <= 16 ? 14 : n <= 32 ? 11 : 8;
  double address_font = n <= 16 ? 12 : n <= 32 ? 9 : 7;

  std::size_t i = 0;
  for (auto& [address, v] : vertices) {
    if (n == 1) {
      v.x = cx;
      v.y = cy;
    } else {
      double angle = -pi / 2 + 2 * pi * static_cast<double>(i) / static_cast<double>(n);
      v.x = cx + radius * std::cos(angle);
      v.y = cy + radius * std::sin(angle);
    }
    ++i;
  }

  std::size_t answered = 0, unreachable = 0, unasked = 0;
  for (const auto& [address, v] : vertices) {
    if (v.state == vertex_state::self || v.state == vertex_state::reached) ++answered;
    if (v.state == vertex_state::unreachable) ++unreachable;
    if (v.state == vertex_state::not_asked) ++unasked;
  }
  std::string caption = std::to_string(answered) + (answered == 1 ? " node" : " nodes") + " answered, " +
                        std::to_string(graph.edges.size()) + (graph.edges.size() == 1 ? " link" : " links");
  if (unreachable) caption += ", " + std::to_string(unreachable) + " did not answer";
  if (unasked) caption += ", " + std::to_string(unasked) + " not asked";
  caption += graph.stopped_by.empty() ? "; walk complete" : "; walk stopped by " + graph.stopped_by;

  std::string out;
  out.reserve(4096 + 600 * n + 300 * graph.edges.size());
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"overlay\" viewBox=\"0 0 " + num(width) + " " +
         num(height) + "\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" font-family=\"sans-serif\"" +
         " role=\"img\"" + attr("aria-label", "Overlay walked from " + to_string(graph.start) + ": " + caption) +
         ">\n";
  out += "<defs>\n";
  for (auto [id, colour] : {std::pair{"fs-arrow", "#6b7a8c"}, std::pair{"fs-arrow-grey", "#b0b0b0"}})
    out += std::string("<marker id=\"") + id +
           "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
           "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" + colour + "\"/></marker>\n";
  out += "</defs>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"16\" y=\"26\" font-size=\"14\" fill=\"#333333\">" + escape_markup(caption) + "</text>\n";

  out += "<g class=\"edges\">\n";
  for (const auto& e : graph.edges) {
    if (e.from == e.to) continue;
    const auto& a = vertices.at(e.from);
    const auto& b = vertices.at(e.to);
    double dx = b.x - a.x, dy = b.y - a.y, length = std::hypot(dx, dy);
    if (length < 2 * r + 4) continue;
    double ux = dx / length, uy = dy / length;
    // The right-hand side of the direction of travel: A->B and B->A part.
    double nx = -uy * 5, ny = ux * 5;
    double x1 = a.x + ux * r + nx, y1 = a.y + uy * r + ny;
    double x2 = b.x - ux * (r + 3) + nx, y2 = b.y - uy * (r + 3) + ny;
    bool live = b.state == vertex_state::self || b.state == vertex_state::reached;
    std::string title = (a.region.empty() ? to_string(e.from) : a.region) + " \xE2\x86\x92 " +
                        (b.region.empty() ? to_string(e.to) : b.region) + ", age " + std::to_string(e.age);
    out += "<g class=\"edge\"" + attr("data-from", to_string(e.from)) + attr("data-to", to_string(e.to)) +
           " data-age=\"" + std::to_string(e.age) + "\"><title>" + escape_markup(title) + "</title>";
    out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
           "\" stroke=\"" + (live ? "#6b7a8c" : "#b0b0b0") + "\" stroke-width=\"1.5\"" +
           (live ? "" : " stroke-dasharray=\"4 3\"") + " marker-end=\"url(#" +
           (live ? "fs-arrow" : "fs-arrow-grey") + ")\"/>";
    // The age near the tail, so that the labels of crossing links do not meet in the middle.
    double lx = x1 + (x2 - x1) * 0.25 + nx * 1.8, ly = y1 + (y2 - y1) * 0.25 + ny * 1.8;
    out += "<text class=\"age\" x=\"" + num(lx) + "\" y=\"" + num(ly + 3.5) +
           "\" font-size=\"10\" fill=\"#555555\" text-anchor=\"middle\">" + std::to_string(e.age) +
           "</text></g>\n";
  }
  out += "</g>\n";

  out += "<g class=\"nodes\">\n";
  for (const auto& [address, v] : vertices) {
    auto name = to_string(address);
    double dx = v.x - cx, dy = v.y - cy, d = std::hypot(dx, dy);
    double ux = d > 0 ? dx / d : 0, uy = d > 0 ? dy / d : -1;
    double lx = v.x + ux * (r + 10), ly = v.y + uy * (r + 10);
    const char* anchor = ux > 0.3 ? "start" : ux < -0.3 ? "end" : "middle";
    // Two lines: region above address; above the circle at the top, below it at the bottom.
    double first_line = uy < -0.3 ? ly - address_font - 4 : uy > 0.3 ? ly + region_font : ly;
    std::string region_label = v.region.empty() ? std::string("?") : shorten(v.region, 28);
    if (v.state == vertex_state::self) region_label += " (this node)";
    std::string title = (v.region.empty() ? std::string("unknown region") : v.region) + " \xE2\x80\x94 " + name;
    if (!v.detail.empty()) title += " \xE2\x80\x94 " + v.detail;
    if (v.state == vertex_state::not_asked) title += " \xE2\x80\x94 not asked";
    auto s = style_of(v.state);
    out += "<g class=\"node\"" + attr("data-node", name) + " data-state=\"" + state_name(v.state) + "\"" +
           attr("data-region", v.region) + "><title>" + escape_markup(title) + "</title>";
    out += circle_element(v.x, v.y, r, s);
    out += "<text x=\"" + num(lx) + "\" y=\"" + num(first_line) + "\" font-size=\"" + num(region_font) +
           "\" font-weight=\"bold\" fill=\"" + (v.state == vertex_state::unreachable ||
                                                v.state == vertex_state::not_asked ? "#777777" : "#1b1f24") +
           "\" text-anchor=\"" + anchor + "\">" + escape_markup(region_label) + "</text>";
    out += "<text x=\"" + num(lx) + "\" y=\"" + num(first_line + address_font + 3) + "\" font-size=\"" +
           num(address_font) + "\" fill=\"#555555\" text-anchor=\"" + anchor + "\">" +
           escape_markup(shorten(name, 40)) + "</text></g>\n";
  }
  out += "</g>\n";

  // The legend: circles outside any node group, so they are not counted as nodes.
  out += "<g class=\"legend\" font-size=\"12\" fill=\"#333333\">";
  double x = 16;
  for (auto [state, label] : {std::pair{vertex_state::self, "this node"}, std::pair{vertex_state::reached, "answered"},
                              std::pair{vertex_state::unreachable, "did not answer"},
                              std::pair{vertex_state::not_asked, "not asked"}}) {
    out += circle_element(x + 7, height - 22, 7, style_of(state));
    out += "<text x=\"" + num(x + 20) + "\" y=\"" + num(height - 18) + "\">" + label + "</text>";
    x += 40 + 7.0 * static_cast<double>(std::string(label).size());
  }
  out += "<text x=\"" + num(width - 16) + "\" y=\"" + num(height - 18) +
         "\" text-anchor=\"end\">arrow: A lists B in its neighbour cache; number: the entry's age</text>";
  out += "</g>\n</svg>\n";
  return out;
}

} // namespace fedstack::agent
