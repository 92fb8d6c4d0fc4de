// Forecasting: the recursive predictor, prediction intervals and the training
// pipeline that cross-validates every candidate on the same folds.
#include "funnelcast/forecast/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/eval/validation.hpp"

namespace fc::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kSeasonalNaive: return "seasonal_naive";
    case Kind::kRidge: return "ridge";
    default: return "gbdt";
  }
}

// The series a feature name refers to (target or exog role).
const std::vector<double>& role_values(const series::HourlySeries& s, const std::string& role) {
  if (role == "leads") return s.leads;
  if (role == "spend") return s.spend;
  if (role == "revenue") return s.revenue;
  if (role == "cpl") return s.cpl;
  if (role == "roi") return s.roi;
  throw Error("unknown series column '" + role + "' (expected leads, spend, revenue, cpl or roi)");
}

const std::vector<double>& required_role(const series::HourlySeries& s, const std::string& role) {
  const auto& v = role_values(s, role);
  if (v.empty()) throw Error("the model needs a '" + role + "' column, and the data has none");
  return v;
}

features::History make_history(const features::FeatureSpec& spec, const series::HourlySeries& s) {
  features::History h;
  const auto& y = required_role(s, spec.target);
  h.start = s.start;
  h.target = y.data();
  h.size = y.size();
  for (const auto& e : spec.exog) {
    const auto& x = required_role(s, e.column);
    h.exog.push_back(x.data());
    h.exog_size.push_back(x.size());
  }
  return h;
}

// Empirical quantile with linear interpolation (type 7, as numpy's default).
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const double frac = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

double scale_of(double forecast, bool scaled) { return scaled ? std::sqrt(std::max(forecast, 1.0)) : 1.0; }

// Residuals (already divided by scale) grouped by horizon bucket, from many forecast origins.
struct ResidualSet {
  std::vector<std::vector<double>> by_bucket;
  void add(size_t step, double r, int bucket_hours) {
    const size_t b = step / bucket_hours;
    if (by_bucket.size() <= b) by_bucket.resize(b + 1);
    by_bucket[b].push_back(r);
  }
};

Intervals intervals_from(const ResidualSet& res, int bucket_hours, bool scaled) {
  Intervals iv;
  iv.bucket_hours = bucket_hours;
  iv.scaled = scaled;
  for (const auto& r : res.by_bucket) {
    // Nesting is part of the contract: lower_95 <= lower_80 <= forecast <= upper_80 <= upper_95,
    // even when the model is biased and a quantile falls on the wrong side of zero.
    const double lo80 = std::min(quantile(r, 0.10), 0.0), hi80 = std::max(quantile(r, 0.90), 0.0);
    iv.lo80.push_back(lo80);
    iv.hi80.push_back(hi80);
    iv.lo95.push_back(std::min(quantile(r, 0.025), lo80));
    iv.hi95.push_back(std::max(quantile(r, 0.975), hi80));
  }
  return iv;
}

struct Band {
  double lo95, lo80, hi80, hi95;
};

Band band(const Intervals& iv, size_t step, double mean, bool clip) {
  if (iv.lo80.empty()) return {mean, mean, mean, mean};
  const size_t b = std::min(step / std::max(iv.bucket_hours, 1), iv.lo80.size() - 1);
  const double s = scale_of(mean, iv.scaled);
  Band out{mean + iv.lo95[b] * s, mean + iv.lo80[b] * s, mean + iv.hi80[b] * s, mean + iv.hi95[b] * s};
  if (clip) {
    out.lo95 = std::max(out.lo95, 0.0);
    out.lo80 = std::max(out.lo80, 0.0);
  }
  return out;
}

struct Candidate {
  std::string name;
  Kind kind;
  gbdt::Objective objective = gbdt::Objective::kSquaredError;
};

// What cross-validation learns about one candidate.
struct CandidateResult {
  std::vector<metrics::Regression> one_step, recursive;
  std::vector<int> best_iterations;
  std::vector<ResidualSet> residuals;  // per fold
};

