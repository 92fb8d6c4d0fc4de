// What the detectors share inside the anomaly module (measure.cpp): the per-interval output
// of one detector before flagging, how a deviation is measured for each kind of series,
// the robust statistics of a window and the calibration of a statistic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/math.hpp"

namespace fc::anomaly::detail {

using fc::kNaN;
constexpr double kMadScale = 1.4826;      // MAD -> standard deviation of normal data
constexpr double kMeanAbsScale = 1.2533;  // mean |x - m| -> standard deviation (sqrt(pi / 2))
constexpr double kCountFloor = 0.5;       // expected counts below this are judged as 0.5
constexpr double kMoneyOffset = 0.1;      // money: log-like scale below 10% of the usual level
constexpr double kCountPrior = 5;         // seasonal: quiet intervals shrunk by 5 units of quantity
// Statistics seen before a calibrated score: a statistic with no model to lean on (an
// isolation score) needs 100; a signed z, whose tail is shrunk toward its model's
// (kTailPrior), 30 (below that the rank of a value says too little).
constexpr size_t kCalibrationHistory = 100;
constexpr size_t kModelCalibrationHistory = 30;
// A signed z's surprise is exponential with scale 1 under the detector's model; the tail
// scale fitted to the series' past is shrunk toward 1 with the weight of this many values.
constexpr double kTailPrior = 20;
constexpr size_t kSustained = 3;             // statistics summed by the sustained test
constexpr double kClip = 3;                  // ... each clipped to +-3
// Statistics are capped at +-kMaxZ; one at the cap is an infinite deviation (a value off a
// constant series), which every threshold flags.
constexpr double kMaxZ = 1e6;

// One detector's verdict per interval, before the lookback and the threshold.
struct Track {
  std::vector<double> expected, lower, upper;  // value units; NaN where not scored / unbounded
  std::vector<double> z;                       // signed statistic (value direction)
  // seasonal: z against the candidate's own spread, before the floors of its judgement
  // (iforest's feature, unchanged by them); empty for the other detectors.
  std::vector<double> z_feature;
  std::vector<double> p;                       // tail probability; NaN where not scored
  std::vector<int8_t> direction;
  // The ensemble: each member's tail probabilities, in the order they were combined.
  struct MemberP {
    std::string name;
    std::vector<double> p;
  };
  std::vector<MemberP> members;
  void resize(size_t n);
};

struct Params {
  size_t baseline = 168;   // steps
  size_t min_points = 24;  // known values in the baseline to score
  int seasons = 4;
  uint64_t seed = 1;
  double alpha = 1e-4;       // the band is drawn at this tail probability
  double z_threshold = 2.5;  // zscore: the band is drawn at this |z|
  bool bands = true;         // false: no band (the parts of a ratio need none)
};

// How far y is from an expectation mu, in the units a spread is estimated in, for a
// kind (kCount/kRatio: Poisson deviance residual; kMoney: asinh(y / c) - asinh(mu / c);
// kLevel: y - mu), and back.
struct Scale {
  Kind kind = Kind::kLevel;  // of the quantity judged (kRatio: of its quantity)
  double offset = 1;         // kMoney: c
  double residual(double y, double mu) const;
  // The value y with residual(y, mu) == r (r may be negative); for counts never below 0,
  // NaN when no value that far below mu exists (the band is open at 0).
  double inverse(double mu, double r) const;
};

// The finite values of a sliding window kept sorted.
class SortedWindow {
 public:
  void insert(double v);
  void erase(double v);
  // erase(out) then insert(in), moving only the values between their places.
  void replace(double out, double in);
  size_t size() const { return v_.size(); }
  double median() const;
  double quantile(double q) const;  // linear between order statistics
  // A robust standard deviation around `center`: 1.4826 MAD, else IQR / 1.349, else (a
  // window that is mostly `center` itself) 1.4826 x the median |x - center| of the values
  // that differ from it, else 0.
  double spread(double center) const;
  const std::vector<double>& values() const { return v_; }

 private:
  std::vector<double> v_;
};

// Holidays of the built-in calendar (time::is_holiday) are expected to differ from ordinary
// days by as much as the same holiday differed the year before: a factor (or, for kLevel,
// an offset) from that day's actual values against what the detector expected for them.
class HolidayEffect {
 public:
  HolidayEffect(const Input& in, bool additive) : in_(in), additive_(additive) {}
  // `expected[j]` is the detector's expectation (before any holiday effect) of what it judges
  // at j (for ratios, the quantity), NaN where it had none; only j < i are read. 1 (0 when
  // additive) on ordinary days and where last year's holiday is not in the data.
  double at(size_t i, const std::vector<double>& expected);

