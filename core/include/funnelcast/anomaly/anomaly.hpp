// Anomaly detection on one regular series: a metric of the registry (CPL, leads, spend,
// ROI, ...) or any numeric column, at any interval. Every detector returns, for every
// interval, a score in [0, 1], a flag, the expected value with a band, and a direction.
// Interval t is judged on the intervals before it (and on its own value), never on later
// ones, so an alert never changes when more data arrives. Missing intervals are neither
// judged nor part of any window.
//
// The detectors (B = the baseline window in intervals, 7 days by default; every window
// ends at t - 1, t excluded):
// - zscore, the original dashboard's rule: mean m and sample standard deviation s of the
//   known values in [t - B, t - 1] (at least max(3, B / 7) of them); z = (x - m) / s; flag
//   |z| > 2.5; expected m, band m +- 2.5 s. Ratios are taken as plain values (no volume
//   weighting). Its score is the Gaussian two-sided tail read as 1 - p, not calibrated:
//   on skewed data it flags far more than 1.2% of intervals (that is why it is kept only
//   as the reference).
// - robust: the centre is the median of [t - B, t - 1] (for ratios the exposure-weighted
//   median of quantity / exposure); the spread is 1.4826 x the MAD of those values (for
//   counts, money and ratios: 1.4826 x the median |residual| of those intervals, each
//   judged against its own window's centre). Median and MAD ignore up to half the window,
//   so an outlier inside it does not mask the next one.
// - seasonal: the same phase of the day or of the week over the last 4 periods (for data
//   finer than 15 minutes, with the neighbours within 15 minutes): its median, leaving out
//   values that were outliers themselves (|z| > 3) when 2 others remain; times a level
//   correction, the median over the last day of how far the recent (non-holiday,
//   non-outlier) intervals were from their own seasonal median; times the holiday effect.
//   Spread: 1.4826 x the median |residual| of [t - B, t - 1]. Day or week: whichever had
//   the smaller sum of |residuals| over [t - B, t - 1]. Needs 2 earlier periods.
// - residual: (x - forecast) / sigma with sigma from the forecast's prediction interval
//   (its upper or lower half-width over 1.96 for a 95% interval); the forecasts are made
//   elsewhere (forecast/, by the CLI or the caller) from the data before each interval.
// - iforest: an isolation forest (iforest.hpp) over the robust z, its first difference,
//   its mean over 3 intervals and standard deviation over 6, the seasonal z, hour of day,
//   day of week, holiday and (ratios) the volume log(exposure / median exposure). 100
//   trees of 256 rows, regrown every 512 intervals from the last 2048 before that, the
//   first after 256 rows. Expected value, band and direction: robust's.
// - count: counts (leads) and ratios of a count (CPL, conversion) judged as counts: the
//   expected count (seasonal rate x recent level, x exposure for ratios) with Poisson or
//   negative-binomial tails whose dispersion comes from its own past residuals. Revenue
//   (Input::lumpy) and ROI through it are judged as compound counts: revenue in units of
//   its variance-to-mean ratio (about one sale's value), a dispersion that grows with the
//   level (the hour's value per sale varies too), and the last 3 hours' sum.
// - ensemble (the default): robust, seasonal, count (weight 3) and iforest, and residual
//   when forecasts are given, their tail probabilities combined by the weighted Cauchy rule
//   (calibrate.hpp), which stays valid for dependent detectors. Where count scores a count,
//   robust and seasonal are left out; on a ratio of counts their p is raised to the
//   exposure's own seasonal p (they speak only when the spend moved too). Expected value
//   and band: residual's, else count's, else seasonal's, else robust's; direction: the
//   member with the smallest tail probability.
//
// How a deviation is measured (Kind): levels (any column) in their own units; counts by
// the Poisson deviance residual (the spread grows with the square root of the level);
// money by asinh(x / c) - asinh(m / c) with c a tenth of the window's mean level (a log
// ratio that tolerates zeros); ratios by the deviance of the quantity against its expected
// value given the exposure (for CPL: are the leads too few for the spend?), so a quiet
// hour says little and leads = 0 with spend is judged (CPL itself is missing there, never
// infinite). Ratio metrics also say why they moved: their parts are judged on their own
// by the seasonal method and the cause is the part whose own tail probability is below 1%.
//
// Scores: every detector but zscore turns its statistic into a tail probability p
// calibrated on that series' own past and reports score = 1 - p. A signed z is first read
// as the Gaussian surprise -ln p_gauss(|z|); the surprise is ranked among all the
// detector's earlier ones (conformal p = (1 + #{>=}) / (1 + n)) and beyond the largest 2%
// an exponential tail is fitted (TailCalibrator). Where the data is as Gaussian as assumed
// this gives back the Gaussian p; where it has heavier tails, a larger p. Flagged values
// enter the history at the critical value, so earlier incidents do not mask later ones. A
// sustained test does the same for the sum of the last 3 z (each clipped to +-3) over
// sqrt 3, for level shifts and drifts of moderate steps; the two are combined by the
// Cauchy rule. The exponential tail's scale is shrunk toward the model's (1 for a
// Gaussian surprise) with the weight of 20 values (calibrate.hpp), so z-based scores start
// after 30 earlier statistics (iforest's after 100). The default flag is p <= 5e-5
// (score >= 0.99995): as unusual as one interval in 20,000 of the series' own history.
//
// Holidays of the built-in calendar (time::is_holiday) are expected to differ from an
// ordinary day as much as the same holiday did the year before (robust, seasonal); in a
// series' first year there is nothing to learn from.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::anomaly {

