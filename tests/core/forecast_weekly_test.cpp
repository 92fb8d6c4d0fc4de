// Weekly series (issue 16): one row per week on one weekday. A yearly season (52 weeks)
// only with two years of history, else the non-seasonal variants (naive = the last week);
// the MASE scale and the never-worse-than baseline follow the same choice. Values below
// are worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "funnelcast/api/forecast.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"
#include "test_support.hpp"

namespace fc::forecast::weekly_test {

constexpr int64_t kWeekSeconds = 604800;
constexpr int64_t kMonday2024 = 1704067200;  // 2024-01-01, a Monday

std::string weekly_csv(int weeks, const std::function<double(int)>& value, int64_t start = kMonday2024) {
  std::ostringstream d;
  d << "week,leads\n";
  for (int w = 0; w < weeks; ++w)
    d << time::format_timestamp(start + int64_t{w} * kWeekSeconds).substr(0, 10) << "," << value(w) << "\n";
  return d.str();
}

Table weekly_table(const std::string& csv, const std::string& name) {
  csv::Options o;
  o.source = name;
  return csv::read(csv, o);
}

TrainOptions weekly_options() {
  TrainOptions o;  // horizon, lags and windows unset: the weekly defaults
  o.folds = 3;
  o.params.num_iterations = 60;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  return o;
}

TrainOutput weekly_train(const Table& t, TrainOptions o = weekly_options()) { return train(series::build(t, series::Options{}), o); }

std::string weekly_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const CandidateInfo& weekly_candidate(const std::string& name) {
  for (const auto& c : candidates())
    if (c.name == name) return c;
  throw Error("no candidate " + name);
}

// A 52-week shape summing to 0 (so a line through yearly means is the trend alone).
double year_shape(int w) { return 40 * std::sin(2 * M_PI * (w % 52) / 52.0); }

TEST(WeeklyNaive, SeasonalNaiveReadsAYearBackWithTwoYearsAndTheLastWeekWithout) {
  std::vector<double> y;
  for (int t = 0; t < 110; ++t) y.push_back(100 + t * 0.5 + (t % 52));
  TrainingData d;
  d.history.start = kMonday2024;
  d.history.step = kWeekSeconds;
  d.history.target = y.data();
  d.history.size = y.size();
  d.y = &y;
  std::vector<float> row;
  for (int season : {52, 1}) {
    d.season = season;
    auto c = weekly_candidate("seasonal_naive").make(d);
    // Step 110 (one past the data): y[110 - 52] = 100 + 29 + 6 = 135 (y[58]), or the last
    // value y[109] = 100 + 54.5 + 5 = 159.5.
    const double want = season == 52 ? 135.0 : 159.5;
    EXPECT_DOUBLE_EQ(c->predictor().predict_at(d.history, 110, row), want) << season;
    model::ForecastSection s;
    gbdt::Ensemble e;
    c->save(s, e);
    EXPECT_EQ(s.season, season);
  }
}

TEST(WeeklyMase, TheScaleIsTheMeanDifferenceAtTheChosenLag) {
  // y[t] = 2 * (year of t) + (t % 52): y[t] - y[t-52] = 2 everywhere, y[t] - y[t-1] = 1
  // except at a year's start.
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) y.push_back(2.0 * (t / 52) + (t % 52));
  // A forecast off by 1 at each of 13 steps from origin 104: MAE 1.
  std::vector<double> f;
  for (size_t t = 104; t < 117; ++t) f.push_back(y[t] + 1);
  EXPECT_NEAR(backtest_score(y, 0, 104, f, 52).mase, 0.5, 1e-12);  // scale 2 over t in [52, 104)
  // Lag 1 over t in [1, 104): 102 differences of 1 and, at t = 52, y[52] - y[51] = 2 - 51
  // = -49: scale (102 + 49) / 103.
  EXPECT_NEAR(backtest_score(y, 0, 104, f, 1).mase, 1.0 / (151.0 / 103.0), 1e-12);
}

