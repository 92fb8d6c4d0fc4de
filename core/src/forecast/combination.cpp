// A combination: the median of a few forecasters' predictions, step by step (fed back
// recursively like any forecaster's). Training chooses it when its backtests beat every
// single candidate's; its members are saved in the header, a gbdt member's trees as the
// model's trees.
#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "internal.hpp"

namespace fc::forecast::internal {
namespace {

class CombinationPredictor final : public Predictor {
 public:
  explicit CombinationPredictor(std::vector<std::unique_ptr<Predictor>> members) : members_(std::move(members)) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const override {
    std::vector<double> v;
    v.reserve(members_.size());
    for (const auto& m : members_) v.push_back(m->predict_clipped(h, t, scratch));
    return median(v);
  }
  double predict_row(const features::History& h, size_t t, const float* row) const override {
    std::vector<double> v;
    v.reserve(members_.size());
    for (const auto& m : members_) {
      const double p = m->predict_row(h, t, row);
      v.push_back(m->clip_negative && p < 0 ? 0.0 : p);
    }
    return median(v);
  }
  size_t lookback() const override {
    size_t l = 0;
    for (const auto& m : members_) l = std::max(l, m->lookback());
    return l;
  }

 private:
  // The median of the known values (the mean of the middle two for an even count).
  static double median(std::vector<double>& v) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
  std::vector<std::unique_ptr<Predictor>> members_;
};

}  // namespace

model::ForecastSection member_section(const model::ForecastSection& s, const model::CombinationMember& m) {
  model::ForecastSection out;
  out.features = s.features;
  out.predictor = m.predictor;
  out.objective = m.objective;
  out.season = m.season;
  out.ridge = m.ridge;
  out.params = m.params;
  out.level_window = m.level_window;
  out.smoothing = m.smoothing;
  out.clip_negative = s.clip_negative;
  return out;
}

model::CombinationMember member_of(const std::string& name, const model::ForecastSection& s) {
  model::CombinationMember m;
  m.name = name;
  m.predictor = s.predictor;
  m.objective = s.objective;
  m.season = s.season;
  m.ridge = s.ridge;
  m.params = s.params;
  m.level_window = s.level_window;
  m.smoothing = s.smoothing;
  return m;
}

PredictorInfo combination_predictor() {
  return {"combination", [](const model::ForecastSection& s, const gbdt::Ensemble& trees) {
            std::vector<std::unique_ptr<Predictor>> members;
            for (const auto& m : s.members)
              members.push_back(load_predictor(member_section(s, m), m.predictor == "gbdt" ? trees : gbdt::Ensemble{}));
            return std::make_unique<CombinationPredictor>(std::move(members));
          }};
}

}  // namespace fc::forecast::internal
