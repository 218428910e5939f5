#include "metrics/metrics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fedstack::metrics {
namespace {

TEST(MetricsText, CounterHasHelpTypeAndOneLinePerSeries) {
  registry r;
  auto& c = r.make_counter("fedstack_test_total", "Things counted.", {"api", "status"});
  c.add({"image", "200"});
  c.add({"image", "200"}, 2);
  c.add({"compute", "404"});
  EXPECT_EQ(r.render(),
            "# HELP fedstack_test_total Things counted.\n"
            "# TYPE fedstack_test_total counter\n"
            "fedstack_test_total{api=\"compute\",status=\"404\"} 1\n"
            "fedstack_test_total{api=\"image\",status=\"200\"} 3\n");
  EXPECT_EQ(c.value({"image", "200"}), 3);
  EXPECT_EQ(c.value({"network", "200"}), 0);
}

TEST(MetricsText, UnlabelledCounterReadsZeroBeforeItsFirstEvent) {
  registry r;
  r.make_counter("fedstack_quiet_total", "Nothing yet.");
  EXPECT_NE(r.render().find("\nfedstack_quiet_total 0\n"), std::string::npos);
}

TEST(MetricsText, LabelValuesAreEscaped) {
  registry r;
  auto& g = r.make_gauge("fedstack_test", "Escaping.", {"region"});
  g.set({"a\"b\\c\nd"}, 1.5);
  EXPECT_NE(r.render().find("fedstack_test{region=\"a\\\"b\\\\c\\nd\"} 1.5\n"), std::string::npos);
}

TEST(MetricsText, HelpEscapesBackslashAndNewline) {
  registry r;
  r.make_gauge("fedstack_help", "one\\two\nthree");
  EXPECT_NE(r.render().find("# HELP fedstack_help one\\\\two\\nthree\n"), std::string::npos);
}

TEST(MetricsText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  registry r;
  auto& h = r.make_histogram("fedstack_wait_seconds", "Waits.", {"cloudlet"}, {0.125, 1});
  h.observe({"a"}, 0.0625);
  h.observe({"a"}, 0.125);  // on a bound: counted in that bucket (le is "less or equal")
  h.observe({"a"}, 0.5);
  h.observe({"a"}, 7);
  EXPECT_EQ(r.render(),
            "# HELP fedstack_wait_seconds Waits.\n"
            "# TYPE fedstack_wait_seconds histogram\n"
            "fedstack_wait_seconds_bucket{cloudlet=\"a\",le=\"0.125\"} 2\n"
            "fedstack_wait_seconds_bucket{cloudlet=\"a\",le=\"1\"} 3\n"
            "fedstack_wait_seconds_bucket{cloudlet=\"a\",le=\"+Inf\"} 4\n"
            "fedstack_wait_seconds_sum{cloudlet=\"a\"} 7.6875\n"
            "fedstack_wait_seconds_count{cloudlet=\"a\"} 4\n");
  EXPECT_EQ(h.count({"a"}), 4u);
}

TEST(MetricsText, ValuesAreWrittenAsPrometheusReadsThem) {
  EXPECT_EQ(format_value(1), "1");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1048576), "1048576");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(MetricsMisuse, IsRefused) {
  registry r;
  auto& c = r.make_counter("fedstack_x_total", "x", {"a"});
  EXPECT_THROW(c.add({}), std::invalid_argument);
  EXPECT_THROW(c.add({"a", "b"}), std::invalid_argument);
  EXPECT_THROW(c.add({"a"}, -1), std::invalid_argument);
  EXPECT_THROW(r.make_gauge("fedstack_x_total", "again"), std::logic_error);
  EXPECT_THROW(r.make_histogram("fedstack_h", "h", {}, {1, 0.5}), std::invalid_argument);
}

TEST(MetricsConcurrency, AddsFromManyThreadsAreAllCounted) {
  registry r;
  auto& c = r.make_counter("fedstack_parallel_total", "p", {"worker"});
  auto& h = r.make_histogram("fedstack_parallel_seconds", "p", {}, {0.5});
  constexpr int threads = 4, per_thread = 20000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        c.add({t % 2 == 0 ? "even" : "odd"});
        h.observe({}, 0.25);
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(c.value({"even"}) + c.value({"odd"}), threads * per_thread);
  EXPECT_EQ(h.count({}), static_cast<std::uint64_t>(threads * per_thread));
}

TEST(MetricsRegistry, RendersFamiliesInTheOrderTheyWereMade) {
  registry r;
  r.make_gauge("fedstack_b", "b");
  r.make_gauge("fedstack_a", "a");
  auto text = r.render();
  EXPECT_LT(text.find("fedstack_b"), text.find("fedstack_a"));
}

} // namespace
} // namespace fedstack::metrics
