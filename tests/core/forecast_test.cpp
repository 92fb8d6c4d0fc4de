// The forecaster: recursion worked out by hand, the training pipeline's report held to
// what it claims (selection, honest interval coverage), and inference that follows the
// model's data schema and refuses what it cannot forecast honestly.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

#include "test_support.hpp"

namespace fc::forecast {
namespace {

using fc::testing::k2024;


features::History history_of(const std::vector<double>& y, int64_t start = k2024) {
  features::History h;
  h.start = start;
  h.target = y.data();
  h.size = y.size();
  return h;
}

// A ridge forecaster with given weights on the given lags (no calendar), loaded the way
// inference loads one: from a header section.
std::unique_ptr<Predictor> linear(const std::vector<int>& lags, const std::vector<double>& weights) {
  model::ForecastSection s;
  s.features.lags = lags;
  s.features.calendar = false;
  s.features.cyclic = false;
  s.predictor = "ridge";
  baselines::Ridge r;
  r.mean.assign(lags.size(), 0.0);
  r.scale.assign(lags.size(), 1.0);
  r.weight = weights;
  s.ridge = r;
  s.intervals.bucket_steps = 24;
  return load_predictor(s, gbdt::Ensemble{});
}

// A forecaster that reads only the calendar: the day of the week (0 = Monday) of the step
// it predicts, from the history's start and step, and one step of lookback.
class WeekdayOfStep final : public Predictor {
 public:
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    const int64_t day = time::floor_div(h.start + static_cast<int64_t>(t) * h.step, 86400);
    return static_cast<double>(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  }
  double predict_row(const features::History& h, size_t t, const float*) const override {
    std::vector<float> none;
    return predict_at(h, t, none);
  }
  size_t lookback() const override { return 1; }
};

TEST(Recursive, DailyStepsKeepTheirDates) {
  // 26 days from Monday 2024-01-01: the window copied for the forecast starts a day before
  // the origin, and the days forecast are 2024-01-27 (a Saturday) and on.
  std::vector<double> y(26, 1.0);
  features::History h = history_of(y);
  h.step = 86400;
  WeekdayOfStep f;
  f.clip_negative = false;
  const auto p = recursive(f, h, y.size(), 7);
  const std::vector<double> want = {5, 6, 0, 1, 2, 3, 4};  // Sat .. Fri
  EXPECT_EQ(p, want);
  // Hourly: 2024-01-01 00:00 + 26 hours is Tuesday 02:00.
  features::History hourly = history_of(y);
  EXPECT_EQ(recursive(f, hourly, y.size(), 1), std::vector<double>{1});
}

TEST(Recursive, FirstStepUsesTheLastObservedValue) {
  std::vector<double> y = {3, 1, 4, 1, 5, 9, 2, 6};
  const auto f = linear({1}, {1.0});
  const auto p = recursive(*f, history_of(y), y.size(), 3);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0], 6.0);  // y[7], the last observation
  EXPECT_DOUBLE_EQ(p[1], 6.0);  // fed back
  // From an origin inside the history: the value just before the origin, not at it.
  const auto q = recursive(*f, history_of(y), 5, 2);
  EXPECT_DOUBLE_EQ(q[0], 5.0);  // y[4]
  EXPECT_DOUBLE_EQ(q[1], 5.0);
}

TEST(Recursive, PredictionsFeedBackAsLags) {
  // y_t = lag1 + lag2: a Fibonacci continuation shows each step uses the last two.
  const auto f = linear({1, 2}, {1.0, 1.0});
  std::vector<double> y = {1, 1, 2, 3};
  const auto p = recursive(*f, history_of(y), y.size(), 4);
  EXPECT_EQ(p, (std::vector<double>{5, 8, 13, 21}));
}

TEST(Recursive, SeasonalNaiveRepeatsLastWeekAndLooksFurtherBackForMissingHours) {
  model::ForecastSection s;
  s.predictor = "seasonal_naive";
  s.season = 168;
  s.features = features::FeatureSpec::defaults();
  const auto f = load_predictor(s, gbdt::Ensemble{});
  std::vector<double> y(400);
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<double>(i % 168) + (i >= 168 ? 1000 : 0);
  y[400 - 168 + 5] = std::nan("");  // missing last week: the week before is used
  const auto p = recursive(*f, history_of(y), y.size(), 200);
  for (int k = 0; k < 168; ++k) {
    if (k == 5) EXPECT_EQ(p[k], y[400 - 2 * 168 + 5]);
    else EXPECT_EQ(p[k], y[400 - 168 + k]);
  }
  EXPECT_EQ(p[168], p[0]);  // beyond a week it repeats its own forecast
}

