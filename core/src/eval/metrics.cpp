// Forecast-quality metrics. Conventions (kept here so the report and the tests agree):
// - A NaN in y or p makes the metric NaN: a missing value is never silently dropped.
// - r2 of a constant target (SST == 0) is undefined: 0 when the prediction is
//   exact (as good as the mean, which is the target itself), NaN otherwise.
// - mase is NaN when the training part has no seasonal difference to scale by
//   (too short, or a perfectly periodic series); pairs with a NaN are skipped there.
// - nlohmann::json writes NaN as null, so an undefined metric appears as null.
#include "funnelcast/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"

namespace fc::metrics {
namespace {

void check(const std::vector<double>& y, const std::vector<double>& p, const char* name) {
  if (y.size() != p.size()) {
    throw Error(std::string(name) + ": " + std::to_string(y.size()) + " actual values but " +
                std::to_string(p.size()) + " predictions");
  }
  if (y.empty()) throw Error(std::string(name) + ": no values to score");
}

double sum_abs_error(const std::vector<double>& y, const std::vector<double>& p) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += std::fabs(y[i] - p[i]);
  return s;
}

}  // namespace

double rmse(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "rmse");
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double d = y[i] - p[i];
    s += d * d;
  }
  return std::sqrt(s / static_cast<double>(y.size()));
}

double mae(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "mae");
  return sum_abs_error(y, p) / static_cast<double>(y.size());
}

double r2(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "r2");
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double sse = 0, sst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    sse += (y[i] - p[i]) * (y[i] - p[i]);
    sst += (y[i] - mean) * (y[i] - mean);
  }
  if (std::isnan(sse) || std::isnan(sst)) return kNaN;
  if (sst == 0) return sse == 0 ? 0.0 : kNaN;
  return 1.0 - sse / sst;
}

double smape(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "smape");
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double denom = (std::fabs(y[i]) + std::fabs(p[i])) / 2.0;
    // Zero leads forecast as zero leads is a perfect hour, not a 0/0.
    if (denom == 0) continue;
    s += std::fabs(y[i] - p[i]) / denom;
  }
  return s / static_cast<double>(y.size());
}

double mase(const std::vector<double>& y, const std::vector<double>& p, const double* train,
            size_t train_size, size_t season) {
  check(y, p, "mase");
  if (season == 0) throw Error("mase: the season must be at least 1 hour");
  if (train == nullptr && train_size > 0) throw Error("mase: no training values given");
  if (train_size <= season) return kNaN;
  double s = 0;
  size_t count = 0;
  for (size_t t = season; t < train_size; ++t) {
    const double d = train[t] - train[t - season];
    if (std::isnan(d)) continue;
    s += std::fabs(d);
    ++count;
  }
  if (count == 0 || s == 0) return kNaN;
  const double scale = s / static_cast<double>(count);
  return (sum_abs_error(y, p) / static_cast<double>(y.size())) / scale;
}

Regression regression(const std::vector<double>& y, const std::vector<double>& p,
                      const double* train, size_t train_size, size_t season) {
  Regression r;
  r.rmse = rmse(y, p);
  r.mae = mae(y, p);
  r.r2 = r2(y, p);
  r.smape = smape(y, p);
  r.mase = mase(y, p, train, train_size, season);
  return r;
}

MeanStd mean_std(const std::vector<double>& values) {
  if (values.empty()) throw Error("mean_std: no values");
  MeanStd out;
  for (double v : values) out.mean += v;
  const double n = static_cast<double>(values.size());
  out.mean /= n;
  if (values.size() == 1) {
    out.std = std::isnan(out.mean) ? kNaN : 0.0;
    return out;
  }
  // Two passes: the one-pass formula loses digits when the spread is small against the mean.
  double ss = 0;
  for (double v : values) ss += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(ss / (n - 1));
  return out;
}

nlohmann::json to_json(const Regression& r) {
  return {{"rmse", r.rmse}, {"mae", r.mae}, {"r2", r.r2}, {"smape", r.smape}, {"mase", r.mase}};
}

