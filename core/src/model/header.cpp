// One writer and one reader for the header, field by field. The reader requires every
// field the writer writes (a model file is never completed with defaults that could
// differ from what training saw) and names the field path in every error.
#include "funnelcast/model/header.hpp"

#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/gbdt/objective.hpp"

namespace fc::model {
namespace {

nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
nlohmann::json text_or_null(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

// A JSON object read with the path of every field kept for error messages.
class In {
 public:
  In(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail_here("must be an object");
  }
  bool has(const char* key) const { return j_.contains(key); }
  const nlohmann::json& raw(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end()) fail(key, "is missing");
    return *it;
  }
  In obj(const char* key) const { return In(raw(key), at(key)); }
  std::string str(const char* key) const {
    const auto& v = raw(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  std::string str_or_null(const char* key) const {
    const auto& v = raw(key);
    if (v.is_null()) return "";
    if (!v.is_string()) fail(key, "must be a string or null");
    return v.get<std::string>();
  }
  std::string one_of(const char* key, std::initializer_list<const char*> allowed) const {
    const std::string v = str(key);
    std::string list;
    for (const char* a : allowed) {
      if (v == a) return v;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    fail(key, "must be one of " + list + ", found '" + v + "'");
  }
  bool flag(const char* key) const {
    const auto& v = raw(key);
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }
  double num(const char* key) const {
    const auto& v = raw(key);
    if (!v.is_number()) fail(key, "must be a number");
    return v.get<double>();
  }
  double num_or_nan(const char* key) const {
    const auto& v = raw(key);
    if (v.is_null()) return kNaN;
    if (!v.is_number()) fail(key, "must be a number or null");
    return v.get<double>();
  }
  int64_t integer(const char* key, int64_t min, int64_t max) const {
    const auto& v = raw(key);
    if (!v.is_number_integer()) fail(key, "must be a whole number");
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(key, "is too large, found " + v.dump());
    const int64_t x = v.get<int64_t>();
    if (x < min || x > max)
      fail(key, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", found " + v.dump());
    return x;
  }
  uint64_t count(const char* key) const {
    return static_cast<uint64_t>(integer(key, 0, std::numeric_limits<int64_t>::max()));
  }
  const nlohmann::json& array(const char* key) const {
    const auto& v = raw(key);
    if (!v.is_array()) fail(key, "must be a list");
    return v;
  }
  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  std::string at(const char* key, size_t i) const { return at(key) + "[" + std::to_string(i) + "]"; }
  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw Error("model header: '" + at(key) + "' " + what);
  }
  [[noreturn]] void fail_here(const std::string& what) const {
    throw Error("model header: '" + (path_.empty() ? std::string("(root)") : path_) + "' " + what);
  }
  // Runs a parser of a nested structure, prefixing its own messages with this field's path.
  template <class F>
  auto nested(const char* key, F&& parse) const -> decltype(parse(std::declval<const nlohmann::json&>())) {
    const auto& v = raw(key);
    try {
      return parse(v);
    } catch (const Error& e) {
      throw Error("model header: '" + at(key) + "': " + e.what());
    }
  }

 private:
  const nlohmann::json& j_;
  std::string path_;
};

const char* const kMetricNames[] = {"rmse", "mae", "r2", "smape", "mase"};

nlohmann::json metric_table_json(const MetricTable& t) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, m] : t)
    j[name] = {{"mean", number_or_null(m.mean)}, {"std", number_or_null(m.std)}, {"folds_used", m.folds_used}};
  return j;
}

MetricTable metric_table(const In& in, const char* key) {
  const In t = in.obj(key);
  MetricTable out;
  for (const char* name : kMetricNames) {
    const In m = t.obj(name);
    out[name] = {m.num_or_nan("mean"), m.num_or_nan("std"), m.count("folds_used")};
  }
  return out;
}

nlohmann::json metric_values_json(const MetricValues& v) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, x] : v) j[name] = number_or_null(x);
  return j;
}

MetricValues metric_values(const In& in, const char* key) {
  const In t = in.obj(key);
  MetricValues out;
  for (const char* name : kMetricNames) out[name] = t.num_or_nan(name);
  return out;
}

nlohmann::json target_json(const TargetStats& t) {
  return {{"mean", number_or_null(t.mean)}, {"std", number_or_null(t.std)}, {"min", number_or_null(t.min)},
          {"max", number_or_null(t.max)}, {"count", t.count}};
}

