// Forecast-quality metrics (RMSE, MAE, R², sMAPE, MASE), binary-classification metrics
// for lead scoring (ROC-AUC, average precision, log-loss, Brier, confusion counts,
// calibration, lift/gain, threshold curves) and their mean ± std over folds.
#pragma once
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace fc::metrics {

double rmse(const std::vector<double>& y, const std::vector<double>& p);
double mae(const std::vector<double>& y, const std::vector<double>& p);
double r2(const std::vector<double>& y, const std::vector<double>& p);  // 1 - SSE/SST
// mean of |y - p| / ((|y| + |p|) / 2), terms where both are 0 count as 0. Range 0..2.
double smape(const std::vector<double>& y, const std::vector<double>& p);
// MAE / mean |train[t] - train[t - season]| (in-sample seasonal naive error of the training part).
double mase(const std::vector<double>& y, const std::vector<double>& p,
            const double* train, size_t train_size, size_t season = 24);

struct Regression {
  double rmse = 0, mae = 0, r2 = 0, smape = 0, mase = 0;
};
Regression regression(const std::vector<double>& y, const std::vector<double>& p,
                      const double* train, size_t train_size, size_t season = 24);

struct MeanStd {
  double mean = 0, std = 0;  // std is the sample standard deviation (n - 1); 0 for one value
};
MeanStd mean_std(const std::vector<double>& values);

// {"rmse": {"mean":..,"std":..,"folds_used":..}, ...} over folds, plus "folds": [per-fold
// objects]. An undefined metric is NaN (a number) in the returned json and becomes null
// once dumped; a fold where a metric is NaN is left out of that metric's mean and std.
nlohmann::json summarize(const std::vector<Regression>& per_fold);
nlohmann::json to_json(const Regression& r);

// ---------------------------------------------------------------------------------
// Binary classification (lead scoring).
//
// Inputs: y holds outcomes 0 or 1; p holds predicted probabilities in [0, 1] (for
// roc_auc and average_precision any finite score works: only the order matters);
// weight is optional (empty = every row weighs 1) and holds finite values >= 0.
//
// Policy for bad and undefined cases:
// - fc::Error for input that is wrong whatever the data: sizes that differ, no rows,
//   a label other than 0/1, a NaN or out-of-range prediction, a negative or
//   non-finite weight, a threshold or share outside its range.
// - NaN for a metric the data cannot define: ROC-AUC when only one outcome occurs,
//   average precision or recall without positives, precision when nothing is
//   predicted positive, F1 when there are neither positives nor predicted positives,
//   lift when there are no positives, an empty calibration bin's rates. Summaries
//   leave NaN folds out, and JSON shows NaN as null (as for the regression metrics).
// A row is predicted (contacted) positive when p >= threshold.
// ---------------------------------------------------------------------------------

// Probability that a random positive scores above a random negative, ties counting
// one half (Mann–Whitney U / (n+ n-)); equals the trapezoidal area under the ROC curve.
double roc_auc(const std::vector<double>& y, const std::vector<double>& p,
               const std::vector<double>& weight = {});
// Average precision as scikit-learn's average_precision_score: sum over distinct
// thresholds (descending) of (recall_k - recall_{k-1}) * precision_k; no interpolation.
double average_precision(const std::vector<double>& y, const std::vector<double>& p,
                         const std::vector<double>& weight = {});
// Mean of -(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps].
double log_loss(const std::vector<double>& y, const std::vector<double>& p,
                const std::vector<double>& weight = {}, double eps = 1e-15);
double brier(const std::vector<double>& y, const std::vector<double>& p,
             const std::vector<double>& weight = {});  // mean (p - y)^2

// Confusion counts at a threshold: weighted sums (plain row counts without weights).
struct Confusion {
  double tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy() const;   // (tp + tn) / all
  double precision() const;  // tp / (tp + fp); NaN when nothing is predicted positive
  double recall() const;     // tp / (tp + fn); NaN without positives
  double f1() const;         // 2 tp / (2 tp + fp + fn); NaN when that is 0 / 0
};
Confusion confusion(const std::vector<double>& y, const std::vector<double>& p,
                    double threshold = 0.5, const std::vector<double>& weight = {});
double accuracy(const std::vector<double>& y, const std::vector<double>& p, double threshold = 0.5,
                const std::vector<double>& weight = {});

// Calibration: `bins` equal-width bins of predicted probability, [k/bins, (k+1)/bins),
// the last one closed at 1. Unweighted.
struct CalibrationBin {
  double lower = 0, upper = 0;
  size_t count = 0;
  double mean_predicted = 0;  // NaN when the bin is empty
  double observed_rate = 0;   // share of positives; NaN when the bin is empty
};
std::vector<CalibrationBin> calibration(const std::vector<double>& y, const std::vector<double>& p,
                                        size_t bins = 10);

// Lift/gain: contact the round(share * n) highest-scored rows (at least one when
// share > 0). Rows tied with the last one contacted are counted fractionally (the
// expected value when ties are broken at random), so the table never depends on row
// order. Unweighted.
struct LiftRow {
  double share = 0;              // requested share of rows contacted
  size_t contacted = 0;          // rows contacted
  double positives = 0;          // positives captured (fractional at ties)
  double precision = 0;          // positives / contacted
  double lift = 0;               // precision / base rate
  double gain = 0;               // cumulative gain: positives / all positives
  double segment_precision = 0;  // positive rate of the rows added since the previous row
  double segment_lift = 0;       // segment_precision / base rate
};
struct LiftTable {
  size_t rows = 0;
  double positives = 0;
  double base_rate = 0;
  std::vector<LiftRow> deciles;  // shares 0.1, 0.2, ... 1.0 (segments are the single deciles)
  std::vector<LiftRow> top;      // shares 0.05, 0.1, 0.2, 0.3, 0.5
};
LiftTable lift_table(const std::vector<double>& y, const std::vector<double>& p);
// One row per share (ascending shares in (0, 1]); segments run between consecutive shares.
std::vector<LiftRow> lift_rows(const std::vector<double>& y, const std::vector<double>& p,
                               const std::vector<double>& shares);

// Threshold curve and threshold choice. Candidates are the distinct predicted values;
// contacting at threshold t means contacting the rows with p >= t. Unweighted.
struct ThresholdPoint {
  double threshold = 0;
  size_t contacted = 0;
  double share = 0;  // contacted / rows
  double tp = 0;     // positives contacted
  double precision = 0;
  double recall = 0;  // NaN without positives
  double f1 = 0;
  double lift = 0;  // precision / base rate; NaN without positives
};
// Every distinct prediction from high to low, thinned to at most max_points (>= 2)
// roughly evenly spaced in share contacted; the lowest threshold (contact everyone)
// is always kept.
std::vector<ThresholdPoint> threshold_curve(const std::vector<double>& y,
                                            const std::vector<double>& p, size_t max_points = 200);
// The metrics of contacting p >= threshold.
ThresholdPoint at_threshold(const std::vector<double>& y, const std::vector<double>& p,
                            double threshold);
// The candidate with the highest F1 (the highest threshold among equals). Over all
// candidates, not a thinned curve. NaN threshold when there are no positives.
ThresholdPoint best_f1_threshold(const std::vector<double>& y, const std::vector<double>& p);
// The lowest candidate whose precision is >= target (most leads at that precision);
// a point with a NaN threshold (and NaN metrics) when no candidate reaches it.
ThresholdPoint threshold_for_precision(const std::vector<double>& y, const std::vector<double>& p,
                                       double target);
// The score of the m-th best row, m = round(share * n) and at least 1 (the same m as
// lift_rows): contacting p >= it reaches at least m rows (more when rows tie with it).
// share in (0, 1].
double threshold_for_top_share(const std::vector<double>& p, double share);

// The per-fold bundle the scoring pipeline reports.
struct Classification {
  double roc_auc = 0, pr_auc = 0, log_loss = 0, brier = 0;
  double base_rate = 0;  // share of positives
  double threshold = 0.5;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;  // at threshold
};
Classification classification(const std::vector<double>& y, const std::vector<double>& p,
                              double threshold = 0.5, const std::vector<double>& weight = {});
nlohmann::json to_json(const Classification& c);
// Same shape and NaN rule as the regression summarize above (a separate name so that
// summarize({}) stays unambiguous for existing callers).
nlohmann::json summarize_classification(const std::vector<Classification>& per_fold);

}  // namespace fc::metrics