namespace {

// A fold where a metric is undefined (NaN, e.g. r2 of a constant block or ROC-AUC of a
// fold without positives) is left out of that metric's mean and std, so one odd fold
// does not erase the summary; the per-fold list still shows it (as null).
template <class T>
void add_summary(nlohmann::json& out, const std::vector<T>& per_fold, const char* name,
                 double T::*field) {
  std::vector<double> v;
  for (const T& r : per_fold) {
    if (!std::isnan(r.*field)) v.push_back(r.*field);
  }
  nlohmann::json entry;
  if (v.empty()) {
    entry = {{"mean", kNaN}, {"std", kNaN}};
  } else {
    const MeanStd ms = mean_std(v);
    entry = {{"mean", ms.mean}, {"std", ms.std}};
  }
  entry["folds_used"] = v.size();
  out[name] = std::move(entry);
}

}  // namespace

nlohmann::json summarize(const std::vector<Regression>& per_fold) {
  if (per_fold.empty()) throw Error("summarize: no folds");
  nlohmann::json out = nlohmann::json::object();
  add_summary(out, per_fold, "rmse", &Regression::rmse);
  add_summary(out, per_fold, "mae", &Regression::mae);
  add_summary(out, per_fold, "r2", &Regression::r2);
  add_summary(out, per_fold, "smape", &Regression::smape);
  add_summary(out, per_fold, "mase", &Regression::mase);
  nlohmann::json folds = nlohmann::json::array();
  for (const Regression& r : per_fold) folds.push_back(to_json(r));
  out["folds"] = std::move(folds);
  return out;
}

// ---------------------------------------------------------------------------------
// Binary classification.
// ---------------------------------------------------------------------------------

namespace {

std::string row_text(size_t i) {
  return "row " + std::to_string(i + 1);
}

// Checks the shared inputs; `probabilities` also requires p in [0, 1].
void check_binary(const std::vector<double>& y, const std::vector<double>& p,
                  const std::vector<double>& weight, const char* name, bool probabilities) {
  if (y.size() != p.size()) {
    throw Error(std::string(name) + ": " + std::to_string(y.size()) + " outcomes but " +
                std::to_string(p.size()) + " predictions");
  }
  if (y.empty()) throw Error(std::string(name) + ": no rows to score");
  if (!weight.empty() && weight.size() != y.size()) {
    throw Error(std::string(name) + ": " + std::to_string(y.size()) + " rows but " +
                std::to_string(weight.size()) + " weights");
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw Error(std::string(name) + ": the outcome must be 0 or 1, " + row_text(i) + " has " +
                  std::to_string(y[i]));
    }
    if (!std::isfinite(p[i])) {
      throw Error(std::string(name) + ": the prediction of " + row_text(i) +
                  " is missing or not finite");
    }
    if (probabilities && (p[i] < 0.0 || p[i] > 1.0)) {
      throw Error(std::string(name) + ": the prediction of " + row_text(i) + " is " +
                  std::to_string(p[i]) + ", not a probability between 0 and 1");
    }
    if (!weight.empty() && !(weight[i] >= 0.0 && std::isfinite(weight[i]))) {
      throw Error(std::string(name) + ": the weight of " + row_text(i) +
                  " must be a finite number >= 0");
    }
  }
}

double weight_of(const std::vector<double>& weight, size_t i) {
  return weight.empty() ? 1.0 : weight[i];
}

// Row indices by descending prediction; the index breaks ties so the order is the same
// with every standard library (std::sort is not stable).
std::vector<size_t> order_descending(const std::vector<double>& p) {
  std::vector<size_t> idx(p.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (p[a] != p[b]) return p[a] > p[b];
    return a < b;
  });
  return idx;
}

// Rows grouped by equal prediction, from the highest: per group the threshold, the
// group's weight of positives and negatives and its row counts.
struct Group {
  double score = 0;
  double pos = 0, neg = 0;        // weighted
  size_t rows = 0, rows_pos = 0;  // unweighted
};