TargetStats target_from(const In& t) {
  return {t.num_or_nan("mean"), t.num_or_nan("std"), t.num_or_nan("min"), t.num_or_nan("max"), t.count("count")};
}

nlohmann::json roles_json(const schema::Roles& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& role : schema::roles()) j[role.name] = text_or_null(r.*role.column);
  return j;
}

nlohmann::json data_json(const DataSchema& d) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : d.columns) cols.push_back({{"name", c.name}, {"type", c.type}, {"role", text_or_null(c.role)}});
  nlohmann::json j = {{"source", d.source},
                      {"columns", cols},
                      {"roles", roles_json(d.roles)},
                      {"rows", d.rows},
                      {"gaps", d.gaps},
                      {"channel", text_or_null(d.channel)},
                      {"channel_count", d.channel_count},
                      {"interval", d.interval},
                      {"source_interval", d.source_interval},
                      {"start", d.start},
                      {"end", d.end},
                      {"intervals", d.intervals},
                      {"input_rows", d.input_rows},
                      {"rows_aggregated", d.rows_aggregated},
                      {"empty_intervals", d.empty_intervals},
                      {"missing_values", d.missing_values},
                      {"target", target_json(d.target)}};
  if (!d.zone.empty()) j["zone"] = d.zone;  // absent without one: such files stay as they were
  return j;
}

DataSchema data_from(const In& in) {
  DataSchema d;
  d.source = in.str("source");
  const auto& cols = in.array("columns");
  for (size_t i = 0; i < cols.size(); ++i) {
    const In c(cols[i], in.at("columns", i));
    ColumnSchema col;
    col.name = c.str("name");
    col.type = c.one_of("type", {"number", "timestamp", "category"});
    col.role = c.str_or_null("role");
    if (!col.role.empty() && !schema::find_role(col.role)) c.fail("role", "names an unknown role '" + col.role + "'");
    d.columns.push_back(std::move(col));
  }
  const In roles = in.obj("roles");
  for (const auto& role : schema::roles()) d.roles.*role.column = roles.str_or_null(role.name);
  if (d.roles.time.empty()) roles.fail("time", "is missing: a model needs the time column it was trained with");
  d.rows = in.one_of("rows", {"values", "events"});
  if (d.rows == "values" && d.roles.leads.empty())
    roles.fail("leads", "is missing: a model trained on values needs its leads column");
  d.gaps = in.one_of("gaps", {"missing", "zero"});
  d.channel = in.str_or_null("channel");
  d.channel_count = in.count("channel_count");
  if (in.has("zone")) {
    d.zone = in.str("zone");
    if (d.zone.empty()) in.fail("zone", "must name a time zone (absent for UTC)");
  }
  d.interval = in.integer("interval", 1, 366 * 86400);
  d.source_interval = in.integer("source_interval", 1, 366 * 86400);
  d.start = in.integer("start", std::numeric_limits<int64_t>::min() / 4, std::numeric_limits<int64_t>::max() / 4);
  d.end = in.integer("end", d.start, std::numeric_limits<int64_t>::max() / 4);
  d.intervals = in.count("intervals");
  d.input_rows = in.count("input_rows");
  d.rows_aggregated = in.count("rows_aggregated");
  d.empty_intervals = in.count("empty_intervals");
  d.missing_values = in.count("missing_values");
  d.target = target_from(in.obj("target"));
  return d;
}

nlohmann::json smoothing_json(const Smoothing& m) {
  return {{"alpha", m.alpha}, {"beta", m.beta}, {"gamma_day", m.gamma_day}, {"gamma_week", m.gamma_week},
          {"trend", m.trend}, {"weekly", m.weekly}, {"window", m.window}};
}

Smoothing smoothing_from(const In& m) {
  Smoothing sm;
  auto unit = [&](const char* key) {
    const double v = m.num(key);
    if (!(v >= 0 && v <= 1)) m.fail(key, "must be from 0 to 1");
    return v;
  };
  sm.alpha = unit("alpha");
  sm.beta = unit("beta");
  sm.gamma_day = unit("gamma_day");
  sm.gamma_week = unit("gamma_week");
  sm.trend = m.flag("trend");
  sm.weekly = m.flag("weekly");
  sm.window = static_cast<int>(m.integer("window", 48, 24 * 366 * 60));
  return sm;
}