// Hourly counts with a daily and weekly shape. `noisy_from`: from this hour on, extra noise.
series::BuildResult synthetic(size_t hours, uint64_t seed, size_t noisy_from = SIZE_MAX) {
  series::BuildResult d;
  d.source = "synthetic.csv";
  d.total.start = k2024;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < hours; ++i) {
    const double hour = static_cast<double>(i % 24), dow = static_cast<double>((i / 24) % 7);
    double rate = 2 + 8 * std::max(0.0, std::sin((hour - 6) / 24 * 2 * M_PI)) * (dow >= 5 ? 0.5 : 1.0);
    std::poisson_distribution<int> pois(rate);
    double v = pois(rng);
    if (i >= noisy_from) v *= std::uniform_real_distribution<double>(0, 4)(rng);
    d.total.leads.push_back(std::round(v));
    d.total.observed.push_back(1);
  }
  d.input_rows = hours;
  d.roles.time = "timestamp";
  d.roles.leads = "leads";
  d.columns = {{"timestamp", ColumnType::kTimestamp, "time"}, {"leads", ColumnType::kNumber, "leads"}};
  return d;
}

TrainOptions small_options() {
  TrainOptions o;
  o.horizon = 48;
  o.folds = 3;
  o.params.num_iterations = 80;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  return o;
}

TEST(Train, ReportsEveryCandidateSelectsTheLowestBacktestMaseAndNestsIntervals) {
  const auto data = synthetic(24 * 60, 3);
  const TrainOutput out = train(data, small_options());
  const auto& r = out.report;
  // Every candidate, and the median of the best three.
  ASSERT_EQ(r.at("comparison").size(), candidates().size() + 1);
  EXPECT_EQ(r.at("comparison").back().at("name"), "combination");
  EXPECT_EQ(r.at("backtest").at("combination").size(), 3u);
  for (const char* metric : {"rmse", "mae", "r2", "smape", "mase"}) {
    EXPECT_TRUE(r.at("cv").at("one_step").at(metric).contains("mean")) << metric;
    EXPECT_TRUE(r.at("cv").at("recursive").at(metric).contains("std")) << metric;
  }
  EXPECT_EQ(r.at("cv").at("folds").get<int>(), 3);
  EXPECT_EQ(r.at("cv").at("per_fold").size(), 3u);
  // Folds never overlap and validation always follows training.
  for (const auto& f : r.at("cv").at("per_fold"))
    EXPECT_LE(f.at("train_end").get<int64_t>(), f.at("valid_start").get<int64_t>());
  // The selected candidate has the lowest mean backtest MASE of the table (48-hour
  // forecasts from every day of the folds), and the trees learn the daily shape better
  // than last week's value at the same hour.
  EXPECT_EQ(r.at("backtest").at("selected_by"), "mase");
  EXPECT_EQ(r.at("backtest").at("horizon"), 48);
  double naive = 0, selected = 0, lowest = 1e300;
  for (const auto& c : r.at("comparison")) {
    const double mase = c.at("backtest").at("mase").at("mean").get<double>();
    lowest = std::min(lowest, mase);
    if (c.at("name") == "seasonal_naive") naive = mase;
    if (c.at("name") == r.at("selected")) selected = mase;
  }
  EXPECT_EQ(selected, lowest);
  EXPECT_LT(selected, naive);
  EXPECT_EQ(out.model.header.forecast->selected, r.at("selected").get<std::string>());
  const double p80 = r.at("coverage").at("p80").get<double>();
  const double p95 = r.at("coverage").at("p95").get<double>();
  EXPECT_GT(p80, 0.6);
  EXPECT_GE(p95, p80);

  const Forecast f = predict(out.model, data.total, 48);
  ASSERT_EQ(f.time.size(), 48u);
  EXPECT_EQ(f.time[0], data.total.end());
  double width = 0;
  for (size_t i = 0; i < f.time.size(); ++i) {
    if (i) EXPECT_EQ(f.time[i] - f.time[i - 1], 3600);
    EXPECT_LE(0.0, f.lower95[i]);
    EXPECT_LE(f.lower95[i], f.lower80[i]);
    EXPECT_LE(f.lower80[i], f.mean[i]);
    EXPECT_LE(f.mean[i], f.upper80[i]);
    EXPECT_LE(f.upper80[i], f.upper95[i]);
    width += f.upper95[i] - f.lower95[i];
  }
  EXPECT_GT(width / 48, 1.0);  // count data with a mean of ~5: bands are several leads wide
}

