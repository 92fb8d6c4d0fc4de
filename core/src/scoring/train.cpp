// The scoring pipeline. Every number the report shows about quality comes from rows the
// model being measured never saw: out-of-fold predictions of stratified folds (the same
// folds for the trees and the logistic baseline), with early stopping inside each fold's
// training part only.
#include "funnelcast/scoring/train.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/baselines/baselines.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/eval/validation.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/shap.hpp"
#include "funnelcast/gbdt/train.hpp"

namespace fc::scoring {
namespace {

// Early stopping watches this share of each training part (stratified).
constexpr double kEarlyStoppingShare = 0.15;
// One column ranking the outcome this well on its own is worth a warning: it may only be
// known after the outcome (a call's duration, a "deal closed" date).
constexpr double kLeakAuc = 0.95;
constexpr double kDominantAuc = 0.80;
constexpr double kDominantMargin = 0.10;
// The logistic baseline one-hot encodes at most this many levels of a category.
constexpr size_t kLogisticLevels = 50;

// Rows `idx` of x (and y) as contiguous arrays.
struct Subset {
  std::vector<float> x;
  std::vector<double> y;
  size_t rows = 0;
};
Subset take(const features::Matrix& x, const std::vector<double>& y, const std::vector<size_t>& idx) {
  Subset s;
  s.rows = idx.size();
  s.x.resize(idx.size() * x.cols);
  s.y.resize(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    std::copy(x.row(idx[k]), x.row(idx[k]) + x.cols, s.x.begin() + static_cast<ptrdiff_t>(k * x.cols));
    s.y[k] = y[idx[k]];
  }
  return s;
}

struct Fit {
  gbdt::Ensemble ensemble;
  int best_iteration = 0;
  std::vector<double> gain;
};

// Trees on `rows` of x. iterations > 0: exactly that many; else early stopping on a
// stratified share of the rows picks the count (then the caller refits on all of them).
Fit fit_trees(const features::Matrix& x, const std::vector<double>& y, const std::vector<size_t>& rows,
              const std::vector<uint32_t>& categories, gbdt::Params p, int iterations, uint64_t seed,
              const std::function<void(double)>& progress) {
  Fit out;
  gbdt::TrainResult r;
  auto report = [&](int it, int total) {
    if (progress) progress(static_cast<double>(it) / std::max(total, 1));
    return true;
  };
  if (iterations > 0) {
    p.num_iterations = iterations;
    p.early_stopping_round = 0;
    const Subset all = take(x, y, rows);
    gbdt::Dataset d{all.x.data(), all.rows, x.cols, all.y.data(), nullptr, categories.data()};
    r = gbdt::train(d, nullptr, p, report);
  } else {
    std::vector<double> labels(rows.size());
    for (size_t k = 0; k < rows.size(); ++k) labels[k] = y[rows[k]];
    const validation::Split split = validation::stratified_split(labels, kEarlyStoppingShare, seed);
    std::vector<size_t> fit_rows, stop_rows;
    for (size_t k : split.train) fit_rows.push_back(rows[k]);
    for (size_t k : split.valid) stop_rows.push_back(rows[k]);
    const Subset a = take(x, y, fit_rows), b = take(x, y, stop_rows);
    gbdt::Dataset d{a.x.data(), a.rows, x.cols, a.y.data(), nullptr, categories.data()};
    gbdt::Dataset v{b.x.data(), b.rows, x.cols, b.y.data(), nullptr, categories.data()};
    if (p.early_stopping_round <= 0) p.early_stopping_round = 50;
    r = gbdt::train(d, &v, p, report);
  }
  out.best_iteration = r.best_iteration;
  out.gain = r.feature_gain;
  out.ensemble = std::move(r.ensemble);
  return out;
}

// The logistic baseline's inputs: numbers as they are, categories one-hot (most frequent levels).
features::Matrix logistic_inputs(const std::vector<model::ScoreFeature>& features, const features::Matrix& x) {
  features::Matrix out;
  std::vector<std::pair<size_t, int>> columns;  // (feature, level or -1 for the number itself)
  for (size_t f = 0; f < features.size(); ++f) {
    if (features[f].kind == "category") {
      const size_t levels = std::min(features[f].levels.size(), kLogisticLevels);
      for (size_t l = 0; l < levels; ++l) {
        columns.emplace_back(f, static_cast<int>(l));
        out.names.push_back(features[f].name + "=" + features[f].levels[l]);
      }
    } else {
      columns.emplace_back(f, -1);
      out.names.push_back(features[f].name);
    }
  }
  out.rows = x.rows;
  out.cols = columns.size();
  out.values.resize(out.rows * out.cols);
  for (size_t r = 0; r < x.rows; ++r) {
    const float* in = x.row(r);
    float* o = out.values.data() + r * out.cols;
    for (size_t c = 0; c < columns.size(); ++c) {
      const float v = in[columns[c].first];
      o[c] = columns[c].second < 0 ? v : (std::isnan(v) ? 0.0f : (v == static_cast<float>(columns[c].second) ? 1.0f : 0.0f));
    }
  }
  return out;
}

model::ScoreMetrics metrics_of(const std::vector<double>& y, const std::vector<double>& p, double threshold) {
  model::ScoreMetrics m;
  m.roc_auc = metrics::roc_auc(y, p);
  m.pr_auc = metrics::average_precision(y, p);
  m.logloss = metrics::log_loss(y, p);
  m.brier = metrics::brier(y, p);
  const metrics::Confusion c = metrics::confusion(y, p, threshold);
  m.accuracy = c.accuracy();
  m.precision = c.precision();
  m.recall = c.recall();
  m.f1 = c.f1();
  return m;
}

double value_of(const model::ScoreMetrics& m, const std::string& name) {
  if (name == "roc_auc") return m.roc_auc;
  if (name == "pr_auc") return m.pr_auc;
  if (name == "logloss") return m.logloss;
  if (name == "brier") return m.brier;
  if (name == "accuracy") return m.accuracy;
  if (name == "precision") return m.precision;
  if (name == "recall") return m.recall;
  return m.f1;
}

// How well one feature alone ranks the outcome: ROC-AUC folded to >= 0.5. Categories are
// ranked by their positive rate in the other half of the rows (so a level seen once cannot
// look perfect); numbers by their value.
double single_feature_auc(const model::ScoreFeature& f, const features::Matrix& x, size_t col,
                          const std::vector<double>& y, const std::vector<size_t>& rows) {
  std::vector<double> ys, ps;
  if (f.kind == "category") {
    const size_t levels = f.levels.size();
    std::vector<double> pos[2], all[2];
    for (int h = 0; h < 2; ++h) {
      pos[h].assign(levels, 0);
      all[h].assign(levels, 0);
    }
    double base = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
      const float v = x.at(rows[k], col);
      base += y[rows[k]];
      if (std::isnan(v)) continue;
      pos[k % 2][static_cast<size_t>(v)] += y[rows[k]];
      all[k % 2][static_cast<size_t>(v)] += 1;
    }
    base /= static_cast<double>(std::max<size_t>(rows.size(), 1));
    for (size_t k = 0; k < rows.size(); ++k) {
      const float v = x.at(rows[k], col);
      const int other = 1 - static_cast<int>(k % 2);
      double p = base;
      if (!std::isnan(v)) {
        const size_t l = static_cast<size_t>(v);
        p = (pos[other][l] + base) / (all[other][l] + 1);  // one prior row of the base rate
      }
      ys.push_back(y[rows[k]]);
      ps.push_back(p);
    }
  } else {
    for (size_t r : rows) {
      const float v = x.at(r, col);
      if (std::isnan(v)) continue;
      ys.push_back(y[r]);
      ps.push_back(v);
    }
  }
  if (ys.size() < 10) return kNaN;
  const double auc = metrics::roc_auc(ys, ps);
  return std::isnan(auc) ? kNaN : std::max(auc, 1 - auc);
}

// ---- The steps of train() ---------------------------------------------------

void check_folds(const Table& table, const Target& target, int folds) {
  if (folds == 1 || folds < 0 || folds > 50) throw Error("the number of folds must be 0 (no cross-validation) or 2 to 50");
  const size_t minority = std::min(target.positives, target.negatives);
  if (folds > 0 && minority < static_cast<size_t>(2 * folds)) {
    throw Error(table.source + ": only " + std::to_string(minority) + " rows have the outcome '" +
                (target.positives < target.negatives ? target.positive : target.negative) + "'; " +
                std::to_string(folds) + "-fold cross-validation needs at least " + std::to_string(2 * folds) +
                " (use fewer --folds, or more rows)");
  }
}

// The rows with an outcome: their table rows, features and labels.
struct Labelled {
  std::vector<size_t> used;
  features::Matrix x;
  std::vector<double> y;
};

Labelled labelled_rows(const Table& table, const Target& target, const Encoded& enc) {
  Labelled l;
  for (size_t r = 0; r < table.rows; ++r)
    if (!std::isnan(target.y[r])) l.used.push_back(r);
  features::Matrix& x = l.x;
  x.cols = enc.x.cols;
  x.names = enc.x.names;
  x.rows = l.used.size();
  x.values.resize(x.rows * x.cols);
  l.y.resize(l.used.size());
  for (size_t k = 0; k < l.used.size(); ++k) {
    std::copy(enc.x.row(l.used[k]), enc.x.row(l.used[k]) + x.cols, x.values.begin() + static_cast<ptrdiff_t>(k * x.cols));
    l.y[k] = target.y[l.used[k]];
  }
  return l;
}

// Class imbalance: with a rare outcome (under 5% of rows) positives weigh the square
// root of negatives/positives, and the log of that weight is taken back out of the base
// score, so the stored model still outputs calibrated probabilities. From 5% on rows are
// left unweighted: on the demo leads and three public lead tables (10-30% positives)
// balanced weights lowered both ROC-AUC and log-loss against no weighting.
double positive_weight(double asked, double rate, const Target& target) {
  double w = asked;
  if (!(w > 0)) {
    w = 1.0;
    if (rate < 0.05) w = std::sqrt(static_cast<double>(target.negatives) / static_cast<double>(target.positives));
  }
  return w;
}

// Progress over the stages of train(): one per fold, the final fit and the importance.
struct Stages {
  const Progress& progress;
  double steps;
  double done = 0;
  void operator()(const std::string& stage, double within) const {
    if (progress) progress(stage, std::min(1.0, (done + std::clamp(within, 0.0, 1.0)) / steps));
  }
};

// The caller's folds (e.g. to compare with another tool on the same rows): each
// distinct value of the column is one fold, in order of first appearance.
std::vector<validation::Split> column_folds(const Table& table, const std::string& column,
                                            const std::vector<size_t>& used, int folds) {
  const size_t n = used.size();
  const Column& c = table.at(column);
  std::vector<std::string> names;
  std::vector<size_t> fold_of(n);
  for (size_t k = 0; k < n; ++k) {
    if (c.is_missing(used[k])) throw Error(table.source + ": line " + std::to_string(table.line(used[k])) +
                                           ": no fold in column '" + c.name + "'");
    const std::string v = c.text(used[k]);
    auto it = std::find(names.begin(), names.end(), v);
    if (it == names.end()) {
      names.push_back(v);
      it = names.end() - 1;
    }
    fold_of[k] = static_cast<size_t>(it - names.begin());
  }
  if (names.size() != static_cast<size_t>(folds))
    throw Error(table.source + ": column '" + c.name + "' names " + std::to_string(names.size()) + " folds, not " +
                std::to_string(folds) + " (--folds)");
  std::vector<validation::Split> splits(names.size());
  for (size_t k = 0; k < n; ++k)
    for (size_t f = 0; f < splits.size(); ++f) (f == fold_of[k] ? splits[f].valid : splits[f].train).push_back(k);
  return splits;
}

// Out-of-fold predictions of the trees and of the logistic baseline, with each
// fold's early-stopped tree count and validation rows.
struct CrossValidation {
  std::vector<double> oof, oof_logistic;
  std::vector<int> best;
  std::vector<std::vector<size_t>> fold_rows;
};

// Everything train() reads before its first fit: the inputs, the rows with an outcome, the
// parameters and the folds. train_fold() builds the same from the same table and options.
struct Prepared {
  Inferred inf;
  Encoded enc;
  Labelled data;
  gbdt::Params params;
  double rate = 0, w = 1, shift = 0;
  std::vector<validation::Split> splits;
};

Prepared prepare(const Table& table, const TrainOptions& options) {
  Prepared p;
  p.inf = infer(table, options.columns);
  const Target& target = p.inf.target;
  check_folds(table, target, options.folds);
  // Rows with an outcome, encoded once.
  p.enc = encode(p.inf.features, table, "the model");
  p.data = labelled_rows(table, target, p.enc);
  const size_t n = p.data.used.size();
  p.params = options.params;
  p.params.objective = gbdt::Objective::kBinary;
  p.params.num_threads = options.threads;
  p.rate = static_cast<double>(target.positives) / static_cast<double>(n);
  p.w = positive_weight(options.scale_pos_weight, p.rate, target);
  p.params.scale_pos_weight = p.w;
  p.shift = std::log(p.w);
  p.params.validate();
  if (options.folds > 0)
    p.splits = options.columns.fold.empty() ? validation::stratified_kfold(p.data.y, options.folds, p.params.seed)
                                            : column_folds(table, options.columns.fold, p.data.used, options.folds);
  return p;
}

// Fold k of the cross-validation: the trees early-stopped on its training part, refitted
// with that count, and the logistic baseline, each predicting the fold's validation rows.
FoldResult run_fold(const Prepared& p, const features::Matrix& lx, size_t k, Stages& report) {
  const features::Matrix& x = p.data.x;
  const std::vector<double>& y = p.data.y;
  const gbdt::Params& params = p.params;
  const std::string stage = "fold " + std::to_string(k + 1) + "/" + std::to_string(p.splits.size());
  const auto& split = p.splits[k];
  FoldResult out;
  out.fold = static_cast<int>(k);
  Fit first = fit_trees(x, y, split.train, p.enc.category_counts, params, 0, params.seed + 1000 + k,
                        [&](double f) { report(stage, 0.5 * f); });
  const int count = std::max(1, first.best_iteration);
  out.best = count;
  Fit refit = fit_trees(x, y, split.train, p.enc.category_counts, params, count, 0,
                        [&](double f) { report(stage, 0.5 + 0.4 * f); });
  refit.ensemble.base_score -= p.shift;
  const gbdt::FlatEnsemble engine(refit.ensemble);
  out.rows.reserve(split.valid.size());
  out.oof.reserve(split.valid.size());
  out.oof_logistic.assign(split.valid.size(), kNaN);
  for (size_t r : split.valid) {
    out.rows.push_back(static_cast<uint32_t>(r));
    out.oof.push_back(engine.predict_one(x.row(r)));
  }
  // The baseline on the same fold.
  report(stage + " logistic", 0.9);
  const Subset lt = take(lx, y, split.train);
  features::Matrix lm;
  lm.rows = lt.rows;
  lm.cols = lx.cols;
  lm.values = lt.x;
  baselines::Logistic logistic;
  logistic.lambda = 1.0;
  try {
    logistic.fit(lm, lt.y);
    for (size_t j = 0; j < split.valid.size(); ++j) out.oof_logistic[j] = logistic.predict(lx.row(split.valid[j]));
  } catch (const Error&) {
    // A baseline that cannot be fitted is left out of the comparison, not a failure.
  }
  return out;
}

// The folds' results gathered in fold order, each checked against the fold it claims to
// be: results computed elsewhere (another worker) for another table or other options
// are refused, never mixed in.
CrossValidation gather(const Prepared& p, std::vector<const FoldResult*> folds) {
  const size_t n = p.data.used.size();
  const std::string bad = "cross-validation results do not fit this table and options: ";
  if (folds.size() != p.splits.size())
    throw Error(bad + std::to_string(folds.size()) + " folds given, " + std::to_string(p.splits.size()) + " expected");
  std::sort(folds.begin(), folds.end(), [](const FoldResult* a, const FoldResult* b) { return a->fold < b->fold; });
  CrossValidation cv;
  cv.oof.assign(n, kNaN);
  cv.oof_logistic.assign(n, kNaN);
  for (size_t k = 0; k < folds.size(); ++k) {
    const FoldResult& f = *folds[k];
    const auto& valid = p.splits[k].valid;
    const std::string which = "fold " + std::to_string(k + 1) + ": ";
    if (f.fold != static_cast<int>(k)) throw Error(bad + "fold " + std::to_string(k + 1) + " is missing or given twice");
    if (f.rows.size() != valid.size() || f.oof.size() != valid.size() || f.oof_logistic.size() != valid.size())
      throw Error(bad + which + std::to_string(f.rows.size()) + " validation rows given, " + std::to_string(valid.size()) + " expected");
    if (!std::equal(valid.begin(), valid.end(), f.rows.begin(), [](size_t a, uint32_t b) { return a == b; }))
      throw Error(bad + which + "other validation rows");
    if (f.best < 1 || f.best > p.params.num_iterations)
      throw Error(bad + which + "a tree count of " + std::to_string(f.best) + " (1 to " + std::to_string(p.params.num_iterations) + ")");
    for (size_t j = 0; j < valid.size(); ++j) {
      if (!std::isfinite(f.oof[j])) throw Error(bad + which + "a prediction that is not a number");
      cv.oof[valid[j]] = f.oof[j];
      cv.oof_logistic[valid[j]] = f.oof_logistic[j];
    }
    cv.best.push_back(f.best);
    cv.fold_rows.push_back(valid);
  }
  return cv;
}

// The threshold, from the out-of-fold predictions.
void choose_threshold(model::ScoreSection& s, const TrainOptions& options, int folds, const std::vector<double>& y,
                      const std::vector<double>& oof, std::vector<std::string>& notices) {
  s.threshold_rule = options.threshold_rule;
  s.threshold_target = options.threshold_target;
  if (folds == 0 && options.threshold_rule != "fixed") {
    s.threshold_rule = "fixed";
    s.threshold_target = 0.5;
    notices.push_back("without cross-validation the threshold cannot be chosen on unseen rows: it is 0.5 "
                      "(give --threshold P to set it)");
  }
  if (s.threshold_rule == "fixed") {
    s.threshold = s.threshold_target;
  } else if (s.threshold_rule == "precision") {
    const metrics::ThresholdPoint p = metrics::threshold_for_precision(y, oof, options.threshold_target);
    if (std::isnan(p.threshold)) {
      throw Error("no threshold reaches a precision of " + std::to_string(options.threshold_target).substr(0, 5) +
                  " on the cross-validation predictions; ask for less");
    }
    s.threshold = p.threshold;
  } else if (s.threshold_rule == "top_share") {
    s.threshold = metrics::threshold_for_top_share(oof, options.threshold_target);
  } else {
    s.threshold = metrics::best_f1_threshold(y, oof).threshold;
  }
}

// Per-fold metrics at the chosen threshold (mean and std), the out-of-fold
// metrics, curve, calibration and lift, and the comparison with the baseline.
void summarise_folds(model::ScoreSection& s, const std::vector<double>& y, const CrossValidation& cv) {
  const std::vector<double>& oof = cv.oof;
  const char* const names[] = {"roc_auc", "pr_auc", "logloss", "brier", "accuracy", "precision", "recall", "f1"};
  std::vector<model::ScoreMetrics> per_fold;
  for (const auto& rows : cv.fold_rows) {
    std::vector<double> fy, fp;
    for (size_t r : rows) {
      fy.push_back(y[r]);
      fp.push_back(oof[r]);
    }
    per_fold.push_back(metrics_of(fy, fp, s.threshold));
  }
  for (const char* name : names) {
    std::vector<double> v;
    for (const auto& m : per_fold)
      if (!std::isnan(value_of(m, name))) v.push_back(value_of(m, name));
    model::MetricSummary ms{kNaN, kNaN, v.size()};
    if (!v.empty()) {
      const metrics::MeanStd m = metrics::mean_std(v);
      ms.mean = m.mean;
      ms.std = m.std;
    }
    s.cv[name] = ms;
  }
  s.out_of_fold = metrics_of(y, oof, s.threshold);
  for (const auto& p : metrics::threshold_curve(y, oof, 200))
    s.curve.push_back({p.threshold, p.share, p.precision, p.recall, p.f1, p.lift});
  for (const auto& b : metrics::calibration(y, oof, 10))
    s.calibration.push_back({b.lower, b.upper, b.mean_predicted, b.observed_rate, b.count});
  const metrics::LiftTable lift = metrics::lift_table(y, oof);
  for (const auto* rows : {&lift.deciles, &lift.top})
    for (const auto& r : *rows) s.lift.push_back({r.share, r.precision, r.lift, r.gain, r.contacted});
  s.comparison.emplace_back("gbdt", s.out_of_fold);
  if (std::none_of(cv.oof_logistic.begin(), cv.oof_logistic.end(), [](double v) { return std::isnan(v); })) {
    const metrics::ThresholdPoint lt = metrics::best_f1_threshold(y, cv.oof_logistic);
    s.comparison.emplace_back("logistic", metrics_of(y, cv.oof_logistic, lt.threshold));
  }
}

// The final model's tree count: the median of the folds', or without folds the trees asked for.
int final_iterations(const std::vector<int>& best, const gbdt::Params& params) {
  if (best.empty()) return params.num_iterations;
  std::vector<int> sorted = best;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

// Importance: gain, and mean |SHAP| on up to shap_rows rows spread over the table.
void add_importance(model::ScoreSection& s, const Fit& final_fit, const features::Matrix& x,
                    const std::vector<model::ScoreFeature>& features, size_t shap_rows) {
  const size_t n = x.rows;
  const gbdt::TreeShap shap(final_fit.ensemble);
  const size_t take_rows = std::min(n, std::max<size_t>(shap_rows, 1));
  const size_t stride = std::max<size_t>(1, n / take_rows);
  std::vector<float> rows;
  size_t count = 0;
  for (size_t r = 0; r < n && count < take_rows; r += stride, ++count)
    rows.insert(rows.end(), x.row(r), x.row(r) + x.cols);
  std::vector<double> phi(count * x.cols);
  shap.explain(rows.data(), count, x.cols, phi.data());
  const std::vector<double> mean_abs = gbdt::mean_abs_shap(phi.data(), count, x.cols);
  for (size_t f = 0; f < x.cols; ++f)
    s.importance.push_back({features[f].name, f < final_fit.gain.size() ? final_fit.gain[f] : 0.0, mean_abs[f]});
  std::stable_sort(s.importance.begin(), s.importance.end(),
                   [](const auto& a, const auto& b) { return a.mean_abs_shap > b.mean_abs_shap; });
}

// Leakage: a column that alone ranks the outcome suspiciously well.
void add_leakage_warnings(model::ScoreSection& s, const std::vector<model::ScoreFeature>& features,
                          const features::Matrix& x, const std::vector<double>& y, const std::vector<size_t>& all) {
  std::vector<std::pair<double, std::string>> single;
  for (size_t f = 0; f < x.cols; ++f) {
    const double auc = single_feature_auc(features[f], x, f, y, all);
    if (!std::isnan(auc)) single.emplace_back(auc, features[f].column);
  }
  std::sort(single.begin(), single.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < single.size(); ++i) {
    const double next = i + 1 < single.size() ? single[i + 1].first : 0.5;
    const bool leak = single[i].first >= kLeakAuc ||
                      (i == 0 && single[i].first >= kDominantAuc && single[i].first - next >= kDominantMargin);
    if (!leak) continue;
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "column '%s' alone ranks the outcome with ROC-AUC %.3f (the next best column: %.3f); if it is "
                  "only known after the outcome (like a call's duration), leave it out (--drop '%s')",
                  single[i].second.c_str(), single[i].first, next, single[i].second.c_str());
    s.warnings.push_back(buf);
  }
}

// The training report: the model header's score section, with what was dropped and noticed.
nlohmann::json report_json(const model::Model& m, const Inferred& inf, int folds, double w,
                           const std::vector<std::string>& notices) {
  const nlohmann::json header = m.header.to_json();
  const nlohmann::json& sj = header.at("score");
  nlohmann::json dropped = nlohmann::json::array();
  for (const auto& c : inf.schema.columns)
    if (c.use == "dropped") dropped.push_back({{"column", c.name}, {"reason", c.reason}});
  const auto& oofj = sj.at("out_of_fold");
  return {{"data", header.at("data")},
          {"target", {{"column", sj.at("target")}, {"positive", sj.at("positive")},
                      {"negative", sj.at("negative")}, {"positive_rate", sj.at("positive_rate")}}},
          {"folds", folds},
          {"cv", sj.at("cv")},
          {"out_of_fold", oofj},
          {"threshold", sj.at("threshold")},
          {"threshold_rule", sj.at("threshold_rule")},
          {"at_threshold", {{"precision", oofj.at("precision")}, {"recall", oofj.at("recall")}, {"f1", oofj.at("f1")}}},
          {"calibration", sj.at("calibration")},
          {"lift", sj.at("lift")},
          {"curve", sj.at("curve")},
          {"comparison", sj.at("comparison")},
          {"importance", sj.at("importance")},
          {"scale_pos_weight", w},
          {"trees", m.ensemble.trees.size()},
          {"dropped_columns", dropped},
          {"warnings", sj.at("warnings")},
          {"notices", notices}};
}

}  // namespace