TEST(WeeklyTrain, TwoYearsGiveAYearlySeasonAndTheSeasonalNaiveIsScoredAtLag52) {
  // Three years of y = 2 * (year) + 100 + the yearly shape: seasonal naive is off by exactly 2
  // at every step, the MASE scale (mean |y[t] - y[t-52]|) is 2, so its backtest MASE is 1.
  auto value = [](int w) { return 100 + 2.0 * (w / 52) + std::round(year_shape(w)); };
  const Table t = weekly_table(weekly_csv(156, value), "yearly.csv");
  const TrainOutput out = weekly_train(t);
  const model::Model& m = out.model;
  EXPECT_EQ(m.header.data.interval, kWeekSeconds);
  const model::ForecastSection& f = *m.header.forecast;
  EXPECT_EQ(f.horizon, 13);
  EXPECT_EQ(f.features.lags, (std::vector<int>{1, 2, 3, 4, 8, 13, 26, 52}));
  EXPECT_EQ(f.features.rolling_windows, (std::vector<int>{4, 13}));
  EXPECT_FALSE(f.features.cyclic);
  EXPECT_EQ(f.intervals.bucket_steps, 4);
  EXPECT_EQ(f.backtest->origin_step, 1);
  bool naive = false, day = false;
  for (const auto& c : f.comparison) {
    day = day || c.name == "seasonal_naive_day";
    if (c.name != "seasonal_naive") continue;
    naive = true;
    EXPECT_NEAR(c.backtest->at("mase").mean, 1.0, 1e-12);
  }
  EXPECT_TRUE(naive);
  EXPECT_FALSE(day);
  bool noticed = false;
  for (const auto& n : out.notices) noticed = noticed || n.find("weekly series: forecasting 13 weeks ahead with a yearly season") == 0;
  EXPECT_TRUE(noticed) << out.report.dump();
  // Never worse than seasonal naive on the backtests.
  for (const auto& c : f.comparison)
    if (c.name == f.selected) EXPECT_LE(c.backtest->at("mase").mean, 1.0 + 1e-12) << c.name;
}

TEST(WeeklyTrain, UnderTwoYearsTheBaselineIsTheLastWeekAndTheScaleLag1) {
  // 90 weeks of 10 + 3 t: the naive forecast from origin o is y[o-1] at every step, off
  // by 3 (j + 1) at step j: MAE 3 x 7 = 21 over 13 steps, scale 3: MASE 7 at every origin.
  const Table t = weekly_table(weekly_csv(90, [](int w) { return 10 + 3.0 * w; }), "line.csv");
  const TrainOutput out = weekly_train(t);
  const model::ForecastSection& f = *out.model.header.forecast;
  EXPECT_EQ(f.features.lags, (std::vector<int>{1, 2, 3, 4, 8, 13}));
  bool naive = false;
  for (const auto& c : f.comparison)
    if (c.name == "seasonal_naive") {
      naive = true;
      EXPECT_NEAR(c.backtest->at("mase").mean, 7.0, 1e-12);
    }
  EXPECT_TRUE(naive);
  bool noticed = false;
  for (const auto& n : out.notices)
    noticed = noticed || n.find("without a yearly season: the history has 90 weeks and a season needs 104") != std::string::npos;
  EXPECT_TRUE(noticed) << out.report.dump();
  // Holt-Winters and Theta ran without the yearly season.
  if (f.smoothing) EXPECT_FALSE(f.smoothing->weekly);
  for (const auto& mb : f.members)
    if (mb.smoothing) EXPECT_FALSE(mb.smoothing->weekly);
  // A straight line is continued (Holt's trend, Theta's drift or the trees): within 5%.
  Request r;
  r.model_name = "line.fcm";
  const Forecast fc = predict(out.model, prepare(out.model, t, r), 0, "line.fcm");
  ASSERT_EQ(fc.mean.size(), 13u);
  for (size_t k = 0; k < 13; ++k) {
    EXPECT_EQ(fc.time[k], kMonday2024 + static_cast<int64_t>(90 + k) * kWeekSeconds);
    const double want = 10 + 3.0 * static_cast<double>(90 + k);
    EXPECT_NEAR(fc.mean[k], want, 0.05 * want) << k << " " << f.selected;
  }
}

