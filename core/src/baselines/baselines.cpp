// Baselines the GBDT is compared against. Ridge works on standardized columns so
// one lambda means the same thing whatever the units (leads vs. euros of spend),
// and a missing value becomes 0 after standardizing, i.e. the training mean.
#include "funnelcast/baselines/baselines.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "products.hpp"

namespace fc::baselines {
namespace {

using detail::times;
using detail::transpose_times;
using detail::weighted_gram;

// Infinite features are treated like missing ones: no finite weight can use them.
bool present(float v) {
  return std::isfinite(v);
}

}  // namespace

double seasonal_naive(const double* history, size_t t, size_t season) {
  // season 0 would return the very value being forecast.
  if (season == 0) throw Error("seasonal naive: the season must be at least 1 hour");
  if (t < season) return kNaN;
  if (history == nullptr) throw Error("seasonal naive: no history given");
  return history[t - season];
}

void Ridge::fit(const features::Matrix& x, const std::vector<double>& y) {
  if (!(lambda >= 0) || !std::isfinite(lambda)) {
    throw Error("ridge: lambda must be a finite number >= 0, got " + std::to_string(lambda));
  }
  if (x.rows != y.size()) {
    throw Error("ridge: " + std::to_string(x.rows) + " feature rows but " +
                std::to_string(y.size()) + " target values");
  }
  if (x.values.size() != x.rows * x.cols)
    throw Error("ridge: the feature matrix has the wrong size");
  if (x.rows == 0) throw Error("ridge: no training rows");
  for (size_t r = 0; r < y.size(); ++r) {
    if (!std::isfinite(y[r])) {
      throw Error("ridge: the target is missing or not finite at row " + std::to_string(r));
    }
  }
  const size_t n = x.rows, d = x.cols;

  mean.assign(d, 0.0);
  scale.assign(d, 1.0);
  for (size_t c = 0; c < d; ++c) {
    double s = 0;
    size_t cnt = 0;
    for (size_t r = 0; r < n; ++r) {
      const float v = x.at(r, c);
      if (!present(v)) continue;
      s += v;
      ++cnt;
    }
    if (cnt == 0) continue;  // an all-missing column standardizes to 0 and gets no weight
    mean[c] = s / static_cast<double>(cnt);
    double ss = 0;
    for (size_t r = 0; r < n; ++r) {
      const float v = x.at(r, c);
      if (present(v)) ss += (v - mean[c]) * (v - mean[c]);
    }
    const double sd = std::sqrt(ss / static_cast<double>(cnt));
    // A constant column: scale 1 keeps it at exactly 0 rather than dividing by 0.
    if (sd > 0 && std::isfinite(sd)) scale[c] = sd;
  }

  Eigen::MatrixXd z(n, d);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) {
      const float v = x.at(r, c);
      z(r, c) = present(v) ? (v - mean[c]) / scale[c] : 0.0;
    }
  }
  Eigen::VectorXd yc(n);
  double ybar = 0;
  for (size_t r = 0; r < n; ++r) ybar += y[r];
  ybar /= static_cast<double>(n);
  for (size_t r = 0; r < n; ++r) yc(r) = y[r] - ybar;

  // Every column of z has mean 0 (imputed entries sit at the mean), so the
  // unpenalized intercept is exactly the target mean.
  intercept = ybar;
  weight.assign(d, 0.0);
  if (d == 0) return;
  Eigen::MatrixXd a = weighted_gram(z, nullptr);
  a.diagonal().array() += lambda;
  const Eigen::VectorXd b = transpose_times(z, yc);
  Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
  const Eigen::VectorXd w = ldlt.solve(b);
  if (ldlt.info() != Eigen::Success || !w.allFinite()) {
    throw Error("ridge: the features are collinear; use lambda > 0");
  }
  for (size_t c = 0; c < d; ++c) weight[c] = w(static_cast<Eigen::Index>(c));
}

double Ridge::predict(const float* row) const {
  double s = intercept;
  for (size_t c = 0; c < weight.size(); ++c) {
    if (present(row[c])) s += weight[c] * ((row[c] - mean[c]) / scale[c]);
  }
  return s;
}

