// Our gradient-boosted trees on the lag, rolling and calendar features, with squared
// error or Poisson loss. Early stopping on the last two weeks of the training part
// picks the tree count and the part is then refitted with that count, as the final model
// is refitted on all the data; in cross-validation only the first fold does this, later
// folds take the count the fold before chose (FitControl::prior_iterations).
#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "internal.hpp"

namespace fc::forecast::internal {
namespace {

constexpr size_t kHoldoutSteps = 14 * 24;

// Trees from a training set: control's fixed count, or early stopping on `valid` (50
// rounds unless the parameters say otherwise) when there is one; progress as the share of
// the trees asked for.
gbdt::TrainResult boost(const gbdt::Dataset& train, const gbdt::Dataset* valid, gbdt::Params p,
                        const FitControl& control, const gbdt::KeepTrees* keep = nullptr) {
  if (control.fixed_iterations > 0) {
    p.num_iterations = control.fixed_iterations;
    p.early_stopping_round = 0;
    valid = nullptr;
  } else if (valid && p.early_stopping_round <= 0) {
    p.early_stopping_round = 50;
  }
  const int total = p.num_iterations;
  const gbdt::Progress progress = [&](int it, int) {
    if (control.progress) control.progress(static_cast<double>(it) / total);
    return true;
  };
  if (keep && valid) return gbdt::train(train, valid, p, progress, *keep);
  return gbdt::train(train, valid, p, progress);
}

// Whether a fit is a fold's after the first (FitControl::prior_iterations): the fold's
// block [valid_begin, valid_end) lies after the cut-off and only stops the boosting.
bool after_prior(const FitControl& control, size_t train_end) {
  return control.fixed_iterations <= 0 && control.prior_iterations > 0 && control.valid_begin >= train_end &&
         control.valid_end > control.valid_begin;
}

// Such a fit: every step before the cut-off trains, at least the previous fold's count
// of trees are grown and that many kept as the fold's model; `block` (null when the block
// has no known target: then just that count) chooses the next fold's count, `chosen`.
gbdt::TrainResult boost_after_prior(const gbdt::Dataset& train, const gbdt::Dataset* block, const gbdt::Params& p,
                                    const FitControl& control, int& chosen) {
  FitControl once = control;
  if (!block) once.fixed_iterations = control.prior_iterations;
  gbdt::KeepTrees keep;
  keep.min_trees = std::min(control.prior_iterations, p.num_iterations);
  gbdt::TrainResult r = boost(train, block, p, once, &keep);
  chosen = r.best_iteration;
  const size_t kept = static_cast<size_t>(control.prior_iterations);
  if (r.ensemble.trees.size() > kept) r.ensemble.trees.resize(kept);
  return r;
}

// A gbdt forecaster's section: its objective, its parameters with the tree count kept, the
// level window, the trees, and the gain of each feature (by `names`) that has any.
void save_trees(model::ForecastSection& s, gbdt::Ensemble& trees, const gbdt::Params& params, int level_window,
                const gbdt::Ensemble& ensemble, const std::vector<double>& gain, const std::vector<std::string>& names) {
  s.predictor = "gbdt";
  s.objective = gbdt::to_string(params.objective);
  gbdt::Params p = params;
  p.num_iterations = static_cast<int>(ensemble.trees.size());
  p.early_stopping_round = 0;
  s.params = p;
  s.level_window = level_window;
  trees = ensemble;
  s.feature_importance.clear();
  for (size_t i = 0; i < names.size() && i < gain.size(); ++i)
    if (gain[i] > 0) s.feature_importance.emplace_back(names[i], gain[i]);
}

// A step's local level: the mean and the standard deviation of the known target values
// of the `window` steps before it. The scale is never below a thousandth of the level,
// and is 1 for a window of zeros; unknown (NaN) with fewer than two known values.
struct LocalLevel {
  double mean = std::numeric_limits<double>::quiet_NaN(), scale = std::numeric_limits<double>::quiet_NaN();
};

LocalLevel local_level(const features::History& h, size_t t, int window) {
  double sum = 0, sum_sq = 0;
  size_t count = 0;
  const size_t end = std::min(t, h.size), begin = end > static_cast<size_t>(window) ? end - window : 0;
  for (size_t i = begin; i < end; ++i) {
    const double v = h.target[i];
    if (std::isnan(v)) continue;
    sum += v;
    sum_sq += v * v;
    ++count;
  }
  LocalLevel l;
  if (count < 2) return l;
  l.mean = sum / static_cast<double>(count);
  const double sd = std::sqrt(std::max(0.0, (sum_sq - sum * l.mean) / static_cast<double>(count - 1)));
  l.scale = std::max(sd, 1e-3 * std::abs(l.mean));
  if (!(l.scale > 0)) l.scale = 1.0;
  return l;
}

// A feature row in the units of the local level: lags and rolling means, minima and maxima
// become (value - mean) / scale, rolling standard deviations value / scale; the calendar
// and exogenous features stay as they are.
void standardize_row(const features::FeatureSpec& spec, const LocalLevel& l, float* row) {
  auto shift = [&](float& v) { v = static_cast<float>((v - l.mean) / l.scale); };
  for (size_t i = 0; i < spec.lags.size(); ++i) shift(*row++);
  for (size_t w = 0; w < spec.rolling_windows.size(); ++w)
    for (const auto& stat : spec.rolling_stats) {
      if (stat == "std") *row = static_cast<float>(*row / l.scale);
      else shift(*row);
      ++row;
    }
}

// Trees on the target itself, or (level_window > 0) on the target in the units of its
// local level, undone at each step: level + scale * the trees' prediction. A series at
// three times the level it was trained on is then forecast at its own level, and a trend
// is carried on, which trees on the raw target cannot do beyond the values they saw.
//
// A channel (>= 0: its index in a by-channel model) is one more feature after the spec's.
class GbdtPredictor final : public Predictor {
 public:
  GbdtPredictor(features::FeatureSpec spec, const gbdt::Ensemble& trees, int level_window = 0, int channel = -1)
      : spec_(std::move(spec)), engine_(trees), level_window_(level_window), channel_(channel),
        width_(spec_.width() + (channel >= 0 ? 1 : 0)) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const override {
    scratch.resize(width_);
    features::build_row(spec_, h, t, scratch.data());
    if (channel_ >= 0) scratch[width_ - 1] = static_cast<float>(channel_);
    return predict_built(h, t, scratch.data());
  }
  // `row`: the spec's features, then the channel's index when there is one.
  double predict_row(const features::History& h, size_t t, const float* row) const override {
    if (level_window_ == 0) return engine_.predict_one(row);
    std::vector<float> copy(row, row + width_);
    return predict_built(h, t, copy.data());
  }
  size_t lookback() const override {
    return static_cast<size_t>(std::max(spec_.max_lookback(), level_window_));
  }
  // The step after each history (step hs[i]->size of history i), unclipped, into out[i]:
  // every row built (and levelled), then the trees over them as one block; the engine's
  // block walk gives each row the numbers predict_one does.
  void predict_next(const std::vector<const features::History*>& hs, std::vector<float>& scratch,
                    double* out) const {
    const size_t n = hs.size();
    scratch.resize(n * width_);
    std::vector<LocalLevel> levels(level_window_ > 0 ? n : 0);
    for (size_t i = 0; i < n; ++i) {
      float* row = scratch.data() + i * width_;
      features::build_row(spec_, *hs[i], hs[i]->size, row);
      if (channel_ >= 0) row[width_ - 1] = static_cast<float>(channel_);
      if (level_window_ == 0) continue;
      levels[i] = local_level(*hs[i], hs[i]->size, level_window_);
      if (!std::isnan(levels[i].mean)) standardize_row(spec_, levels[i], row);
    }
    engine_.predict(scratch.data(), n, width_, out);
    if (level_window_ == 0) return;
    for (size_t i = 0; i < n; ++i)
      out[i] = std::isnan(levels[i].mean) ? levels[i].mean : levels[i].mean + levels[i].scale * out[i];
  }

