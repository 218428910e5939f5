#include "agent/pages/overlay_graph.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

overlay_walk::overlay_walk(const peer_address& start, std::size_t max_nodes) : max_nodes_(max_nodes) {
  graph_.start = start;
  queue_.push_back(start);
  heard_.emplace(start, peer_entry{start, 0, {}, {}});
}

bool overlay_walk::finished() const {
  return queue_.empty() || asked_ >= max_nodes_ || !graph_.stopped_by.empty();
}

std::vector<peer_address> overlay_walk::next(std::size_t n) {
  std::vector<peer_address> batch;
  while (!finished() && batch.size() < n) {
    batch.push_back(queue_.front());
    queue_.pop_front();
    ++asked_;
  }
  return batch;
}

void overlay_walk::reached(const peer_address& at, const peer_entry& info,
                           const std::vector<peer_entry>& members) {
  graph_.nodes.push_back({at, info.region, info.http_url});
  for (const auto& m : members) {
    if (!is_valid(m) || m.address == at) continue;
    graph_.edges.push_back({at, m.address, m.age});
    if (heard_.emplace(m.address, m).second) queue_.push_back(m.address);
  }
}

void overlay_walk::failed(const peer_address& at, const std::string& error) {
  auto it = heard_.find(at);
  graph_.unreachable.push_back({at, it == heard_.end() ? std::string{} : it->second.region, error});
}

void overlay_walk::stop(const std::string& why) {
  if (graph_.stopped_by.empty()) graph_.stopped_by = why.empty() ? "stopped" : why;
}

overlay_graph overlay_walk::finish() {
  if (!queue_.empty() && graph_.stopped_by.empty())
    graph_.stopped_by = "the bound of " + std::to_string(max_nodes_) + " nodes";
  for (const auto& address : queue_) {
    const auto& entry = heard_.at(address);
    graph_.not_asked.push_back({address, entry.region, entry.http_url});
  }
  queue_.clear();
  return std::move(graph_);
}

nlohmann::json to_json(const overlay_graph& graph) {
  using json = nlohmann::json;
  json nodes = json::array(), edges = json::array(), unreachable = json::array(),
       not_asked = json::array();
  for (const auto& n : graph.nodes)
    nodes.push_back({{"node", to_string(n.address)}, {"region", n.region}, {"http_url", n.http_url}});
  for (const auto& e : graph.edges)
    edges.push_back({{"from", to_string(e.from)}, {"to", to_string(e.to)}, {"age", e.age}});
  for (const auto& u : graph.unreachable)
    unreachable.push_back({{"node", to_string(u.address)}, {"region", u.region}, {"error", u.error}});
  for (const auto& n : graph.not_asked)
    not_asked.push_back({{"node", to_string(n.address)}, {"region", n.region}, {"http_url", n.http_url}});
  return {{"start", to_string(graph.start)}, {"nodes", nodes},           {"edges", edges},
          {"unreachable", unreachable},      {"not_asked", not_asked},   {"complete", graph.stopped_by.empty()},
          {"stopped_by", graph.stopped_by}};
}

namespace {

/// A DOT string literal's contents: quotes and backslashes escaped, line breaks
/// and other control characters left out.
std::string dot_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

} // namespace

std::string to_dot(const overlay_graph& graph) {
  std::ostringstream out;
  out << "digraph overlay {\n";
  for (const auto& n : graph.nodes) {
    auto name = dot_text(to_string(n.address));
    out << "  \"" << name << "\" [label=\"" << dot_text(n.region) << "\\n" << name << "\"];\n";
  }
  for (const auto& u : graph.unreachable) {
    auto name = dot_text(to_string(u.address));
    out << "  \"" << name << "\" [style=dashed, label=\"unreachable\\n" << name << "\"];\n";
  }
  for (const auto& n : graph.not_asked) {
    auto name = dot_text(to_string(n.address));
    out << "  \"" << name << "\" [style=dotted, label=\"not asked\\n" << name << "\"];\n";
  }
  for (const auto& e : graph.edges)
    out << "  \"" << dot_text(to_string(e.from)) << "\" -> \"" << dot_text(to_string(e.to))
        << "\" [label=\"" << e.age << "\"];\n";
  out << "}\n";
  return out.str();
}

} // namespace fedstack::agent