bool forecasts(const gbdt::ObjectiveFunction& o) { return o.link() != gbdt::Link::kLogit; }

// A gbdt forecaster's level window: absent (0, trees on the target) or 2 to a year of hours.
int level_window_from(const In& in, const std::string& predictor) {
  if (!in.has("level_window")) return 0;
  if (predictor != "gbdt") in.fail("level_window", "is only for a gbdt predictor");
  return static_cast<int>(in.integer("level_window", 2, 24 * 366));
}

// A combination's member: the same checks as a single forecaster's fields.
CombinationMember member_from(const In& in, size_t width) {
  CombinationMember m;
  m.name = in.str("name");
  m.predictor = in.one_of("predictor", {"gbdt", "ridge", "seasonal_naive", "holt_winters", "theta"});
  m.objective = in.str_or_null("objective");
  const gbdt::ObjectiveFunction* objective = gbdt::find_objective_named(m.objective);
  if (m.predictor == "gbdt" && !(objective && objective->name() == m.objective && forecasts(*objective)))
    in.fail("objective", "must be " + gbdt::objective_names(forecasts) + " for a gbdt predictor");
  m.season = static_cast<int>(in.integer("season", 0, 366 * 24 * 60));
  if (m.predictor == "seasonal_naive" && m.season < 1) in.fail("season", "must be at least 1 for seasonal_naive");
  if (m.predictor == "ridge")
    m.ridge = in.nested("ridge", [&](const nlohmann::json& j) { return baselines::Ridge::from_json(j, width); });
  else if (!in.raw("ridge").is_null())
    in.fail("ridge", "must be null for a " + m.predictor + " predictor");
  if (m.predictor == "gbdt")
    m.params = in.nested("params", [](const nlohmann::json& j) { return gbdt::Params::from_json(j); });
  else if (!in.raw("params").is_null())
    in.fail("params", "must be null for a " + m.predictor + " predictor");
  m.level_window = level_window_from(in, m.predictor);
  if (m.predictor == "holt_winters" || m.predictor == "theta")
    m.smoothing = smoothing_from(in.obj("smoothing"));
  else if (in.has("smoothing"))
    in.fail("smoothing", "is only for holt_winters and theta predictors");
  return m;
}