std::vector<double> slice(const std::vector<double>& v, size_t b, size_t e) {
  return std::vector<double>(v.begin() + b, v.begin() + e);
}

}  // namespace

nlohmann::json Intervals::to_json() const {
  return {{"bucket_hours", bucket_hours}, {"scaled", scaled}, {"lo95", lo95},
          {"lo80", lo80},                 {"hi80", hi80},     {"hi95", hi95}};
}

Intervals Intervals::from_json(const nlohmann::json& j) {
  Intervals iv;
  try {
    iv.bucket_hours = j.at("bucket_hours").get<int>();
    iv.scaled = j.at("scaled").get<bool>();
    iv.lo95 = j.at("lo95").get<std::vector<double>>();
    iv.lo80 = j.at("lo80").get<std::vector<double>>();
    iv.hi80 = j.at("hi80").get<std::vector<double>>();
    iv.hi95 = j.at("hi95").get<std::vector<double>>();
  } catch (const nlohmann::json::exception&) {
    throw Error("model header: 'intervals' is malformed");
  }
  const size_t n = iv.lo80.size();
  if (iv.bucket_hours < 1 || iv.lo95.size() != n || iv.hi80.size() != n || iv.hi95.size() != n)
    throw Error("model header: 'intervals' has inconsistent sizes");
  for (size_t i = 0; i < n; ++i) {
    const double v[] = {iv.lo95[i], iv.lo80[i], iv.hi80[i], iv.hi95[i]};
    for (double x : v)
      if (!std::isfinite(x)) throw Error("model header: 'intervals' holds a non-finite value");
    if (!(v[0] <= v[1] && v[1] <= 0 && 0 <= v[2] && v[2] <= v[3]))
      throw Error("model header: 'intervals' are not nested");
  }
  return iv;
}

double Forecaster::predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const {
  double p;
  if (kind == Kind::kSeasonalNaive) {
    p = t >= static_cast<size_t>(season) ? h.target[t - season] : kNaN;
    if (std::isnan(p)) p = 0.0;
  } else {
    scratch.resize(spec.width());
    features::build_row(spec, h, t, scratch.data());
    p = kind == Kind::kRidge ? ridge.predict(scratch.data()) : engine.predict_one(scratch.data());
  }
  if (clip_negative && p < 0) p = 0;
  return p;
}

std::vector<double> recursive(const Forecaster& f, const features::History& h, size_t from, int horizon) {
  if (from > h.size) throw Error("forecast origin is past the end of the history");
  // Only the lookback window is copied, so many origins stay cheap.
  const size_t lookback = static_cast<size_t>(std::max(f.spec.max_lookback(), f.season));
  const size_t first = from > lookback ? from - lookback : 0;
  std::vector<double> buffer(h.target + first, h.target + from);
  buffer.resize(buffer.size() + horizon);
  features::History local = h;
  local.start = h.start + static_cast<int64_t>(first) * 3600;
  local.target = buffer.data();
  local.size = from - first;
  for (size_t e = 0; e < local.exog.size(); ++e) {
    local.exog[e] = h.exog[e] + first;
    local.exog_size[e] = h.exog_size[e] > first ? std::min(h.exog_size[e], from) - first : 0;
  }
  std::vector<float> scratch;
  std::vector<double> out(horizon);
  for (int k = 0; k < horizon; ++k) {
    const size_t t = local.size;
    out[k] = f.predict_at(local, t, scratch);
    buffer[t] = out[k];
    local.size = t + 1;  // the prediction becomes history for the next step
  }
  return out;
}