// How the size of a deviation is judged, from what the numbers are.
enum class Kind {
  kLevel,  // any column (temperature, latency, a rate): deviations in the column's own units
  kCount,  // leads, clicks: Poisson-like, the spread grows with the square root of the level
  kMoney,  // spend, revenue: multiplicative, deviations judged as log ratios
  kRatio,  // cpl, roi, conversion: a quantity against its exposure (leads per dollar of
           // spend), judged with the exposure as weight, so one lead at 3 a.m. is not news
};

// How a ratio metric is made from its parts.
enum class RatioForm {
  kRatio,     // quantity / exposure            (conversion = leads / clicks)
  kInverse,   // exposure / quantity            (cpl = spend / leads)
  kMinusOne,  // quantity / exposure - 1        (roi = (revenue - spend) / spend)
};

// One regular series to check. NaN = missing (never scored, never in a baseline).
struct Input {
  std::string name;   // "cpl", or the column's name
  std::string label;  // "CPL"
  Kind kind = Kind::kLevel;
  int good = 0;       // +1: higher is good news, -1: lower is good news, 0: neither
  int64_t start = 0;  // epoch seconds of index 0
  int64_t step = 3600;
  std::vector<double> value;
  // kRatio only: the parts, the value being form(quantity / exposure). The value is
  // undefined (NaN) where the quantity is 0 for kInverse (no leads: no CPL, not
  // infinity), yet such an interval is still judged: 0 leads for $900 of spend is news.
  RatioForm form = RatioForm::kRatio;
  std::string quantity_name, exposure_name;  // "leads", "spend"
  Kind quantity_kind = Kind::kCount, exposure_kind = Kind::kMoney;
  std::vector<double> quantity, exposure;
  // The money judged (the value of kMoney, the quantity of kRatio) is a sum over a few sales
  // of their values (revenue): often 0 in an hour, lumpy, and judged as a compound count
  // (sales times a value per sale) by the count method. Spend is paced, not lumpy: false.
  bool lumpy = false;

  size_t size() const { return value.size(); }
  int64_t time(size_t i) const { return start + static_cast<int64_t>(i) * step; }
  // Data is known for the interval (the value, or for a ratio both parts with exposure > 0).
  bool known(size_t i) const {
    if (kind == Kind::kRatio)
      return std::isfinite(quantity[i]) && std::isfinite(exposure[i]) && exposure[i] > 0;
    return std::isfinite(value[i]);
  }
};