nlohmann::json Ridge::to_json() const {
  return {{"lambda", lambda},
          {"intercept", intercept},
          {"mean", mean},
          {"scale", scale},
          {"weight", weight}};
}

namespace {

// Readers for the validated JSON of a baseline; `who` starts every message.
double json_number(const nlohmann::json& j, const char* key, const char* who) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) {
    throw Error(std::string(who) + ": \"" + key + "\" is missing or not a number");
  }
  const double v = it->get<double>();
  if (!std::isfinite(v)) throw Error(std::string(who) + ": \"" + key + "\" is not finite");
  return v;
}

std::vector<double> json_vector(const nlohmann::json& j, const char* key, size_t expected,
                                const char* who) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) {
    throw Error(std::string(who) + ": \"" + key + "\" is missing or not a list");
  }
  if (it->size() != expected) {
    throw Error(std::string(who) + ": \"" + key + "\" has " + std::to_string(it->size()) +
                " values but the model has " + std::to_string(expected) + " features");
  }
  std::vector<double> out;
  out.reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      throw Error(std::string(who) + ": \"" + key + "\" holds a value that is not a finite number");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

void check_scale(const std::vector<double>& scale, const char* who) {
  for (double s : scale) {
    if (!(s > 0)) throw Error(std::string(who) + ": \"scale\" holds a value that is not positive");
  }
}

}  // namespace

Ridge Ridge::from_json(const nlohmann::json& j, size_t expected_features) {
  if (!j.is_object()) throw Error("ridge: the model's ridge section is not a JSON object");
  Ridge r;
  r.lambda = json_number(j, "lambda", "ridge");
  if (r.lambda < 0) throw Error("ridge: \"lambda\" is negative");
  r.intercept = json_number(j, "intercept", "ridge");
  r.mean = json_vector(j, "mean", expected_features, "ridge");
  r.scale = json_vector(j, "scale", expected_features, "ridge");
  r.weight = json_vector(j, "weight", expected_features, "ridge");
  check_scale(r.scale, "ridge");
  return r;
}

// ---------------------------------------------------------------------------------
// Logistic regression.
// ---------------------------------------------------------------------------------