 private:
  // From a row built from the history (standardized here in place when levelled).
  double predict_built(const features::History& h, size_t t, float* row) const {
    if (level_window_ == 0) return engine_.predict_one(row);
    const LocalLevel l = local_level(h, t, level_window_);
    if (std::isnan(l.mean)) return l.mean;
    standardize_row(spec_, l, row);
    return l.mean + l.scale * engine_.predict_one(row);
  }
  features::FeatureSpec spec_;
  gbdt::FlatEnsemble engine_;
  int level_window_ = 0;
  int channel_ = -1;
  size_t width_ = 0;
};

// The training rows [first_row, train_end) and their targets in the units of each step's
// local level (NaN target where the level is unknown): x's rows standardized, and y.
void levelled_rows(const features::FeatureSpec& spec, const TrainingData& d, size_t train_end, int window,
                   features::Matrix& lx, std::vector<double>& ly) {
  const features::Matrix& x = *d.x;
  const std::vector<double>& y = *d.y;
  const size_t end = std::min(train_end, y.size());
  lx.cols = x.cols;
  lx.rows = end > d.first_row ? end - d.first_row : 0;
  lx.values.assign(x.values.begin(), x.values.begin() + static_cast<ptrdiff_t>(lx.rows * x.cols));
  ly.assign(y.begin(), y.begin() + static_cast<ptrdiff_t>(end));
  for (size_t t = d.first_row; t < end; ++t) {
    const LocalLevel l = local_level(d.history, t, window);
    if (std::isnan(l.mean)) {
      ly[t] = l.mean;
      continue;
    }
    standardize_row(spec, l, lx.values.data() + (t - d.first_row) * x.cols);
    ly[t] = (y[t] - l.mean) / l.scale;
  }
}

class GbdtCandidate final : public Candidate {
 public:
  GbdtCandidate(features::FeatureSpec spec, gbdt::Objective objective, gbdt::Params params, int threads,
                int level_window = 0)
      : spec_(std::move(spec)), objective_(objective), params_(std::move(params)), level_window_(level_window),
        model_(spec_, gbdt::Ensemble{}) {
    params_.objective = objective;
    params_.num_threads = threads;
  }
  std::string name() const override {
    if (level_window_ > 0) return "gbdt_level";
    return objective_ == gbdt::Objective::kPoisson ? "gbdt_poisson" : "gbdt_l2";
  }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    gbdt::Params p = params_;
    // After the first fold: the rows of the fold's block too, only to stop the boosting.
    const bool prior = after_prior(control, train_end);
    const size_t rows_end = prior ? control.valid_end : train_end;
    if (level_window_ > 0) levelled_rows(spec_, d, rows_end, level_window_, level_x_, level_y_);
    auto known_rows = [&](const TrainingData& data, size_t begin, size_t end) {
      return level_window_ > 0 ? internal::known_rows(level_x_, level_y_, data.first_row, begin, end)
                               : internal::known_rows(data, begin, end);
    };
    const KnownRows all = known_rows(d, d.first_row, train_end);
    gbdt::Dataset train_set{all.x, all.rows, all.cols, all.y, nullptr};
    gbdt::Dataset valid_set{};
    const gbdt::Dataset* valid = nullptr;
    KnownRows head, tail;
    if (prior) {
      tail = known_rows(d, control.valid_begin, control.valid_end);
    } else if (control.fixed_iterations <= 0) {
      // The last two weeks (at most a fifth of the rows) of the training part stop the boosting.
      const size_t span = train_end - std::min(train_end, d.first_row);
      const size_t hold = std::min(kHoldoutSteps, span / 5);
      head = known_rows(d, d.first_row, train_end - hold);
      tail = known_rows(d, train_end - hold, train_end);
      train_set = {head.x, head.rows, head.cols, head.y, nullptr};
    }
    if (tail.rows > 0) {
      valid_set = {tail.x, tail.rows, tail.cols, tail.y, nullptr};
      valid = &valid_set;
    }
    if (train_set.rows == 0) throw Error("gradient boosting: no training rows with a known target");
    gbdt::TrainResult r = prior ? boost_after_prior(train_set, valid, p, control, chosen_) : boost(train_set, valid, p, control);
    if (!prior) chosen_ = r.best_iteration;
    gain_ = r.feature_gain;
    ensemble_ = std::move(r.ensemble);
    model_ = GbdtPredictor(spec_, ensemble_, level_window_);
    model_.clip_negative = d.counts;
  }
  const Predictor& predictor() const override { return model_; }
  int chosen_iterations() const override { return chosen_; }
  void save(model::ForecastSection& s, gbdt::Ensemble& trees) const override {
    save_trees(s, trees, params_, level_window_, ensemble_, gain_, spec_.names());
  }

