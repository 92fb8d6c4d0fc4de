// robust: the median of the baseline window before each interval (for ratios the
// exposure-weighted median of quantity / exposure) and 1.4826 x its MAD (for counts, money
// and ratios, of the residuals of those intervals, each against its own window's centre).
// Median and MAD ignore up to half the window, so an earlier incident does not mask the next.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include <algorithm>
#include <cmath>
#include <utility>

#include "detector.hpp"

namespace fc::anomaly::detail {
namespace {

// The trailing window [i - b, i - 1] as it slides forward: its values (kLevel, kCount,
// kMoney) or its (quantity / exposure, exposure) pairs sorted by ratio (kRatio), and the
// |residuals| of its intervals for the spread.
class Window {
 public:
  Window(const Input& in, size_t b) : in_(in), b_(b), ratio_(in.kind == Kind::kRatio) {}

  // From the window of i - 1 to the window of i; res: the residuals so far.
  void slide_to(size_t i, const std::vector<double>& res) {
    if (i > 0 && in_.known(i - 1)) {
      if (ratio_) {
        const auto pr = pair_of(i - 1);
        pairs_.insert(std::upper_bound(pairs_.begin(), pairs_.end(), pr), pr);
      } else {
        values_.insert(judged(in_, i - 1));
      }
      if (!std::isnan(res[i - 1])) residuals_.insert(std::fabs(res[i - 1]));
    }
    if (i > b_ && in_.known(i - b_ - 1)) {
      if (ratio_) {
        const auto pr = pair_of(i - b_ - 1);
        const auto it = std::lower_bound(pairs_.begin(), pairs_.end(), pr);
        if (it != pairs_.end() && *it == pr) pairs_.erase(it);
      } else {
        values_.erase(judged(in_, i - b_ - 1));
      }
      if (!std::isnan(res[i - b_ - 1])) residuals_.erase(std::fabs(res[i - b_ - 1]));
    }
  }

  size_t count() const { return ratio_ ? pairs_.size() : values_.size(); }

  // The median (for ratios the exposure-weighted median ratio); count() > 0.
  double centre() const {
    if (!ratio_) return values_.median();
    double total = 0;
    for (const auto& pr : pairs_) total += pr.second;
    double acc = 0;
    for (size_t k = 0; k < pairs_.size(); ++k) {
      acc += pairs_[k].second;
      if (acc == total / 2 && k + 1 < pairs_.size())
        return (pairs_[k].first + pairs_[k + 1].first) / 2;
      if (acc > total / 2) return pairs_[k].first;
    }
    return pairs_.back().first;
  }

  // The spread around `centre`, or false when the window holds too few residuals.
  bool sigma(double centre, size_t min_points, double& out) const {
    if (in_.kind == Kind::kLevel) {
      out = std::max(values_.spread(centre), 1e-9 * std::max(1.0, std::fabs(centre)));
      return true;
    }
    if (residuals_.size() < std::min<size_t>(min_points, 3)) return false;
    out = spread_of_residuals(residuals_);
    return true;
  }

 private:
  std::pair<double, double> pair_of(size_t j) const {
    return std::make_pair(in_.quantity[j] / in_.exposure[j], in_.exposure[j]);
  }
  const Input& in_;
  size_t b_;
  bool ratio_;
  SortedWindow values_, residuals_;
  std::vector<std::pair<double, double>> pairs_;
};

Track run(Context& ctx) {
  const Input& in = ctx.in;
  const Params& prm = ctx.params;
  const size_t n = in.size();
  Track t;
  t.resize(n);
  Calibrated cal(prm.alpha, true, prm.bands, shift_window(in));
  Scale s = scale_of(in);
  const bool ratio = in.kind == Kind::kRatio;
  Window win(in, prm.baseline);
  // kCount, kMoney, kRatio: the residual of each interval against the centre of its own
  // window, for the spread (kLevel uses the MAD of the values themselves).
  std::vector<double> res(n, kNaN);
  TrailingAbsMean abs_mean(in, prm.baseline);
  HolidayEffect holidays(in, in.kind == Kind::kLevel);
  std::vector<double> raw_expect(n, kNaN);
  for (size_t i = 0; i < n; ++i) {
    win.slide_to(i, res);
    if (!in.known(i)) continue;
    const size_t count = win.count();
    if (count == 0) continue;
    double centre = win.centre();
    if (in.kind == Kind::kMoney) s.offset = money_offset(abs_mean.at(i));
    raw_expect[i] = ratio ? centre * in.exposure[i] : centre;
    const double effect = holidays.at(i, raw_expect);
    centre = in.kind == Kind::kLevel ? centre + effect : centre * effect;
    const double r = ratio ? s.residual(in.quantity[i], centre * in.exposure[i])
                           : s.residual(in.value[i], centre);
    if (in.kind != Kind::kLevel) res[i] = r;
    double sigma;
    if (count < prm.min_points || !win.sigma(centre, prm.min_points, sigma)) continue;
    judge_residual(in, i, centre, r, sigma, s, cal, t);
  }
  return t;
}

}  // namespace

extern const Detector kRobustDetector = {
    "robust",
    "Rolling median / MAD",
    "median and median absolute deviation of the baseline window; earlier outliers do not mask "
    "later ones",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/true,
    /*band_rank=*/1,
    run,
    /*check=*/nullptr,
    /*requirement=*/nullptr,
    /*ensemble_weight=*/1,
    /*yields_to_count=*/true,
};

}  // namespace fc::anomaly::detail