nlohmann::json forecast_json(const ForecastSection& f) {
  nlohmann::json per_fold = nlohmann::json::array();
  for (const auto& k : f.cv.per_fold) {
    per_fold.push_back({{"train_start", k.train_start},
                        {"train_end", k.train_end},
                        {"valid_start", k.valid_start},
                        {"valid_end", k.valid_end},
                        {"one_step", metric_values_json(k.one_step)},
                        {"recursive", metric_values_json(k.recursive)}});
  }
  nlohmann::json comparison = nlohmann::json::array();
  for (const auto& c : f.comparison) {
    nlohmann::json j = {{"name", c.name},
                        {"one_step", metric_table_json(c.one_step)},
                        {"recursive", metric_table_json(c.recursive)},
                        {"best_iterations", c.best_iterations}};
    if (c.backtest) j["backtest"] = metric_table_json(*c.backtest);
    comparison.push_back(std::move(j));
  }
  nlohmann::json importance = nlohmann::json::object();
  for (const auto& [name, gain] : f.feature_importance) importance[name] = gain;
  nlohmann::json out = {{"features", f.features.to_json()},
          {"predictor", f.predictor},
          {"objective", text_or_null(f.objective)},
          {"season", f.season},
          {"ridge", f.ridge ? f.ridge->to_json() : nlohmann::json(nullptr)},
          {"params", f.params ? f.params->to_json() : nlohmann::json(nullptr)},
          {"clip_negative", f.clip_negative},
          {"horizon", f.horizon},
          {"min_history", f.min_history},
          {"intervals", f.intervals.to_json()},
          {"coverage", {{"p80", number_or_null(f.coverage.p80)},
                        {"p95", number_or_null(f.coverage.p95)},
                        {"points", f.coverage.points}}},
          {"cv", {{"folds", f.cv.folds},
                  {"horizon", f.cv.horizon},
                  {"gap", f.cv.gap},
                  {"one_step", metric_table_json(f.cv.one_step)},
                  {"recursive", metric_table_json(f.cv.recursive)},
                  {"per_fold", per_fold}}},
          {"comparison", comparison},
          {"selected", f.selected},
          {"feature_importance", importance}};
  // Written only when present, so models without them keep their bytes.
  if (f.smoothing) out["smoothing"] = smoothing_json(*f.smoothing);
  if (f.level_window > 0) out["level_window"] = f.level_window;
  if (f.predictor == "combination") {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : f.members) {
      nlohmann::json j = {{"name", m.name},
                          {"predictor", m.predictor},
                          {"objective", text_or_null(m.objective)},
                          {"season", m.season},
                          {"ridge", m.ridge ? m.ridge->to_json() : nlohmann::json(nullptr)},
                          {"params", m.params ? m.params->to_json() : nlohmann::json(nullptr)}};
      if (m.smoothing) j["smoothing"] = smoothing_json(*m.smoothing);
      if (m.level_window > 0) j["level_window"] = m.level_window;
      members.push_back(std::move(j));
    }
    out["members"] = std::move(members);
  }
  if (!f.channels.empty()) {
    nlohmann::json channels = nlohmann::json::array();
    for (const auto& c : f.channels) {
      nlohmann::json mase = nlohmann::json::object();
      for (const auto& [name, v] : c.mase) mase[name] = number_or_null(v);
      channels.push_back({{"name", c.name},
                          {"intervals", c.intervals.to_json()},
                          {"coverage", {{"p80", number_or_null(c.coverage.p80)},
                                        {"p95", number_or_null(c.coverage.p95)},
                                        {"points", c.coverage.points}}},
                          {"target", target_json(c.target)},
                          {"mase", mase}});
    }
    out["channels"] = std::move(channels);
  }
  if (f.backtest) {
    const BacktestSummary& b = *f.backtest;
    out["backtest"] = {{"horizon", b.horizon}, {"origin_step", b.origin_step}, {"origins", b.origins},
                       {"folds", b.folds}, {"selected_by", b.selected_by}, {"fallback", text_or_null(b.fallback)},
                       {"combination", b.combination}};
  }
  return out;
}

// A forecast's cross-validation: its folds, metrics and each fold's spans.
CvSummary cv_summary_from(const In& cv) {
  CvSummary out;
  out.folds = cv.count("folds");
  out.horizon = static_cast<int>(cv.integer("horizon", 1, 24 * 366 * 60));
  out.gap = static_cast<int>(cv.integer("gap", 0, 24 * 366 * 60));
  out.one_step = metric_table(cv, "one_step");
  out.recursive = metric_table(cv, "recursive");
  const auto& folds = cv.array("per_fold");
  for (size_t i = 0; i < folds.size(); ++i) {
    const In k(folds[i], cv.at("per_fold", i));
    FoldResult r;
    r.train_start = k.integer("train_start", std::numeric_limits<int64_t>::min() / 4, std::numeric_limits<int64_t>::max() / 4);
    r.train_end = k.integer("train_end", r.train_start, std::numeric_limits<int64_t>::max() / 4);
    r.valid_start = k.integer("valid_start", r.train_end, std::numeric_limits<int64_t>::max() / 4);
    r.valid_end = k.integer("valid_end", r.valid_start, std::numeric_limits<int64_t>::max() / 4);
    r.one_step = metric_values(k, "one_step");
    r.recursive = metric_values(k, "recursive");
    out.per_fold.push_back(std::move(r));
  }
  return out;
}

// One candidate of a forecast's comparison table.
CandidateResult candidate_result_from(const In& c) {
  CandidateResult r;
  r.name = c.str("name");
  r.one_step = metric_table(c, "one_step");
  r.recursive = metric_table(c, "recursive");
  for (const auto& v : c.array("best_iterations")) {
    if (!v.is_number_integer()) c.fail("best_iterations", "must hold whole numbers");
    r.best_iterations.push_back(v.get<int>());
  }
  if (c.has("backtest")) r.backtest = metric_table(c, "backtest");
  return r;
}