gbdt::Params TrainOptions::default_params() {
  gbdt::Params p;
  p.objective = gbdt::Objective::kBinary;
  p.num_iterations = 1000;  // early stopping picks the count
  p.learning_rate = 0.05;
  p.num_leaves = 31;
  p.min_data_in_leaf = 20;
  p.lambda_l2 = 1.0;
  p.feature_fraction = 0.9;
  p.bagging_fraction = 0.8;
  p.bagging_freq = 1;
  return p;
}

namespace {

// The model and report from the prepared inputs and the folds' results (in fold order).
TrainOutput finish(const Table& table, const TrainOptions& options, Prepared& p, const CrossValidation& cv,
                   Stages& report);

// The folds k of `which` (all when empty) run here, in order.
std::vector<FoldResult> run_folds(const Prepared& p, const std::vector<size_t>& which, Stages& report) {
  std::vector<FoldResult> out;
  if (p.splits.empty()) return out;
  const features::Matrix lx = logistic_inputs(p.inf.features, p.data.x);
  for (size_t k : which) {
    out.push_back(run_fold(p, lx, k, report));
    report.done += 1;
  }
  return out;
}

}  // namespace

TrainOutput train(const Table& table, const TrainOptions& options, const Progress& progress) {
  Prepared p = prepare(table, options);
  Stages report{progress, static_cast<double>(std::max(options.folds, 0)) + 2};
  std::vector<size_t> all(p.splits.size());
  std::iota(all.begin(), all.end(), size_t{0});
  const std::vector<FoldResult> folds = run_folds(p, all, report);
  std::vector<const FoldResult*> given;
  for (const FoldResult& f : folds) given.push_back(&f);
  CrossValidation cv;
  if (options.folds > 0) {
    cv = gather(p, given);
  } else {
    cv.oof.assign(p.data.used.size(), kNaN);
    cv.oof_logistic.assign(p.data.used.size(), kNaN);
  }
  return finish(table, options, p, cv, report);
}