std::vector<Group> groups_descending(const std::vector<double>& y, const std::vector<double>& p,
                                     const std::vector<double>& weight) {
  const std::vector<size_t> idx = order_descending(p);
  std::vector<Group> out;
  for (size_t k = 0; k < idx.size(); ++k) {
    const size_t i = idx[k];
    if (out.empty() || out.back().score != p[i]) {
      out.emplace_back();
      out.back().score = p[i];
    }
    Group& g = out.back();
    const double w = weight_of(weight, i);
    if (y[i] == 1.0) {
      g.pos += w;
      ++g.rows_pos;
    } else {
      g.neg += w;
    }
    ++g.rows;
  }
  return out;
}

}  // namespace

double roc_auc(const std::vector<double>& y, const std::vector<double>& p,
               const std::vector<double>& weight) {
  check_binary(y, p, weight, "roc_auc", false);
  const std::vector<Group> groups = groups_descending(y, p, weight);
  // Walking from the top, every negative already passed outscores the positives of the
  // current group; the negatives tied with them count one half.
  double neg_above = 0, wins = 0, total_pos = 0;
  for (const Group& g : groups) {
    wins += g.pos * (neg_above + 0.5 * g.neg);
    neg_above += g.neg;
    total_pos += g.pos;
  }
  const double total_neg = neg_above;
  if (!(total_pos > 0) || !(total_neg > 0)) return kNaN;
  // wins counts pairs where the negative is at least as high: AUC is the rest.
  return 1.0 - wins / (total_pos * total_neg);
}

double average_precision(const std::vector<double>& y, const std::vector<double>& p,
                         const std::vector<double>& weight) {
  check_binary(y, p, weight, "average_precision", false);
  const std::vector<Group> groups = groups_descending(y, p, weight);
  double total_pos = 0;
  for (const Group& g : groups) total_pos += g.pos;
  if (!(total_pos > 0)) return kNaN;
  double tp = 0, fp = 0, ap = 0;
  for (const Group& g : groups) {
    tp += g.pos;
    fp += g.neg;
    // A group without positive weight leaves recall unchanged: it adds nothing.
    if (g.pos > 0) ap += (g.pos / total_pos) * (tp / (tp + fp));
  }
  return ap;
}

double log_loss(const std::vector<double>& y, const std::vector<double>& p,
                const std::vector<double>& weight, double eps) {
  check_binary(y, p, weight, "log_loss", true);
  if (!(eps > 0 && eps < 0.5)) throw Error("log_loss: eps must be in (0, 0.5)");
  double s = 0, w_sum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double q = std::min(std::max(p[i], eps), 1.0 - eps);
    const double w = weight_of(weight, i);
    s += w * -(y[i] == 1.0 ? math::log(q) : math::log(1.0 - q));  // the same bits in wasm
    w_sum += w;
  }
  return w_sum > 0 ? s / w_sum : kNaN;
}

double brier(const std::vector<double>& y, const std::vector<double>& p,
             const std::vector<double>& weight) {
  check_binary(y, p, weight, "brier", true);
  double s = 0, w_sum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double w = weight_of(weight, i);
    s += w * (p[i] - y[i]) * (p[i] - y[i]);
    w_sum += w;
  }
  return w_sum > 0 ? s / w_sum : kNaN;
}

double Confusion::accuracy() const {
  const double all = tp + fp + tn + fn;
  return all > 0 ? (tp + tn) / all : kNaN;
}

double Confusion::precision() const {
  return tp + fp > 0 ? tp / (tp + fp) : kNaN;
}

double Confusion::recall() const {
  return tp + fn > 0 ? tp / (tp + fn) : kNaN;
}

double Confusion::f1() const {
  const double d = 2 * tp + fp + fn;
  return d > 0 ? 2 * tp / d : kNaN;
}

namespace {

void check_threshold(double threshold, const char* name) {
  if (std::isnan(threshold)) throw Error(std::string(name) + ": the threshold is not a number");
}

}  // namespace