// How a forecast's backtests were run and the candidate chosen.
BacktestSummary backtest_summary_from(const In& b) {
  BacktestSummary s;
  s.horizon = static_cast<int>(b.integer("horizon", 1, 24 * 366 * 60));
  s.origin_step = static_cast<int>(b.integer("origin_step", 1, 24 * 366 * 60));
  s.origins = b.count("origins");
  s.folds = b.count("folds");
  s.selected_by = b.one_of("selected_by", {"mase", "rmse"});
  s.fallback = b.str_or_null("fallback");
  if (b.has("combination")) {
    for (const auto& v : b.array("combination")) {
      if (!v.is_string()) b.fail("combination", "must list candidate names");
      s.combination.push_back(v.get<std::string>());
    }
  }
  return s;
}

// A by-channel model's channels: 2 to kMaxForecastChannels distinct names, each with its
// bands; a gbdt or seasonal_naive forecaster (the ones trained across channels).
std::vector<ChannelSeries> channels_from(const In& in, const std::string& predictor) {
  if (predictor != "gbdt" && predictor != "seasonal_naive")
    in.fail("channels", "are only for a gbdt or seasonal_naive predictor");
  const auto& list = in.array("channels");
  if (list.size() < 2 || list.size() > kMaxForecastChannels)
    in.fail("channels", "must list 2 to " + std::to_string(kMaxForecastChannels) + " channels");
  std::vector<ChannelSeries> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const In c(list[i], in.at("channels", i));
    ChannelSeries s;
    s.name = c.str("name");
    if (s.name.empty()) c.fail("name", "must not be empty");
    for (const auto& other : out)
      if (other.name == s.name) c.fail("name", "'" + s.name + "' appears twice");
    s.intervals = c.nested("intervals", [](const nlohmann::json& j) { return eval::Intervals::from_json(j); });
    const In cov = c.obj("coverage");
    s.coverage = {cov.num_or_nan("p80"), cov.num_or_nan("p95"), cov.count("points")};
    s.target = target_from(c.obj("target"));
    const auto& mase = c.raw("mase");
    if (!mase.is_object()) c.fail("mase", "must be an object");
    for (auto it = mase.begin(); it != mase.end(); ++it) {
      if (!it.value().is_number() && !it.value().is_null()) c.fail("mase", "must map candidate names to numbers");
      s.mase[it.key()] = it.value().is_number() ? it.value().get<double>() : std::numeric_limits<double>::quiet_NaN();
    }
    out.push_back(std::move(s));
  }
  return out;
}

ForecastSection forecast_from(const In& in) {
  ForecastSection f;
  f.features = in.nested("features", [](const nlohmann::json& j) { return features::FeatureSpec::from_json(j); });
  f.predictor = in.one_of("predictor", {"gbdt", "ridge", "seasonal_naive", "holt_winters", "theta", "combination"});
  f.objective = in.str_or_null("objective");
  // A forecast predicts a quantity: trees on an identity or log link, named by the name
  // the trees' objective writes (not an alias).
  const auto forecasts = [](const gbdt::ObjectiveFunction& o) { return o.link() != gbdt::Link::kLogit; };
  const gbdt::ObjectiveFunction* objective = gbdt::find_objective_named(f.objective);
  if (f.predictor == "gbdt" && !(objective && objective->name() == f.objective && forecasts(*objective)))
    in.fail("objective", "must be " + gbdt::objective_names(forecasts) + " for a gbdt predictor");
  f.season = static_cast<int>(in.integer("season", 0, 366 * 24 * 60));
  if (f.predictor == "seasonal_naive" && f.season < 1) in.fail("season", "must be at least 1 for seasonal_naive");
  if (f.predictor == "ridge") {
    const size_t width = f.features.width();
    f.ridge = in.nested("ridge", [&](const nlohmann::json& j) { return baselines::Ridge::from_json(j, width); });
  } else if (!in.raw("ridge").is_null()) {
    in.fail("ridge", "must be null for a " + f.predictor + " predictor");
  }
  if (f.predictor == "gbdt") {
    f.params = in.nested("params", [](const nlohmann::json& j) { return gbdt::Params::from_json(j); });
  } else if (!in.raw("params").is_null()) {
    in.fail("params", "must be null for a " + f.predictor + " predictor");
  }
  f.level_window = level_window_from(in, f.predictor);
  const bool smooths = f.predictor == "holt_winters" || f.predictor == "theta";
  if (smooths) {
    f.smoothing = smoothing_from(in.obj("smoothing"));
  } else if (in.has("smoothing")) {
    in.fail("smoothing", "is only for holt_winters and theta predictors");
  }
  if (f.predictor == "combination") {
    const auto& members = in.array("members");
    if (members.size() < 2 || members.size() > 8) in.fail("members", "must list 2 to 8 forecasters");
    size_t gbdt_members = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      f.members.push_back(member_from(In(members[i], in.at("members", i)), f.features.width()));
      if (f.members.back().predictor == "gbdt") ++gbdt_members;
    }
    if (gbdt_members > 1) in.fail("members", "may hold one gbdt forecaster at most (the model's trees)");
  } else if (in.has("members")) {
    in.fail("members", "is only for a combination predictor");
  }
  f.clip_negative = in.flag("clip_negative");
  f.horizon = static_cast<int>(in.integer("horizon", 1, 24 * 366 * 60));
  f.min_history = static_cast<int>(in.integer("min_history", 1, 24 * 366 * 60));
  f.intervals = in.nested("intervals", [](const nlohmann::json& j) { return eval::Intervals::from_json(j); });
  const In cov = in.obj("coverage");
  f.coverage = {cov.num_or_nan("p80"), cov.num_or_nan("p95"), cov.count("points")};
  f.cv = cv_summary_from(in.obj("cv"));
  const auto& comparison = in.array("comparison");
  for (size_t i = 0; i < comparison.size(); ++i)
    f.comparison.push_back(candidate_result_from(In(comparison[i], in.at("comparison", i))));
  f.selected = in.str("selected");
  if (in.has("backtest")) f.backtest = backtest_summary_from(in.obj("backtest"));
  if (in.has("channels")) f.channels = channels_from(in, f.predictor);
  const auto& importance = in.raw("feature_importance");
  if (!importance.is_object()) in.fail("feature_importance", "must be an object");
  for (auto it = importance.begin(); it != importance.end(); ++it) {
    if (!it.value().is_number()) in.fail("feature_importance", "must map feature names to numbers");
    f.feature_importance.emplace_back(it.key(), it.value().get<double>());
  }
  return f;
}


