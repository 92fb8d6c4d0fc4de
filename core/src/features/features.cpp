// One row function serves training and recursive prediction alike, so the
// browser and the trainer can never disagree on a feature, and a feature of hour
// t can only ever see the target before t.
#include "funnelcast/features/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"
#include "funnelcast/base/error.hpp"

namespace fc::features {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int kMaxLag = 24 * 366 * 2;  // two years: a bigger lag is a typo, and would eat memory
const char* const kStats[] = {"mean", "std", "min", "max"};

bool is_stat(const std::string& s) {
  return std::find(std::begin(kStats), std::end(kStats), s) != std::end(kStats);
}

void check_positive(const std::vector<int>& values, int min, const char* what) {
  for (int v : values) {
    if (v < min || v > kMaxLag) {
      throw Error("feature spec: " + std::string(what) + " must be between " +
                  std::to_string(min) + " and " + std::to_string(kMaxLag) + ", found " +
                  std::to_string(v));
    }
  }
}

std::vector<int> int_list(const nlohmann::json& j, const char* key) {
  std::vector<int> out;
  if (!j.contains(key)) return out;
  const auto& a = j.at(key);
  if (!a.is_array() || a.size() > 4096) throw Error(std::string("feature spec: '") + key + "' must be a list of integers");
  for (const auto& v : a) {
    if (!v.is_number_integer()) throw Error(std::string("feature spec: '") + key + "' must hold integers");
    out.push_back(v.get<int>());
  }
  return out;
}

}  // namespace

FeatureSpec FeatureSpec::defaults() {
  FeatureSpec s;
  for (int i = 1; i <= 24; ++i) s.lags.push_back(i);
  s.lags.insert(s.lags.end(), {48, 72, 168, 336});
  s.rolling_windows = {24, 168};
  s.rolling_stats = {"mean", "std", "min", "max"};
  s.cyclic = true;  // helps trees place daily and weekly peaks that straddle midnight and Monday
  return s;
}

int FeatureSpec::max_lookback() const {
  int m = 0;
  for (int l : lags) m = std::max(m, l);
  for (int w : rolling_windows) m = std::max(m, w);
  for (const auto& e : exog)
    for (int l : e.lags) m = std::max(m, l);
  return m;
}

std::vector<std::string> FeatureSpec::names() const {
  std::vector<std::string> out;
  for (int l : lags) out.push_back("lag" + std::to_string(l));
  for (int w : rolling_windows)
    for (const auto& s : rolling_stats) out.push_back("roll_" + s + "_" + std::to_string(w));
  if (calendar) {
    for (const char* n : {"hour", "dow", "weekend", "month", "dom", "how", "holiday"}) out.push_back(n);
  }
  if (cyclic) {
    for (const char* n : {"hour_sin", "hour_cos", "dow_sin", "dow_cos"}) out.push_back(n);
  }
  for (const auto& e : exog)
    for (int l : e.lags) out.push_back(e.column + "_lag" + std::to_string(l));
  return out;
}

nlohmann::json FeatureSpec::to_json() const {
  nlohmann::json j;
  j["target"] = target;
  j["lags"] = lags;
  j["rolling_windows"] = rolling_windows;
  j["rolling_stats"] = rolling_stats;
  j["calendar"] = calendar;
  j["cyclic"] = cyclic;
  j["exog"] = nlohmann::json::array();
  for (const auto& e : exog) j["exog"].push_back({{"column", e.column}, {"lags", e.lags}});
  j["names"] = names();
  return j;
}

FeatureSpec FeatureSpec::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("feature spec: expected a JSON object");
  FeatureSpec s;
  if (!j.contains("target") || !j.at("target").is_string())
    throw Error("feature spec: missing the target name");
  s.target = j.at("target").get<std::string>();
  s.lags = int_list(j, "lags");
  s.rolling_windows = int_list(j, "rolling_windows");
  if (j.contains("rolling_stats")) {
    const auto& a = j.at("rolling_stats");
    if (!a.is_array()) throw Error("feature spec: 'rolling_stats' must be a list");
    for (const auto& v : a) {
      if (!v.is_string() || !is_stat(v.get<std::string>()))
        throw Error("feature spec: unknown rolling statistic (expected mean, std, min or max)");
      s.rolling_stats.push_back(v.get<std::string>());
    }
  }
  if (j.contains("calendar")) {
    if (!j.at("calendar").is_boolean()) throw Error("feature spec: 'calendar' must be true or false");
    s.calendar = j.at("calendar").get<bool>();
  }
  if (j.contains("cyclic")) {
    if (!j.at("cyclic").is_boolean()) throw Error("feature spec: 'cyclic' must be true or false");
    s.cyclic = j.at("cyclic").get<bool>();
  }
  if (j.contains("exog")) {
    const auto& a = j.at("exog");
    if (!a.is_array()) throw Error("feature spec: 'exog' must be a list");
    for (const auto& e : a) {
      if (!e.is_object() || !e.contains("column") || !e.at("column").is_string())
        throw Error("feature spec: each exog entry needs a column name");
      s.exog.push_back({e.at("column").get<std::string>(), int_list(e, "lags")});
    }
  }
  check_positive(s.lags, 1, "lags");
  check_positive(s.rolling_windows, 2, "rolling windows");
  for (const auto& e : s.exog) check_positive(e.lags, 1, "exog lags");
  if (s.width() == 0) throw Error("feature spec: no features");
  return s;
}

