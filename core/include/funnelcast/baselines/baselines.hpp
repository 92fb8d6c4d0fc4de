// Simple models the GBDT must beat: seasonal naive, ridge regression and, for lead
// scoring, L2-regularised logistic regression (both on Eigen).
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

// L2-regularised logistic regression on standardized features. Categorical features
// are one-hot encoded by the caller. Minimizes
//   sum_i v_i * logloss(y_i, intercept + z_i . weight) + lambda / 2 * |weight|^2
// with z the standardized features (NaN and infinities imputed with the training mean,
// i.e. z = 0), v_i = sample_weight_i (1 without) times positive_weight for y_i = 1;
// the intercept is not penalized. With the same z, this is scikit-learn's
// LogisticRegression(C = 1 / lambda, class_weight = {0: 1, 1: positive_weight}).
// Means and standard deviations (population) are taken with the sample weights, so an
// integer weight counts like a repeated row; positive_weight does not move them.
// Fit: Newton's method (IRLS) with a backtracking line search, adding a growing ridge
// to the Hessian when it is not positive definite (the damped fallback). fc::Error for
// labels other than 0/1, a single outcome, bad weights or lambda, and when lambda = 0
// and the classes are separable (no finite solution).
struct Logistic {
  double lambda = 1.0;
  double positive_weight = 1.0;  // > 0; e.g. negatives / positives for balanced classes
  int max_iterations = 100;
  double intercept = 0.0;
  std::vector<double> mean, scale, weight;  // per feature
  int iterations = 0;                       // Newton steps taken by the last fit

  void fit(const features::Matrix& x, const std::vector<double>& y,
           const std::vector<double>& sample_weight = {});
  double predict_raw(const float* row) const;  // log-odds
  double predict(const float* row) const;      // probability of outcome 1
  nlohmann::json to_json() const;
  static Logistic from_json(const nlohmann::json& j, size_t expected_features);  // validated
};

}  // namespace fc::baselines
