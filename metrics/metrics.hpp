#pragma once
// Process-wide metrics in Prometheus' text exposition format (version 0.0.4).
// Counters, gauges and histograms with labels, safe to update from any
// thread (io threads and CAF's workers alike); `/metrics` renders them.
// Families are created once, usually as function-local statics next to the
// code that updates them, and live until the process ends.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::metrics {

using label_values = std::vector<std::string>;

/// What every family has: a name (`fedstack_..._total`, `_seconds`, `_bytes`),
/// its help line and the names of its labels.
class family {
public:
  family(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~family() = default;
  family(const family&) = delete;
  family& operator=(const family&) = delete;

  const std::string& name() const { return name_; }
  /// Appends `# HELP`, `# TYPE` and one line per series to `out`.
  virtual void render(std::string& out) const = 0;

protected:
  /// `{a="x",b="y"}` for these values (escaped); empty without labels.
  std::string label_text(const label_values& values, std::string_view extra_name = {},
                         std::string_view extra_value = {}) const;
  void render_header(std::string& out, std::string_view type) const;
  /// Rejects a call with the wrong number of label values (a programming error).
  void check_arity(const label_values& values) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
};

class counter final : public family {
public:
  using family::family;
  /// Adds `amount` (>= 0) to the series of these label values.
  void add(const label_values& values, double amount = 1);
  double value(const label_values& values) const;
  void render(std::string& out) const override;

private:
  std::map<label_values, double> series_;
};

class gauge final : public family {
public:
  using family::family;
  void set(const label_values& values, double value);
  void add(const label_values& values, double amount);
  double value(const label_values& values) const;
  void render(std::string& out) const override;

private:
  std::map<label_values, double> series_;
};

class histogram final : public family {
public:
  /// `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  histogram(std::string name, std::string help, std::vector<std::string> label_names,
            std::vector<double> bounds);
  void observe(const label_values& values, double sample);
  /// Samples observed for these label values (for tests).
  std::uint64_t count(const label_values& values) const;
  void render(std::string& out) const override;

private:
  struct series {
    std::vector<std::uint64_t> buckets;  // per bound, not cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::vector<double> bounds_;
  std::map<label_values, series> series_;
};

/// Latency buckets from 1 ms to 60 s, for HTTP calls.
std::vector<double> latency_buckets();

/// All families of the process, rendered in the order they were made.
class registry {
public:
  counter& make_counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  gauge& make_gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  histogram& make_histogram(std::string name, std::string help, std::vector<std::string> label_names,
                            std::vector<double> bounds);
  std::string render() const;

private:
  family& add(std::unique_ptr<family> f);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<family>> families_;
};

/// The process's registry, which `/metrics` serves.
registry& global();

/// Prometheus' escaping of a label value: backslash, double quote, newline.
std::string escape_label_value(std::string_view value);
/// A sample value as Prometheus reads it ("+Inf", "NaN", shortest round trip).
std::string format_value(double value);

} // namespace fedstack::metrics
