// Training objectives as plug-ins: one class per objective behind ObjectiveFunction, and
// one list, objectives(), where the trainer, the parameters, the model file and the
// predictors all look them up. Adding one is a file and a line: docs/recipes/objective.md.
#pragma once
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "funnelcast/gbdt/params.hpp"

namespace fc::gbdt {

// A row's gradient and hessian of the loss with respect to its raw score.
struct GradPair {
  double g, h;
};

// How the raw score maps to a prediction; transform() is the inverse of this link. The
// model checks read it: a forecast predicts a quantity (identity or log link), a yes/no
// score a probability (logit), and a score that predicts a value reports the raw score
// itself (identity).
enum class Link { kIdentity, kLog, kLogit };

class ObjectiveFunction {
 public:
  virtual ~ObjectiveFunction() = default;

  // Also the objective's code byte in the model file: never renumber or reuse one.
  virtual Objective id() const = 0;
  // Written to parameters and model headers; aliases are only ever read.
  virtual const char* name() const = 0;
  virtual std::vector<std::string> aliases() const { return {}; }
  virtual Link link() const = 0;

  // Why a finite label cannot be trained on, as the end of "training labels: row 3 ...";
  // empty when it can.
  virtual std::string check_label(double y) const {
    (void)y;
    return "";
  }
  // The raw score before the first tree. w may be null (every weight 1).
  virtual double base_score(const double* y, const double* w, size_t n, const Params& p) const = 0;
  // out[i]: the gradient pair of row i at raw score f[i], weighted by w[i] (w may be null).
  // No loss: training measures its metric, when asked to, with loss() (a log per row for
  // binary, about a fifth of the wasm training time when it came with every gradient).
  virtual void gradients(const double* f, const double* y, const double* w, size_t n,
                         const Params& p, GradPair* out) const = 0;
  // The sum over the rows, in row order, of w[i] times the row's loss (the metrics).
  virtual double loss(const double* f, const double* y, const double* w, size_t n,
                      const Params& p) const = 0;
  // The reported metric from the weighted mean loss (squared error reports its root).
  virtual double finish_metric(double mean_loss) const { return mean_loss; }
  virtual double transform(double raw) const = 0;
  // Whether an unweighted row's hessian is exactly 1, so the trainer may count rows
  // instead of summing hessians (the same numbers, one accumulation fewer).
  virtual bool unit_hessian() const { return false; }
};

// Most objectives are a formula per row. Rows is constructed once per batch from the
// parameters (so per-training constants are computed once, not per row) and has
//   GradPair operator()(double f, double y, double w, double& loss) const;
// returning the weighted gradient pair and setting the row's unweighted loss. It may also
// have
//   GradPair gradient(double f, double y, double w) const;
// the same pair without the loss, for gradients(); it must give the same bits as
// operator() (share the code). Without it, gradients() calls operator() and leaves the
// unused loss to the optimizer.
template <class Rows, class = void>
struct HasRowGradient : std::false_type {};
template <class Rows>
struct HasRowGradient<Rows, std::void_t<decltype(std::declval<const Rows&>().gradient(0.0, 0.0, 0.0))>>
    : std::true_type {};

template <class Rows>
class RowObjective : public ObjectiveFunction {
 public:
  void gradients(const double* f, const double* y, const double* w, size_t n, const Params& p,
                 GradPair* out) const final {
    const Rows rows(p);
    for (size_t i = 0; i < n; ++i) {
      const double wi = w ? w[i] : 1.0;
      if constexpr (HasRowGradient<Rows>::value) {
        out[i] = rows.gradient(f[i], y[i], wi);
      } else {
        double unused;
        out[i] = rows(f[i], y[i], wi, unused);
      }
    }
  }
  double loss(const double* f, const double* y, const double* w, size_t n,
              const Params& p) const final {
    const Rows rows(p);
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
      const double wi = w ? w[i] : 1.0;
      double row_loss;
      rows(f[i], y[i], 1.0, row_loss);
      s += wi * row_loss;
    }
    return s;
  }
};

// The weighted mean label, rows with y > 0.5 weighted positive_weight times more (the
// binary objective's scale_pos_weight; 1 changes nothing, exactly).
double weighted_label_mean(const double* y, const double* w, size_t n, double positive_weight);

// Every objective: the built-in list, then any added by ObjectiveRegistration.
const std::vector<const ObjectiveFunction*>& objectives();
// nullptr when there is none.
const ObjectiveFunction* find_objective(Objective id);
const ObjectiveFunction* find_objective_named(const std::string& name_or_alias);
// fc::Error "model: unknown objective" when there is none.
const ObjectiveFunction& objective_function(Objective id);
// The names of the objectives `keep` accepts, as "a, b or c".
std::string objective_names(bool (*keep)(const ObjectiveFunction&) = nullptr);

// Adds an objective defined outside the core's list (a test's, or an embedding
// program's) for this object's lifetime. fc::Error when its id, name or an alias is
// taken. Not for use while another thread trains or loads models.
class ObjectiveRegistration {
 public:
  explicit ObjectiveRegistration(const ObjectiveFunction& objective);
  ~ObjectiveRegistration();
  ObjectiveRegistration(const ObjectiveRegistration&) = delete;
  ObjectiveRegistration& operator=(const ObjectiveRegistration&) = delete;

 private:
  const ObjectiveFunction* objective_;
};

}  // namespace fc::gbdt