TEST(Train, CoverageOfAFoldComesFromTheOtherFoldsOnly) {
  // The last fold's validation block is four times as noisy: intervals learned from the
  // other (calm) folds must under-cover it. Coverage computed in-sample could not show it.
  const size_t hours = 24 * 70;
  TrainOptions o = small_options();
  o.folds = 3;
  // Folds split the hours after the first 336 into 4 blocks; the last block is the last fold's.
  const size_t first_row = 336, block = (hours - first_row) / 4;
  const auto data = synthetic(hours, 11, hours - block);
  const TrainOutput out = train(data, o);
  const auto& per_fold = out.report.at("coverage").at("per_fold");
  ASSERT_EQ(per_fold.size(), 3u);
  const double calm = per_fold[0].at("p80").get<double>(), noisy = per_fold[2].at("p80").get<double>();
  EXPECT_GT(calm, 0.7) << per_fold.dump();
  EXPECT_LT(noisy, 0.6) << per_fold.dump();
}

TEST(Intervals, CrossCoverageUsesOnlyTheOtherGroups) {
  // Two calm groups with residuals -1..1 and one wide group with -10..10 (21 values each).
  auto group = [](double scale) {
    eval::ResidualSet r;
    for (int i = -10; i <= 10; ++i) r.add(0, scale * i / 10.0);
    return r;
  };
  const std::vector<eval::ResidualSet> groups = {group(1), group(1), group(10)};
  const eval::Coverage c = eval::cross_coverage(groups, false);
  ASSERT_EQ(c.by_group.size(), 3u);
  // The wide group against the calm groups' 10%..90% quantiles (-0.8..0.8): only -0, the
  // values -1..1 in steps of 1 are inside: {-0.?}: residuals -10..10 step 1 -> -0.8<=r<=0.8 is r = 0 only.
  EXPECT_NEAR(c.by_group[2].p80, 1.0 / 21, 1e-12);
  // A calm group against one calm and one wide group: quantiles 10%/90% of 42 values
  // (-1..1 and -10..10) are -4.1/4.1 (type 7), so every calm residual is inside.
  EXPECT_DOUBLE_EQ(c.by_group[0].p80, 1.0);
  EXPECT_EQ(c.points, 63u);
}

TEST(Train, SameInputAndSeedGiveIdenticalModelBytes) {
  const auto data = synthetic(24 * 45, 5);
  TrainOptions o = small_options();
  o.params.bagging_fraction = 0.7;
  o.params.bagging_freq = 1;
  o.params.feature_fraction = 0.8;
  const std::string a = model::save(train(data, o).model);
  o.threads = 2;  // threads never change the model (candidates validated side by side)
  const std::string b = model::save(train(data, o).model);
  EXPECT_EQ(a, b);
  o.threads = 3;  // more threads than the heavy candidates
  EXPECT_EQ(model::save(train(data, o).model), a);
  o.threads = 2;
  o.params.seed = 99;
  const std::string c = model::save(train(data, o).model);
  if (model::load(c).header.forecast->predictor == "gbdt") EXPECT_NE(a, c);
}

// The page's workers each run some of a training's candidates (train_candidate, one wasm
// instance each) and one finishes the model from every candidate's bytes: the model and
// the report are train()'s, byte for byte, whatever order the candidates ran in.
TEST(Train, CandidatesRunApartGiveTheSameModelAndReport) {
  const auto data = synthetic(24 * 45, 5);
  TrainOptions o = small_options();
  o.params.bagging_fraction = 0.7;
  o.params.bagging_freq = 1;
  const TrainOutput whole = train(data, o);
  const std::vector<std::string> names = candidate_names(data, o);
  ASSERT_GE(names.size(), 5u);
  ASSERT_EQ(names.size(), whole.model.header.forecast->comparison.size() - 1);  // and the combination
  for (size_t k = 0; k < names.size(); ++k) EXPECT_EQ(names[k], whole.model.header.forecast->comparison[k].name);
  std::vector<std::string> parts;
  std::vector<double> last(names.size(), -1);
  for (size_t k = names.size(); k-- > 0;) {
    const CandidateRun c = train_candidate(data, o, k, [&](const std::string&, double f) {
      EXPECT_GE(f, last[k]);  // each candidate's own progress, never backwards
      last[k] = f;
    });
    EXPECT_EQ(c.name, names[k]);
    parts.push_back(c.bytes);
    EXPECT_EQ(last[k], 1.0);
  }
  std::vector<double> fractions;
  const TrainOutput apart = train(data, o, parts, [&](const std::string&, double f) { fractions.push_back(f); });
  EXPECT_EQ(model::save(apart.model), model::save(whole.model));
  EXPECT_EQ(apart.report.dump(), whole.report.dump());
  EXPECT_EQ(apart.notices, whole.notices);
  // The finish starts where the candidates' share ends.
  ASSERT_FALSE(fractions.empty());
  EXPECT_GE(fractions.front(), static_cast<double>(names.size()) / static_cast<double>(names.size() + 1) - 1e-12);
  EXPECT_EQ(fractions.back(), 1.0);
  // On more threads a candidate alone builds its trees on them: the same bytes.
  o.threads = 2;
  EXPECT_EQ(train_candidate(data, o, 2).bytes, parts[names.size() - 1 - 2]);
}

