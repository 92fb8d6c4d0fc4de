// Simple models the GBDT must beat: seasonal naive and ridge regression (Eigen).
#pragma once
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/features/features.hpp"

namespace fc::baselines {

// y[t - season] for hour t, reading the given history (which the recursive forecaster extends).
double seasonal_naive(const double* history, size_t t, size_t season = 168);

// Ridge regression on standardized features; NaN features are imputed with the
// training mean. The intercept is not penalized.
struct Ridge {
  double lambda = 1.0;
  double intercept = 0.0;
  std::vector<double> mean, scale, weight;  // per feature

  void fit(const features::Matrix& x, const std::vector<double>& y);
  double predict(const float* row) const;
  nlohmann::json to_json() const;
  static Ridge from_json(const nlohmann::json& j, size_t expected_features);  // validated
};

}  // namespace fc::baselines