namespace {

// log(1 + e^t) without overflow for large t or loss of digits for very negative t.
// Our own exp and log (base/math.hpp): the same bits natively and in wasm, so a model's
// report is byte-identical wherever it was trained.
double softplus(double t) {
  return math::softplus(t);
}

double sigmoid(double t) { return math::sigmoid(t); }


// ---- The steps of Logistic::fit ---------------------------------------------

void check_logistic_inputs(const Logistic& m, const features::Matrix& x, const std::vector<double>& y,
                           const std::vector<double>& sample_weight) {
  if (!(m.lambda >= 0) || !std::isfinite(m.lambda)) {
    throw Error("logistic regression: lambda must be a finite number >= 0, got " +
                std::to_string(m.lambda));
  }
  if (!(m.positive_weight > 0) || !std::isfinite(m.positive_weight)) {
    throw Error("logistic regression: positive_weight must be a finite number > 0");
  }
  if (m.max_iterations < 1) throw Error("logistic regression: max_iterations must be at least 1");
  if (x.rows != y.size()) {
    throw Error("logistic regression: " + std::to_string(x.rows) + " feature rows but " +
                std::to_string(y.size()) + " outcomes");
  }
  if (x.values.size() != x.rows * x.cols) {
    throw Error("logistic regression: the feature matrix has the wrong size");
  }
  if (x.rows == 0) throw Error("logistic regression: no training rows");
  if (!sample_weight.empty() && sample_weight.size() != y.size()) {
    throw Error("logistic regression: " + std::to_string(y.size()) + " rows but " +
                std::to_string(sample_weight.size()) + " sample weights");
  }
}

// Each row's sample weight (s) and its weight in the loss (v: s, times
// positive_weight for a positive), with the loss weight of each outcome.
struct RowWeights {
  std::vector<double> s, v;
  double pos_weight = 0, neg_weight = 0;
};

RowWeights row_weights(const std::vector<double>& y, const std::vector<double>& sample_weight,
                       double positive_weight) {
  const size_t n = y.size();
  RowWeights w;
  w.s.assign(n, 1.0);
  w.v.resize(n);
  for (size_t r = 0; r < n; ++r) {
    if (y[r] != 0.0 && y[r] != 1.0) {
      throw Error("logistic regression: the outcome must be 0 or 1, row " + std::to_string(r + 1) +
                  " has " + std::to_string(y[r]));
    }
    if (!sample_weight.empty()) {
      w.s[r] = sample_weight[r];
      if (!(w.s[r] >= 0) || !std::isfinite(w.s[r])) {
        throw Error("logistic regression: the sample weight of row " + std::to_string(r + 1) +
                    " must be a finite number >= 0");
      }
    }
    w.v[r] = w.s[r] * (y[r] == 1.0 ? positive_weight : 1.0);
    (y[r] == 1.0 ? w.pos_weight : w.neg_weight) += w.v[r];
  }
  if (!(w.pos_weight > 0) || !(w.neg_weight > 0)) {
    throw Error("logistic regression: the training rows need both outcomes (0 and 1)");
  }
  return w;
}

// Standardize with the sample weights (frequency semantics).
void standardize(const features::Matrix& x, const std::vector<double>& s, std::vector<double>& mean,
                 std::vector<double>& scale) {
  const size_t n = x.rows, d = x.cols;
  mean.assign(d, 0.0);
  scale.assign(d, 1.0);
  for (size_t c = 0; c < d; ++c) {
    double sw = 0, sx = 0;
    for (size_t r = 0; r < n; ++r) {
      const float val = x.at(r, c);
      if (!present(val)) continue;
      sw += s[r];
      sx += s[r] * val;
    }
    if (!(sw > 0)) continue;  // never observed: z = 0 everywhere, no weight
    mean[c] = sx / sw;
    double ss = 0;
    for (size_t r = 0; r < n; ++r) {
      const float val = x.at(r, c);
      if (present(val)) ss += s[r] * (val - mean[c]) * (val - mean[c]);
    }
    const double sd = std::sqrt(ss / sw);
    if (sd > 0 && std::isfinite(sd)) scale[c] = sd;
  }
}

// Columns that are 0 on every weighted row (constant or never observed) cannot move
// the loss; leaving them out keeps the Hessian regular when lambda is 0.
std::vector<size_t> active_columns(const features::Matrix& x, const std::vector<double>& s,
                                   const std::vector<double>& mean, const std::vector<double>& scale) {
  std::vector<size_t> active;
  for (size_t c = 0; c < x.cols; ++c) {
    for (size_t r = 0; r < x.rows; ++r) {
      const float val = x.at(r, c);
      if (s[r] > 0 && present(val) && (val - mean[c]) / scale[c] != 0.0) {
        active.push_back(c);
        break;
      }
    }
  }
  return active;
}

// The standardized active columns, after column 0, the intercept.
Eigen::MatrixXd design_matrix(const features::Matrix& x, const std::vector<size_t>& active,
                              const std::vector<double>& mean, const std::vector<double>& scale) {
  const size_t n = x.rows;
  const auto a = static_cast<Eigen::Index>(active.size());
  Eigen::MatrixXd z(static_cast<Eigen::Index>(n), a + 1);
  for (size_t r = 0; r < n; ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    z(row, 0) = 1.0;
    for (Eigen::Index k = 0; k < a; ++k) {
      const size_t c = active[static_cast<size_t>(k)];
      const float val = x.at(r, c);
      z(row, k + 1) = present(val) ? (val - mean[c]) / scale[c] : 0.0;
    }
  }
  return z;
}

// The weighted log-loss on z with an L2 penalty on every coefficient but the intercept.
struct PenalizedLoss {
  const Eigen::MatrixXd& z;
  const Eigen::Map<const Eigen::VectorXd>& vw;
  const Eigen::VectorXd& yv;
  double lambda;
  Eigen::Index a;  // penalized coefficients, after the intercept

  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd* eta_out) const {
    const Eigen::VectorXd eta = times(z, theta);
    double f = 0;
    for (Eigen::Index r = 0; r < eta.size(); ++r) {
      if (vw(r) > 0) f += vw(r) * (softplus(eta(r)) - yv(r) * eta(r));
    }
    f += 0.5 * lambda * theta.tail(a).squaredNorm();
    if (eta_out) *eta_out = eta;
    return f;
  }