// Results that are not this training's are refused, each naming what is wrong: never mixed
// into a model.
TEST(Train, CandidateResultsThatAreNotThisTrainingsAreRefused) {
  using testing::error_of;
  const auto data = synthetic(24 * 45, 5);
  const TrainOptions o = small_options();
  const size_t count = candidate_names(data, o).size();
  std::vector<std::string> parts;
  for (size_t k = 0; k < count; ++k) parts.push_back(train_candidate(data, o, k).bytes);
  const auto refused = [&](std::vector<std::string> given, const TrainOptions& with = small_options()) {
    return error_of([&] { train(data, with, given); });
  };
  std::vector<std::string> missing(parts.begin(), parts.end() - 1);
  EXPECT_NE(refused(missing).find("candidate results do not fit this data and options: " + std::to_string(count - 1) +
                                  " given, this training compares " + std::to_string(count) + " forecasters"),
            std::string::npos);
  std::vector<std::string> twice = parts;
  twice[1] = parts[0];
  EXPECT_NE(refused(twice).find("seasonal_naive is given twice"), std::string::npos) << refused(twice);
  // Other options (another horizon: other folds' origins), another seed, other data.
  TrainOptions other = small_options();
  other.horizon = 24;
  EXPECT_NE(refused(parts, other).find("results were made from other data, folds or options"), std::string::npos)
      << refused(parts, other);
  other = small_options();
  other.params.seed = 7;
  EXPECT_NE(refused(parts, other).find("results were made from other data, folds or options"), std::string::npos);
  const auto data2 = synthetic(24 * 45, 6);
  EXPECT_NE(error_of([&] { train(data2, o, parts); }).find("made from other data, folds or options"), std::string::npos);
  // Damaged bytes: cut short, one byte more, not a result at all.
  std::vector<std::string> damaged = parts;
  damaged[3].resize(damaged[3].size() - 5);
  EXPECT_NE(refused(damaged).find("candidate result 3: damaged (not the bytes train_candidate wrote)"), std::string::npos)
      << refused(damaged);
  damaged = parts;
  damaged[3] += '\0';
  EXPECT_NE(refused(damaged).find("candidate result 3: damaged"), std::string::npos);
  damaged = parts;
  damaged[0] = "not a result";
  EXPECT_NE(refused(damaged).find("candidate result 0: damaged"), std::string::npos);
  damaged[0].clear();
  EXPECT_NE(refused(damaged).find("candidate result 0: damaged"), std::string::npos);
  // A candidate that does not exist; a by-channel training, whose candidates run together.
  EXPECT_NE(error_of([&] { train_candidate(data, o, count); })
                .find("candidate " + std::to_string(count) + ": this training compares " + std::to_string(count) + " forecasters"),
            std::string::npos);
  TrainOptions by = small_options();
  by.by_channel = true;
  for (const std::string& e : {error_of([&] { candidate_names(data, by); }), error_of([&] { train_candidate(data, by, 0); }),
                               error_of([&] { train(data, by, parts); })})
    EXPECT_NE(e.find("the candidates of a by-channel model are cross-validated together"), std::string::npos) << e;
}

TEST(Train, SavedModelForecastsLikeTheInMemoryOne) {
  const auto data = synthetic(24 * 45, 8);
  const TrainOutput out = train(data, small_options());
  const model::Model loaded = model::load(model::save(out.model));
  const Forecast a = predict(out.model, data.total, 48), b = predict(loaded, data.total, 48);
  for (size_t i = 0; i < a.mean.size(); ++i) EXPECT_DOUBLE_EQ(a.mean[i], b.mean[i]);
}