// A metric of the registry from a series. fc::Error naming what the data lacks.
Input metric_input(const series::Series& s, const std::string& metric);

// A numeric column of a table as a series of its own, for data that is not marketing data
// (a machine metric, a price). The interval is detected from the timestamps (1 minute to
// 1 week; jittered timestamps get the supported interval nearest to their typical
// distance); rows off the grid are placed in the interval they fall in; rows sharing an
// interval are averaged (the column is a level, not a count); intervals without a row are
// missing. `time_column` "" = the table's detected time column. notices: what was done.
Input column_input(const Table& table, const std::string& column, const std::string& time_column,
                   std::vector<std::string>* notices = nullptr);

// One-step-ahead forecasts for the forecast-residual detector: for every interval the
// prediction made from the data before it, and its prediction interval at `level`.
// NaN where there is no forecast. Sizes equal the input's.
struct Forecasts {
  std::vector<double> mean, lower, upper;
  double level = 0.95;
  bool empty() const { return mean.empty(); }
};

// A duration: a number of seconds ("36h", "14d", "2w") or of steps ("336").
struct Span {
  int64_t count = 0;
  bool steps = false;  // count is in steps, not seconds
  static Span seconds(int64_t s) { return {s, false}; }
  static Span intervals(int64_t n) { return {n, true}; }
};
// "90m", "36h", "14d", "2w" or a whole number of steps. fc::Error (naming `what`) otherwise.
Span parse_span(const std::string& text, const std::string& what);
std::string span_text(const Span& s);  // "14d", "36h", "336 steps"

// What a selector needs to offer a detector (the CLI's --help, the page's menu).
struct MethodDef {
  const char* name = "";         // "robust"
  const char* label = "";        // "Rolling median / MAD"
  const char* help = "";         // one line for --help and the page
  double default_threshold = 0;  // its default threshold as a score (zscore: 0.98758, |z| 2.5)
  bool needs_forecasts = false;  // runs only with Options::forecasts (residual)
  bool ensemble_member = false;  // combined by the ensemble
};
// zscore, robust, seasonal, residual, iforest, ensemble: derived from the one list of
// detectors in the core (core/src/anomaly/detectors.cpp).
const std::vector<MethodDef>& methods();
std::string method_names();

struct Options {
  std::string metric = "cpl";       // detect(Series): a metric of the registry
  std::string method = "ensemble";  // one of methods()
  // Flag threshold: 0 = the method's default. A value in (0, 1] is a score (flag when
  // score >= it; 1, the strictest, flags infinite deviations, e.g. off a constant series);
  // a value above 1 is read as a z: the score of a Gaussian |z| of that size
  // (2.5 -> 0.98758), so "--threshold 3" means the same on every method. No value turns
  // detection off: an infinite deviation is flagged at any threshold. parse_threshold()
  // reads the text a user types into this encoding's score.
  double threshold = 0;
  Span lookback = Span::seconds(14 * 86400);  // checked at the end; 0 = the whole series
  Span baseline = Span::seconds(7 * 86400);   // zscore, robust: the trailing window
  int seasons = 4;                            // seasonal: same phase over this many periods
  // zscore/robust: fewer known values in the baseline: no score. 0 = a seventh of the
  // baseline's intervals, at least 3.
  int min_baseline_points = 0;
  uint64_t seed = 1;    // iforest
  Forecasts forecasts;  // residual (and a member of the ensemble when given)
  bool causes = true;   // ratios: judge the parts too (spend moved, leads moved)
};

