// Our gradient-boosted trees on the lag, rolling and calendar features, with squared
// error or Poisson loss. Early stopping on the last two weeks of the training part
// picks the tree count; the fold is then refitted on all of it with that count, as the
// final model is refitted on all the data.
#include <algorithm>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "internal.hpp"

namespace fc::forecast::internal {
namespace {

constexpr size_t kHoldoutSteps = 14 * 24;

class GbdtPredictor final : public Predictor {
 public:
  GbdtPredictor(features::FeatureSpec spec, const gbdt::Ensemble& trees) : spec_(std::move(spec)), engine_(trees) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const override {
    scratch.resize(spec_.width());
    features::build_row(spec_, h, t, scratch.data());
    return engine_.predict_one(scratch.data());
  }
  double predict_row(const features::History&, size_t, const float* row) const override {
    return engine_.predict_one(row);
  }
  size_t lookback() const override { return static_cast<size_t>(spec_.max_lookback()); }

 private:
  features::FeatureSpec spec_;
  gbdt::FlatEnsemble engine_;
};

class GbdtCandidate final : public Candidate {
 public:
  GbdtCandidate(features::FeatureSpec spec, gbdt::Objective objective, gbdt::Params params, int threads)
      : spec_(std::move(spec)), objective_(objective), params_(std::move(params)), model_(spec_, gbdt::Ensemble{}) {
    params_.objective = objective;
    params_.num_threads = threads;
  }
  std::string name() const override {
    return objective_ == gbdt::Objective::kPoisson ? "gbdt_poisson" : "gbdt_l2";
  }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    gbdt::Params p = params_;
    const KnownRows all = known_rows(d, d.first_row, train_end);
    gbdt::Dataset train_set{all.x, all.rows, all.cols, all.y, nullptr};
    gbdt::Dataset valid_set{};
    const gbdt::Dataset* valid = nullptr;
    KnownRows head, tail;
    if (control.fixed_iterations > 0) {
      p.num_iterations = control.fixed_iterations;
      p.early_stopping_round = 0;
    } else {
      // The last two weeks (at most a fifth of the rows) of the training part stop the boosting.
      const size_t span = train_end - std::min(train_end, d.first_row);
      const size_t hold = std::min(kHoldoutSteps, span / 5);
      head = known_rows(d, d.first_row, train_end - hold);
      tail = known_rows(d, train_end - hold, train_end);
      train_set = {head.x, head.rows, head.cols, head.y, nullptr};
      if (tail.rows > 0) {
        valid_set = {tail.x, tail.rows, tail.cols, tail.y, nullptr};
        valid = &valid_set;
        if (p.early_stopping_round <= 0) p.early_stopping_round = 50;
      }
    }
    if (train_set.rows == 0) throw Error("gradient boosting: no training rows with a known target");
    const int total = p.num_iterations;
    gbdt::TrainResult r = gbdt::train(train_set, valid, p, [&](int it, int) {
      if (control.progress) control.progress(static_cast<double>(it) / total);
      return true;
    });
    chosen_ = r.best_iteration;
    gain_ = r.feature_gain;
    ensemble_ = std::move(r.ensemble);
    model_ = GbdtPredictor(spec_, ensemble_);
    model_.clip_negative = d.counts;
  }
  const Predictor& predictor() const override { return model_; }
  int chosen_iterations() const override { return chosen_; }
  void save(model::ForecastSection& s, gbdt::Ensemble& trees) const override {
    s.predictor = "gbdt";
    s.objective = gbdt::to_string(objective_);
    gbdt::Params p = params_;
    p.num_iterations = static_cast<int>(ensemble_.trees.size());
    p.early_stopping_round = 0;
    s.params = p;
    trees = ensemble_;
    s.feature_importance.clear();
    const auto names = spec_.names();
    for (size_t i = 0; i < names.size() && i < gain_.size(); ++i)
      if (gain_[i] > 0) s.feature_importance.emplace_back(names[i], gain_[i]);
  }

 private:
  features::FeatureSpec spec_;
  gbdt::Objective objective_;
  gbdt::Params params_;
  gbdt::Ensemble ensemble_;
  GbdtPredictor model_;
  std::vector<double> gain_;
  int chosen_ = 0;
};

}  // namespace

CandidateInfo gbdt_candidate(gbdt::Objective objective) {
  const bool poisson = objective == gbdt::Objective::kPoisson;
  return {poisson ? "gbdt_poisson" : "gbdt_l2", "gbdt",
          [objective, poisson](bool counts, const std::string& pinned) {
            if (poisson && !counts) return false;  // Poisson needs a non-negative target
            return pinned.empty() || pinned == gbdt::to_string(objective);
          },
          [objective](const TrainingData& d) {
            return std::make_unique<GbdtCandidate>(d.spec, objective, d.params, d.threads);
          }};
}

PredictorInfo gbdt_predictor() {
  return {"gbdt", [](const model::ForecastSection& s, const gbdt::Ensemble& trees) {
            return std::make_unique<GbdtPredictor>(s.features, trees);
          }};
}

}  // namespace fc::forecast::internal