Confusion confusion(const std::vector<double>& y, const std::vector<double>& p, double threshold,
                    const std::vector<double>& weight) {
  check_binary(y, p, weight, "confusion", false);
  check_threshold(threshold, "confusion");
  Confusion c;
  for (size_t i = 0; i < y.size(); ++i) {
    const double w = weight_of(weight, i);
    const bool predicted = p[i] >= threshold;
    if (y[i] == 1.0) {
      (predicted ? c.tp : c.fn) += w;
    } else {
      (predicted ? c.fp : c.tn) += w;
    }
  }
  return c;
}

double accuracy(const std::vector<double>& y, const std::vector<double>& p, double threshold,
                const std::vector<double>& weight) {
  return confusion(y, p, threshold, weight).accuracy();
}

std::vector<CalibrationBin> calibration(const std::vector<double>& y, const std::vector<double>& p,
                                        size_t bins) {
  check_binary(y, p, {}, "calibration", true);
  if (bins == 0) throw Error("calibration: needs at least 1 bin");
  std::vector<CalibrationBin> out(bins);
  std::vector<double> sum_p(bins, 0.0), sum_y(bins, 0.0);
  for (size_t k = 0; k < bins; ++k) {
    out[k].lower = static_cast<double>(k) / static_cast<double>(bins);
    out[k].upper = static_cast<double>(k + 1) / static_cast<double>(bins);
  }
  for (size_t i = 0; i < y.size(); ++i) {
    // p == 1 belongs to the last bin, which is closed on the right.
    const size_t k = std::min(bins - 1, static_cast<size_t>(p[i] * static_cast<double>(bins)));
    ++out[k].count;
    sum_p[k] += p[i];
    sum_y[k] += y[i];
  }
  for (size_t k = 0; k < bins; ++k) {
    const double n = static_cast<double>(out[k].count);
    out[k].mean_predicted = out[k].count ? sum_p[k] / n : kNaN;
    out[k].observed_rate = out[k].count ? sum_y[k] / n : kNaN;
  }
  return out;
}

namespace {

// Rows contacted for a share: round half up, at least one row when share > 0.
size_t rows_for_share(double share, size_t n, const char* name) {
  if (!(share > 0.0 && share <= 1.0)) {
    throw Error(std::string(name) + ": the share of rows to contact must be in (0, 1], got " +
                std::to_string(share));
  }
  const double m = std::floor(share * static_cast<double>(n) + 0.5);
  return std::min(n, std::max<size_t>(1, static_cast<size_t>(m)));
}

// Expected positives among the m top rows, ties with the m-th row broken at random:
// the share of its tie group that is taken gets the same share of that group's positives.
class CapturedPositives {
 public:
  explicit CapturedPositives(const std::vector<Group>& groups) {
    size_t rows = 0;
    double pos = 0;
    ends_.reserve(groups.size());
    for (const Group& g : groups) {
      starts_.push_back(rows);
      pos_before_.push_back(pos);
      rows += g.rows;
      pos += static_cast<double>(g.rows_pos);
      ends_.push_back(rows);
      group_pos_.push_back(static_cast<double>(g.rows_pos));
    }
  }
  double operator()(size_t m) const {
    if (m == 0) return 0.0;
    // The first group that ends at or after m holds the m-th row.
    const size_t k =
        static_cast<size_t>(std::lower_bound(ends_.begin(), ends_.end(), m) - ends_.begin());
    const double taken = static_cast<double>(m - starts_[k]);
    const double size = static_cast<double>(ends_[k] - starts_[k]);
    return pos_before_[k] + group_pos_[k] * (taken / size);
  }

 private:
  std::vector<size_t> starts_, ends_;
  std::vector<double> pos_before_, group_pos_;
};

}  // namespace