std::string train_error(const series::BuildResult& data, const TrainOptions& o) {
  try {
    train(data, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Train, RefusesTooLittleHistory) {
  TrainOptions o = small_options();
  o.horizon = 168;
  o.folds = 5;
  const std::string e = train_error(synthetic(24 * 10, 1), o);
  EXPECT_NE(e.find("fold"), std::string::npos) << e;
}

TEST(Train, RefusesAMostlyMissingOrConstantTarget) {
  auto data = synthetic(24 * 60, 1);
  for (size_t i = 0; i < data.total.size(); i += 2) data.total.leads[i] = std::nan("");
  data.total.leads[1] = std::nan("");
  std::string e = train_error(data, small_options());
  EXPECT_NE(e.find("721 of 1440 hours have no value for 'leads'"), std::string::npos) << e;
  auto flat = synthetic(24 * 60, 1);
  std::fill(flat.total.leads.begin(), flat.total.leads.end(), 0.0);
  e = train_error(flat, small_options());
  EXPECT_NE(e.find("'leads' is 0 in every hour; there is nothing to forecast"), std::string::npos) << e;
}

TEST(Train, MissingHoursAreLeftOutNotReadAsZero) {
  // A block of missing hours in the middle: training succeeds, and the model equals the
  // one trained where those hours are truly unknown rather than 0 (a zero block would
  // drag the forecast down).
  auto data = synthetic(24 * 60, 4);
  auto zeros = data;
  for (size_t i = 24 * 20; i < 24 * 23; ++i) {
    data.total.leads[i] = std::nan("");
    zeros.total.leads[i] = 0;
  }
  const TrainOutput a = train(data, small_options());
  const TrainOutput b = train(zeros, small_options());
  EXPECT_NE(model::save(a.model), model::save(b.model));
  // The target the model learned from: the 1,368 known hours (their mean worked out here),
  // not 1,440 hours with 72 zeros among them.
  double sum = 0;
  size_t known = 0;
  for (double v : data.total.leads) {
    if (std::isnan(v)) continue;
    sum += v;
    ++known;
  }
  ASSERT_EQ(known, 24u * 60 - 72);
  const auto& target = a.report.at("data").at("target");
  EXPECT_EQ(target.at("count").get<size_t>(), known);
  EXPECT_NEAR(target.at("mean").get<double>(), sum / static_cast<double>(known), 1e-12);
  const auto& zero_target = b.report.at("data").at("target");
  EXPECT_EQ(zero_target.at("count").get<size_t>(), 24u * 60);
  EXPECT_NEAR(zero_target.at("mean").get<double>(), sum / (24.0 * 60), 1e-12);
  ASSERT_FALSE(a.notices.empty());
  EXPECT_NE(a.notices[0].find("72 of 1440 hours have no value"), std::string::npos) << a.notices[0];
}

TEST(Train, ExogLagShorterThanHorizonIsRefused) {
  auto data = synthetic(24 * 60, 1);
  data.total.spend.assign(data.total.size(), 10.0);
  TrainOptions o = small_options();
  o.spec.exog.push_back({"spend", {24}});
  EXPECT_THROW(train(data, o), Error);
}

TEST(Train, ProgressNeverGoesBackwards) {
  const auto data = synthetic(24 * 45, 2);
  double last = -1;
  bool backwards = false;
  train(data, small_options(), [&](const std::string&, double f) {
    if (f < last) backwards = true;
    last = f;
  });
  EXPECT_FALSE(backwards);
  EXPECT_DOUBLE_EQ(last, 1.0);
}

// ---- inference follows the model's schema ----

// An hourly CSV with the given header and one row per hour; `row(i)` gives the fields
// after the timestamp.
std::string hourly_csv(const std::string& header, size_t hours, const std::function<std::string(size_t)>& row) {
  std::ostringstream s;
  s << header << "\n";
  for (size_t i = 0; i < hours; ++i) s << time::format_timestamp(k2024 + static_cast<int64_t>(i) * 3600) << "," << row(i) << "\n";
  return s.str();
}

double daily_shape(size_t i) {
  const double hour = static_cast<double>(i % 24);
  return std::round(20 + 15 * std::sin((hour - 6) / 24 * 2 * M_PI) + static_cast<double>((i * 7919) % 5));
}

Table table_of(const std::string& csv, const std::string& name) {
  csv::Options o;
  o.source = name;
  return csv::read(csv, o);
}

model::Model train_on(const Table& t, const series::Options& so, TrainOptions o = small_options()) {
  return train(series::build(t, so), o).model;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Schema, StoredRolesAreUsedWithoutFlags) {
  // The target is called "value", which no role detection would pick.
  const Table t = table_of(hourly_csv("timestamp,value", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }),
                           "value.csv");
  series::Options so;
  so.roles.leads = "value";
  const model::Model m = train_on(t, so);
  EXPECT_EQ(m.header.data.roles.leads, "value");
  EXPECT_EQ(m.header.data.rows, "values");
  // Without flags, with flags: the same forecast.
  Request plain;
  plain.model_name = "m.fcm";
  Request flagged = plain;
  flagged.roles.leads = "value";
  const Forecast a = predict(m, prepare(m, t, plain), 0, "m.fcm");
  const Forecast b = predict(m, prepare(m, t, flagged), 0, "m.fcm");
  ASSERT_EQ(a.mean.size(), 48u);
  EXPECT_EQ(a.mean, b.mean);
  // And it follows the series (mean ~20 a hour), not one "lead event" per row.
  double sum = 0;
  for (double v : a.mean) sum += v;
  EXPECT_GT(sum / 48, 12.0);
}

TEST(Schema, AColumnTheModelNeedsIsNamedWhenAbsent) {
  const Table t = table_of(hourly_csv("timestamp,value", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }),
                           "value.csv");
  series::Options so;
  so.roles.leads = "value";
  const model::Model m = train_on(t, so);
  const Table other = table_of(hourly_csv("timestamp,amount", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }),
                               "other.csv");
  Request r;
  r.model_name = "m.fcm";
  const std::string e = error_of([&] { prepare(m, other, r); });
  EXPECT_NE(e.find("other.csv has no column 'value', which m.fcm needs (its leads column in training)"), std::string::npos) << e;
  EXPECT_NE(e.find("--leads COL"), std::string::npos) << e;
  // Naming the column to use instead works.
  r.roles.leads = "amount";
  EXPECT_EQ(predict(m, prepare(m, other, r), 0, "m.fcm").mean.size(), 48u);
}

