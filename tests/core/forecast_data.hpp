// Training data for a forecasting candidate in a test: a series with the default features,
// rows from the longest lag on, starting 2024-01-01, counts (never negative); and a counts
// series to give it.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
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

// Poisson counts with a daily cycle and a slow upward drift, 40 days of hours.
inline std::vector<double> counts_series(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> y(40 * 24);
  for (size_t t = 0; t < y.size(); ++t) {
    const double rate = (8 + 0.01 * static_cast<double>(t)) * (1 + 0.6 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24));
    y[t] = std::poisson_distribution<int>(rate)(rng);
  }
  return y;
}

}  // namespace fc::testing