nlohmann::json score_metrics_json(const ScoreMetrics& m) {
  return {{"roc_auc", number_or_null(m.roc_auc)}, {"pr_auc", number_or_null(m.pr_auc)},
          {"logloss", number_or_null(m.logloss)}, {"brier", number_or_null(m.brier)},
          {"accuracy", number_or_null(m.accuracy)}, {"precision", number_or_null(m.precision)},
          {"recall", number_or_null(m.recall)}, {"f1", number_or_null(m.f1)}};
}

ScoreMetrics score_metrics(const In& m) {
  ScoreMetrics out;
  out.roc_auc = m.num_or_nan("roc_auc");
  out.pr_auc = m.num_or_nan("pr_auc");
  out.logloss = m.num_or_nan("logloss");
  out.brier = m.num_or_nan("brier");
  out.accuracy = m.num_or_nan("accuracy");
  out.precision = m.num_or_nan("precision");
  out.recall = m.num_or_nan("recall");
  out.f1 = m.num_or_nan("f1");
  return out;
}

const char* const kScoreMetricNames[] = {"roc_auc", "pr_auc", "logloss", "brier", "accuracy", "precision", "recall", "f1"};

nlohmann::json table_json(const TableSchema& t) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : t.columns)
    cols.push_back({{"name", c.name}, {"type", c.type}, {"use", c.use}, {"reason", text_or_null(c.reason)}});
  return {{"source", t.source}, {"columns", cols}, {"input_rows", t.input_rows}, {"rows_used", t.rows_used}};
}

TableSchema table_from(const In& in) {
  TableSchema t;
  t.source = in.str("source");
  const auto& cols = in.array("columns");
  for (size_t i = 0; i < cols.size(); ++i) {
    const In c(cols[i], in.at("columns", i));
    TableColumn col;
    col.name = c.str("name");
    col.type = c.one_of("type", {"number", "timestamp", "category"});
    col.use = c.one_of("use", {"target", "id", "feature", "dropped"});
    col.reason = c.str_or_null("reason");
    t.columns.push_back(std::move(col));
  }
  t.input_rows = in.count("input_rows");
  t.rows_used = in.count("rows_used");
  return t;
}

