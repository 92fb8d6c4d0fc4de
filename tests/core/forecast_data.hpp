// Training data for a forecasting candidate in a test: a series with the default features,
// rows from the longest lag on, starting 2024-01-01, counts (never negative).
#pragma once
#include <utility>
#include <vector>

#include "funnelcast/forecast/candidate.hpp"
#include "test_support.hpp"

namespace fc::testing {

struct ForecastData {
  std::vector<double> y;
  features::Matrix x;
  forecast::TrainingData d;
  explicit ForecastData(std::vector<double> values) : y(std::move(values)) {
    d.spec = features::FeatureSpec::defaults();
    d.history.start = k2024;
    d.history.target = y.data();
    d.history.size = y.size();
    d.first_row = static_cast<size_t>(d.spec.max_lookback());
    x = features::build(d.spec, d.history, d.first_row, y.size());
    d.y = &y;
    d.x = &x;
    d.counts = true;
  }
};

}  // namespace fc::testing
