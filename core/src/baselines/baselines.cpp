// Baselines the GBDT is compared against. Ridge works on standardized columns so
// one lambda means the same thing whatever the units (leads vs. euros of spend),
// and a missing value becomes 0 after standardizing, i.e. the training mean.
#include "funnelcast/baselines/baselines.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::baselines {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
  Eigen::MatrixXd a = z.transpose() * z;
  a.diagonal().array() += lambda;
  const Eigen::VectorXd b = z.transpose() * yc;
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

Ridge Ridge::from_json(const nlohmann::json& j, size_t expected_features) {
  if (!j.is_object()) throw Error("ridge: the model's ridge section is not a JSON object");
  auto number = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
      throw Error(std::string("ridge: \"") + key + "\" is missing or not a number");
    }
    const double v = it->get<double>();
    if (!std::isfinite(v)) throw Error(std::string("ridge: \"") + key + "\" is not finite");
    return v;
  };
  auto vec = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) {
      throw Error(std::string("ridge: \"") + key + "\" is missing or not a list");
    }
    if (it->size() != expected_features) {
      throw Error(std::string("ridge: \"") + key + "\" has " + std::to_string(it->size()) +
                  " values but the model has " + std::to_string(expected_features) + " features");
    }
    std::vector<double> out;
    out.reserve(it->size());
    for (const auto& v : *it) {
      if (!v.is_number() || !std::isfinite(v.get<double>())) {
        throw Error(std::string("ridge: \"") + key +
                    "\" holds a value that is not a finite number");
      }
      out.push_back(v.get<double>());
    }
    return out;
  };
  Ridge r;
  r.lambda = number("lambda");
  if (r.lambda < 0) throw Error("ridge: \"lambda\" is negative");
  r.intercept = number("intercept");
  r.mean = vec("mean");
  r.scale = vec("scale");
  r.weight = vec("weight");
  for (double s : r.scale) {
    if (!(s > 0)) throw Error("ridge: \"scale\" holds a value that is not positive");
  }
  return r;
}

}  // namespace fc::baselines
