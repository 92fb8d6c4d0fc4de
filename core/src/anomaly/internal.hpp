// What the detectors share inside the anomaly module: the per-interval output of one
// detector before flagging, how a deviation is measured for each kind of series, and the
// robust statistics of a window.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"

namespace fc::anomaly::detail {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMadScale = 1.4826;      // MAD -> standard deviation of normal data
constexpr double kMeanAbsScale = 1.2533;  // mean |x - m| -> standard deviation (sqrt(pi / 2))
constexpr double kCountFloor = 0.5;       // expected counts below this are judged as 0.5
constexpr double kMoneyOffset = 0.1;      // money: log-like scale below 10% of the usual level
constexpr double kCountPrior = 5;         // seasonal: quiet intervals shrunk by 5 units of quantity
constexpr size_t kCalibrationHistory = 100;  // statistics seen before a calibrated score
constexpr size_t kSustained = 3;             // statistics summed by the sustained test
constexpr double kClip = 3;                  // ... each clipped to +-3

// One detector's verdict per interval, before the lookback and the threshold.
struct Track {
  std::vector<double> expected, lower, upper;  // value units; NaN where not scored / unbounded
  std::vector<double> z;                       // signed statistic (value direction)
  std::vector<double> p;                       // tail probability; NaN where not scored
  std::vector<int8_t> direction;
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
  size_t size() const { return v_.size(); }
  double median() const;
  double quantile(double q) const;  // linear between order statistics
  // A robust standard deviation around `center`: 1.4826 MAD, else IQR / 1.349, else
  // 1.2533 mean |x - center| (for windows that are mostly one value), else 0.
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

// Detectors. Each returns a Track over the whole input; `in` is known where in.known(i).
Track zscore(const Input& in, const Params& p);
Track robust(const Input& in, const Params& p);
Track seasonal(const Input& in, const Params& p);
Track residual(const Input& in, const Forecasts& f, const Params& p);
Track iforest(const Input& in, const Track& robust_track, const Track& seasonal_track,
              const Params& p);
// Members' tail probabilities combined by the Cauchy rule; expected and band from
// `band_from` (members tried in order where they have one).
Track ensemble(const Input& in, const std::vector<const Track*>& members,
               const std::vector<const Track*>& band_from);

// The value-space expected value and band of a kRatio interval from the expected
// quantity per exposure `rho`, the spread and the critical residual c.
void ratio_band(const Input& in, size_t i, double rho, double sigma, double c, const Scale& s,
                double& expected, double& lower, double& upper);
double ratio_value(const Input& in, double rho);  // form(rho)

}  // namespace fc::anomaly::detail