TEST(WeeklyTrain, ATrendAndAYearlyCycleAreForecastWithinAFewPercent) {
  auto truth = [](int w) { return 500 + 2.0 * w + 2 * year_shape(w); };
  const Table t = weekly_table(weekly_csv(182, [&](int w) { return std::round(truth(w) + ((w * 37) % 11 - 5)); }), "sales.csv");
  const TrainOutput out = weekly_train(t);
  Request r;
  r.model_name = "sales.fcm";
  const Forecast fc = predict(out.model, prepare(out.model, t, r), 0, "sales.fcm");
  ASSERT_EQ(fc.mean.size(), 13u);
  EXPECT_EQ(fc.step, kWeekSeconds);
  for (size_t k = 0; k < 13; ++k) {
    const double want = truth(182 + static_cast<int>(k));
    EXPECT_NEAR(fc.mean[k], want, 0.05 * want) << k << " selected " << out.model.header.forecast->selected;
  }
}

TEST(WeeklyTrain, TooShortAHistoryIsRefusedWithTheWeeksNeededAndGiven) {
  const Table t = weekly_table(weekly_csv(60, [](int w) { return 50 + w % 7; }), "short.csv");
  TrainOptions o = weekly_options();
  o.folds = 5;
  // By hand: lookback 13 (lags 1-4, 8, 13; windows 4, 13). n = 85 skips min(13, 85 / 12)
  // = 7 rows, leaving 78 = 6 blocks of 13; n = 84 leaves 77.
  const std::string e = weekly_error([&] { weekly_train(t, o); });
  EXPECT_NE(e.find("short.csv: a 13-week horizon with 5 folds needs at least 85 weeks of history (up to 13 for "
                   "the lags, then 6 blocks of at least 13 weeks"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("and the file has 60 weeks; give more history, a shorter --horizon or fewer --folds"), std::string::npos) << e;
  // Past two years the yearly lags read 52 weeks back: a 26-week horizon with 5 folds
  // needs n - min(52, n / 12) >= 6 x 26 = 156: n = 170 (170 - 14); 169 leaves 155.
  o.horizon = 26;
  o.horizon_given = true;
  const std::string e2 = weekly_error([&] { weekly_train(t, o); });
  EXPECT_NE(e2.find("a 26-week horizon with 5 folds needs at least 170 weeks of history (up to 52 for the lags"),
            std::string::npos)
      << e2;
}

// Weekly rows of channels ("week,channel,leads"): a yearly wave at each channel's own
// level, with a little noise.
std::string weekly_channels_csv(int weeks, const std::vector<std::pair<std::string, double>>& channels) {
  std::ostringstream d;
  d << "week,channel,leads\n";
  for (int w = 0; w < weeks; ++w) {
    const std::string day = time::format_timestamp(kMonday2024 + int64_t{w} * kWeekSeconds).substr(0, 10);
    for (size_t c = 0; c < channels.size(); ++c) {
      const double noise = 1 + 0.1 * (fc::testing::uniform01(static_cast<uint64_t>(w) * 31 + c) - 0.5);
      const double wave = 1 + 0.3 * std::sin(2 * M_PI * (w % 52) / 52.0);
      d << day << "," << channels[c].first << "," << std::round(channels[c].second * wave * noise) << "\n";
    }
  }
  return d.str();
}

const std::vector<std::pair<std::string, double>> kWeeklyChannels = {{"email", 8}, {"search", 80}, {"social", 400}};

const nlohmann::json& comparison_row(const nlohmann::json& report, const std::string& name) {
  for (const auto& c : report.at("comparison"))
    if (c.at("name") == name) return c;
  throw Error("no row " + name);
}

TEST(WeeklyByChannel, EveryChannelFromOneModelAndTheyAddUpToTheTotal) {
  // 80 weeks: no yearly season (naive of the last week); 120: the season of 52 weeks.
  for (const int weeks : {80, 120}) {
    const Table t = weekly_table(weekly_channels_csv(weeks, kWeeklyChannels), "channels.csv");
    TrainOptions o = weekly_options();
    o.by_channel = true;
    const TrainOutput out = weekly_train(t, o);
    const model::ForecastSection& f = *out.model.header.forecast;
    ASSERT_EQ(f.channels.size(), 3u) << weeks;
    EXPECT_EQ(f.horizon, 13) << weeks;
    const std::string notices = nlohmann::json(out.notices).dump();
    EXPECT_NE(notices.find(weeks >= 104 ? "with a yearly season" : "without a yearly season"), std::string::npos)
        << notices;
    EXPECT_NE(notices.find("one model for 3 channels"), std::string::npos) << notices;
    // Never worse than the naive on the channels' mean backtest MASE.
    double selected = 0, naive = 0;
    for (const auto& c : f.channels) {
      selected += c.mase.at(f.selected);
      naive += c.mase.at("seasonal_naive");
      EXPECT_EQ(c.mase.count("seasonal_naive_day"), 0u) << "hourly only";
    }
    EXPECT_LE(selected, naive + 1e-12) << weeks << " " << f.selected;

    Request read;
    read.model_name = "w.fcm";
    api::ForecastRequest r;
    const api::ForecastRun run = api::forecast(out.model, t, read, r);
    ASSERT_EQ(run.channels, (std::vector<std::string>{"email", "search", "social"}));
    ASSERT_EQ(run.forecast.mean.size(), 13u);
    for (size_t k = 0; k < 13; ++k) {
      double sum = 0;
      for (const auto& c : run.channel_forecasts) sum += c.mean[k];
      EXPECT_NEAR(run.forecast.mean[k], sum, 1e-9 * std::max(1.0, sum)) << weeks << " week " << k;
    }
    // Each channel at its own level (the wave keeps it within 0.7 to 1.3 of it).
    for (size_t c = 0; c < 3; ++c) {
      for (double v : run.channel_forecasts[c].mean) {
        EXPECT_GT(v, 0.5 * kWeeklyChannels[c].second) << weeks << " " << kWeeklyChannels[c].first;
        EXPECT_LT(v, 1.5 * kWeeklyChannels[c].second) << weeks << " " << kWeeklyChannels[c].first;
      }
    }
  }
}

TEST(WeeklyByChannel, NaivesTotalIsTheSameAsTrainedOnTheTotal) {
  // The naive is linear: the channels' sum of their values 52 weeks back (or last week's) is
  // the total's. The by-channel report's seasonal_naive row (the summed channels scored on
  // the total) must equal training on the total alone, which never sees the channels.
  for (const int weeks : {80, 120}) {
    const Table t = weekly_table(weekly_channels_csv(weeks, kWeeklyChannels), "channels.csv");
    TrainOptions o = weekly_options();
    o.by_channel = true;
    const TrainOutput channels = weekly_train(t, o);
    o.by_channel = false;
    const TrainOutput total = weekly_train(t, o);
    const nlohmann::json& a = comparison_row(channels.report, "seasonal_naive");
    const nlohmann::json& b = comparison_row(total.report, "seasonal_naive");
    size_t compared = 0;
    for (const char* part : {"backtest", "recursive", "one_step"})
      for (const char* metric : {"mase", "rmse", "mae", "smape"}) {
        const auto& x = a.at(part).at(metric).at("mean");
        const auto& y = b.at(part).at(metric).at("mean");
        ASSERT_EQ(x.is_null(), y.is_null()) << weeks << " " << part << " " << metric;
        if (x.is_null()) continue;
        EXPECT_NEAR(x.get<double>(), y.get<double>(), 1e-9 * std::max(1.0, std::abs(y.get<double>())))
            << weeks << " " << part << " " << metric;
        ++compared;
      }
    EXPECT_GE(compared, 8u) << weeks;
  }
}

TEST(WeeklyTrain, ByChannelOnTooShortAHistorySaysWhatItNeeds) {
  const Table t = weekly_table(weekly_channels_csv(60, kWeeklyChannels), "short.csv");
  TrainOptions o = weekly_options();
  o.folds = 5;
  o.by_channel = true;
  const std::string e = weekly_error([&] { weekly_train(t, o); });
  EXPECT_NE(e.find("short.csv: a 13-week horizon with 5 folds needs at least 85 weeks of history"), std::string::npos) << e;
}

TEST(WeeklyPredict, AWeeklyModelRefusesDailyRows) {
  const Table t = weekly_table(weekly_csv(100, [](int w) { return 20 + (w * 7) % 5; }), "w.csv");
  const model::Model m = weekly_train(t).model;
  std::ostringstream d;
  d << "week,leads\n";
  for (int day = 0; day < 700; ++day)
    d << time::format_timestamp(kMonday2024 + int64_t{day} * 86400).substr(0, 10) << ",3\n";
  const Table daily = weekly_table(d.str(), "d.csv");
  Request r;
  r.model_name = "w.fcm";
  const std::string e = weekly_error([&] { prepare(m, daily, r); });
  EXPECT_NE(e.find("d.csv is daily data (one row per day), but w.fcm forecasts weekly data"), std::string::npos) << e;
}

// ---- The CLI: train forecast, then forecast, on a generated weekly CSV ----------------

TEST(WeeklyCli, TrainThenForecastInWeeks) {
  char tmpl[] = "/tmp/fc_weekly_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  // 130 weeks from Monday 2024-01-01 of a yearly cycle on a trend.
  fc::testing::put(dir + "/weekly.csv",
                   weekly_csv(130, [](int w) { return std::round(300 + w + year_shape(w) + (w * 13) % 7); }));
  const fc::testing::Outcome t = fc::testing::run_cli(
      dir, "train forecast --data " + dir + "/weekly.csv --out " + dir + "/w.fcm --folds 3 --threads 1 --param num_iterations=60");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("forecasts of 13 weeks"), std::string::npos) << t.out;
  EXPECT_NE(t.err.find("weekly series: forecasting 13 weeks ahead with a yearly season"), std::string::npos) << t.err;
  const fc::testing::Outcome f = fc::testing::run_cli(dir, "forecast --model " + dir + "/w.fcm --data " + dir + "/weekly.csv --json");
  ASSERT_EQ(f.code, 0) << f.err;
  const nlohmann::json j = nlohmann::json::parse(f.out);
  ASSERT_EQ(j.at("time").size(), 13u);
  // Week 130 after 2024-01-01 is Monday 2026-06-29 (130 x 7 = 910 days).
  EXPECT_EQ(j.at("time")[0].get<int64_t>(), kMonday2024 + 130 * kWeekSeconds);
  EXPECT_EQ(time::format_timestamp(j.at("time")[0].get<int64_t>()).substr(0, 10), "2026-06-29");
  for (size_t k = 1; k < 13; ++k) EXPECT_EQ(j.at("time")[k].get<int64_t>() - j.at("time")[k - 1].get<int64_t>(), kWeekSeconds);
  for (size_t k = 0; k < 13; ++k) {
    const double want = 300 + 130.0 + static_cast<double>(k) + year_shape(130 + static_cast<int>(k));
    EXPECT_NEAR(j.at("mean")[k].get<double>(), want, 0.08 * want) << k;
  }
  // The same model and data forecast the same values again, and more than 13 weeks are refused in weeks.
  const fc::testing::Outcome far = fc::testing::run_cli(dir, "forecast --model " + dir + "/w.fcm --data " + dir + "/weekly.csv --horizon 20");
  EXPECT_EQ(far.code, 2);
  EXPECT_NE(far.err.find("was validated for 13 weeks ahead; forecasting 20 weeks"), std::string::npos) << far.err;
  // Two same-seed trainings give the same bytes.
  const fc::testing::Outcome t2 = fc::testing::run_cli(
      dir, "train forecast --data " + dir + "/weekly.csv --out " + dir + "/w2.fcm --folds 3 --threads 1 --quiet --param num_iterations=60");
  ASSERT_EQ(t2.code, 0) << t2.err;
  EXPECT_EQ(fc::testing::slurp(dir + "/w.fcm"), fc::testing::slurp(dir + "/w2.fcm"));
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace fc::forecast::weekly_test