TEST(Schema, TheModelsChannelIsTheDefault) {
  const Table t = table_of(hourly_csv("timestamp,channel,leads", 24 * 40 * 2,
                                      [](size_t i) {
                                        // Two rows per hour: search (the shape) and social (a tenth of it).
                                        return std::string(i % 2 ? "social," : "search,") +
                                               std::to_string(i % 2 ? daily_shape(i / 2) / 10 : daily_shape(i / 2));
                                      }),
                           "channels.csv");
  // hourly_csv writes a new hour per row; rebuild the table with two rows per hour.
  std::ostringstream csv;
  csv << "timestamp,channel,leads\n";
  for (size_t i = 0; i < 24 * 40; ++i) {
    const std::string ts = time::format_timestamp(k2024 + static_cast<int64_t>(i) * 3600);
    csv << ts << ",search," << daily_shape(i) << "\n" << ts << ",social," << std::round(daily_shape(i) / 10) << "\n";
  }
  const Table two = table_of(csv.str(), "channels.csv");
  TrainOptions o = small_options();
  o.channel = "search";
  const model::Model m = train_on(two, series::Options{}, o);
  EXPECT_EQ(m.header.data.channel, "search");
  EXPECT_EQ(m.header.data.roles.channel, "channel");
  Request plain;
  Request explicit_search;
  explicit_search.channel = "search";
  const Prepared p = prepare(m, two, plain);
  EXPECT_EQ(p.channel, "search");
  EXPECT_EQ(predict(m, p).mean, predict(m, prepare(m, two, explicit_search)).mean);
  // Asking for another channel is allowed, and said.
  Request total;
  total.channel = "";
  const Prepared q = prepare(m, two, total);
  ASSERT_FALSE(q.notices.empty());
  EXPECT_NE(q.notices.back().find("which was trained on channel 'search'"), std::string::npos) << q.notices.back();
  (void)t;
}

TEST(Schema, RefusesTooLittleHistoryTrailingGapsAndLongHorizons) {
  const Table t = table_of(hourly_csv("timestamp,leads", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }),
                           "h.csv");
  const model::Model m = train_on(t, series::Options{});
  // 40 days with 3 folds: training rows start after 960 / (2 x 4) = 120 hours, so the model
  // was fitted on rows with 120 hours of history behind them; it needs at least that much.
  const int need = m.header.forecast->min_history;
  EXPECT_EQ(need, 120);
  Request r;
  r.model_name = "m.fcm";
  // 25 hours of history.
  const Table short_table = table_of(hourly_csv("timestamp,leads", 25, [](size_t i) { return std::to_string(daily_shape(i)); }), "short.csv");
  std::string e = error_of([&] { predict(m, prepare(m, short_table, r), 0, "m.fcm"); });
  EXPECT_NE(e.find("the data has 25 hours; m.fcm needs at least 120 hours of history"), std::string::npos) << e;
  // Blank leads in the last 10 hours.
  const Table gap = table_of(hourly_csv("timestamp,leads", 24 * 40, [](size_t i) { return i >= 24 * 40 - 10 ? std::string("") : std::to_string(daily_shape(i)); }), "gap.csv");
  e = error_of([&] { predict(m, prepare(m, gap, r), 0, "m.fcm"); });
  EXPECT_NE(e.find("the data ends with 10 hours without a value for the target (from 2024-02-09 14:00:00)"), std::string::npos) << e;
  // Past the validated horizon (48).
  e = error_of([&] { predict(m, prepare(m, t, r), 8784, "m.fcm"); });
  EXPECT_NE(e.find("m.fcm was validated for 48 hours ahead; forecasting 8784 hours"), std::string::npos) << e;
  EXPECT_EQ(predict(m, prepare(m, t, r), 0, "m.fcm").mean.size(), 48u);  // the default is the validated horizon
}

