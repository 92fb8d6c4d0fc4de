// Poisson regression on a log link, for counts: the log of the mean count as base score,
// the hessian inflated by exp(poisson_max_delta_step) as LightGBM does, so the first steps
// on log-counts cannot overshoot, and the Poisson deviance as the reported metric.
#include <algorithm>
#include <string>

#include "funnelcast/gbdt/objective.hpp"
#include "internal.hpp"

namespace fc::gbdt {

namespace {

struct PoissonRows {
  double hessian_scale;  // exp(poisson_max_delta_step), once per batch rather than per row
  explicit PoissonRows(const Params& p) : hessian_scale(detail::exp(p.poisson_max_delta_step)) {}
  GradPair pair(double y, double w, double mu) const { return {(mu - y) * w, mu * hessian_scale * w}; }
  // The gradients alone: no log(y).
  GradPair gradient(double f, double y, double w) const { return pair(y, w, detail::exp(f)); }
  GradPair operator()(double f, double y, double w, double& loss) const {
    const double mu = detail::exp(f);
    const double ylog = y > 0 ? y * (detail::log(y) - f) : 0.0;
    loss = 2.0 * (ylog - (y - mu));
    return pair(y, w, mu);
  }
};

class Poisson final : public RowObjective<PoissonRows> {
 public:
  Objective id() const override { return Objective::kPoisson; }
  const char* name() const override { return "poisson"; }
  std::vector<std::string> aliases() const override { return {"count:poisson"}; }
  Link link() const override { return Link::kLog; }
  std::string check_label(double y) const override {
    if (y >= 0) return "";
    return "is negative (" + std::to_string(y) + "); the poisson objective needs counts >= 0";
  }
  double base_score(const double* y, const double* w, size_t n, const Params&) const override {
    // All-zero counts would give log(0); a tiny floor keeps the model usable.
    return detail::log(std::max(weighted_label_mean(y, w, n, 1.0), 1e-10));
  }
  double transform(double raw) const override { return detail::exp(raw); }
};

}  // namespace

const ObjectiveFunction& poisson_objective() {
  static const Poisson kObjective;
  return kObjective;
}

}  // namespace fc::gbdt