std::vector<LiftRow> lift_rows(const std::vector<double>& y, const std::vector<double>& p,
                               const std::vector<double>& shares) {
  check_binary(y, p, {}, "lift", false);
  const std::vector<Group> groups = groups_descending(y, p, {});
  const CapturedPositives captured(groups);
  const size_t n = y.size();
  double total_pos = 0;
  for (double v : y) total_pos += v;
  const double base = total_pos / static_cast<double>(n);
  std::vector<LiftRow> out;
  size_t prev_m = 0;
  double prev_share = 0, prev_pos = 0;
  for (double share : shares) {
    const size_t m = rows_for_share(share, n, "lift");
    if (share <= prev_share) throw Error("lift: the shares must be increasing");
    LiftRow r;
    r.share = share;
    r.contacted = m;
    r.positives = captured(m);
    r.precision = r.positives / static_cast<double>(m);
    r.lift = base > 0 ? r.precision / base : kNaN;
    r.gain = total_pos > 0 ? r.positives / total_pos : kNaN;
    // Two shares can round to the same row count on a small table: that segment is empty.
    r.segment_precision =
        m > prev_m ? (r.positives - prev_pos) / static_cast<double>(m - prev_m) : kNaN;
    r.segment_lift = base > 0 ? r.segment_precision / base : kNaN;
    out.push_back(r);
    prev_m = m;
    prev_share = share;
    prev_pos = r.positives;
  }
  return out;
}

LiftTable lift_table(const std::vector<double>& y, const std::vector<double>& p) {
  LiftTable t;
  t.deciles = lift_rows(y, p, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0});
  t.top = lift_rows(y, p, {0.05, 0.1, 0.2, 0.3, 0.5});
  t.rows = y.size();
  for (double v : y) t.positives += v;
  t.base_rate = t.positives / static_cast<double>(t.rows);
  return t;
}

namespace {

ThresholdPoint make_point(double threshold, size_t contacted, double tp, size_t n,
                          double total_pos) {
  ThresholdPoint pt;
  pt.threshold = threshold;
  pt.contacted = contacted;
  pt.share = static_cast<double>(contacted) / static_cast<double>(n);
  pt.tp = tp;
  pt.precision = contacted ? tp / static_cast<double>(contacted) : kNaN;
  pt.recall = total_pos > 0 ? tp / total_pos : kNaN;
  const double d = static_cast<double>(contacted) + total_pos;  // 2tp + fp + fn
  pt.f1 = d > 0 ? 2 * tp / d : kNaN;
  pt.lift = total_pos > 0 ? pt.precision / (total_pos / static_cast<double>(n)) : kNaN;
  return pt;
}

// One point per distinct prediction, from the highest threshold down.
std::vector<ThresholdPoint> all_points(const std::vector<double>& y, const std::vector<double>& p,
                                       const char* name) {
  check_binary(y, p, {}, name, false);
  const std::vector<Group> groups = groups_descending(y, p, {});
  double total_pos = 0;
  for (double v : y) total_pos += v;
  std::vector<ThresholdPoint> out;
  out.reserve(groups.size());
  size_t contacted = 0;
  double tp = 0;
  for (const Group& g : groups) {
    contacted += g.rows;
    tp += static_cast<double>(g.rows_pos);
    out.push_back(make_point(g.score, contacted, tp, y.size(), total_pos));
  }
  return out;
}

ThresholdPoint undefined_point() {
  ThresholdPoint pt;
  pt.threshold = pt.share = pt.tp = pt.precision = pt.recall = pt.f1 = pt.lift = kNaN;
  return pt;
}

}  // namespace

std::vector<ThresholdPoint> threshold_curve(const std::vector<double>& y,
                                            const std::vector<double>& p, size_t max_points) {
  if (max_points < 2) throw Error("threshold curve: needs at least 2 points");
  std::vector<ThresholdPoint> all = all_points(y, p, "threshold curve");
  if (all.size() <= max_points) return all;
  // Keep the first point at or past each of max_points evenly spaced contact counts
  // k n / max_points; the last point (everyone, k = max_points) always qualifies.
  const unsigned long long n = y.size(), mp = max_points;
  std::vector<ThresholdPoint> out;
  out.reserve(max_points);
  unsigned long long k = 1;
  for (const ThresholdPoint& pt : all) {
    const unsigned long long c = pt.contacted;
    if (c * mp >= k * n) {
      out.push_back(pt);
      k = c * mp / n + 1;
    }
  }
  return out;
}