Forecaster forecaster_from_model(const model::Model& m) {
  const auto& hd = m.header;
  if (!hd.contains("kind") || hd.at("kind") != "forecast")
    throw Error("this is not a forecast model (kind '" + (hd.contains("kind") ? hd.at("kind").dump() : std::string("?")) + "')");
  if (!hd.contains("features") || !hd.contains("predictor") || !hd.at("predictor").is_object())
    throw Error("model header: missing 'features' or 'predictor'");
  Forecaster f;
  f.spec = features::FeatureSpec::from_json(hd.at("features"));
  const auto& p = hd.at("predictor");
  const std::string type = p.value("type", "");
  if (type == "seasonal_naive") {
    f.kind = Kind::kSeasonalNaive;
    f.season = p.value("season", 168);
    if (f.season < 1 || f.season > 24 * 366) throw Error("model header: bad seasonal period");
  } else if (type == "ridge") {
    f.kind = Kind::kRidge;
    if (!p.contains("ridge")) throw Error("model header: ridge predictor without weights");
    f.ridge = baselines::Ridge::from_json(p.at("ridge"), f.spec.width());
  } else if (type == "gbdt") {
    f.kind = Kind::kGbdt;
    if (m.ensemble.num_features != f.spec.width())
      throw Error("model file: the trees use " + std::to_string(m.ensemble.num_features) +
                  " features but the feature spec has " + std::to_string(f.spec.width()));
    f.engine = gbdt::FlatEnsemble(m.ensemble);
  } else {
    throw Error("model header: unknown predictor type '" + type + "'");
  }
  f.clip_negative = hd.value("clip_negative", true);
  return f;
}

Intervals intervals_from_model(const model::Model& m) {
  if (!m.header.contains("intervals")) return Intervals{};
  return Intervals::from_json(m.header.at("intervals"));
}

Forecast predict(const model::Model& m, const series::HourlySeries& s, int horizon) {
  if (horizon < 1 || horizon > 24 * 366) throw Error("horizon must be between 1 and 8784 hours");
  const Forecaster f = forecaster_from_model(m);
  const Intervals iv = intervals_from_model(m);
  const features::History h = make_history(f.spec, s);
  const size_t need = f.kind == Kind::kSeasonalNaive ? static_cast<size_t>(f.season) : 24;
  if (h.size < need)
    throw Error("the data has " + std::to_string(h.size) + " hours; the model needs at least " +
                std::to_string(need) + " hours of history");
  Forecast out;
  out.mean = recursive(f, h, h.size, horizon);
  for (int k = 0; k < horizon; ++k) {
    out.time.push_back(s.time(h.size) + static_cast<int64_t>(k) * 3600);
    const Band b = band(iv, k, out.mean[k], f.clip_negative);
    out.lower95.push_back(b.lo95);
    out.lower80.push_back(b.lo80);
    out.upper80.push_back(b.hi80);
    out.upper95.push_back(b.hi95);
  }
  return out;
}

