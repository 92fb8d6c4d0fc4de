// Time of every anomaly method on a two-year hourly series (the demo data, 17,520 hours),
// natively, on CPL (a ratio: the method plus the causes, its parts judged on their own)
// and on leads; the series is built once, outside the timings. Median of 5 runs, in
// processor time of this process (on a shared machine wall-clock time also counts the
// time others' jobs held the core).
//
// usage: bash bench/anomaly_bench.sh [--cli DIR/native_trainer/funnelcast]   (builds this file
// against DIR/libfc_core.a)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/demo/demo.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"

int main() {
  const auto now_ms = [] { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  fc::demo::Options d;
  d.days = 730;
  const fc::demo::Data data = fc::demo::generate(d);
  fc::csv::Options co;
  co.source = "demo.csv";
  const fc::series::BuildResult built = fc::series::build(fc::csv::read(data.hourly_csv, co));
  const fc::series::Series& s = built.total;
  std::printf("series: %zu hourly intervals (%d days)\n", s.size(), d.days);
  std::printf("%-10s %-7s %14s %8s\n", "method", "metric", "median cpu ms", "flagged");
  double total = 0;
  for (const char* metric : {"cpl", "leads"}) {
    for (const auto& m : fc::anomaly::methods()) {
      if (std::string(m.name) == "residual") continue;  // needs forecasts: timed below
      fc::anomaly::Options o;
      o.method = m.name;
      o.metric = metric;
      o.lookback = fc::anomaly::Span::intervals(0);
      std::vector<double> ms;
      size_t flagged = 0;
      for (int rep = 0; rep < 5; ++rep) {
        const double t0 = now_ms();
        const fc::anomaly::Result r = fc::anomaly::detect(s, o);
        ms.push_back(now_ms() - t0);
        flagged = r.count();
      }
      std::sort(ms.begin(), ms.end());
      std::printf("%-10s %-7s %14.1f %8zu\n", m.name, metric, ms[2], flagged);
      if (std::string(metric) == "cpl") total += ms[2];
    }
    // The residual detector on stand-in forecasts (the previous week's value, a +-20%
    // interval): its own cost, without the forecasting model's.
    fc::anomaly::Options o;
    o.method = "residual";
    o.metric = metric;
    o.lookback = fc::anomaly::Span::intervals(0);
    const fc::anomaly::Input in = fc::anomaly::metric_input(s, metric);
    const size_t n = in.size();
    o.forecasts.mean.assign(n, NAN);
    o.forecasts.lower.assign(n, NAN);
    o.forecasts.upper.assign(n, NAN);
    for (size_t i = 168; i < n; ++i) {
      o.forecasts.mean[i] = in.value[i - 168];
      o.forecasts.lower[i] = 0.8 * in.value[i - 168];
      o.forecasts.upper[i] = 1.2 * in.value[i - 168];
    }
    std::vector<double> ms;
    for (int rep = 0; rep < 5; ++rep) {
      const double t0 = now_ms();
      fc::anomaly::detect(in, o);
      ms.push_back(now_ms() - t0);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-10s %-7s %14.1f\n", "residual", metric, ms[2]);
    if (std::string(metric) == "cpl") total += ms[2];
  }
  std::printf("every method on cpl, one after the other: %.0f ms\n", total);
  return 0;
}
