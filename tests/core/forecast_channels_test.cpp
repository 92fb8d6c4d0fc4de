// Every channel from one model (`train forecast --by channel`): the channels add up to the
// total at every step, each channel is forecast at its own level by the one set of trees,
// seasonal naive's total backtests equal those of seasonal naive trained on the total
// alone (an independent route to the same numbers), the choice is never worse than
// seasonal naive on the channels' backtests, the model file keeps its channels, and what
// cannot be forecast honestly by channel is refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "funnelcast/api/forecast.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

#include "test_support.hpp"

namespace fc::forecast::by_channel_test {
namespace {

using fc::testing::error_of;
using fc::testing::k2024;
using fc::testing::uniform01;

// Channels of one shape (a daily cycle) at their own levels, with a little noise, as rows
// "timestamp,channel,leads" (one per hour and channel).
std::string by_channel_csv(const std::vector<std::pair<std::string, double>>& channels, size_t hours,
                           uint64_t seed = 1) {
  std::ostringstream s;
  s << "timestamp,channel,leads\n";
  for (size_t i = 0; i < hours; ++i) {
    const double shape = 1 + 0.6 * std::sin((static_cast<double>(i % 24) - 6) / 24 * 2 * M_PI);
    for (size_t c = 0; c < channels.size(); ++c) {
      const double noise = 1 + 0.1 * (uniform01(seed * 1000003 + i * 17 + c) - 0.5);
      s << time::format_timestamp(k2024 + static_cast<int64_t>(i) * 3600) << "," << channels[c].first << ","
        << std::round(channels[c].second * shape * noise) << "\n";
    }
  }
  return s.str();
}

Table by_channel_table(const std::string& csv, const std::string& name = "channels.csv") {
  csv::Options o;
  o.source = name;
  return csv::read(csv, o);
}

TrainOptions by_channel_options() {
  TrainOptions o;
  o.horizon = 48;
  o.folds = 3;
  o.params.num_iterations = 80;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  o.by_channel = true;
  return o;
}

const std::vector<std::pair<std::string, double>> kThreeLevels = {{"email", 5}, {"search", 50}, {"social", 500}};

TEST(ByChannel, TheChannelsAddUpToTheTotalAtEveryStep) {
  const Table t = by_channel_table(by_channel_csv(kThreeLevels, 24 * 45));
  const TrainOutput out = train(series::build(t), by_channel_options());
  const model::Model& m = out.model;
  ASSERT_EQ(m.header.forecast->channels.size(), 3u);
  EXPECT_EQ(m.header.forecast->channels[0].name, "email");
  EXPECT_EQ(m.header.forecast->channels[2].name, "social");

  api::ForecastRequest r;
  r.horizon = 48;
  Request read;
  read.model_name = "bc.fcm";
  const api::ForecastRun run = api::forecast(m, t, read, r);
  ASSERT_EQ(run.channels, (std::vector<std::string>{"email", "search", "social"}));
  ASSERT_EQ(run.forecast.mean.size(), 48u);
  for (size_t k = 0; k < 48; ++k) {
    double sum = 0;
    for (const auto& c : run.channel_forecasts) sum += c.mean[k];
    EXPECT_NEAR(run.forecast.mean[k], sum, 1e-9 * std::max(1.0, sum)) << "step " << k;
    EXPECT_LE(run.forecast.lower95[k], run.forecast.lower80[k]);
    EXPECT_LE(run.forecast.lower80[k], run.forecast.mean[k]);
    EXPECT_LE(run.forecast.mean[k], run.forecast.upper80[k]);
    EXPECT_LE(run.forecast.upper80[k], run.forecast.upper95[k]);
  }
  // The CSV: each channel's 48 rows, then the total's, with a channel column.
  const std::string csv = api::forecast_csv(run);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "timestamp,channel,forecast,lower_80,upper_80,lower_95,upper_95");
  size_t rows = 0, totals = 0;
  while (std::getline(lines, line)) {
    ++rows;
    totals += line.find(",total,") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(rows, 4u * 48);
  EXPECT_EQ(totals, 48u);
  // One channel asked for: the same forecast as its part of the whole.
  api::ForecastRequest one = r;
  one.channel = "search";
  const api::ForecastRun search = api::forecast(m, t, read, one);
  EXPECT_TRUE(search.channels.empty());
  EXPECT_EQ(search.forecast.mean, run.channel_forecasts[1].mean);
}

TEST(ByChannel, OneSetOfTreesForecastsEachChannelAtItsOwnLevel) {
  // Levels 5, 50 and 500 of the same daily shape: the trees learn the shape in the units
  // of each channel's level, and each channel's next two days average near its level
  // (the daily mean of the shape is the level: the sine averages to 0 over a day).
  const Table t = by_channel_table(by_channel_csv(kThreeLevels, 24 * 45));
  const TrainOutput out = train(series::build(t), by_channel_options());
  const model::Model& m = out.model;
  EXPECT_EQ(m.header.forecast->selected, "gbdt_global") << out.report.dump();
  // The trees read the channel after the listed features.
  EXPECT_EQ(m.ensemble.num_features, m.header.forecast->features.width() + 1);
  Request read;
  read.model_name = "bc.fcm";
  api::ForecastRequest r;
  const api::ForecastRun run = api::forecast(m, t, read, r);
  for (size_t c = 0; c < 3; ++c) {
    double sum = 0;
    for (double v : run.channel_forecasts[c].mean) sum += v;
    const double level = kThreeLevels[c].second;
    EXPECT_NEAR(sum / 48, level, 0.1 * level) << kThreeLevels[c].first;
  }
}

// With more threads than candidates, the candidate that ends first (seasonal naive)
// leaves its thread spare, and the global trees' folds hand their forecasts to it while the
// next fold fits (channel_global_cv): the same model, byte for byte, and the same report as
// on one thread, where every fold forecasts in turn.
TEST(ByChannel, ThreadsAndTheSpareThreadsForecastsNeverChangeTheModel) {
  const Table t = by_channel_table(by_channel_csv(kThreeLevels, 24 * 45, 7));
  TrainOptions o = by_channel_options();
  o.folds = 4;
  o.threads = 1;
  const TrainOutput one = train(series::build(t), o);
  const std::string bytes = model::save(one.model);
  for (int threads : {2, 4}) {
    o.threads = threads;
    const TrainOutput many = train(series::build(t), o);
    EXPECT_EQ(model::save(many.model), bytes) << threads << " threads";
    EXPECT_EQ(many.report.dump(), one.report.dump()) << threads << " threads";
  }
}

TEST(ByChannel, TheGlobalTreesLearnAtTheirOwnRateOnLongHourlyFilesUnlessOneIsGiven) {
  TrainOptions o = by_channel_options();
  o.params.learning_rate = 0.05;
  const auto rate = [&](size_t days) {
    const TrainOutput out = train(series::build(by_channel_table(by_channel_csv(kThreeLevels, 24 * days))), o);
    EXPECT_EQ(out.model.header.forecast->selected.rfind("gbdt_global", 0), 0u) << out.report.dump();
    return out.model.header.forecast->params->learning_rate;
  };
  EXPECT_EQ(rate(45), 0.05);   // a short file keeps the rate
  EXPECT_EQ(rate(550), 0.1);   // 18 months or more: the by-channel rate
  o.learning_rate_given = true;
  EXPECT_EQ(rate(550), 0.05);  // unless one is given
}

TEST(ByChannel, SeasonalNaivesTotalIsTheSameAsTrainedOnTheTotal) {
  // Seasonal naive is linear: the channels' sum of last week's values is the total's
  // last week. So the by-channel report's seasonal_naive row (the summed channels,
  // scored on the total) must equal the row of training on the total alone, which
  // reaches it without the channels.
  const Table t = by_channel_table(by_channel_csv(kThreeLevels, 24 * 45, 7));
  const series::BuildResult data = series::build(t);
  const TrainOutput channels = train(data, by_channel_options());
  TrainOptions total_options = by_channel_options();
  total_options.by_channel = false;
  const TrainOutput total = train(data, total_options);
  auto row = [](const nlohmann::json& report, const std::string& name) {
    for (const auto& c : report.at("comparison"))
      if (c.at("name") == name) return c;
    throw Error("no row " + name);
  };
  for (const char* name : {"seasonal_naive", "seasonal_naive_day"}) {
    const nlohmann::json a = row(channels.report, name), b = row(total.report, name);
    for (const char* part : {"backtest", "recursive", "one_step"})
      for (const char* metric : {"mase", "rmse", "mae", "smape"}) {
        const auto& x = a.at(part).at(metric).at("mean");
        const auto& y = b.at(part).at(metric).at("mean");
        if (x.is_null() || y.is_null()) {
          EXPECT_EQ(x.is_null(), y.is_null()) << name << " " << part << " " << metric;
          continue;
        }
        EXPECT_NEAR(x.get<double>(), y.get<double>(), 1e-9 * std::max(1.0, std::abs(y.get<double>())))
            << name << " " << part << " " << metric;
      }
  }
}

TEST(ByChannel, TheChoiceIsNeverWorseThanSeasonalNaiveOnTheChannelsBacktests) {
  for (uint64_t seed : {1, 2, 3}) {
    const Table t = by_channel_table(by_channel_csv({{"a", 3}, {"b", 40}}, 24 * 40, seed));
    const TrainOutput out = train(series::build(t), by_channel_options());
    const auto& channels = out.model.header.forecast->channels;
    const std::string selected = out.model.header.forecast->selected;
    auto mean_of = [&](const std::string& name) {
      double sum = 0;
      for (const auto& c : channels) sum += c.mase.at(name);
      return sum / static_cast<double>(channels.size());
    };
    EXPECT_LE(mean_of(selected), mean_of("seasonal_naive") + 1e-12) << "seed " << seed;
    EXPECT_LE(mean_of(selected), mean_of("seasonal_naive_day") + 1e-12) << "seed " << seed;
    EXPECT_EQ(out.report.at("reconciliation"), "bottom_up");
  }
}

TEST(ByChannel, TheModelFileKeepsItsChannels) {
  const Table t = by_channel_table(by_channel_csv({{"a", 3}, {"b", 40}}, 24 * 40));
  const TrainOutput out = train(series::build(t), by_channel_options());
  const std::string bytes = model::save(out.model);
  const model::Model back = model::load(bytes, "bc.fcm");
  EXPECT_EQ(model::save(back), bytes);
  ASSERT_EQ(back.header.forecast->channels.size(), 2u);
  EXPECT_EQ(back.header.forecast->channels[1].name, "b");
  EXPECT_EQ(back.header.forecast->channels[1].intervals.hi80, out.model.header.forecast->channels[1].intervals.hi80);
  // The same forecast from the file as from the trained model.
  Request read;
  read.model_name = "bc.fcm";
  api::ForecastRequest r;
  EXPECT_EQ(api::forecast(back, t, read, r).forecast.mean, api::forecast(out.model, t, read, r).forecast.mean);

  // A header the reader refuses, naming the field.
  auto broken = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json h = out.model.header.to_json();
    edit(h);
    return error_of([&] { model::Header::from_json(h); });
  };
  EXPECT_NE(broken([](nlohmann::json& h) { h["forecast"]["channels"].erase(1); }).find("must list 2 to 64 channels"),
            std::string::npos);
  EXPECT_NE(broken([](nlohmann::json& h) { h["forecast"]["channels"][1]["name"] = "a"; }).find("'a' appears twice"),
            std::string::npos);
  EXPECT_NE(broken([](nlohmann::json& h) { h["forecast"]["channels"][0]["name"] = ""; }).find("must not be empty"),
            std::string::npos);
  // A bucket size that is no whole number in range (1e300 converted to an int would be
  // undefined behaviour: UBSan found it through the mutation test below).
  for (const nlohmann::json bad : {nlohmann::json(1e300), nlohmann::json(2.5), nlohmann::json(0), nlohmann::json(-3)}) {
    EXPECT_NE(broken([&](nlohmann::json& h) { h["forecast"]["channels"][0]["intervals"]["bucket_steps"] = bad; })
                  .find("bucket_steps must be a whole number from 1 to 8784"),
              std::string::npos)
        << bad.dump();
    EXPECT_NE(broken([&](nlohmann::json& h) { h["forecast"]["intervals"]["bucket_steps"] = bad; })
                  .find("bucket_steps must be a whole number from 1 to 8784"),
              std::string::npos)
        << bad.dump();
  }
}

TEST(ByChannel, AnyMutationOfTheChannelsLoadsOrIsRefusedWithAnError) {
  // Values of the header's channels replaced by other JSON values, keys dropped: the
  // reader either accepts the header (and then the model saves and loads back the same) or
  // throws fc::Error; never anything else.
  const Table t = by_channel_table(by_channel_csv({{"a", 3}, {"b", 40}}, 24 * 40));
  const model::Model m = train(series::build(t), by_channel_options()).model;
  const nlohmann::json header = m.header.to_json();
  const std::vector<nlohmann::json> values = {nullptr, 0, -1, 1e300, "", "a", true, nlohmann::json::array(),
                                              nlohmann::json::object(), nlohmann::json::array({1, 2})};
  uint64_t i = 0;
  size_t loaded = 0, refused = 0;
  for (int round = 0; round < 400; ++round) {
    nlohmann::json h = header;
    nlohmann::json* at = &h["forecast"]["channels"];
    // Walk down a few random steps, then replace or drop what is there.
    for (int depth = 0; depth < 4 && (at->is_object() || at->is_array()) && !at->empty(); ++depth) {
      const size_t k = static_cast<size_t>(uniform01(++i) * static_cast<double>(at->size()));
      if (uniform01(++i) < 0.3) break;
      at = at->is_array() ? &(*at)[k] : &(*at)[std::next(at->begin(), static_cast<ptrdiff_t>(k)).key()];
    }
    if (uniform01(++i) < 0.2 && at->is_object() && !at->empty()) at->erase(at->begin());
    else *at = values[static_cast<size_t>(uniform01(++i) * static_cast<double>(values.size()))];
    try {
      model::Model copy = m;
      copy.header = model::Header::from_json(h);
      const std::string bytes = model::save(copy);
      EXPECT_EQ(model::save(model::load(bytes, "mutated.fcm")), bytes);
      ++loaded;
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 100u);
  EXPECT_EQ(loaded + refused, 400u);
}

TEST(ByChannel, WhatCannotBeForecastByChannelIsRefusedByName) {
  // No channel column.
  std::ostringstream plain;
  plain << "timestamp,leads\n";
  for (size_t i = 0; i < 24 * 40; ++i) plain << time::format_timestamp(k2024 + static_cast<int64_t>(i) * 3600) << "," << (i % 24) << "\n";
  EXPECT_NE(error_of([&] { train(series::build(by_channel_table(plain.str(), "plain.csv")), by_channel_options()); })
                .find("plain.csv: --by channel forecasts each channel from one model, and this file has no channel column"),
            std::string::npos);
  // One channel.
  const std::string one = by_channel_csv({{"only", 10}}, 24 * 40);
  EXPECT_NE(error_of([&] { train(series::build(by_channel_table(one)), by_channel_options()); })
                .find("this file has one channel, 'only'; train without --by"),
            std::string::npos);
  // A channel named like the total.
  const std::string total = by_channel_csv({{"a", 10}, {"Total", 20}}, 24 * 40);
  EXPECT_NE(error_of([&] { train(series::build(by_channel_table(total)), by_channel_options()); })
                .find("a channel is named 'Total', which the forecast uses for the sum of the channels"),
            std::string::npos);
  // --by channel with --channel.
  TrainOptions both = by_channel_options();
  both.channel = "a";
  EXPECT_NE(error_of([&] { train(series::build(by_channel_table(total)), both); }).find("leave out --by"),
            std::string::npos);

  // Forecasting: a channel the model does not know makes the sum no total; a channel it
  // knows that is absent is named with the channels there are.
  const Table t = by_channel_table(by_channel_csv({{"a", 3}, {"b", 40}}, 24 * 40));
  const model::Model m = train(series::build(t), by_channel_options()).model;
  Request read;
  read.model_name = "bc.fcm";
  api::ForecastRequest r;
  const Table extra = by_channel_table(by_channel_csv({{"a", 3}, {"b", 40}, {"c", 9}}, 24 * 40), "new.csv");
  const std::string e = error_of([&] { api::forecast(m, extra, read, r); });
  EXPECT_NE(e.find("new.csv has channel 'c', which bc.fcm was not trained on (it knows 'a', 'b')"), std::string::npos) << e;
  EXPECT_NE(e.find("--channel NAME"), std::string::npos) << e;
  // ... which still forecasts a channel it knows, alone.
  api::ForecastRequest just_a = r;
  just_a.channel = "a";
  EXPECT_EQ(api::forecast(m, extra, read, just_a).forecast.mean.size(), 48u);
  const Table missing = by_channel_table(by_channel_csv({{"a", 3}, {"z", 40}}, 24 * 40), "missing.csv");
  EXPECT_NE(error_of([&] { api::forecast(m, missing, read, r); }).find("'b'"), std::string::npos);
  just_a.channel = "z";
  EXPECT_NE(error_of([&] { api::forecast(m, missing, read, just_a); }).find("bc.fcm was trained on the channels 'a', 'b', not 'z'"),
            std::string::npos);
}

}  // namespace
}  // namespace fc::forecast::by_channel_test