 private:
  features::FeatureSpec spec_;
  gbdt::Objective objective_;
  gbdt::Params params_;
  int level_window_ = 0;
  features::Matrix level_x_;
  std::vector<double> level_y_;
  gbdt::Ensemble ensemble_;
  GbdtPredictor model_;
  std::vector<double> gain_;
  int chosen_ = 0;
};

}  // namespace

// Not a virtual of Predictor: only cross-validation calls it, and a virtual would link it
// into the inference bundle every visitor downloads.
bool predict_next_trees(const Predictor& p, const std::vector<const features::History*>& hs,
                        std::vector<float>& scratch, double* out) {
  const auto* trees = dynamic_cast<const GbdtPredictor*>(&p);
  if (!trees) return false;
  trees->predict_next(hs, scratch, out);
  return true;
}

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

// Trees on the target in the units of its local level: the last week of an hourly series,
// the last four weeks of a daily one, the last quarter (13 weeks) of a weekly one.
CandidateInfo gbdt_level_candidate() {
  return {"gbdt_level", "gbdt",
          [](bool, const std::string& pinned) {
            return pinned.empty() || pinned == gbdt::to_string(gbdt::Objective::kSquaredError);
          },
          [](const TrainingData& d) {
            const int window = level_window_of(d.history);
            return std::make_unique<GbdtCandidate>(d.spec, gbdt::Objective::kSquaredError, d.params, d.threads, window);
          }};
}