TEST(Schema, FinerDataIsSummedToHoursAndCoarserDataRefused) {
  const Table hourly = table_of(hourly_csv("timestamp,leads", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }), "h.csv");
  const model::Model m = train_on(hourly, series::Options{});
  // The same leads as 15-minute rows (each hour's count split over its quarters).
  std::ostringstream q;
  q << "timestamp,leads\n";
  for (size_t i = 0; i < 24 * 40; ++i) {
    const double v = daily_shape(i);
    const double parts[4] = {std::floor(v / 4), std::floor(v / 4), std::floor(v / 4), v - 3 * std::floor(v / 4)};
    for (int k = 0; k < 4; ++k) q << time::format_timestamp(k2024 + static_cast<int64_t>(i) * 3600 + k * 900) << "," << parts[k] << "\n";
  }
  const Table quarters = table_of(q.str(), "q.csv");
  Request r;
  const Prepared p = prepare(m, quarters, r);
  EXPECT_EQ(predict(m, p).mean, predict(m, prepare(m, hourly, r)).mean);
  ASSERT_FALSE(p.notices.empty());
  EXPECT_NE(p.notices.back().find("summed to hourly"), std::string::npos) << p.notices.back();
  // Daily rows.
  std::ostringstream d;
  d << "timestamp,leads\n";
  for (int day = 0; day < 60; ++day) d << time::format_timestamp(k2024 + day * 86400).substr(0, 10) << "," << 400 + day % 7 << "\n";
  const Table daily = table_of(d.str(), "daily.csv");
  const std::string e = error_of([&] { prepare(m, daily, r); });
  EXPECT_NE(e.find("daily.csv is daily data (one row per day), but the model forecasts hourly data"), std::string::npos) << e;
  // Daily data is trained on as days now; 60 days are too few for 3 folds of the daily
  // default 14-day horizon. By hand: 4 blocks of max(28, 14) = 28 days after the skipped
  // rows; n = 127 skips min(28, 127 / 8) = 15, leaving 112 = 4 x 28; n = 126 leaves 111.
  const std::string te = error_of([&] { train_on(daily, series::Options{}); });
  EXPECT_NE(te.find("daily.csv: a 14-day horizon with 3 folds needs at least 127 days of history (up to 28 for the "
                    "lags, then 4 blocks of at least 28 days: one to learn from and one to validate each fold), "
                    "and the file has 60 days"), std::string::npos) << te;
  // Weekly rows are trained on as weeks (forecast_weekly_test.cpp); rows every 2 hours are
  // refused by name.
  std::ostringstream w;
  w << "timestamp,leads\n";
  for (int i = 0; i < 24 * 60; ++i) w << time::format_timestamp(k2024 + i * 7200) << "," << 400 + i % 3 << "\n";
  const std::string we = error_of([&] { train_on(table_of(w.str(), "2h.csv"), series::Options{}); });
  EXPECT_NE(we.find("2h.csv: forecasting works on hourly, daily or weekly data, and this file is data every 2 hours"),
            std::string::npos)
      << we;
}

// ---- Daily series -------------------------------------------------------------

std::string daily_csv(int days, const std::function<double(int)>& value) {
  std::ostringstream d;
  d << "date,leads\n";
  for (int day = 0; day < days; ++day) d << time::format_timestamp(k2024 + int64_t{day} * 86400).substr(0, 10) << "," << value(day) << "\n";
  return d.str();
}

TrainOptions daily_options() {
  TrainOptions o;  // horizon, lags and windows unset: the daily defaults
  o.folds = 3;
  o.params.num_iterations = 80;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  return o;
}

// k2024 is a Monday: day d's weekday is d % 7.
constexpr double kWeekdayShape[7] = {120, 135, 130, 128, 110, 60, 45};

