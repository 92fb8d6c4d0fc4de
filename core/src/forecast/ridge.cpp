// Ridge regression on the same features as the trees: the linear benchmark.
#include "funnelcast/baselines/baselines.hpp"
#include "internal.hpp"

namespace fc::forecast::internal {
namespace {

class RidgePredictor final : public Predictor {
 public:
  RidgePredictor(features::FeatureSpec spec, baselines::Ridge ridge) : spec_(std::move(spec)), ridge_(std::move(ridge)) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const override {
    scratch.resize(spec_.width());
    features::build_row(spec_, h, t, scratch.data());
    return ridge_.predict(scratch.data());
  }
  double predict_row(const features::History&, size_t, const float* row) const override { return ridge_.predict(row); }
  size_t lookback() const override { return static_cast<size_t>(spec_.max_lookback()); }
  const baselines::Ridge& ridge() const { return ridge_; }

 private:
  features::FeatureSpec spec_;
  baselines::Ridge ridge_;
};

class RidgeCandidate final : public Candidate {
 public:
  explicit RidgeCandidate(features::FeatureSpec spec) : model_(std::move(spec), {}) {}
  std::string name() const override { return "ridge"; }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    const KnownRows k = known_rows(d, d.first_row, train_end);
    features::Matrix sub;
    sub.rows = k.rows;
    sub.cols = k.cols;
    sub.names = d.x->names;
    sub.values.assign(k.x, k.x + k.rows * k.cols);
    baselines::Ridge ridge;
    ridge.fit(sub, std::vector<double>(k.y, k.y + k.rows));
    model_ = RidgePredictor(d.spec, std::move(ridge));
    model_.clip_negative = d.counts;
    if (control.progress) control.progress(1.0);
  }
  const Predictor& predictor() const override { return model_; }
  void save(model::ForecastSection& s, gbdt::Ensemble&) const override {
    s.predictor = "ridge";
    s.ridge = model_.ridge();
  }

 private:
  RidgePredictor model_;
};

}  // namespace

CandidateInfo ridge_candidate() {
  return {"ridge", "ridge", [](bool, const std::string& pinned) { return pinned.empty(); },
          [](const TrainingData& d) { return std::make_unique<RidgeCandidate>(d.spec); }};
}

PredictorInfo ridge_predictor() {
  return {"ridge", [](const model::ForecastSection& s, const gbdt::Ensemble&) {
            return std::make_unique<RidgePredictor>(s.features, *s.ridge);
          }};
}

}  // namespace fc::forecast::internal