FoldResult train_fold(const Table& table, const TrainOptions& options, int fold, const Progress& progress) {
  if (options.folds <= 0) throw Error("a fold of the cross-validation was asked for, but it has no folds (--folds 0)");
  if (fold < 0 || fold >= options.folds)
    throw Error("fold " + std::to_string(fold) + " does not exist: the folds are 0 to " + std::to_string(options.folds - 1));
  Prepared p = prepare(table, options);
  Stages report{progress, 1};
  FoldResult out = std::move(run_folds(p, {static_cast<size_t>(fold)}, report).front());
  report("done", 1.0);
  return out;
}

TrainOutput train(const Table& table, const TrainOptions& options, const std::vector<FoldResult>& folds,
                  const Progress& progress) {
  if (options.folds <= 0) throw Error("cross-validation results were given, but the training has no folds (--folds 0)");
  Prepared p = prepare(table, options);
  std::vector<const FoldResult*> given;
  for (const FoldResult& f : folds) given.push_back(&f);
  const CrossValidation cv = gather(p, given);
  // The folds are done: the progress starts at the final fit.
  Stages report{progress, static_cast<double>(options.folds) + 2};
  report.done = static_cast<double>(options.folds);
  return finish(table, options, p, cv, report);
}

namespace {

TrainOutput finish(const Table& table, const TrainOptions& options, Prepared& p, const CrossValidation& cv,
                   Stages& report) {
  TrainOutput out;
  out.notices = p.inf.notices;
  const Inferred& inf = p.inf;
  const Target& target = inf.target;
  const Encoded& enc = p.enc;
  const features::Matrix& x = p.data.x;
  const std::vector<double>& y = p.data.y;
  const size_t n = p.data.used.size();
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), size_t{0});
  const int folds = options.folds;
  gbdt::Params& params = p.params;
  const double rate = p.rate, w = p.w, shift = p.shift;

  model::ScoreSection s;
  s.target = table.columns[static_cast<size_t>(table.find(options.columns.target))].name;
  s.positive = target.positive;
  s.negative = target.negative;
  s.positive_rate = rate;
  s.id_column = inf.id_column;
  s.features = inf.features;
  s.prior_shift = shift;
  s.folds = static_cast<uint64_t>(folds);
  choose_threshold(s, options, folds, y, cv.oof, out.notices);
  if (folds > 0) summarise_folds(s, y, cv);

  // The final model on every row, with the median tree count of the folds.
  const std::string final_stage = "final fit";
  const int iterations = final_iterations(cv.best, params);
  Fit final_fit = fit_trees(x, y, all, enc.category_counts, params, iterations, 0,
                            [&](double f) { report(final_stage, 0.8 * f); });
  final_fit.ensemble.base_score -= shift;
  s.params = params;
  s.params->num_iterations = static_cast<int>(final_fit.ensemble.trees.size());
  s.params->early_stopping_round = 0;

  report("importance", 0.8);
  add_importance(s, final_fit, x, inf.features, options.shap_rows);
  add_leakage_warnings(s, inf.features, x, y, all);
  report.done = report.steps;
  report("done", 1.0);

  model::Model& m = out.model;
  m.header.kind = "score";
  m.header.created_by = std::string("funnelcast ") + FC_VERSION;
  m.header.table = inf.schema;
  m.header.score = std::move(s);
  m.ensemble = std::move(final_fit.ensemble);
  model::check(m);
  out.report = report_json(m, inf, folds, w, out.notices);
  return out;
}

}  // namespace
}  // namespace fc::scoring