void build_row(const FeatureSpec& spec, const History& h, size_t t, float* out) {
  const double* y = h.target;
  auto past = [&](int k) -> double {
    // Only strictly earlier hours: k >= 1 is guaranteed by the spec checks.
    if (static_cast<size_t>(k) > t || t - k >= h.size) return std::numeric_limits<double>::quiet_NaN();
    return y[t - k];
  };
  for (int l : spec.lags) *out++ = static_cast<float>(past(l));
  for (int w : spec.rolling_windows) {
    double sum = 0, sum_sq = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    size_t count = 0;
    for (int k = 1; k <= w; ++k) {
      const double v = past(k);
      if (std::isnan(v)) continue;
      sum += v;
      sum_sq += v * v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++count;
    }
    const double mean = count ? sum / count : std::numeric_limits<double>::quiet_NaN();
    double sd = std::numeric_limits<double>::quiet_NaN();
    if (count >= 2) sd = std::sqrt(std::max(0.0, (sum_sq - sum * mean) / (count - 1)));
    for (const auto& s : spec.rolling_stats) {
      double v;
      if (s == "mean") v = mean;
      else if (s == "std") v = sd;
      else if (s == "min") v = count ? lo : std::numeric_limits<double>::quiet_NaN();
      else v = count ? hi : std::numeric_limits<double>::quiet_NaN();
      *out++ = static_cast<float>(v);
    }
  }
  int64_t at = h.start + static_cast<int64_t>(t) * h.step;
  if (h.zone) at += h.zone->utc_offset(at);  // the wall clock there, its fields read as UTC
  const int hour = time::hour_of_day(at), dow = time::day_of_week(at);
  if (spec.calendar) {
    const time::CivilDate c = time::date_of(at);
    *out++ = static_cast<float>(hour);
    *out++ = static_cast<float>(dow);
    *out++ = dow >= 5 ? 1.0f : 0.0f;
    *out++ = static_cast<float>(c.month);
    *out++ = static_cast<float>(c.day);
    *out++ = static_cast<float>(dow * 24 + hour);
    // A weekly step holds a holiday when any of its seven days is one.
    bool holiday = time::is_holiday(at);
    for (int64_t d = 1; h.step >= time::kWeek && d < 7 && !holiday; ++d) holiday = time::is_holiday(at + d * time::kDay);
    *out++ = holiday ? 1.0f : 0.0f;
  }
  if (spec.cyclic) {
    constexpr double kTwoPi = 6.283185307179586;
    *out++ = static_cast<float>(std::sin(kTwoPi * hour / 24.0));
    *out++ = static_cast<float>(std::cos(kTwoPi * hour / 24.0));
    *out++ = static_cast<float>(std::sin(kTwoPi * dow / 7.0));
    *out++ = static_cast<float>(std::cos(kTwoPi * dow / 7.0));
  }
  for (size_t e = 0; e < spec.exog.size(); ++e) {
    const double* x = e < h.exog.size() ? h.exog[e] : nullptr;
    const size_t n = e < h.exog_size.size() ? h.exog_size[e] : 0;
    for (int l : spec.exog[e].lags) {
      const bool ok = x && static_cast<size_t>(l) <= t && t - l < n;
      *out++ = ok ? static_cast<float>(x[t - l]) : kNaN;
    }
  }
}

Matrix build(const FeatureSpec& spec, const History& h, size_t begin, size_t end) {
  Matrix m;
  m.names = spec.names();
  m.cols = m.names.size();
  m.rows = end > begin ? end - begin : 0;
  m.values.resize(m.rows * m.cols);
  for (size_t r = 0; r < m.rows; ++r) build_row(spec, h, begin + r, m.values.data() + r * m.cols);
  return m;
}

}  // namespace fc::features