TrainOutput train(const series::BuildResult& data, const TrainOptions& options, const Progress& progress) {
  const series::HourlySeries& s = data.total;
  const features::FeatureSpec& spec = options.spec;
  const int horizon = options.horizon;
  if (horizon < 1 || horizon > 24 * 366) throw Error("--horizon must be between 1 and 8784 hours");
  for (const auto& e : spec.exog)
    for (int l : e.lags)
      if (l < horizon)
        throw Error("exogenous feature " + e.column + "_lag" + std::to_string(l) +
                    ": its lag must be at least the horizon (" + std::to_string(horizon) +
                    "), because future values of " + e.column + " are unknown when forecasting");
  const features::History h = make_history(spec, s);
  const size_t n = h.size;
  const std::vector<double> y(h.target, h.target + n);
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(y[i])) throw Error("the target has a missing value at " + std::to_string(i));
  const bool counts = std::all_of(y.begin(), y.end(), [](double v) { return v >= 0; });

  // Rows before the longest lookback have incomplete lags; skip them while the data
  // is long enough, and let the models see NaN-padded rows when it is short.
  const size_t lookback = static_cast<size_t>(spec.max_lookback());
  const size_t folds_plus_one = static_cast<size_t>(std::max(options.folds, 1)) + 1;
  const size_t first_row = std::min(lookback, n / (2 * folds_plus_one));
  // Folds split the rows that have complete features (as dropping incomplete rows would),
  // then shift back onto the hourly grid.
  std::vector<validation::Fold> folds =
      validation::time_series_splits(n - first_row, options.folds, 0, options.gap, 48);
  for (auto& f : folds) {
    f.train_begin += first_row;
    f.train_end += first_row;
    f.valid_begin += first_row;
    f.valid_end += first_row;
  }
  for (const auto& f : folds)
    if (f.valid_end - f.valid_begin < static_cast<size_t>(horizon))
      throw Error("not enough data for " + std::to_string(options.folds) + " folds with a " +
                  std::to_string(horizon) + "-hour horizon: each validation block has " +
                  std::to_string(f.valid_end - f.valid_begin) +
                  " hours; use fewer --folds, a shorter --horizon or more history");

  const features::Matrix x = features::build(spec, h, first_row, n);
  auto row_of = [&](size_t t) { return x.row(t - first_row); };

  std::vector<Candidate> candidates = {{"seasonal_naive", Kind::kSeasonalNaive},
                                       {"ridge", Kind::kRidge}};
  if (!options.params_objective_set || options.params.objective == gbdt::Objective::kSquaredError)
    candidates.push_back({"gbdt_l2", Kind::kGbdt, gbdt::Objective::kSquaredError});
  if ((!options.params_objective_set || options.params.objective == gbdt::Objective::kPoisson) && counts)
    candidates.push_back({"gbdt_poisson", Kind::kGbdt, gbdt::Objective::kPoisson});

  const double total_steps = static_cast<double>(folds.size() * candidates.size() + 1);
  double steps_done = 0;
  auto report_progress = [&](const std::string& stage, double within) {
    if (progress) progress(stage, std::min(1.0, (steps_done + within) / total_steps));
  };

  auto gbdt_params = [&](gbdt::Objective objective) {
    gbdt::Params p = options.params;
    p.objective = objective;
    p.num_threads = options.threads;
    return p;
  };

  // Fits one candidate on target rows [first_row, train_end). For the GBDT, the last
  // two weeks of the training part pick the number of trees by early stopping.
  auto fit = [&](const Candidate& c, size_t train_end, int fixed_iterations, int* best_iteration,
                 const std::string& stage) {
    Forecaster f;
    f.kind = c.kind;
    f.spec = spec;
    f.clip_negative = counts;
    const size_t rows = train_end - first_row;
    if (c.kind == Kind::kRidge) {
      features::Matrix sub;
      sub.rows = rows;
      sub.cols = x.cols;
      sub.names = x.names;
      sub.values.assign(x.values.begin(), x.values.begin() + rows * x.cols);
      f.ridge.fit(sub, slice(y, first_row, train_end));
    } else if (c.kind == Kind::kGbdt) {
      gbdt::Params p = gbdt_params(c.objective);
      gbdt::Dataset train_set{x.values.data(), rows, x.cols, y.data() + first_row, nullptr};
      gbdt::Dataset valid_set{};
      const gbdt::Dataset* valid = nullptr;
      if (fixed_iterations > 0) {
        p.num_iterations = fixed_iterations;
        p.early_stopping_round = 0;
      } else {
        const size_t hold = std::min<size_t>(14 * 24, rows / 5);
        train_set.rows = rows - hold;
        valid_set = {x.values.data() + train_set.rows * x.cols, hold, x.cols,
                     y.data() + first_row + train_set.rows, nullptr};
        valid = &valid_set;
        if (p.early_stopping_round <= 0) p.early_stopping_round = 50;
      }
      const int total = p.num_iterations;
      gbdt::TrainResult r = gbdt::train(train_set, valid, p, [&](int it, int) {
        report_progress(stage, static_cast<double>(it) / total);
        return true;
      });
      if (best_iteration) *best_iteration = r.best_iteration;
      f.engine = gbdt::FlatEnsemble(r.ensemble);
      return std::make_pair(f, std::move(r));
    }
    return std::make_pair(f, gbdt::TrainResult{});
  };

  std::vector<CandidateResult> results(candidates.size());
  for (size_t k = 0; k < folds.size(); ++k) {
    const auto& fold = folds[k];
    const std::vector<double> train_y = slice(y, fold.train_begin, fold.train_end);
    for (size_t c = 0; c < candidates.size(); ++c) {
      const std::string stage = "fold " + std::to_string(k + 1) + "/" + std::to_string(folds.size()) +
                                " " + candidates[c].name;
      report_progress(stage, 0);
      int best = 0;
      Forecaster f = fit(candidates[c], fold.train_end, 0, &best, stage).first;
      results[c].best_iterations.push_back(best);
      // Early stopping held out the hours right before the cut-off; the fold's model
      // must see them, as the final model sees the latest hours. Refit with that tree count.
      if (candidates[c].kind == Kind::kGbdt) f = fit(candidates[c], fold.train_end, std::max(best, 1), nullptr, stage).first;

      // One step ahead with the true lags: every validation hour, features from observed data.
      std::vector<double> pred;
      std::vector<float> scratch;
      for (size_t t = fold.valid_begin; t < fold.valid_end; ++t) {
        double p;
        if (f.kind == Kind::kSeasonalNaive) p = f.predict_at(h, t, scratch);
        else if (f.kind == Kind::kRidge) p = f.ridge.predict(row_of(t));
        else p = f.engine.predict_one(row_of(t));
        if (f.clip_negative && p < 0) p = 0;
        pred.push_back(p);
      }
      results[c].one_step.push_back(metrics::regression(slice(y, fold.valid_begin, fold.valid_end), pred,
                                                         train_y.data(), train_y.size()));

      // The honest forecast: `horizon` steps from the fold's cut-off, feeding predictions back.
      const std::vector<double> rec = recursive(f, h, fold.valid_begin, horizon);
      results[c].recursive.push_back(metrics::regression(
          slice(y, fold.valid_begin, fold.valid_begin + horizon), rec, train_y.data(), train_y.size()));

      // More origins inside the validation block, only to learn how errors grow with the step.
      ResidualSet res;
      const size_t step = static_cast<size_t>(std::max(options.origin_step_hours, 1));
      for (size_t o = fold.valid_begin; o + horizon <= fold.valid_end; o += step) {
        const std::vector<double> p = o == fold.valid_begin ? rec : recursive(f, h, o, horizon);
        for (int j = 0; j < horizon; ++j)
          res.add(j, (y[o + j] - p[j]) / scale_of(p[j], counts), 24);
      }
      results[c].residuals.push_back(std::move(res));
      ++steps_done;
    }
  }

  // Select by mean recursive RMSE: the error a user will actually see.
  nlohmann::json comparison = nlohmann::json::array();
  size_t best = 0;
  double best_rmse = std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < candidates.size(); ++c) {
    const nlohmann::json rec = metrics::summarize(results[c].recursive);
    nlohmann::json entry = {{"name", candidates[c].name},
                            {"one_step", metrics::summarize(results[c].one_step)},
                            {"recursive", rec}};
    if (candidates[c].kind == Kind::kGbdt) entry["best_iterations"] = results[c].best_iterations;
    comparison.push_back(entry);
    const double rmse = rec.at("rmse").at("mean").get<double>();
    if (rmse < best_rmse) {
      best_rmse = rmse;
      best = c;
    }
  }
  const Candidate& chosen = candidates[best];
  const CandidateResult& cr = results[best];

  // Interval coverage, honestly: each fold's intervals come from the other folds' residuals.
  ResidualSet all;
  double cover80 = 0, cover95 = 0, covered_points = 0;
  for (size_t k = 0; k < folds.size(); ++k) {
    ResidualSet others;
    for (size_t j = 0; j < folds.size(); ++j) {
      if (j == k) continue;
      for (size_t b = 0; b < cr.residuals[j].by_bucket.size(); ++b)
        for (double r : cr.residuals[j].by_bucket[b]) others.add(b * 24, r, 24);
    }
    const Intervals iv = intervals_from(others, 24, counts);
    for (size_t b = 0; b < cr.residuals[k].by_bucket.size(); ++b) {
      for (double r : cr.residuals[k].by_bucket[b]) {
        all.add(b * 24, r, 24);
        if (iv.lo80.empty()) continue;
        const size_t bb = std::min(b, iv.lo80.size() - 1);
        cover80 += r >= iv.lo80[bb] && r <= iv.hi80[bb];
        cover95 += r >= iv.lo95[bb] && r <= iv.hi95[bb];
        covered_points += 1;
      }
    }
  }
  const Intervals intervals = intervals_from(all, 24, counts);

  // The final model, on all the data. The GBDT takes the median tree count the folds chose.
  report_progress("final fit " + chosen.name, 0);
  int iterations = 0;
  if (chosen.kind == Kind::kGbdt) {
    std::vector<int> its = cr.best_iterations;
    std::sort(its.begin(), its.end());
    iterations = std::max(1, its[its.size() / 2]);
  }
  auto fitted = fit(chosen, n, iterations, nullptr, "final fit " + chosen.name);
  const Forecaster& final_f = fitted.first;
  steps_done = total_steps;
  report_progress("done", 0);

  nlohmann::json cv = {{"one_step", metrics::summarize(cr.one_step)},
                       {"recursive", metrics::summarize(cr.recursive)},
                       {"horizon", horizon},
                       {"gap", options.gap}};
  nlohmann::json fold_list = nlohmann::json::array();
  for (size_t k = 0; k < folds.size(); ++k) {
    fold_list.push_back({{"train_start", s.time(folds[k].train_begin)},
                         {"train_end", s.time(folds[k].train_end)},
                         {"valid_start", s.time(folds[k].valid_begin)},
                         {"valid_end", s.time(folds[k].valid_end)},
                         {"one_step", metrics::to_json(cr.one_step[k])},
                         {"recursive", metrics::to_json(cr.recursive[k])}});
  }
  cv["folds"] = fold_list;

  model::Model m;
  nlohmann::json& hd = m.header;
  hd["kind"] = "forecast";
  hd["target"] = spec.target;
  hd["features"] = spec.to_json();
  nlohmann::json predictor = {{"type", kind_name(chosen.kind)}};
  if (chosen.kind == Kind::kSeasonalNaive) predictor["season"] = 168;
  if (chosen.kind == Kind::kRidge) predictor["ridge"] = final_f.ridge.to_json();
  if (chosen.kind == Kind::kGbdt) {
    gbdt::Params p = gbdt_params(chosen.objective);
    p.num_iterations = iterations;
    p.early_stopping_round = 0;
    predictor["objective"] = gbdt::to_string(chosen.objective);
    hd["params"] = p.to_json();
    m.ensemble = fitted.second.ensemble;
    nlohmann::json importance = nlohmann::json::object();
    const auto names = spec.names();
    for (size_t i = 0; i < names.size() && i < fitted.second.feature_gain.size(); ++i)
      if (fitted.second.feature_gain[i] > 0) importance[names[i]] = fitted.second.feature_gain[i];
    hd["feature_importance"] = importance;
  }
  hd["predictor"] = predictor;
  hd["clip_negative"] = counts;
  hd["cv"] = cv;
  hd["comparison"] = comparison;
  hd["selected"] = chosen.name;
  hd["intervals"] = intervals.to_json();
  hd["interval_coverage"] = {{"p80", covered_points ? cover80 / covered_points : kNaN},
                             {"p95", covered_points ? cover95 / covered_points : kNaN}};
  hd["data"] = {{"hours", n},
                {"start", s.start},
                {"end", s.time(n)},
                {"input_rows", data.input_rows},
                {"rows_aggregated", data.rows_aggregated},
                {"empty_hours", data.empty_hours},
                {"channels", data.channels.size()},
                {"roles", {{"time", data.roles.time}, {"leads", data.roles.leads},
                           {"spend", data.roles.spend}, {"revenue", data.roles.revenue},
                           {"cpl", data.roles.cpl}, {"roi", data.roles.roi},
                           {"channel", data.roles.channel}}}};
  hd["created_by"] = std::string("funnelcast ") + FC_VERSION;

  TrainOutput out;
  out.report = {{"cv", cv},
                {"comparison", comparison},
                {"selected", chosen.name},
                {"interval_coverage", hd["interval_coverage"]},
                {"data", hd["data"]}};
  out.model = std::move(m);
  return out;
}

}  // namespace fc::forecast