TEST(Daily, APureWeeklyCycleIsForecastExactlyBySeasonalNaiveOfTheWeek) {
  const Table t = table_of(daily_csv(210, [](int d) { return kWeekdayShape[d % 7]; }), "cycle.csv");
  const model::Model m = train_on(t, series::Options{}, daily_options());
  EXPECT_EQ(m.header.data.interval, 86400);
  const model::ForecastSection& f = *m.header.forecast;
  EXPECT_EQ(f.horizon, 14);
  EXPECT_EQ(f.selected, "seasonal_naive");
  EXPECT_EQ(f.season, 7);
  EXPECT_EQ(f.features.lags, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 14, 21, 28}));
  EXPECT_EQ(f.features.rolling_windows, (std::vector<int>{7, 28}));
  // Holt-Winters and Theta read it with a 7-day season; seasonal naive of the day before
  // has no meaning here.
  size_t smoothers = 0;
  for (const auto& c : f.comparison) {
    smoothers += c.name == "holt_winters" || c.name == "theta";
    EXPECT_NE(c.name, "seasonal_naive_day");
  }
  EXPECT_EQ(smoothers, 2u);
  Request r;
  r.model_name = "m.fcm";
  const Forecast fc = predict(m, prepare(m, t, r), 0, "m.fcm");
  ASSERT_EQ(fc.mean.size(), 14u);
  EXPECT_EQ(fc.step, 86400);
  for (size_t k = 0; k < 14; ++k) {
    EXPECT_EQ(fc.time[k], k2024 + int64_t{210 + static_cast<int64_t>(k)} * 86400);
    EXPECT_DOUBLE_EQ(fc.mean[k], kWeekdayShape[(210 + k) % 7]) << k;
  }
  // A horizon past the validated one is refused in days.
  const std::string e = error_of([&] { predict(m, prepare(m, t, r), 20, "m.fcm"); });
  EXPECT_NE(e.find("m.fcm was validated for 14 days ahead; forecasting 20 days"), std::string::npos) << e;
}

TEST(Daily, ATrendAndAWeeklyCycleAreForecastWithinAFewPercent) {
  // 400 + 1.5 per day + the weekday shape, and a small deterministic wobble.
  auto truth = [](int d) { return 400 + 1.5 * d + kWeekdayShape[d % 7]; };
  const Table t = table_of(daily_csv(300, [&](int d) { return std::round(truth(d) + ((d * 37) % 11 - 5)); }), "trend.csv");
  const model::Model m = train_on(t, series::Options{}, daily_options());
  Request r;
  r.model_name = "m.fcm";
  const Forecast fc = predict(m, prepare(m, t, r), 0, "m.fcm");
  ASSERT_EQ(fc.mean.size(), 14u);
  for (size_t k = 0; k < 14; ++k) {
    const double want = truth(300 + static_cast<int>(k));
    EXPECT_NEAR(fc.mean[k], want, 0.04 * want) << k << " selected " << m.header.forecast->selected;
  }
}

TEST(Daily, TooShortAHistoryIsRefusedWithTheDaysNeededAndGiven) {
  const Table t = table_of(daily_csv(100, [](int d) { return kWeekdayShape[d % 7] + d; }), "short.csv");
  TrainOptions o = daily_options();
  o.horizon = 28;
  o.horizon_given = true;
  // By hand: n = 127 skips min(28, 127 / 8) = 15 rows, leaving 112 = 4 blocks of 28 (the
  // horizon); n = 126 leaves 111.
  const std::string e = error_of([&] { train_on(t, series::Options{}, o); });
  EXPECT_NE(e.find("short.csv: a 28-day horizon with 3 folds needs at least 127 days of history"), std::string::npos) << e;
  EXPECT_NE(e.find("and the file has 100 days"), std::string::npos) << e;
}

TEST(Daily, AnHourlyModelRefusesDailyDataAndADailyModelReadsDays) {
  const Table hourly = table_of(hourly_csv("timestamp,leads", 24 * 40, [](size_t i) { return std::to_string(daily_shape(i)); }), "h.csv");
  const model::Model hm = train_on(hourly, series::Options{});
  const Table daily = table_of("timestamp" + daily_csv(210, [](int d) { return kWeekdayShape[d % 7]; }).substr(4), "d.csv");
  Request r;
  r.model_name = "h.fcm";
  const std::string e = error_of([&] { prepare(hm, daily, r); });
  EXPECT_NE(e.find("d.csv is daily data (one row per day), but h.fcm forecasts hourly data"), std::string::npos) << e;
  // The daily model's features read days: lag7 of the first forecast day is the same
  // weekday a week before the end.
  const model::Model dm = train_on(daily, series::Options{}, daily_options());
  EXPECT_EQ(dm.header.data.interval, 86400);
  EXPECT_EQ(dm.header.data.source_interval, 86400);
}

TEST(Predict, RefusesAModelOfAnotherKind) {
  model::Model m;
  m.header.kind = "scoring";
  const auto data = synthetic(24 * 20, 1);
  EXPECT_THROW(predict(m, data.total, 24), Error);
}

}  // namespace
}  // namespace fc::forecast