  // The gradient at theta, given p = sigmoid(eta) of its linear predictors.
  Eigen::VectorXd gradient(const Eigen::VectorXd& theta, const Eigen::VectorXd& p) const {
    Eigen::VectorXd g = transpose_times(z, vw.cwiseProduct(p - yv));
    g.tail(a) += lambda * theta.tail(a);
    return g;
  }
};

// Newton direction; when the Hessian is singular or not positive definite (e.g. a
// separable direction with lambda = 0), add a growing ridge: a damped step.
Eigen::VectorXd damped_newton_step(const Eigen::MatrixXd& hess, const Eigen::VectorXd& g) {
  Eigen::VectorXd step;
  double ridge = 0;
  const double base = std::max(1e-12, hess.diagonal().cwiseAbs().maxCoeff() * 1e-10);
  for (int attempt = 0; attempt < 30; ++attempt) {
    Eigen::MatrixXd m = hess;
    if (ridge > 0) m.diagonal().array() += ridge;
    Eigen::LLT<Eigen::MatrixXd> llt(m);
    if (llt.info() == Eigen::Success) {
      step = -llt.solve(g);
      if (step.allFinite() && step.dot(g) < 0) break;
    }
    step.resize(0);
    ridge = ridge == 0 ? base : ridge * 10;
  }
  if (step.size() == 0) step = -g / std::max(1.0, hess.diagonal().maxCoeff());
  return step;
}

// Backtracking (Armijo) line search on the penalized objective: moves theta (and
// its eta and f) along step and returns true, or returns false when no decrease
// is left at double precision.
bool line_search(const PenalizedLoss& objective, const Eigen::VectorXd& g, const Eigen::VectorXd& step,
                 Eigen::VectorXd& theta, Eigen::VectorXd& eta, double& f) {
  const double slope = g.dot(step);
  double t = 1.0, f_new = f;
  Eigen::VectorXd theta_new, eta_new;
  for (int k = 0; k < 60; ++k) {
    theta_new = theta + t * step;
    f_new = objective(theta_new, &eta_new);
    if (std::isfinite(f_new) && f_new <= f + 1e-4 * t * slope) {
      theta = theta_new;
      eta = eta_new;
      f = f_new;
      return true;
    }
    t *= 0.5;
  }
  return false;
}

// Without a penalty, outcomes that a hyperplane separates have no finite solution:
// the gradient still fades as the weights run off, so Newton "converges" on large
// weights. A fit that puts every row strictly on its own side proves separability.
void refuse_separated(const Eigen::VectorXd& eta, const Eigen::Map<const Eigen::VectorXd>& vw,
                      const Eigen::VectorXd& yv) {
  bool separated = true;
  for (Eigen::Index r = 0; r < eta.size() && separated; ++r) {
    if (vw(r) > 0 && !((yv(r) == 1.0 ? eta(r) : -eta(r)) > 0)) separated = false;
  }
  if (separated) {
    throw Error(
        "logistic regression: the features separate the outcomes perfectly, so "
        "without a penalty the weights grow without bound; use lambda > 0");
  }
}

}  // namespace