PredictorInfo gbdt_predictor() {
  return {"gbdt", [](const model::ForecastSection& s, const gbdt::Ensemble& trees) -> std::unique_ptr<Predictor> {
            // A by-channel model's trees read a channel: load_channel_predictor.
            if (!s.channels.empty()) throw Error("model: a by-channel forecaster forecasts one channel at a time");
            return std::make_unique<GbdtPredictor>(s.features, trees, s.level_window);
          }};
}

std::unique_ptr<Predictor> gbdt_channel_predictor(const model::ForecastSection& s, const gbdt::Ensemble& trees,
                                                  size_t channel) {
  return std::make_unique<GbdtPredictor>(s.features, trees, s.level_window, static_cast<int>(channel));
}

// ---- One set of trees across channels ---------------------------------------

GlobalGbdt::GlobalGbdt(features::FeatureSpec spec, gbdt::Params params, int threads, int level_window,
                       gbdt::Objective objective)
    : spec_(std::move(spec)), params_(std::move(params)), level_window_(level_window) {
  params_.objective = objective;
  params_.num_threads = threads;
}

void GlobalGbdt::fit(const std::vector<TrainingData>& channels, size_t train_end, const FitControl& control) {
  if (channels.empty()) throw Error("gradient boosting across channels: no channels");
  const size_t cols = channels.front().x->cols + 1;
  std::vector<float> head_x, tail_x;
  std::vector<double> head_y, tail_y;
  features::Matrix lx;
  std::vector<double> ly;
  // After the first fold (FitControl::prior_iterations): every step before the cut-off
  // trains, the fold's block only stops the boosting.
  const bool prior = after_prior(control, train_end);
  const size_t rows_end = prior ? control.valid_end : train_end;
  for (size_t c = 0; c < channels.size(); ++c) {
    const TrainingData& d = channels[c];
    if (level_window_ > 0) {
      levelled_rows(spec_, d, rows_end, level_window_, lx, ly);
    } else {  // the target itself (a count, for the Poisson trees)
      const size_t end = std::min(rows_end, d.y->size());
      lx.cols = d.x->cols;
      lx.rows = end > d.first_row ? end - d.first_row : 0;
      lx.values.assign(d.x->values.begin(), d.x->values.begin() + static_cast<ptrdiff_t>(lx.rows * lx.cols));
      ly.assign(d.y->begin(), d.y->begin() + static_cast<ptrdiff_t>(end));
    }
    // The last two weeks (at most a fifth of the rows) before the cut-off stop the boosting.
    const size_t span = train_end - std::min(train_end, d.first_row);
    const size_t hold = control.fixed_iterations > 0 || prior ? 0 : std::min(kHoldoutSteps, span / 5);
    for (size_t t = d.first_row; t < ly.size(); ++t) {
      if (std::isnan(ly[t])) continue;
      if (prior && t >= train_end && t < control.valid_begin) continue;  // a gap
      const bool tail = t >= train_end - hold;
      std::vector<float>& x = tail ? tail_x : head_x;
      const float* row = lx.row(t - d.first_row);
      x.insert(x.end(), row, row + lx.cols);
      x.push_back(static_cast<float>(c));
      (tail ? tail_y : head_y).push_back(ly[t]);
    }
  }
  if (head_y.empty()) throw Error("gradient boosting across channels: no training rows with a known target");
  std::vector<uint32_t> categories(cols, 0);
  categories.back() = static_cast<uint32_t>(channels.size());
  const gbdt::Dataset train_set{head_x.data(), head_y.size(), cols, head_y.data(), nullptr, categories.data()};
  const gbdt::Dataset valid_set{tail_x.data(), tail_y.size(), cols, tail_y.data(), nullptr, categories.data()};
  const gbdt::Dataset* valid = tail_y.empty() ? nullptr : &valid_set;
  gbdt::TrainResult r = prior ? boost_after_prior(train_set, valid, params_, control, chosen_)
                              : boost(train_set, valid, params_, control);
  if (!prior) chosen_ = r.best_iteration;
  gain_ = r.feature_gain;
  ensemble_ = std::move(r.ensemble);
}

std::unique_ptr<Predictor> GlobalGbdt::predictor(size_t channel, bool clip_negative) const {
  auto p = std::make_unique<GbdtPredictor>(spec_, ensemble_, level_window_, static_cast<int>(channel));
  p->clip_negative = clip_negative;
  return p;
}

void GlobalGbdt::save(model::ForecastSection& s, gbdt::Ensemble& trees) const {
  std::vector<std::string> names = spec_.names();
  names.push_back("channel");
  save_trees(s, trees, params_, level_window_, ensemble_, gain_, names);
}

}  // namespace fc::forecast::internal
