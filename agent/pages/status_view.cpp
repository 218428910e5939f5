#include "agent/pages/status_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/pages/markup.hpp"
#include "agent/pages/overlay_svg.hpp"

namespace fedstack::agent {

using json = nlohmann::json;

// -- JSON ---------------------------------------------------------------------

json entry_json(const peer_entry& e) {
  return {{"node", to_string(e.address)}, {"age", e.age}, {"region", e.region}, {"http_url", e.http_url}};
}

json capacity_json(const capacity_report& r, std::int64_t now_unix_ms) {
  return {{"region", r.region},
          {"node", to_string(r.node)},
          {"http_url", r.http_url},
          {"free_ram_mb", r.free_ram_mb},
          {"free_disk_gb", r.free_disk_gb},
          {"free_vcpus", r.free_vcpus},
          {"total_ram_mb", r.total_ram_mb},
          {"total_disk_gb", r.total_disk_gb},
          {"total_vcpus", r.total_vcpus},
          {"running_vms", r.running_vms},
          {"images", r.image_checksums.size()},
          {"volume_pools", r.volume_pools},
          {"free_volume_gb", r.free_volume_gb},
          {"total_volume_gb", r.total_volume_gb},
          {"age_s", static_cast<double>(now_unix_ms - r.measured_unix_ms) / 1000.0}};
}

std::string public_summary(const placement_request& request) {
  auto shown = request;
  if (!shown.image_checksum.empty()) shown.image_checksum = "yes";
  return summarize(shown);
}

json decision_json(const placement_decision& d, bool public_view) {
  json candidates = json::array();
  for (const auto& c : d.candidates) {
    json weighers = json::array();
    for (const auto& s : c.scores)
      weighers.push_back({{"weigher", s.weigher}, {"raw", s.raw}, {"normalized", s.normalized},
                          {"multiplier", s.multiplier}});
    candidates.push_back({{"region", c.target.region}, {"node", to_string(c.target.node)},
                          {"score", c.total}, {"probed", c.probed}, {"weighers", weighers}});
  }
  json rejected = json::array();
  for (const auto& r : d.filtered_out)
    rejected.push_back({{"region", r.target.region}, {"node", to_string(r.target.node)},
                        {"filter", r.filter}, {"reason", r.why}});
  return {{"summary", public_view ? public_summary(d.request) : d.summary},
          {"placed", d.placed},
          {"winner", d.winner.region},
          {"winner_node", d.placed ? to_string(d.winner.node) : std::string{}},
          {"reason", d.reason},
          {"decided_unix_ms", d.decided_unix_ms},
          {"candidates", candidates},
          {"filtered_out", rejected}};
}

namespace {

bool contains(const std::vector<peer_address>& list, const peer_address& a) {
  return std::find(list.begin(), list.end(), a) != list.end();
}

const capacity_report* report_of(const status_snapshot& s, const peer_address& node) {
  if (!s.neighbour_capacity.value) return nullptr;
  for (const auto& r : *s.neighbour_capacity.value)
    if (r.node == node) return &r;
  return nullptr;
}

} // namespace

json status_json(const status_snapshot& s) {
  json out;
  json unavailable = json::object();
  out["node"] = {{"node", to_string(s.self.address)},
                 {"region", s.self.region},
                 {"http_url", s.self.http_url},
                 {"uptime_s", s.uptime_s >= 0 ? json(s.uptime_s) : json(nullptr)}};
  out["generated_unix_ms"] = s.now_unix_ms;
  out["capacity"] = s.capacity.value ? capacity_json(*s.capacity.value, s.now_unix_ms) : json(nullptr);
  if (!s.capacity.value) unavailable["capacity"] = s.capacity.error;
  if (s.neighbours.value) {
    json rows = json::array();
    for (const auto& m : *s.neighbours.value) {
      auto row = entry_json(m);
      const auto* r = report_of(s, m.address);
      row["capacity"] = r ? capacity_json(*r, s.now_unix_ms) : json(nullptr);
      row["unreachable"] = contains(s.unreachable_neighbours, m.address);
      rows.push_back(std::move(row));
    }
    out["neighbours"] = std::move(rows);
  } else {
    out["neighbours"] = nullptr;
    unavailable["neighbours"] = s.neighbours.error;
  }
  if (!s.neighbour_capacity.value) unavailable["neighbour_capacity"] = s.neighbour_capacity.error;
  out["overlay"] = s.overlay.value ? to_json(*s.overlay.value) : json(nullptr);
  if (!s.overlay.value) unavailable["overlay"] = s.overlay.error;
  if (s.decisions.value) {
    json list = json::array();
    for (auto it = s.decisions.value->rbegin(); it != s.decisions.value->rend(); ++it)
      list.push_back(decision_json(*it, true));
    out["decisions"] = std::move(list);
  } else {
    out["decisions"] = nullptr;
    unavailable["decisions"] = s.decisions.error;
  }
  out["unavailable"] = std::move(unavailable);
  return out;
}

// -- HTML ---------------------------------------------------------------------

namespace {

std::string h(std::string_view text) { return escape_markup(text); }

/// 12345 -> "12,345".
std::string grouped(std::int64_t v) {
  auto digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string utc_time(std::int64_t unix_ms) {
  auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return "?";
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string duration(double seconds) {
  char buffer[48];
  if (seconds < 0) return "in the future";
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  } else {
    auto s = static_cast<long long>(seconds);
    if (s < 3600)
      std::snprintf(buffer, sizeof buffer, "%lld min %lld s", s / 60, s % 60);
    else if (s < 86400)
      std::snprintf(buffer, sizeof buffer, "%lld h %lld min", s / 3600, (s % 3600) / 60);
    else
      std::snprintf(buffer, sizeof buffer, "%lld d %lld h", s / 86400, (s % 86400) / 3600);
  }
  return buffer;
}

std::string age_of(std::int64_t measured_unix_ms, std::int64_t now_unix_ms) {
  return duration(static_cast<double>(now_unix_ms - measured_unix_ms) / 1000.0);
}

std::string score(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", v);
  return buffer;
}

/// A weigher's measure: whole numbers as such, others with three decimals.
std::string measure(double v) {
  char buffer[32];
  if (std::abs(v) < 1e15 && v == static_cast<double>(static_cast<long long>(v)))
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buffer, sizeof buffer, "%.3f", v);
  return buffer;
}

std::string unavailable(const std::string& why) {
  return "<p class=\"unavailable\">unavailable: " + h(why) + "</p>\n";
}

/// A row of the capacity table: free of total, and a bar for what is used.
std::string resource_row(const char* name, std::int64_t free, std::int64_t total, const char* unit) {
  auto used = total > 0 ? std::clamp(static_cast<double>(total - free) / static_cast<double>(total), 0.0, 1.0) : 0.0;
  char percent[16];
  std::snprintf(percent, sizeof percent, "%.0f%%", used * 100);
  return std::string("<tr><th scope=\"row\">") + name + "</th><td class=\"num\">" + grouped(free) + " " + unit +
         "</td><td class=\"num\">" + grouped(total) + " " + unit +
         "</td><td><div class=\"bar\" title=\"" + percent + " used\"><span style=\"width:" + percent +
         "\"></span></div></td><td class=\"num\">" + percent + "</td></tr>\n";
}

constexpr const char* style_sheet = R"(
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;background:#f2f4f7}
header{background:#173f66;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:20px;font-weight:600}
header p{margin:4px 0 0;color:#cfe0f1;font-size:13px}
header a{color:#fff}
main{max-width:1240px;margin:0 auto;padding:16px 24px;display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
section{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:12px 16px;min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:16px;margin:0 0 8px}
h3{font-size:14px;margin:0 0 4px;font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e7ebef;vertical-align:top;overflow-wrap:anywhere}
thead th{font-weight:600;color:#57606a;font-size:12px}
tbody th{font-weight:600;color:#3d444d;width:28%}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{background:#e7ebef;border-radius:3px;height:9px;min-width:90px}
.bar span{display:block;height:9px;background:#2f6fb0;border-radius:3px}
.unavailable{color:#9a3412;background:#fff7ed;border:1px solid #fed7aa;padding:6px 10px;border-radius:4px}
.empty,.note{color:#57606a}
.empty{font-style:italic}
tr.down td{color:#9a3412}
tr.winner td{background:#eef6ee}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
.decision{border-top:1px solid #e7ebef;padding:10px 0}
.decision:first-of-type{border-top:0;padding-top:0}
.decision p{margin:2px 0 6px}
.tag{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;background:#e7ebef;color:#3d444d}
.tag.placed{background:#dcefdc;color:#1d5e20}
.tag.failed{background:#fde2e1;color:#8a1f17}
figure{margin:0}
figure svg{display:block;width:100%;max-width:820px;height:auto;margin:0 auto;border:1px solid #e7ebef;border-radius:4px}
figcaption{color:#57606a;font-size:13px;margin-top:6px;text-align:center}
footer{max-width:1240px;margin:0 auto;padding:0 24px 24px;color:#57606a;font-size:12px}
)";

void node_section(std::ostringstream& out, const status_snapshot& s) {
  out << "<section id=\"node\"><h2>This node</h2>\n<table class=\"facts\"><tbody>\n"
      << "<tr><th scope=\"row\">Cloudlet (region)</th><td id=\"self-region\">" << h(s.self.region) << "</td></tr>\n"
      << "<tr><th scope=\"row\">Node address</th><td class=\"mono\">" << h(to_string(s.self.address))
      << "</td></tr>\n"
      << "<tr><th scope=\"row\">HTTP API</th><td class=\"mono\">" << h(s.self.http_url) << "</td></tr>\n";
  if (s.uptime_s >= 0)
    out << "<tr><th scope=\"row\">Up for</th><td>" << duration(static_cast<double>(s.uptime_s)) << "</td></tr>\n";
  out << "<tr><th scope=\"row\">Page made at</th><td>" << utc_time(s.now_unix_ms) << "</td></tr>\n"
      << "</tbody></table></section>\n";
}

void capacity_section(std::ostringstream& out, const status_snapshot& s) {
  out << "<section id=\"capacity\"><h2>Cloudlet capacity</h2>\n";
  if (!s.capacity.value) {
    out << unavailable(s.capacity.error) << "</section>\n";
    return;
  }
  const auto& r = *s.capacity.value;
  out << "<table class=\"capacity\"><thead><tr><th></th><th class=\"num\">free</th><th class=\"num\">total</th>"
         "<th>used</th><th></th></tr></thead><tbody>\n"
      << resource_row("RAM", r.free_ram_mb, r.total_ram_mb, "MB")
      << resource_row("Disk", r.free_disk_gb, r.total_disk_gb, "GB")
      << resource_row("vCPUs", r.free_vcpus, r.total_vcpus, "")
      << "</tbody></table>\n<p class=\"note\">" << grouped(r.running_vms)
      << (r.running_vms == 1 ? " running VM on " : " running VMs on ")
      << grouped(r.hypervisors) << (r.hypervisors == 1 ? " hypervisor" : " hypervisors") << ", "
      << r.image_checksums.size() << (r.image_checksums.size() == 1 ? " active image" : " active images")
      << ". Read from the cloud "
      << age_of(r.measured_unix_ms, s.now_unix_ms) << " ago (" << utc_time(r.measured_unix_ms) << ").</p>\n"
      << "</section>\n";
}

void neighbours_section(std::ostringstream& out, const status_snapshot& s) {
  out << "<section id=\"neighbours\" class=\"wide\"><h2>Neighbours</h2>\n";
  if (!s.neighbours.value) {
    out << unavailable(s.neighbours.error) << "</section>\n";
    return;
  }
  out << "<table id=\"neighbours-table\" class=\"neighbours\"><thead><tr><th>Node</th><th>Cloudlet</th>"
         "<th class=\"num\">Age (shuffles)</th><th>HTTP API</th><th class=\"num\">Free RAM</th>"
         "<th class=\"num\">Free disk</th><th class=\"num\">Free vCPUs</th><th class=\"num\">VMs</th>"
         "<th class=\"num\">Capacity seen</th></tr></thead><tbody>\n";
  if (s.neighbours.value->empty())
    out << "<tr><td colspan=\"9\" class=\"empty\">no neighbours yet</td></tr>\n";
  for (const auto& m : *s.neighbours.value) {
    bool down = contains(s.unreachable_neighbours, m.address);
    out << "<tr" << (down ? " class=\"down\"" : "") << " data-node=\"" << h(to_string(m.address)) << "\">"
        << "<td class=\"mono\">" << h(to_string(m.address)) << "</td><td>"
        << (m.region.empty() ? std::string("<span class=\"empty\">not yet known</span>") : h(m.region))
        << "</td><td class=\"num\">" << m.age << "</td><td class=\"mono\">" << h(m.http_url) << "</td>";
    const auto* r = report_of(s, m.address);
    if (r)
      out << "<td class=\"num\">" << grouped(r->free_ram_mb) << " / " << grouped(r->total_ram_mb) << " MB</td>"
          << "<td class=\"num\">" << grouped(r->free_disk_gb) << " / " << grouped(r->total_disk_gb) << " GB</td>"
          << "<td class=\"num\">" << grouped(r->free_vcpus) << " / " << grouped(r->total_vcpus) << "</td>"
          << "<td class=\"num\">" << grouped(r->running_vms) << "</td>"
          << "<td class=\"num\">" << age_of(r->measured_unix_ms, s.now_unix_ms) << " ago"
          << (down ? " (unreachable)" : "") << "</td>";
    else
      out << "<td class=\"num\" colspan=\"5\">" << (down ? "unreachable" : "no report yet") << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
  if (!s.neighbour_capacity.value)
    out << unavailable("neighbours' capacity: " + s.neighbour_capacity.error);
  out << "</section>\n";
}

void overlay_section(std::ostringstream& out, const status_snapshot& s) {
  out << "<section id=\"overlay\" class=\"wide\"><h2>Overlay</h2>\n";
  if (!s.overlay.value) {
    out << unavailable(s.overlay.error) << "</section>\n";
    return;
  }
  const auto& g = *s.overlay.value;
  out << "<figure>" << render_overlay_svg(g, s.self.address) << "<figcaption>Walked breadth first from "
      << h(to_string(g.start)) << ", asking each node for its own entry and its neighbour cache. "
      << "<a href=\"/fedstack/overlay.svg\">overlay.svg</a></figcaption></figure>\n";
  if (!g.unreachable.empty()) {
    out << "<h3>Did not answer</h3><table class=\"unreachable\"><thead><tr><th>Node</th><th>Cloudlet</th>"
           "<th>Error</th></tr></thead><tbody>\n";
    for (const auto& u : g.unreachable)
      out << "<tr><td class=\"mono\">" << h(to_string(u.address)) << "</td><td>" << h(u.region) << "</td><td>"
          << h(u.error) << "</td></tr>\n";
    out << "</tbody></table>\n";
  }
  out << "</section>\n";
}

void decision_article(std::ostringstream& out, const placement_decision& d, std::int64_t now_unix_ms) {
  out << "<article class=\"decision\"><h3>" << h(public_summary(d.request)) << " &rarr; ";
  if (d.placed)
    out << "<span class=\"tag placed\">" << h(d.winner.region) << "</span>";
  else
    out << "<span class=\"tag failed\">not placed</span>";
  out << "</h3>\n<p class=\"note\">" << utc_time(d.decided_unix_ms) << " ("
      << age_of(d.decided_unix_ms, now_unix_ms) << " ago)</p>\n<p class=\"reason\">" << h(d.reason) << "</p>\n";
  if (!d.candidates.empty()) {
    out << "<table class=\"candidates\"><thead><tr><th>Candidate</th><th>Node</th><th class=\"num\">Score</th>"
           "<th>Weighers (raw &rarr; normalized &times; multiplier)</th><th>Report</th></tr></thead><tbody>\n";
    for (std::size_t i = 0; i < d.candidates.size(); ++i) {
      const auto& c = d.candidates[i];
      out << "<tr" << (d.placed && i == 0 ? " class=\"winner\"" : "") << "><td>" << h(c.target.region)
          << (d.placed && i == 0 ? " (winner)" : "") << "</td><td class=\"mono\">" << h(to_string(c.target.node))
          << "</td><td class=\"num\">" << score(c.total) << "</td><td>";
      for (std::size_t k = 0; k < c.scores.size(); ++k) {
        const auto& w = c.scores[k];
        out << (k ? "; " : "") << h(w.weigher) << " " << measure(w.raw) << " &rarr; " << score(w.normalized)
            << " &times; " << measure(w.multiplier);
      }
      out << "</td><td>" << (c.probed ? "probed live" : "gossiped") << "</td></tr>\n";
    }
    out << "</tbody></table>\n";
  }
  if (!d.filtered_out.empty()) {
    out << "<table class=\"filtered\"><thead><tr><th>Filtered out</th><th>Node</th><th>Filter</th>"
           "<th>Why</th></tr></thead><tbody>\n";
    for (const auto& r : d.filtered_out)
      out << "<tr><td>" << h(r.target.region) << "</td><td class=\"mono\">" << h(to_string(r.target.node))
          << "</td><td>" << h(r.filter) << "</td><td>" << h(r.why) << "</td></tr>\n";
    out << "</tbody></table>\n";
  }
  out << "</article>\n";
}

void decisions_section(std::ostringstream& out, const status_snapshot& s) {
  out << "<section id=\"decisions\" class=\"wide\"><h2>Scheduler decisions</h2>\n";
  if (!s.decisions.value) {
    out << unavailable(s.decisions.error) << "</section>\n";
    return;
  }
  const auto& all = *s.decisions.value;
  if (all.empty()) {
    out << "<p class=\"empty\">no decisions yet</p>\n</section>\n";
    return;
  }
  auto shown = std::min(all.size(), status_page_decisions);
  out << "<p class=\"note\">Newest first; " << shown << " of " << all.size()
      << " kept (all in <a href=\"/fedstack/status.json\">status.json</a>).</p>\n";
  for (std::size_t i = 0; i < shown; ++i) decision_article(out, all[all.size() - 1 - i], s.now_unix_ms);
  out << "</section>\n";
}

} // namespace

std::string render_status_html(const status_snapshot& s) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"referrer\" content=\"no-referrer\">\n"
      << "<title>fedstack " << h(s.self.region) << " \xE2\x80\x94 status</title>\n"
      << "<style>" << style_sheet << "</style>\n</head>\n<body>\n"
      << "<header><h1>fedstack agent \xE2\x80\x94 " << h(s.self.region) << "</h1>"
      << "<p>Node " << h(to_string(s.self.address)) << " \xC2\xB7 " << utc_time(s.now_unix_ms)
      << " \xC2\xB7 <a href=\"/fedstack/status.json\">status.json</a> \xC2\xB7 "
      << "<a href=\"/fedstack/overlay.svg\">overlay.svg</a></p></header>\n<main>\n";
  node_section(out, s);
  capacity_section(out, s);
  neighbours_section(out, s);
  overlay_section(out, s);
  decisions_section(out, s);
  out << "</main>\n<footer>This page needs no token and shows no tokens, passwords or project resources. "
         "Reload for a new reading.</footer>\n</body>\n</html>\n";
  return out.str();
}

} // namespace fedstack::agent
