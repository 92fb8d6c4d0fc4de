// The FeatureSpec (data, stored in the model file) and the one builder that turns
// an hourly history into float32 feature rows. Training and recursive prediction
// call the same row function: a row for hour t reads the target only at t-1 and
// earlier, so there is no leakage by construction, and appending each prediction
// to the history is the "update" step of recursive forecasting.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fc::time {
class Zone;
}

namespace fc::features {

struct ExogSpec {
  std::string column;     // a series role: spend, revenue, cpl, roi
  std::vector<int> lags;  // each must be >= the forecast horizon (its future is unknown)
};

struct FeatureSpec {
  std::string target = "leads";
  std::vector<int> lags;             // default 1..24, 48, 72, 168, 336
  std::vector<int> rolling_windows;  // default 24, 168: stats over target[t-w .. t-1]
  std::vector<std::string> rolling_stats;  // default mean, std, min, max
  bool calendar = true;  // hour, dow, weekend, month, dom, how (hour of week), holiday
  bool cyclic = false;   // adds sin/cos of hour of day and of day of week (on in defaults())
  std::vector<ExogSpec> exog;

  static FeatureSpec defaults();
  int max_lookback() const;             // the most hours back any feature reads
  std::vector<std::string> names() const;  // lag24, roll_mean_168, hour, spend_lag168, ...
  size_t width() const { return names().size(); }
  nlohmann::json to_json() const;
  // Validates: lags >= 1, windows >= 2, known stats, sane sizes. fc::Error on a bad spec.
  static FeatureSpec from_json(const nlohmann::json& j);
};

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<float> values;  // row-major, NaN = missing
  std::vector<std::string> names;
  const float* row(size_t r) const { return values.data() + r * cols; }
  float at(size_t r, size_t c) const { return values[r * cols + c]; }
};

// The history a row is built from: the target and the exog series on one hourly grid.
struct History {
  int64_t start = 0;                      // epoch seconds of index 0
  int64_t step = 3600;                    // seconds between steps: hourly, or 86400 for daily series
  const double* target = nullptr;         // target[0 .. size)
  size_t size = 0;
  std::vector<const double*> exog;        // one per spec.exog entry, same grid
  std::vector<size_t> exog_size;
  // Calendar features (hour, weekday, date, holiday) of the wall clock in this zone;
  // null: of UTC.
  const time::Zone* zone = nullptr;
};

// Features of hour t (t may equal size: the next, unobserved hour). Reads target[t-k]
// for k >= 1 only; indices before 0 give NaN.
void build_row(const FeatureSpec& spec, const History& h, size_t t, float* out);
// Rows for hours [begin, end).
Matrix build(const FeatureSpec& spec, const History& h, size_t begin, size_t end);

}  // namespace fc::features
