#include "metrics/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace fedstack::metrics {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// -- family -------------------------------------------------------------------

family::family(std::string name, std::string help, std::vector<std::string> label_names)
  : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void family::check_arity(const label_values& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
}

std::string family::label_text(const label_values& values, std::string_view extra_name,
                               std::string_view extra_value) const {
  if (values.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!values.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

void family::render_header(std::string& out, std::string_view type) const {
  // HELP text escapes only backslash and newline.
  std::string help;
  for (char c : help_) {
    if (c == '\\') help += "\\\\";
    else if (c == '\n') help += "\\n";
    else help += c;
  }
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help, name_, type);
}

// -- counter and gauge --------------------------------------------------------

void counter::add(const label_values& values, double amount) {
  check_arity(values);
  if (!(amount >= 0)) throw std::invalid_argument("counter " + name_ + " cannot go down");
  std::lock_guard lock{mutex_};
  series_[values] += amount;
}

double counter::value(const label_values& values) const {
  std::lock_guard lock{mutex_};
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

void counter::render(std::string& out) const {
  render_header(out, "counter");
  std::lock_guard lock{mutex_};
  // A family without labels always has its one series, so it reads 0 before its first event.
  if (label_names_.empty() && series_.empty()) out += name_ + " 0\n";
  for (const auto& [values, v] : series_) out += name_ + label_text(values) + ' ' + format_value(v) + '\n';
}

void gauge::set(const label_values& values, double value) {
  check_arity(values);
  std::lock_guard lock{mutex_};
  series_[values] = value;
}

void gauge::add(const label_values& values, double amount) {
  check_arity(values);
  std::lock_guard lock{mutex_};
  series_[values] += amount;
}

double gauge::value(const label_values& values) const {
  std::lock_guard lock{mutex_};
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

void gauge::render(std::string& out) const {
  render_header(out, "gauge");
  std::lock_guard lock{mutex_};
  for (const auto& [values, v] : series_) out += name_ + label_text(values) + ' ' + format_value(v) + '\n';
}

// -- histogram ----------------------------------------------------------------

histogram::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
  : family(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i)
    if (!(bounds_[i - 1] < bounds_[i])) throw std::invalid_argument("histogram " + name_ + ": bounds must ascend");
}

void histogram::observe(const label_values& values, double sample) {
  check_arity(values);
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && sample > bounds_[bucket]) ++bucket;
  std::lock_guard lock{mutex_};
  auto& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  ++s.buckets[bucket];
  s.sum += sample;
  ++s.count;
}

std::uint64_t histogram::count(const label_values& values) const {
  std::lock_guard lock{mutex_};
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

void histogram::render(std::string& out) const {
  render_header(out, "histogram");
  std::lock_guard lock{mutex_};
  for (const auto& [values, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      auto le = i < bounds_.size() ? format_value(bounds_[i]) : std::string("+Inf");
      out += name_ + "_bucket" + label_text(values, "le", le) + ' ' + std::to_string(cumulative) + '\n';
    }
    auto labels = label_text(values);
    out += name_ + "_sum" + labels + ' ' + format_value(s.sum) + '\n';
    out += name_ + "_count" + labels + ' ' + std::to_string(s.count) + '\n';
  }
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

// -- registry -----------------------------------------------------------------

family& registry::add(std::unique_ptr<family> f) {
  std::lock_guard lock{mutex_};
  for (const auto& existing : families_)
    if (existing->name() == f->name()) throw std::logic_error("metric " + f->name() + " is made twice");
  families_.push_back(std::move(f));
  return *families_.back();
}

counter& registry::make_counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return static_cast<counter&>(
    add(std::make_unique<counter>(std::move(name), std::move(help), std::move(label_names))));
}

gauge& registry::make_gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return static_cast<gauge&>(
    add(std::make_unique<gauge>(std::move(name), std::move(help), std::move(label_names))));
}

histogram& registry::make_histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                    std::vector<double> bounds) {
  return static_cast<histogram&>(add(std::make_unique<histogram>(
    std::move(name), std::move(help), std::move(label_names), std::move(bounds))));
}

std::string registry::render() const {
  std::string out;
  std::lock_guard lock{mutex_};
  for (const auto& f : families_) f->render(out);
  return out;
}

registry& global() {
  static registry instance;
  return instance;
}

} // namespace fedstack::metrics
