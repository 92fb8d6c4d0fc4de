// Prediction intervals from the empirical quantiles of out-of-sample residuals,
// grouped by how far ahead the forecast was (horizon buckets). With `scaled`,
// residuals are divided by sqrt(max(forecast, 1)) (count data: the spread grows
// with the level) and multiplied back when a band is drawn.
#pragma once
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace fc::eval {

// Residuals (already divided by their scale) grouped by horizon bucket.
struct ResidualSet {
  int bucket_steps = 24;
  std::vector<std::vector<double>> by_bucket;
  void add(size_t step_ahead, double residual);  // NaN residuals are ignored
  void append(const ResidualSet& other);  // same bucket size (an empty set takes other's)
  size_t count() const;
};

struct Intervals {
  int bucket_steps = 24;
  bool scaled = true;
  std::vector<double> lo95, lo80, hi80, hi95;  // per bucket: quantiles 2.5/10/90/97.5 %

  bool empty() const { return lo80.empty(); }
  // fc::Error when sizes differ, a value is not finite or the quantiles are not nested
  // (lo95 <= lo80 <= 0 <= hi80 <= hi95).
  void validate() const;
  nlohmann::json to_json() const;
  static Intervals from_json(const nlohmann::json& j);  // validated
};

// Quantiles per bucket; the band always contains 0 (the forecast itself) and nests.
Intervals intervals_from(const ResidualSet& residuals, bool scaled);

double scale_of(double forecast, bool scaled);  // sqrt(max(forecast, 1)) or 1

struct Band {
  double lo95, lo80, hi80, hi95;
};
// The band around `mean` for the forecast `step_ahead` steps out (0 = the first). Steps
// past the last bucket use the last bucket. With clip, lower bounds stop at 0.
Band band(const Intervals& iv, size_t step_ahead, double mean, bool clip);

struct GroupCoverage {
  double p80 = 0, p95 = 0;  // share of residuals inside each band; NaN when none
  size_t points = 0;
};
struct Coverage {
  double p80 = 0, p95 = 0;  // over all groups
  size_t points = 0;
  std::vector<GroupCoverage> by_group;
};
// Honest coverage: each group's residuals (e.g. a fold's) are checked against intervals
// learned from the other groups' residuals only. NaN shares when there is nothing to check.
Coverage cross_coverage(const std::vector<ResidualSet>& groups, bool scaled);

// Empirical quantile with linear interpolation (type 7, as numpy's default); 0 when empty.
double quantile(std::vector<double> v, double q);

}  // namespace fc::eval
