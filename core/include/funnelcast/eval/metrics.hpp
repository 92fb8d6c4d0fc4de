// Forecast-quality metrics (RMSE, MAE, R², sMAPE, MASE) and their mean ± std over folds.
#pragma once
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace fc::metrics {

double rmse(const std::vector<double>& y, const std::vector<double>& p);
double mae(const std::vector<double>& y, const std::vector<double>& p);
double r2(const std::vector<double>& y, const std::vector<double>& p);  // 1 - SSE/SST
// mean of |y - p| / ((|y| + |p|) / 2), terms where both are 0 count as 0. Range 0..2.
double smape(const std::vector<double>& y, const std::vector<double>& p);
// MAE / mean |train[t] - train[t - season]| (in-sample seasonal naive error of the training part).
double mase(const std::vector<double>& y, const std::vector<double>& p,
            const double* train, size_t train_size, size_t season = 24);

struct Regression {
  double rmse = 0, mae = 0, r2 = 0, smape = 0, mase = 0;
};
Regression regression(const std::vector<double>& y, const std::vector<double>& p,
                      const double* train, size_t train_size, size_t season = 24);

struct MeanStd {
  double mean = 0, std = 0;  // std is the sample standard deviation (n - 1); 0 for one value
};
MeanStd mean_std(const std::vector<double>& values);

// {"rmse": {"mean":..,"std":..,"folds_used":..}, ...} over folds, plus "folds": [per-fold
// objects]. An undefined metric is NaN (a number) in the returned json and becomes null
// once dumped; a fold where a metric is NaN is left out of that metric's mean and std.
nlohmann::json summarize(const std::vector<Regression>& per_fold);
nlohmann::json to_json(const Regression& r);

}  // namespace fc::metrics