 private:
  const Input& in_;
  bool additive_;
  int64_t day_ = INT64_MIN;
  double effect_ = 1;
};

double median_of(std::vector<double>& v);  // reorders v; NaN when empty
// The weighted median of (x, w) pairs (w > 0); reorders. NaN when empty.
double weighted_median(std::vector<std::pair<double, double>>& xw);
// A robust standard deviation of residuals around 0 (1.4826 median |r|, else 1.2533 mean |r|).
double spread_around_zero(std::vector<double>& r);

// The value-space expected value and band of a kRatio interval from the expected
// quantity per exposure `rho`, the spread and the critical residual c.
void ratio_band(const Input& in, size_t i, double rho, double sigma, double c, const Scale& s,
                double& expected, double& lower, double& upper);
double ratio_value(const Input& in, double rho);  // form(rho)

// +1 when the value moves with the judged quantity, -1 when against it (CPL falls as leads rise).
double value_sign(const Input& in);
int8_t sign_of(double z);
// The scale of a kind; kMoney's offset is set per interval by the caller.
Scale scale_of(const Input& in);
// What the detectors judge at i: the value (or, for ratios, the quantity) and for ratios the
// exposure. Unknown intervals have NaN.
double judged(const Input& in, size_t i);
// Expected value and band of a non-ratio interval.
void level_band(const Scale& s, double mu, double sigma, double c, double& expected, double& lower,
                double& upper);
// kMoney's offset c from the trailing mean |x|.
double money_offset(double mean_abs);
// The spread of residuals from a window of their absolute values: 1.4826 x their median,
// else (mostly exact zeros) 1.4826 x the median of those that are not 0, at least 1e-9.
double spread_of_residuals(const SortedWindow& abs_residuals);

// Running mean of |x| over the known values of a trailing window (kMoney's offset).
class TrailingAbsMean {
 public:
  TrailingAbsMean(const Input& in, size_t window) : in_(in), window_(window) {}
  double at(size_t t);  // the mean over [t - window, t - 1]

 private:
  void add(size_t i, int sign);
  const Input& in_;
  size_t window_, next_ = 0, count_ = 0;
  double sum_ = 0;
};

// The shift test: a level that moved and stayed (a slow drift, a step that each interval
// alone does not make unusual) shows as a mean of the z over about a day that is far from 0.
// Defined in time, not in intervals: K is one day of intervals, so 5-minute data averages
// 288 z and hourly data 24; data with fewer than 2 kSustained intervals a day (daily data)
// has no shift test. Where a series' z are correlated from interval to interval (most
// series: temperatures, traffic, taxis), such means are routinely far larger than the
// 1 / sqrt(K) of independent z would allow, so the mean is not scaled by sqrt(K) but
// standardised by the robust spread (1.4826 MAD around 0) of the series' own past
// day-means, sampled once every K / kShiftSamples intervals over the last kShiftHistory
// samples (8 weeks of hourly samples), and never below 1 / sqrt(K). The spread is an
// estimate from few independent means, so mean / spread is read as a Student t with
// kMadEfficiency x days of past means (next()), turned into a Gaussian z, and calibrated as
// every z is (the tail prior, flagged values entering at the critical value). Holidays of
// the calendar are left out: the day is the last K ordinary intervals (Calibrated::judge).
class ShiftTest {
 public:
  explicit ShiftTest(size_t window);
  // The next z (each clipped to +-kClip; NaN counts as 0); returns the standardised mean of
  // the last K, NaN before K z and kShiftMinSamples past means.
  double next(double z);
  size_t window() const { return ring_.size(); }

