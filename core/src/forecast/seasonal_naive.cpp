// Seasonal naive: the same hour one week (or one day) earlier. The benchmark every other
// candidate must beat, and the fallback that needs nothing but history.
#include <cmath>
#include <limits>

#include "internal.hpp"

namespace fc::forecast::internal {
namespace {

constexpr int kSeason = 168;
constexpr int kDaySeason = 24;
// A missing value one season back is looked up a few seasons further back before giving up.
constexpr int kSeasonsBack = 4;

class SeasonalNaive final : public Predictor {
 public:
  explicit SeasonalNaive(int season) : season_(season) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    for (int k = 1; k <= kSeasonsBack; ++k) {
      const size_t back = static_cast<size_t>(season_) * static_cast<size_t>(k);
      if (t < back || t - back >= h.size) break;
      const double v = h.target[t - back];
      if (!std::isnan(v)) return v;
    }
    return std::numeric_limits<double>::quiet_NaN();
  }
  double predict_row(const features::History& h, size_t t, const float*) const override {
    std::vector<float> none;
    return predict_at(h, t, none);
  }
  size_t lookback() const override { return static_cast<size_t>(season_) * kSeasonsBack; }
  int season() const { return season_; }

 private:
  int season_;
};

class SeasonalNaiveCandidate final : public Candidate {
 public:
  SeasonalNaiveCandidate(const char* name, int season) : name_(name), model_(season) {}
  std::string name() const override { return name_; }
  void fit(const TrainingData& d, size_t, const FitControl& control) override {
    model_.clip_negative = d.counts;
    if (control.progress) control.progress(1.0);
  }
  const Predictor& predictor() const override { return model_; }
  void save(model::ForecastSection& s, gbdt::Ensemble&) const override {
    s.predictor = "seasonal_naive";
    s.season = model_.season();
  }

 private:
  std::string name_;
  SeasonalNaive model_;
};

}  // namespace

CandidateInfo seasonal_naive_candidate() {
  return {"seasonal_naive", "seasonal_naive",
          [](bool, const std::string& pinned) { return pinned.empty(); },
          [](const TrainingData& d) {
            // A week back in the series' own steps: 168 hours, or 7 days for a daily series;
            // a weekly series: a year back (52 weeks) with two years of history, else the last value.
            const int season = d.history.step == time::kWeek ? weekly_season_of(d)
                               : d.history.step == time::kDay ? 7 : kSeason;
            return std::make_unique<SeasonalNaiveCandidate>("seasonal_naive", season);
          }};
}

CandidateInfo seasonal_naive_day_candidate() {
  return {"seasonal_naive_day", "seasonal_naive",
          [](bool, const std::string& pinned) { return pinned.empty(); },
          [](const TrainingData&) { return std::make_unique<SeasonalNaiveCandidate>("seasonal_naive_day", kDaySeason); }};
}

PredictorInfo seasonal_naive_predictor() {
  return {"seasonal_naive", [](const model::ForecastSection& s, const gbdt::Ensemble&) {
            return std::make_unique<SeasonalNaive>(s.season);
          }};
}

}  // namespace fc::forecast::internal
