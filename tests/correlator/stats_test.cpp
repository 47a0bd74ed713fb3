// The counter registry renders what Prometheus scrapes.
#include "correlator/stats.hpp"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(Stats, SameNameAndLabelsIsTheSameCounter) {
  StatsRegistry r;
  r.counter("x_total", "help", {{"reason", "a"}}).inc();
  r.counter("x_total", "help", {{"reason", "a"}}).inc(2);
  EXPECT_EQ(r.value("x_total", {{"reason", "a"}}), 3);
  EXPECT_EQ(r.value("x_total", {{"reason", "b"}}), 0);
}

TEST(Stats, RendersPrometheusTextWithEscapedLabels) {
  StatsRegistry r;
  r.counter("tocsin_rejected_total", "Rejected inputs", {{"reason", "bad \"pri\""}}).inc(7);
  std::string text = r.render_prometheus();
  EXPECT_NE(text.find("# HELP tocsin_rejected_total Rejected inputs\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tocsin_rejected_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("tocsin_rejected_total{reason=\"bad \\\"pri\\\"\"} 7\n"), std::string::npos) << text;
}

TEST(Stats, GaugeDisappearsWithItsHandle) {
  StatsRegistry r;
  {
    GaugeHandle h = r.gauge("queue", "Queue length", {}, [] { return 5.0; });
    EXPECT_EQ(r.value("queue"), 5);
  }
  EXPECT_EQ(r.render_prometheus().find("queue "), std::string::npos);
}

}  // namespace
}  // namespace tocsin
