// Squared error (LightGBM's "regression"): the mean as base score, the residual as
// gradient, a hessian of one, and RMSE as the reported metric.
#include <cmath>

#include "funnelcast/gbdt/objective.hpp"

namespace fc::gbdt {

namespace {

struct SquaredErrorRows {
  explicit SquaredErrorRows(const Params&) {}
  GradPair operator()(double f, double y, double w, double& loss) const {
    loss = (f - y) * (f - y);
    return {(f - y) * w, w};
  }
};

class SquaredError final : public RowObjective<SquaredErrorRows> {
 public:
  Objective id() const override { return Objective::kSquaredError; }
  const char* name() const override { return "regression"; }
  std::vector<std::string> aliases() const override {
    return {"l2", "mse", "regression_l2", "squared_error", "mean_squared_error", "reg:squarederror"};
  }
  Link link() const override { return Link::kIdentity; }
  double base_score(const double* y, const double* w, size_t n, const Params&) const override {
    return weighted_label_mean(y, w, n, 1.0);
  }
  double finish_metric(double mean_loss) const override { return std::sqrt(mean_loss); }
  double transform(double raw) const override { return raw; }
  bool unit_hessian() const override { return true; }
};

}  // namespace

const ObjectiveFunction& squared_error_objective() {
  static const SquaredError kObjective;
  return kObjective;
}

}  // namespace fc::gbdt
