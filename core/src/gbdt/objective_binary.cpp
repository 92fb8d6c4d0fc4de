// Binary log loss on a logit link, for yes/no labels: the log-odds of the (weighted) rate
// as base score, positive rows weighted scale_pos_weight times, and log loss as the
// reported metric.
#include <algorithm>
#include <cmath>
#include <string>

#include "funnelcast/gbdt/objective.hpp"
#include "internal.hpp"

namespace fc::gbdt {

namespace {

struct BinaryRows {
  double scale_pos_weight;
  explicit BinaryRows(const Params& p) : scale_pos_weight(p.scale_pos_weight) {}
  // e = exp(-|f|) never overflows; p and both log-losses follow from it.
  struct Odds {
    double e, one_e, inv;
  };
  static Odds odds(double f) {
    const double e = detail::exp(-std::abs(f));
    const double one_e = 1.0 + e;
    return {e, one_e, 1.0 / one_e};
  }
  GradPair pair(double f, double y, double w, const Odds& o) const {
    const double p = f >= 0 ? o.inv : o.e * o.inv;
    const double wp = y > 0.5 ? w * scale_pos_weight : w;
    return {(p - y) * wp, std::max(p * (1.0 - p), 1e-16) * wp};
  }
  // The gradients alone: no log.
  GradPair gradient(double f, double y, double w) const { return pair(f, y, w, odds(f)); }
  GradPair operator()(double f, double y, double w, double& loss) const {
    const Odds o = odds(f);
    // log(1 + e), with the rounding of 1 + e corrected to first order (log1p's trick
    // without its extra division).
    const double softplus_abs = detail::log(o.one_e) + (o.e - (o.one_e - 1.0)) * o.inv;
    loss = y > 0.5 ? (f < 0 ? -f : 0.0) + softplus_abs : (f > 0 ? f : 0.0) + softplus_abs;
    return pair(f, y, w, o);
  }
};

class Binary final : public RowObjective<BinaryRows> {
 public:
  Objective id() const override { return Objective::kBinary; }
  const char* name() const override { return "binary"; }
  std::vector<std::string> aliases() const override {
    return {"logloss", "binary_logloss", "binary:logistic", "log_loss"};
  }
  Link link() const override { return Link::kLogit; }
  std::string check_label(double y) const override {
    if (y == 0.0 || y == 1.0) return "";
    return "is " + std::to_string(y) + "; the binary objective needs 0 or 1";
  }
  double base_score(const double* y, const double* w, size_t n, const Params& p) const override {
    const double mean = weighted_label_mean(y, w, n, p.scale_pos_weight);
    const double clipped = std::min(std::max(mean, 1e-10), 1.0 - 1e-10);
    return detail::log(clipped / (1.0 - clipped));
  }
  double transform(double raw) const override { return 1.0 / (1.0 + detail::exp(-raw)); }
};

}  // namespace

const ObjectiveFunction& binary_objective() {
  static const Binary kObjective;
  return kObjective;
}

}  // namespace fc::gbdt