void Logistic::fit(const features::Matrix& x, const std::vector<double>& y,
                   const std::vector<double>& sample_weight) {
  check_logistic_inputs(*this, x, y, sample_weight);
  const size_t n = x.rows, d = x.cols;
  const RowWeights w = row_weights(y, sample_weight, positive_weight);
  standardize(x, w.s, mean, scale);
  const std::vector<size_t> active = active_columns(x, w.s, mean, scale);
  const auto a = static_cast<Eigen::Index>(active.size());
  const Eigen::MatrixXd z = design_matrix(x, active, mean, scale);
  const Eigen::Map<const Eigen::VectorXd> vw(w.v.data(), static_cast<Eigen::Index>(n));
  Eigen::VectorXd yv(static_cast<Eigen::Index>(n));
  for (size_t r = 0; r < n; ++r) yv(static_cast<Eigen::Index>(r)) = y[r];
  const double total_v = w.pos_weight + w.neg_weight;
  const PenalizedLoss objective{z, vw, yv, lambda, a};

  Eigen::VectorXd theta = Eigen::VectorXd::Zero(a + 1);
  theta(0) = math::log(w.pos_weight / w.neg_weight);  // the best intercept alone
  Eigen::VectorXd eta;
  double f = objective(theta, &eta);
  Eigen::VectorXd p(static_cast<Eigen::Index>(n)), h(static_cast<Eigen::Index>(n));
  iterations = 0;
  bool converged = false;
  for (int it = 0; it < max_iterations; ++it) {
    for (Eigen::Index r = 0; r < eta.size(); ++r) {
      p(r) = sigmoid(eta(r));
      h(r) = vw(r) * p(r) * (1.0 - p(r));
    }
    const Eigen::VectorXd g = objective.gradient(theta, p);
    // Converged when no coordinate of the gradient is above 1e-10 of the total weight:
    // far below what changes a prediction, far above rounding.
    if (g.lpNorm<Eigen::Infinity>() <= 1e-10 * total_v) {
      converged = true;
      break;
    }
    Eigen::MatrixXd hess = weighted_gram(z, h.data());
    hess.diagonal().tail(a).array() += lambda;
    const Eigen::VectorXd step = damped_newton_step(hess, g);
    const bool moved = line_search(objective, g, step, theta, eta, f);
    ++iterations;
    if (!moved) break;  // no decrease left at double precision
  }
  if (!converged) {
    // The loop may stop with no decrease left; accept it only if the gradient is small.
    for (Eigen::Index r = 0; r < eta.size(); ++r) p(r) = sigmoid(eta(r));
    const Eigen::VectorXd g = objective.gradient(theta, p);
    if (!(g.lpNorm<Eigen::Infinity>() <= 1e-7 * total_v) || !theta.allFinite()) {
      throw Error(lambda == 0
                      ? "logistic regression did not converge: the outcomes can be separated "
                        "perfectly by the features; use lambda > 0"
                      : "logistic regression did not converge in " +
                            std::to_string(max_iterations) + " iterations");
    }
  }
  if (lambda == 0) refuse_separated(eta, vw, yv);
  intercept = theta(0);
  weight.assign(d, 0.0);
  for (Eigen::Index k = 0; k < a; ++k) weight[active[static_cast<size_t>(k)]] = theta(k + 1);
}

double Logistic::predict_raw(const float* row) const {
  double t = intercept;
  for (size_t c = 0; c < weight.size(); ++c) {
    if (present(row[c])) t += weight[c] * ((row[c] - mean[c]) / scale[c]);
  }
  return t;
}

double Logistic::predict(const float* row) const {
  return sigmoid(predict_raw(row));
}

nlohmann::json Logistic::to_json() const {
  return {{"lambda", lambda},       {"positive_weight", positive_weight},
          {"intercept", intercept}, {"mean", mean},
          {"scale", scale},         {"weight", weight}};
}

Logistic Logistic::from_json(const nlohmann::json& j, size_t expected_features) {
  const char* who = "logistic regression";
  if (!j.is_object()) {
    throw Error("logistic regression: the model's logistic section is not a JSON object");
  }
  Logistic m;
  m.lambda = json_number(j, "lambda", who);
  if (m.lambda < 0) throw Error("logistic regression: \"lambda\" is negative");
  m.positive_weight = json_number(j, "positive_weight", who);
  if (!(m.positive_weight > 0)) {
    throw Error("logistic regression: \"positive_weight\" is not positive");
  }
  m.intercept = json_number(j, "intercept", who);
  m.mean = json_vector(j, "mean", expected_features, who);
  m.scale = json_vector(j, "scale", expected_features, who);
  m.weight = json_vector(j, "weight", expected_features, who);
  check_scale(m.scale, who);
  return m;
}

}  // namespace fc::baselines
