// Anomaly detection on an hourly metric (CPL by default). The rolling z-score
// compares each hour with the mean and standard deviation of the `baseline`
// hours before it; hours in the last `lookback` hours with |z| > threshold are flagged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/series.hpp"

namespace fc::anomaly {

struct Options {
  std::string metric = "cpl";    // cpl, leads, spend, revenue, roi
  std::string method = "zscore"; // zscore (more detectors join later)
  double threshold = 2.5;
  int lookback_hours = 14 * 24;  // hours at the end that are checked; 0 = whole series
  int baseline_hours = 7 * 24;   // trailing window for mean and std (excludes the hour itself)
  int min_baseline_points = 24;  // fewer non-missing points in the baseline: no score
};

struct Result {
  std::string metric, method;
  int64_t start = 0;             // epoch seconds of index 0 (same grid as the series)
  std::vector<double> value;     // the metric per hour (NaN = missing)
  std::vector<double> expected;  // baseline mean (NaN where not scored)
  std::vector<double> score;     // z-score (NaN where not scored)
  std::vector<uint8_t> flagged;  // 1 = anomaly
  size_t checked_from = 0;       // first index inside the lookback
  size_t count() const;
};

// The metric as an hourly vector from the series; fc::Error when the data lacks it.
std::vector<double> metric_values(const series::HourlySeries& s, const std::string& metric);
Result detect(const series::HourlySeries& s, const Options& options = {});

}  // namespace fc::anomaly
