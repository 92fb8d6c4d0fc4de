// The list of forecaster candidates training compares, and the helpers they share.
#include <algorithm>
#include <cmath>

#include "funnelcast/base/error.hpp"
#include "internal.hpp"

namespace fc::forecast {

const std::vector<CandidateInfo>& candidates() {
  // A new forecaster: one source file defining its CandidateInfo, and one line here.
  static const std::vector<CandidateInfo> kCandidates = {
      internal::seasonal_naive_candidate(),
      internal::ridge_candidate(),
      internal::gbdt_candidate(gbdt::Objective::kSquaredError),
      internal::gbdt_candidate(gbdt::Objective::kPoisson),
      internal::gbdt_level_candidate(),
      internal::seasonal_naive_day_candidate(),
      internal::holt_winters_candidate(),
      internal::theta_candidate(),
  };
  return kCandidates;
}

namespace internal {

KnownRows known_rows(const TrainingData& d, size_t begin, size_t end) { return known_rows(*d.x, *d.y, d.first_row, begin, end); }

KnownRows known_rows(const features::Matrix& x, const std::vector<double>& y, size_t first_row, size_t begin, size_t end) {
  KnownRows k;
  k.cols = x.cols;
  begin = std::max(begin, first_row);
  end = std::min(end, y.size());
  if (end <= begin) return k;
  const bool complete = std::none_of(y.begin() + begin, y.begin() + end, [](double v) { return std::isnan(v); });
  if (complete) {
    k.x = x.row(begin - first_row);
    k.y = y.data() + begin;
    k.rows = end - begin;
    return k;
  }
  for (size_t t = begin; t < end; ++t) {
    if (std::isnan(y[t])) continue;
    const float* row = x.row(t - first_row);
    k.x_copy.insert(k.x_copy.end(), row, row + x.cols);
    k.y_copy.push_back(y[t]);
  }
  k.rows = k.y_copy.size();
  k.x = k.x_copy.data();
  k.y = k.y_copy.data();
  return k;
}

}  // namespace internal
}  // namespace fc::forecast