 private:
  std::vector<double> ring_;
  double sum_ = 0;
  size_t seen_ = 0, stride_ = 1;
  std::vector<double> samples_;  // past means in order (a ring of kShiftHistory)
  size_t sampled_ = 0;
  SortedWindow past_;
};
constexpr size_t kShiftSamples = 24;       // past means sampled per window (hourly for a day)
constexpr size_t kShiftHistory = 56 * 24;  // past means kept: 56 windows' worth (8 weeks)
constexpr double kMadEfficiency = 0.37;    // an MAD's precision: an SD's from 0.37 x the values
constexpr size_t kShiftMinSamples = 30;    // past means before the test speaks
constexpr double kShiftWeight = 0.5;       // its weight in the Cauchy rule (point, sustained: 1)
// The shift test's window for a series of this interval: a day of intervals, 0 (none) when
// that is fewer than 2 kSustained.
size_t shift_window(const Input& in);

// Calibrates a detector's statistic as it walks forward. A signed z (robust, seasonal,
// residual) is first read through the Gaussian tail, as the surprise s = -ln p_gauss(|z|):
// where the data is as Gaussian as the detector assumes, s is exponential with mean 1 and
// the calibrator's exponential tail reproduces the Gaussian p; where the data has heavier
// tails, the calibrator learns it from the series' past and p is larger. Two tests, each
// against its own past: the point test on z, and the sustained test on the last
// kSustained z, each clipped to +-kClip, summed and divided by sqrt(kSustained) (a level
// shift or drift of moderate steps adds up; one spike adds at most kClip / sqrt(6)), and,
// where the detector gives a shift window, the shift test (ShiftTest: about a day).
// Their tail probabilities are combined by the Cauchy rule. Other statistics (isolation
// scores, combined p-values) are calibrated as they are, by the point test alone.
struct Calibrated {
  TailCalibrator point, sustained, shifted;
  double alpha;
  bool z_like;
  bool bands = true;
  double ring[kSustained] = {};
  size_t seen = 0;
  ShiftTest shift;  // window 0: none
  // shift_window: the shift test's K (shift_window(in)), 0 for none; z statistics only.
  Calibrated(double a, bool signed_z, bool with_bands = true, size_t shift_window = 0)
      : point(signed_z ? kModelCalibrationHistory : kCalibrationHistory),
        sustained(signed_z ? kModelCalibrationHistory : kCalibrationHistory),
        shifted(kModelCalibrationHistory),
        alpha(a),
        z_like(signed_z),
        bands(with_bands),
        shift(signed_z ? shift_window : 0) {
    if (z_like) {
      point.set_prior(1, kTailPrior);
      sustained.set_prior(1, kTailPrior);
      shifted.set_prior(1, kTailPrior);
    }
  }
  // Sets p and returns the critical |z| of the point test (the raw statistic for others;
  // NaN before enough history). `holiday`: a holiday of the calendar, whose level is expected
  // to differ (by an effect estimated from one day a year before): it is left out of the
  // shift test's day and gets no shift verdict (a clean Poisson count on New Year's Day,
  // judged against last year's effect, read as a day-long shift: 8 flags in 2 x 2 years).
  double judge(double z, double& p, bool holiday = false);
};

// The last step of robust and seasonal at interval i: the residual r against the
// expectation mu (for ratios, quantity per exposure) over the spread sigma is judged by the
// calibration, and the expected value, band, statistic, p and direction are written to t.
void judge_residual(const Input& in, size_t i, double mu, double r, double sigma, const Scale& s,
                    Calibrated& cal, Track& t);

// The tails of a count's predictive distribution: Poisson with mean mu (phi <= 1) or the
// negative binomial with mean mu and variance phi mu (detector_count.cpp).
class CountTail {
 public:
  CountTail(double mu, double phi);
  double below(double y) const;   // P(Y <= y)
  double above(double y) const;   // P(Y >= y)
  double p_value(double y) const; // two-sided: min(1, 2 min(below, above))
  // The counts not flagged at alpha: [lo, hi].
  void band(double alpha, double& lo, double& hi) const;

 private:
  double ratio_up(double k) const;
  double ratio_down(double k) const;
  double mu_, phi_, r_ = 0, q_ = 0, from_ = 0;
  std::vector<double> pmf_, cdf_, sf_;
};
// CountTail(mu, phi).p_value(y) without the tables: the tail on y's side summed outwards.
double count_p_value(double mu, double phi, double y);
// Lumpy money (Input::lumpy): the money one count stands for at each interval, its
// variance-to-mean ratio from the trailing four weeks (NaN before 24 intervals;
// detector_count.cpp).
std::vector<double> money_units(const Input& in);

// Work that does not depend on the threshold, kept for the other checks of the same
// request: the monitor judges every KPI of a channel, and leads (CPL's quantity, its part,
// the KPI itself) or spend are fitted by the same detector again and again with the same
// parameters. While a SharedWorkScope (anomaly.hpp) is open (the monitor's checks, one detect()), the
// result of make() for a tag, the parameters it reads (a, b, c) and the input's data (its
// kinds, times and values, bit for bit; not its names) is computed once; with none open,
// every call computes it. Thread-safe.
class SharedWork {
 public:
  template <class T, class Make>
  static std::shared_ptr<const T> get(const char* tag, const Input& in, size_t a, size_t b,
                                      size_t c, Make make) {
    const Key key{tag, &in, a, b, c};
    if (auto kept = find(key)) return std::static_pointer_cast<const T>(kept);
    return std::static_pointer_cast<const T>(keep(key, std::make_shared<const T>(make())));
  }

 private:
  struct Key {
    const char* tag;
    const Input* in;
    size_t a, b, c;
  };
  static std::shared_ptr<const void> find(const Key& key);
  // The value kept for key (one another thread kept first, else v).
  static std::shared_ptr<const void> keep(const Key& key, std::shared_ptr<const void> v);
};

}  // namespace fc::anomaly::detail