// Why a ratio moved, from its parts judged on their own.
enum class Cause : uint8_t {
  kNone = 0,      // not a ratio, or not scored
  kExposure = 1,  // the exposure moved (spend for CPL), the quantity did not
  kQuantity = 2,  // the quantity moved (leads for CPL), the exposure did not
  kBoth = 3,      // both moved
  kMix = 4,       // neither moved enough on its own: the ratio did
};
const char* cause_name(Cause c, const Input& in);  // "spend", "leads", "both", "mix", ""

struct Part {
  std::string name;  // "spend"
  std::vector<double> value, expected, score;
};

struct Member {
  std::string method;
  std::vector<double> score;
};

struct Result {
  std::string metric, label, method;
  Kind kind = Kind::kLevel;
  int good = 0;
  int64_t start = 0;
  int64_t step = 3600;
  double threshold = 0;              // the score threshold used
  std::vector<double> value;         // the metric per interval (NaN = missing or undefined)
  std::vector<double> expected;      // what the detector expected (NaN where not scored)
  std::vector<double> lower, upper;  // the band of values that would not be flagged;
                                     // NaN = unbounded on that side
  std::vector<double> score;         // in [0, 1]; NaN where not scored
  std::vector<double> z;             // the raw signed statistic (z-score, standardized residual,
                                     // isolation depth ratio); NaN where not scored
  std::vector<uint8_t> flagged;      // 1 = anomaly (only inside the lookback)
  std::vector<int8_t> direction;     // +1 above expected (spike), -1 below (drop), 0
  std::vector<Cause> cause;          // ratios: why, where scored
  std::vector<Part> parts;           // ratios: exposure then quantity, judged on their own
  std::vector<Member> members;       // ensemble: each member's score
  size_t checked_from = 0;           // first index inside the lookback
  size_t baseline_steps = 0, lookback_steps = 0;
  std::vector<std::string> notices;

  size_t size() const { return value.size(); }
  int64_t time(size_t i) const { return start + static_cast<int64_t>(i) * step; }
  size_t count() const;   // flagged intervals
  size_t scored() const;  // scored intervals inside the lookback
};

// fc::Error on an unknown method or metric (listing the valid ones), on options that
// cannot work (a threshold <= 0, windows that are not whole intervals or shorter than 3),
// when the residual method has no forecasts, and when the data is too short for any
// interval to be scored.
Result detect(const Input& input, const Options& options = {});
Result detect(const series::Series& s, const Options& options = {});

// While one is open, the detectors' fits that do not depend on the threshold are made once
// for all detect() calls (of any thread) on the same data: the monitor opens one around the
// checks of a channel, where leads and spend are fitted for several KPIs. Results are the
// same with or without. Nests; closing the outermost frees what was kept.
class SharedWorkScope {
 public:
  SharedWorkScope();
  ~SharedWorkScope();
  SharedWorkScope(const SharedWorkScope&) = delete;
  SharedWorkScope& operator=(const SharedWorkScope&) = delete;
};

// The score threshold of `options.threshold` for a method (its default when 0): a value in
// (0, 1] as it is, a value above 1 as the z 1 - 2 (1 - Phi(z)). fc::Error when negative or
// not finite.
double score_threshold(const std::string& method, double threshold);
// A threshold as a user types it, as a score (Options::threshold takes it as it is):
// "0.99995" (0 < T <= 1) is a score; "10z", "2.5z" or a plain number above 1 ("10") is a
// Gaussian |z|, returned as its score 1 - 2 (1 - Phi(z)) (2.5z -> 0.98758; 10 -> 1 - 1.5e-23,
// which is 1 in double precision: the strictest threshold, which still flags infinite
// deviations). fc::Error naming `what` ("--threshold") on anything else: no number, zero,
// a negative, a z above 1e6.
double parse_threshold(const std::string& text, const std::string& what);
// Defaults, in one place.
constexpr double kZscoreThreshold = 2.5;            // |z|, the original dashboard's rule
constexpr double kDefaultScoreThreshold = 0.99995;  // every calibrated method: p <= 5e-5

}  // namespace fc::anomaly