nlohmann::json score_json(const ScoreSection& s) {
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : s.features) {
    nlohmann::json j = {{"name", f.name}, {"column", f.column}, {"kind", f.kind},
                        {"missing_share", f.missing_share}};
    if (f.kind == "category") j["levels"] = f.levels;
    if (f.kind == "number") {
      j["min"] = number_or_null(f.min);
      j["max"] = number_or_null(f.max);
      j["median"] = number_or_null(f.median);
    }
    features.push_back(std::move(j));
  }
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : s.curve)
    curve.push_back({{"threshold", p.threshold}, {"share", p.share}, {"precision", number_or_null(p.precision)},
                     {"recall", number_or_null(p.recall)}, {"f1", number_or_null(p.f1)}, {"lift", number_or_null(p.lift)}});
  nlohmann::json cv = nlohmann::json::object();
  for (const auto& [name, m] : s.cv)
    cv[name] = {{"mean", number_or_null(m.mean)}, {"std", number_or_null(m.std)}, {"folds_used", m.folds_used}};
  nlohmann::json calibration = nlohmann::json::array();
  for (const auto& b : s.calibration)
    calibration.push_back({{"lower", b.lower}, {"upper", b.upper}, {"count", b.count},
                           {"mean_predicted", number_or_null(b.mean_predicted)},
                           {"observed_rate", number_or_null(b.observed_rate)}});
  nlohmann::json lift = nlohmann::json::array();
  for (const auto& r : s.lift)
    lift.push_back({{"share", r.share}, {"contacted", r.contacted}, {"precision", number_or_null(r.precision)},
                    {"lift", number_or_null(r.lift)}, {"gain", number_or_null(r.gain)}});
  nlohmann::json comparison = nlohmann::json::array();
  for (const auto& [name, m] : s.comparison) {
    nlohmann::json j = score_metrics_json(m);
    j["name"] = name;
    comparison.push_back(std::move(j));
  }
  nlohmann::json importance = nlohmann::json::array();
  for (const auto& i : s.importance)
    importance.push_back({{"feature", i.feature}, {"gain", i.gain}, {"mean_abs_shap", i.mean_abs_shap}});
  nlohmann::json j = {{"target", s.target},
          {"positive", s.positive},
          {"negative", s.negative},
          {"positive_rate", s.positive_rate},
          {"id_column", text_or_null(s.id_column)},
          {"features", features},
          {"params", s.params ? s.params->to_json() : nlohmann::json(nullptr)},
          {"prior_shift", s.prior_shift},
          {"threshold", s.threshold},
          {"threshold_rule", s.threshold_rule},
          {"threshold_target", s.threshold_target},
          {"curve", curve},
          {"folds", s.folds},
          {"cv", cv},
          {"out_of_fold", score_metrics_json(s.out_of_fold)},
          {"calibration", calibration},
          {"lift", lift},
          {"comparison", comparison},
          {"importance", importance},
          {"warnings", s.warnings}};
  if (s.output != "probability") j["output"] = s.output;  // absent from every model trained here
  return j;
}

