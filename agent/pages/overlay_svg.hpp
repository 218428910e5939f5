#pragma once
// The overlay graph as an SVG picture, for the status page (agent/status_view)
// and /fedstack/overlay.svg. Pure C++17: no CAF, no Asio.
//
// Nodes sit on a circle in address order (so the picture is the same for the
// same graph), clockwise from the top; each is a `<g class="node"
// data-node="HOST:PORT" data-state="self|reached|unreachable|not-asked">` with
// its region and address as labels. Directed links are lines with an
// arrowhead, each drawn a little to its right so that A->B and B->A stay
// apart, labelled with the entry's CYCLON age. Nodes that did not answer are
// grey and dashed, nodes left unasked grey and dotted. All text is escaped.

#include <string>

#include "agent/pages/overlay_graph.hpp"

namespace fedstack::agent {

/// The picture's coordinate system; it scales to the width it is shown at.
constexpr int overlay_svg_width = 880;
constexpr int overlay_svg_height = 620;

/// A complete `<svg>` element (also a valid standalone SVG document); `self`
/// is highlighted.
std::string render_overlay_svg(const overlay_graph& graph, const peer_address& self);

} // namespace fedstack::agent
