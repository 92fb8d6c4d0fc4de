// Forecast-quality metrics. Conventions (kept here so the report and the tests agree):
// - A NaN in y or p makes the metric NaN: a missing value is never silently dropped.
// - r2 of a constant target (SST == 0) is undefined: 0 when the prediction is
//   exact (as good as the mean, which is the target itself), NaN otherwise.
// - mase is NaN when the training part has no seasonal difference to scale by
//   (too short, or a perfectly periodic series); pairs with a NaN are skipped there.
// - nlohmann::json writes NaN as null, so an undefined metric appears as null.
#include "funnelcast/eval/metrics.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check(const std::vector<double>& y, const std::vector<double>& p, const char* name) {
  if (y.size() != p.size()) {
    throw Error(std::string(name) + ": " + std::to_string(y.size()) + " actual values but " +
                std::to_string(p.size()) + " predictions");
  }
  if (y.empty()) throw Error(std::string(name) + ": no values to score");
}

double sum_abs_error(const std::vector<double>& y, const std::vector<double>& p) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += std::fabs(y[i] - p[i]);
  return s;
}

}  // namespace

double rmse(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "rmse");
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double d = y[i] - p[i];
    s += d * d;
  }
  return std::sqrt(s / static_cast<double>(y.size()));
}

double mae(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "mae");
  return sum_abs_error(y, p) / static_cast<double>(y.size());
}

double r2(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "r2");
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double sse = 0, sst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    sse += (y[i] - p[i]) * (y[i] - p[i]);
    sst += (y[i] - mean) * (y[i] - mean);
  }
  if (std::isnan(sse) || std::isnan(sst)) return kNaN;
  if (sst == 0) return sse == 0 ? 0.0 : kNaN;
  return 1.0 - sse / sst;
}

double smape(const std::vector<double>& y, const std::vector<double>& p) {
  check(y, p, "smape");
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double denom = (std::fabs(y[i]) + std::fabs(p[i])) / 2.0;
    // Zero leads forecast as zero leads is a perfect hour, not a 0/0.
    if (denom == 0) continue;
    s += std::fabs(y[i] - p[i]) / denom;
  }
  return s / static_cast<double>(y.size());
}

double mase(const std::vector<double>& y, const std::vector<double>& p, const double* train,
            size_t train_size, size_t season) {
  check(y, p, "mase");
  if (season == 0) throw Error("mase: the season must be at least 1 hour");
  if (train == nullptr && train_size > 0) throw Error("mase: no training values given");
  if (train_size <= season) return kNaN;
  double s = 0;
  size_t count = 0;
  for (size_t t = season; t < train_size; ++t) {
    const double d = train[t] - train[t - season];
    if (std::isnan(d)) continue;
    s += std::fabs(d);
    ++count;
  }
  if (count == 0 || s == 0) return kNaN;
  const double scale = s / static_cast<double>(count);
  return (sum_abs_error(y, p) / static_cast<double>(y.size())) / scale;
}

Regression regression(const std::vector<double>& y, const std::vector<double>& p,
                      const double* train, size_t train_size, size_t season) {
  Regression r;
  r.rmse = rmse(y, p);
  r.mae = mae(y, p);
  r.r2 = r2(y, p);
  r.smape = smape(y, p);
  r.mase = mase(y, p, train, train_size, season);
  return r;
}

MeanStd mean_std(const std::vector<double>& values) {
  if (values.empty()) throw Error("mean_std: no values");
  MeanStd out;
  for (double v : values) out.mean += v;
  const double n = static_cast<double>(values.size());
  out.mean /= n;
  if (values.size() == 1) {
    out.std = std::isnan(out.mean) ? kNaN : 0.0;
    return out;
  }
  // Two passes: the one-pass formula loses digits when the spread is small against the mean.
  double ss = 0;
  for (double v : values) ss += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(ss / (n - 1));
  return out;
}

nlohmann::json to_json(const Regression& r) {
  return {{"rmse", r.rmse}, {"mae", r.mae}, {"r2", r.r2}, {"smape", r.smape}, {"mase", r.mase}};
}

nlohmann::json summarize(const std::vector<Regression>& per_fold) {
  if (per_fold.empty()) throw Error("summarize: no folds");
  nlohmann::json out = nlohmann::json::object();
  // A fold where a metric is undefined (NaN, e.g. r2 of a constant block) is left
  // out of that metric's mean and std, so one flat week does not erase the summary;
  // the per-fold list still shows it (as null).
  auto add = [&](const char* name, double Regression::*field) {
    std::vector<double> v;
    for (const Regression& r : per_fold) {
      if (!std::isnan(r.*field)) v.push_back(r.*field);
    }
    nlohmann::json entry;
    if (v.empty()) {
      entry = {{"mean", kNaN}, {"std", kNaN}};
    } else {
      const MeanStd ms = mean_std(v);
      entry = {{"mean", ms.mean}, {"std", ms.std}};
    }
    entry["folds_used"] = v.size();
    out[name] = std::move(entry);
  };
  add("rmse", &Regression::rmse);
  add("mae", &Regression::mae);
  add("r2", &Regression::r2);
  add("smape", &Regression::smape);
  add("mase", &Regression::mase);
  nlohmann::json folds = nlohmann::json::array();
  for (const Regression& r : per_fold) folds.push_back(to_json(r));
  out["folds"] = std::move(folds);
  return out;
}

}  // namespace fc::metrics