ScoreSection score_from(const In& in) {
  ScoreSection s;
  if (in.has("output")) s.output = in.one_of("output", {"probability", "value"});
  s.target = in.str("target");
  s.positive = in.str("positive");
  s.negative = in.str("negative");
  s.positive_rate = in.num_or_nan("positive_rate");  // null: unknown (an imported model)
  s.id_column = in.str_or_null("id_column");
  const auto& features = in.array("features");
  if (features.empty()) in.fail("features", "must list at least one feature");
  for (size_t i = 0; i < features.size(); ++i) {
    const In f(features[i], in.at("features", i));
    ScoreFeature out;
    out.name = f.str("name");
    out.column = f.str("column");
    out.kind = f.one_of("kind", {"number", "category", "month", "weekday", "hour", "day"});
    out.missing_share = f.num("missing_share");
    if (out.kind == "category") {
      const auto& levels = f.array("levels");
      for (const auto& l : levels) {
        if (!l.is_string()) f.fail("levels", "must hold strings");
        out.levels.push_back(l.get<std::string>());
      }
    }
    if (out.kind == "number") {
      out.min = f.num_or_nan("min");
      out.max = f.num_or_nan("max");
      // Optional: files written before the median was stored have none (null = not known).
      out.median = f.has("median") ? f.num_or_nan("median") : std::numeric_limits<double>::quiet_NaN();
    }
    s.features.push_back(std::move(out));
  }
  if (!in.raw("params").is_null())
    s.params = in.nested("params", [](const nlohmann::json& j) { return gbdt::Params::from_json(j); });
  s.prior_shift = in.num("prior_shift");
  s.threshold = in.num("threshold");
  if (!(s.threshold >= 0 && s.threshold <= 1)) in.fail("threshold", "must be a probability from 0 to 1");
  s.threshold_rule = in.one_of("threshold_rule", {"f1", "precision", "top_share", "fixed"});
  s.threshold_target = in.num("threshold_target");
  const auto& curve = in.array("curve");
  for (size_t i = 0; i < curve.size(); ++i) {
    const In p(curve[i], in.at("curve", i));
    s.curve.push_back({p.num("threshold"), p.num("share"), p.num_or_nan("precision"), p.num_or_nan("recall"),
                       p.num_or_nan("f1"), p.num_or_nan("lift")});
  }
  s.folds = in.count("folds");
  const In cv = in.obj("cv");
  if (s.folds > 0) {
    for (const char* name : kScoreMetricNames) {
      const In m = cv.obj(name);
      s.cv[name] = {m.num_or_nan("mean"), m.num_or_nan("std"), m.count("folds_used")};
    }
  }
  s.out_of_fold = score_metrics(in.obj("out_of_fold"));
  const auto& calibration = in.array("calibration");
  for (size_t i = 0; i < calibration.size(); ++i) {
    const In b(calibration[i], in.at("calibration", i));
    s.calibration.push_back({b.num("lower"), b.num("upper"), b.num_or_nan("mean_predicted"),
                             b.num_or_nan("observed_rate"), b.count("count")});
  }
  const auto& lift = in.array("lift");
  for (size_t i = 0; i < lift.size(); ++i) {
    const In r(lift[i], in.at("lift", i));
    s.lift.push_back({r.num("share"), r.num_or_nan("precision"), r.num_or_nan("lift"), r.num_or_nan("gain"),
                      r.count("contacted")});
  }
  const auto& comparison = in.array("comparison");
  for (size_t i = 0; i < comparison.size(); ++i) {
    const In c(comparison[i], in.at("comparison", i));
    s.comparison.emplace_back(c.str("name"), score_metrics(c));
  }
  const auto& importance = in.array("importance");
  for (size_t i = 0; i < importance.size(); ++i) {
    const In m(importance[i], in.at("importance", i));
    s.importance.push_back({m.str("feature"), m.num("gain"), m.num("mean_abs_shap")});
  }
  for (const auto& w : in.array("warnings")) {
    if (!w.is_string()) in.fail("warnings", "must hold strings");
    s.warnings.push_back(w.get<std::string>());
  }
  return s;
}

}  // namespace

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> kKinds = {"forecast", "score"};
  return kKinds;
}

nlohmann::json Header::to_json() const {
  nlohmann::json j = {{"format", kFormatVersion},
                      {"kind", kind},
                      {"created_by", created_by},
                      {"data", kind == "score" ? table_json(table) : data_json(data)}};
  if (created_at) j["created_at"] = *created_at;
  if (forecast) j["forecast"] = forecast_json(*forecast);
  if (score) j["score"] = score_json(*score);
  return j;
}

Header Header::from_json(const nlohmann::json& j) {
  const In in(j, "");
  Header h;
  const int64_t format = in.integer("format", 0, std::numeric_limits<int32_t>::max());
  if (format != kFormatVersion)
    in.fail("format", "is " + std::to_string(format) + " but the file format is " + std::to_string(kFormatVersion));
  h.kind = in.str("kind");
  bool known = false;
  std::string list;
  for (const auto& k : kinds()) {
    known = known || k == h.kind;
    list += (list.empty() ? "" : ", ") + k;
  }
  if (!known) {
    throw Error("model header: unknown model kind '" + h.kind + "' (this funnelcast reads: " + list +
                "); a newer funnelcast may read it");
  }
  h.created_by = in.str("created_by");
  if (in.has("created_at")) h.created_at = in.integer("created_at", 0, std::numeric_limits<int64_t>::max() / 4);
  if (h.kind == "forecast") {
    h.data = data_from(in.obj("data"));
    h.forecast = forecast_from(in.obj("forecast"));
  } else if (h.kind == "score") {
    h.table = table_from(in.obj("data"));
    h.score = score_from(in.obj("score"));
  }
  return h;
}

}  // namespace fc::model