ThresholdPoint at_threshold(const std::vector<double>& y, const std::vector<double>& p,
                            double threshold) {
  check_binary(y, p, {}, "at_threshold", false);
  check_threshold(threshold, "at_threshold");
  size_t contacted = 0;
  double tp = 0, total_pos = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    total_pos += y[i];
    if (p[i] >= threshold) {
      ++contacted;
      tp += y[i];
    }
  }
  return make_point(threshold, contacted, tp, y.size(), total_pos);
}

ThresholdPoint best_f1_threshold(const std::vector<double>& y, const std::vector<double>& p) {
  const std::vector<ThresholdPoint> all = all_points(y, p, "best F1 threshold");
  if (std::isnan(all.front().recall)) return undefined_point();  // no positives
  size_t best = 0;
  for (size_t k = 1; k < all.size(); ++k) {
    if (all[k].f1 > all[best].f1) best = k;
  }
  return all[best];
}

ThresholdPoint threshold_for_precision(const std::vector<double>& y, const std::vector<double>& p,
                                       double target) {
  if (!(target >= 0.0 && target <= 1.0)) {
    throw Error("threshold for precision: the target precision must be between 0 and 1");
  }
  const std::vector<ThresholdPoint> all = all_points(y, p, "threshold for precision");
  for (size_t k = all.size(); k-- > 0;) {
    if (all[k].precision >= target) return all[k];
  }
  return undefined_point();
}

double threshold_for_top_share(const std::vector<double>& p, double share) {
  if (p.empty()) throw Error("threshold for top share: no predictions");
  for (size_t i = 0; i < p.size(); ++i) {
    if (!std::isfinite(p[i])) {
      throw Error("threshold for top share: the prediction of " + row_text(i) +
                  " is missing or not finite");
    }
  }
  const size_t m = rows_for_share(share, p.size(), "threshold for top share");
  std::vector<double> v = p;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m - 1), v.end(),
                   std::greater<double>());
  return v[m - 1];
}

Classification classification(const std::vector<double>& y, const std::vector<double>& p,
                              double threshold, const std::vector<double>& weight) {
  Classification c;
  c.roc_auc = roc_auc(y, p, weight);
  c.pr_auc = average_precision(y, p, weight);
  c.log_loss = log_loss(y, p, weight);
  c.brier = brier(y, p, weight);
  const Confusion m = confusion(y, p, threshold, weight);
  const double all = m.tp + m.fp + m.tn + m.fn;
  c.base_rate = all > 0 ? (m.tp + m.fn) / all : kNaN;
  c.threshold = threshold;
  c.accuracy = m.accuracy();
  c.precision = m.precision();
  c.recall = m.recall();
  c.f1 = m.f1();
  return c;
}

nlohmann::json to_json(const Classification& c) {
  return {{"roc_auc", c.roc_auc},     {"pr_auc", c.pr_auc},
          {"log_loss", c.log_loss},   {"brier", c.brier},
          {"base_rate", c.base_rate}, {"threshold", c.threshold},
          {"accuracy", c.accuracy},   {"precision", c.precision},
          {"recall", c.recall},       {"f1", c.f1}};
}

nlohmann::json summarize_classification(const std::vector<Classification>& per_fold) {
  if (per_fold.empty()) throw Error("summarize: no folds");
  nlohmann::json out = nlohmann::json::object();
  add_summary(out, per_fold, "roc_auc", &Classification::roc_auc);
  add_summary(out, per_fold, "pr_auc", &Classification::pr_auc);
  add_summary(out, per_fold, "log_loss", &Classification::log_loss);
  add_summary(out, per_fold, "brier", &Classification::brier);
  add_summary(out, per_fold, "base_rate", &Classification::base_rate);
  add_summary(out, per_fold, "accuracy", &Classification::accuracy);
  add_summary(out, per_fold, "precision", &Classification::precision);
  add_summary(out, per_fold, "recall", &Classification::recall);
  add_summary(out, per_fold, "f1", &Classification::f1);
  nlohmann::json folds = nlohmann::json::array();
  for (const Classification& c : per_fold) folds.push_back(to_json(c));
  out["folds"] = std::move(folds);
  return out;
}

}  // namespace fc::metrics
