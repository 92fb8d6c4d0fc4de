// Bands agree with flags: on the demo data, for every method and every metric, a value
// outside [lower, upper] is flagged and one inside is not (NaN = that side is open).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/demo/demo.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"

namespace {

namespace anomaly = fc::anomaly;

TEST(AnomalyBand, AValueOutsideItsBandIsFlaggedAndOneInsideIsNot) {
  fc::demo::Options d;
  d.days = 90;
  const fc::demo::Data data = fc::demo::generate(d);
  fc::csv::Options co;
  co.source = "demo.csv";
  const fc::series::Series s = fc::series::build(fc::csv::read(data.hourly_csv, co)).total;
  for (const char* metric : {"cpl", "leads", "spend", "revenue", "roi"}) {
    const anomaly::Input in = anomaly::metric_input(s, metric);
    for (const auto& m : anomaly::methods()) {
      const std::string name = m.name;
      anomaly::Options o;
      o.method = name;
      o.lookback = anomaly::Span::intervals(0);
      const bool counts = std::string(metric) == "cpl" || std::string(metric) == "leads";
      if (name == "count" && !counts) continue;  // counts only
      if (name == "residual") {  // stand-in forecasts: the value a week before, +-20%
        const size_t n = in.size();
        o.forecasts.mean.assign(n, NAN);
        o.forecasts.lower.assign(n, NAN);
        o.forecasts.upper.assign(n, NAN);
        for (size_t i = 168; i < n; ++i) {
          o.forecasts.mean[i] = in.value[i - 168];
          o.forecasts.lower[i] = 0.8 * in.value[i - 168];
          o.forecasts.upper[i] = 1.2 * in.value[i - 168];
        }
      }
      const anomaly::Result r = anomaly::detect(in, o);
      size_t checked = 0, flagged = 0;
      for (size_t i = 0; i < r.size(); ++i) {
        const double v = r.value[i];
        if (std::isnan(r.score[i]) || !std::isfinite(v)) continue;
        const bool outside = (!std::isnan(r.lower[i]) && v < r.lower[i]) ||
                             (!std::isnan(r.upper[i]) && v > r.upper[i]);
        ASSERT_EQ(outside, r.flagged[i] == 1)
            << name << " on " << metric << " at " << i << ": value " << v << " band ["
            << r.lower[i] << ", " << r.upper[i] << "] score " << r.score[i];
        ++checked;
        flagged += r.flagged[i];
      }
      EXPECT_GT(checked, 1000u) << name << " on " << metric;
      (void)flagged;
    }
  }
}

}  // namespace
