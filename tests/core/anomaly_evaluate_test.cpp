// Scoring against known anomalies, worked out by hand: event-level precision, recall, F1
// and delay, the NAB-style window score; the truth files it reads; and a bare column read
// as a series of its own (jittered timestamps, gaps, shared intervals).
#include "funnelcast/anomaly/evaluate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::k2024;

namespace anomaly = fc::anomaly;

// A result of `n` hourly intervals from 2024-01-01 with the given flags.
anomaly::Result flags_at(size_t n, const std::vector<size_t>& flagged) {
  anomaly::Result r;
  r.start = k2024;
  r.step = 3600;
  r.value.assign(n, 1.0);
  r.score.assign(n, 0.5);
  r.flagged.assign(n, 0);
  for (size_t i : flagged) r.flagged[i] = 1;
  return r;
}

anomaly::Input known(size_t n) {
  anomaly::Input in;
  in.start = k2024;
  in.value.assign(n, 1.0);
  return in;
}

double sigma(double x) { return 2 / (1 + std::exp(5 * x)) - 1; }

TEST(AnomalyEvaluate, EventsAndWindowScoreByHand) {
  // 40 hours; labelled hours 10, 11, 12 (one incident) and 30; flags at 10, 11, 25, 33.
  const anomaly::Result r = flags_at(40, {10, 11, 25, 33});
  anomaly::Truth truth;
  for (int h : {10, 11, 12, 30}) truth.points.push_back(k2024 + h * 3600);
  const anomaly::Evaluation e = anomaly::evaluate(r, known(40), truth);
  // Alerts {10-11}, {25}, {33}: one overlaps an incident. Incidents [10, 12] (found at its
  // start: delay 0) and [30] (missed).
  EXPECT_EQ(e.events, 2u);
  EXPECT_EQ(e.detected, 1u);
  EXPECT_EQ(e.alerts, 3u);
  EXPECT_EQ(e.true_alerts, 1u);
  EXPECT_DOUBLE_EQ(e.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(e.recall, 0.5);
  EXPECT_NEAR(e.f1, 0.4, 1e-12);  // 2 (1/3)(1/2) / (1/3 + 1/2)
  EXPECT_DOUBLE_EQ(e.delay, 0);
  // NAB windows: 10% of 40 hours over 2 incidents = 2 hours each, at least the run, centred:
  // [10, 12] and [29, 30]. Probation: the first 6 rows. Flag 10 is the first of its window:
  // sigma(-3/3) / sigma(-1) = 1. Flag 11: ignored. Flag 25: 13 rows after a window of
  // width 3, (25 - 12) / 2 = 6.5 > 3: -0.11. Flag 33: (33 - 30) / (2 - 1) = 3 after the
  // second window: 0.11 sigma(3). The second window is missed: -1.
  ASSERT_EQ(e.nab_windows.size(), 2u);
  EXPECT_EQ(e.nab_windows[0].start, k2024 + 10 * 3600);
  EXPECT_EQ(e.nab_windows[0].end, k2024 + 12 * 3600);
  EXPECT_EQ(e.nab_windows[1].start, k2024 + 29 * 3600);
  EXPECT_EQ(e.nab_windows[1].end, k2024 + 30 * 3600);
  const double raw = 1 - 1 - 0.11 + 0.11 * sigma(3);
  EXPECT_NEAR(e.window_raw, raw, 1e-12);
  EXPECT_DOUBLE_EQ(e.window_null, -2);
  EXPECT_DOUBLE_EQ(e.window_perfect, 2);
  EXPECT_NEAR(e.window_score, 100 * (raw + 2) / 4, 1e-9);
  EXPECT_EQ(e.window_false_positives, 2u);
}

TEST(AnomalyEvaluate, EarlyDetectionEarnsMoreAndProbationIsIgnored) {
  // One window [20, 29] given as start/end; a flag at 22 earns sigma(-8/10) / sigma(-1).
  anomaly::Truth truth;
  truth.windows.push_back({k2024 + 20 * 3600, k2024 + 29 * 3600});
  const anomaly::Evaluation early = anomaly::evaluate(flags_at(100, {2, 22}), known(100), truth);
  EXPECT_NEAR(early.window_raw, sigma(-0.8) / sigma(-1), 1e-12);  // flag 2: probation (15 rows)
  EXPECT_EQ(early.window_false_positives, 0u);
  EXPECT_DOUBLE_EQ(early.delay, 2);
  EXPECT_DOUBLE_EQ(early.delay_seconds, 7200);
  const anomaly::Evaluation late = anomaly::evaluate(flags_at(100, {28}), known(100), truth);
  EXPECT_LT(late.window_raw, early.window_raw);
  EXPECT_GT(late.window_raw, 0);
  // Nothing flagged: the null score, 0 on the 0-100 scale; precision undefined, F1 0.
  const anomaly::Evaluation none = anomaly::evaluate(flags_at(100, {}), known(100), truth);
  EXPECT_DOUBLE_EQ(none.window_score, 0);
  EXPECT_TRUE(std::isnan(none.precision));
  EXPECT_DOUBLE_EQ(none.f1, 0);
  // A flag at the window's first row is the perfect score.
  EXPECT_DOUBLE_EQ(anomaly::evaluate(flags_at(100, {20}), known(100), truth).window_score, 100);
}

TEST(AnomalyEvaluate, AWindowInsideTheProbationaryPeriodIsNotScored) {
  // 100 rows: probation is the first floor(0.15 x 100) = 15. Window [2, 5] lies inside it
  // and, as in NAB (its rows are named "probationary"), is neither missed nor counted in
  // the null and perfect scores; window [14, 23] reaches past it and counts, but its flag
  // at 14 is still in probation: the flag at 18 is its first, sigma(-6/10) / sigma(-1).
  anomaly::Truth truth;
  truth.windows.push_back({k2024 + 2 * 3600, k2024 + 5 * 3600});
  truth.windows.push_back({k2024 + 14 * 3600, k2024 + 23 * 3600});
  const anomaly::Evaluation e = anomaly::evaluate(flags_at(100, {14, 18}), known(100), truth);
  ASSERT_EQ(e.nab_windows.size(), 1u);
  EXPECT_EQ(e.nab_windows[0].start, k2024 + 14 * 3600);
  EXPECT_DOUBLE_EQ(e.window_null, -1);
  EXPECT_DOUBLE_EQ(e.window_perfect, 1);
  EXPECT_NEAR(e.window_raw, sigma(-0.6) / sigma(-1), 1e-12);
  EXPECT_EQ(e.window_false_positives, 0u);
  // Nothing flagged: one window missed, not two.
  EXPECT_DOUBLE_EQ(anomaly::evaluate(flags_at(100, {}), known(100), truth).window_raw, -1);
}

TEST(AnomalyEvaluate, OnlyTheCheckedPeriodCounts) {
  anomaly::Result r = flags_at(100, {5, 80});
  r.checked_from = 50;
  r.flagged[5] = 0;  // flags exist only in the lookback
  anomaly::Truth truth;
  for (int h : {5, 80}) truth.points.push_back(k2024 + h * 3600);
  const anomaly::Evaluation e = anomaly::evaluate(r, known(100), truth);
  EXPECT_EQ(e.events, 1u);
  EXPECT_EQ(e.detected, 1u);
  EXPECT_DOUBLE_EQ(e.f1, 1);
}

TEST(AnomalyEvaluate, TruthFiles) {
  const anomaly::Truth points = anomaly::read_truth(
      "timestamp,channel,kind\n2024-01-01 10:00:00,search,spend_spike\n2024-01-01 11:00:00,search,spend_spike\n",
      "truth.csv", "hourly.csv");
  ASSERT_EQ(points.points.size(), 2u);
  EXPECT_EQ(points.points[1], k2024 + 11 * 3600);
  EXPECT_TRUE(points.windows.empty());

  const anomaly::Truth windows =
      anomaly::read_truth("start,end\n2024-01-01 10:00,2024-01-01 12:30\n", "windows.csv", "hourly.csv");
  ASSERT_EQ(windows.windows.size(), 1u);
  EXPECT_EQ(windows.windows[0].end, k2024 + 12 * 3600 + 1800);

  // NAB's combined windows, keyed by data file: the entry that ends like the data's path.
  const std::string nab =
      R"({"realKnownCause/a.csv": [["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]],
          "realTraffic/a.csv": [], "realKnownCause/b.csv": [["2014-01-01 00:00:00.000000", "2014-01-02 00:00:00.000000"]]})";
  const anomaly::Truth a = anomaly::read_truth(nab, "windows.json", "/data/nab/realKnownCause/a.csv");
  ASSERT_EQ(a.windows.size(), 1u);
  int64_t t = 0;
  ASSERT_TRUE(fc::time::parse_timestamp("2014-04-10 07:15:00", t));
  EXPECT_EQ(a.windows[0].start, t);
  const anomaly::Truth labels =
      anomaly::read_truth(R"({"x/b.csv": ["2014-01-01 12:00:00"]})", "labels.json", "b.csv");
  ASSERT_EQ(labels.points.size(), 1u);

  EXPECT_THROW(anomaly::read_truth(nab, "windows.json", "other.csv"), fc::Error);
  EXPECT_THROW(anomaly::read_truth("start,end\n2024-01-02,2024-01-01\n", "w.csv", "d.csv"), fc::Error);
  EXPECT_THROW(anomaly::read_truth("[1, 2]", "w.json", "d.csv"), fc::Error);
  EXPECT_THROW(anomaly::read_truth("name\nx\n", "w.csv", "d.csv"), fc::Error);
}

TEST(AnomalyEvaluate, TheTruthFilesChannelColumnPicksTheChannelsIncidents) {
  // Hours 5-6 search, 6-7 and 20 social, 26 every channel (an empty cell).
  const anomaly::Truth truth = anomaly::read_truth(
      "timestamp,channel,kind\n"
      "2024-01-01 05:00,search,spend_spike\n2024-01-01 06:00,search,spend_spike\n"
      "2024-01-01 06:00,social,lead_burst\n2024-01-01 07:00,social,lead_burst\n"
      "2024-01-01 20:00,social,lead_burst\n2024-01-02 02:00,,tracking_outage\n",
      "truth.csv", "hourly.csv");
  ASSERT_EQ(truth.points.size(), 6u);
  ASSERT_EQ(truth.point_channels.size(), 6u);
  EXPECT_EQ(truth.point_channels[5], "");
  EXPECT_EQ(truth.channels, (std::vector<std::string>{"search", "social"}));
  const anomaly::Result r = flags_at(40, {6, 20});

  // The total: hours {5, 6, 7, 20, 26} across channels -> runs [5, 7], [20], [26].
  const anomaly::Evaluation all = anomaly::evaluate(r, known(40), truth);
  EXPECT_EQ(all.events, 3u);
  EXPECT_EQ(all.detected, 2u);
  EXPECT_EQ(all.alerts, 2u);
  EXPECT_EQ(all.true_alerts, 2u);
  ASSERT_EQ(all.notes.size(), 1u);
  EXPECT_NE(all.notes[0].find("per hour across channels"), std::string::npos) << all.notes[0];

  // search: hours 5, 6 and 26 -> [5, 6] (found at 6), [26] (missed); the flag at 20 is false.
  const anomaly::Evaluation search = anomaly::evaluate(r, known(40), truth, "search");
  EXPECT_EQ(search.events, 2u);
  EXPECT_EQ(search.detected, 1u);
  EXPECT_EQ(search.alerts, 2u);
  EXPECT_EQ(search.true_alerts, 1u);
  EXPECT_DOUBLE_EQ(search.precision, 0.5);
  EXPECT_DOUBLE_EQ(search.recall, 0.5);
  ASSERT_EQ(search.incidents.size(), 2u);
  EXPECT_EQ(search.incidents[0].start, k2024 + 5 * 3600);
  EXPECT_EQ(search.incidents[0].end, k2024 + 6 * 3600);
  // Names match whatever their case.
  EXPECT_EQ(anomaly::evaluate(r, known(40), truth, "SEARCH").events, 2u);

  // social: hours 6, 7, 20, 26 -> [6, 7], [20], [26]; both alerts true.
  const anomaly::Evaluation social = anomaly::evaluate(r, known(40), truth, "social");
  EXPECT_EQ(social.events, 3u);
  EXPECT_EQ(social.detected, 2u);
  EXPECT_EQ(social.true_alerts, 2u);

  // A channel the file never names: only the row for every channel counts, and it says so.
  const anomaly::Evaluation email = anomaly::evaluate(r, known(40), truth, "email");
  EXPECT_EQ(email.events, 1u);
  EXPECT_EQ(email.detected, 0u);
  EXPECT_EQ(email.true_alerts, 0u);
  ASSERT_EQ(email.notes.size(), 1u);
  EXPECT_NE(email.notes[0].find("no incidents for channel 'email'"), std::string::npos)
      << email.notes[0];

  // Without a channel column, a channel's evaluation counts every row and says so.
  anomaly::Truth plain;
  for (int h : {5, 6, 20}) plain.points.push_back(k2024 + h * 3600);
  const anomaly::Evaluation p = anomaly::evaluate(r, known(40), plain, "search");
  EXPECT_EQ(p.events, 2u);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("no channel column"), std::string::npos);
  EXPECT_TRUE(anomaly::evaluate(r, known(40), plain).notes.empty());
}

TEST(AnomalyEvaluate, JsonTruthMixingPointsAndWindowsKeepsBoth) {
  // A window over hours 10-14, a point at 12 inside it, points at 50, 51 and 70.
  const anomaly::Truth truth = anomaly::read_truth(
      R"([["2024-01-01 10:00", "2024-01-01 14:00"], "2024-01-01 12:00", "2024-01-03 02:00",
          "2024-01-03 03:00", "2024-01-03 22:00"])",
      "labels.json", "hourly.csv");
  ASSERT_EQ(truth.windows.size(), 1u);
  ASSERT_EQ(truth.points.size(), 4u);
  const anomaly::Result r = flags_at(100, {12, 70, 90});
  const anomaly::Evaluation e = anomaly::evaluate(r, known(100), truth);
  // Incidents [10, 14] (the point inside it is the same incident), [50, 51], [70].
  EXPECT_EQ(e.events, 3u);
  EXPECT_EQ(e.detected, 2u);
  EXPECT_EQ(e.alerts, 3u);
  EXPECT_EQ(e.true_alerts, 2u);
  EXPECT_DOUBLE_EQ(e.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.delay, 1.0);  // [10, 14] found at 12 (2 steps), [70] at once: mean 1
  // NAB windows: 10% of 100 hours over 3 incidents = 3 hours around each run of points:
  // [11, 13] (inside the given [10, 14], merged), [49, 51], [69, 71]; the window as given.
  // [10, 14] lies wholly in the probationary first 15 rows: as in NAB it is not scored.
  ASSERT_EQ(e.nab_windows.size(), 2u);
  EXPECT_EQ(e.nab_windows[0].start, k2024 + 49 * 3600);
  EXPECT_EQ(e.nab_windows[0].end, k2024 + 51 * 3600);
  EXPECT_EQ(e.nab_windows[1].start, k2024 + 69 * 3600);
  EXPECT_EQ(e.nab_windows[1].end, k2024 + 71 * 3600);
  // Flag 12: probation. [49, 51] missed: -1. [69, 71] found at 70, -(71 - 70 + 1) / 3 into
  // it: sigma(-2/3) / sigma(-1). Flag 90: 19 rows after a window of width 3,
  // (90 - 71) / 2 > 3: -0.11.
  EXPECT_NEAR(e.window_raw, -1 + sigma(-2.0 / 3) / sigma(-1) - 0.11, 1e-12);
}

TEST(AnomalyEvaluate, ADeeplyNestedTruthFileIsAnErrorNotACrash) {
  for (const std::string& open : {std::string("["), std::string("{\"a\":")}) {
    std::string deep;
    for (int i = 0; i < 200000; ++i) deep += open;
    try {
      anomaly::read_truth(deep, "deep.json", "hourly.csv");
      ADD_FAILURE() << "accepted";
    } catch (const fc::Error& e) {
      // The 65th bracket opens the level too many: byte 64 * open.size() of line 1.
      const std::string want = "deep.json: line 1, column " + std::to_string(64 * open.size() + 1) +
                               ": nested deeper than 64 levels";
      EXPECT_EQ(std::string(e.what()), want);
    }
  }
  // A truncated document names where it ends.
  try {
    anomaly::read_truth("[\"2024-01-01 10:00\",\n", "cut.json", "hourly.csv");
    ADD_FAILURE() << "accepted";
  } catch (const fc::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cut.json: line 2, column 1: ", 0), 0u) << e.what();
  }
}

TEST(AnomalyEvaluate, AColumnOnItsOwnGrid) {
  // Jittered timestamps about 5 minutes apart: 5-minute intervals counted from the epoch,
  // two rows in one interval averaged, empty intervals missing.
  const std::string csv =
      "time,value\n"
      "2024-01-01 00:00:10,1\n"
      "2024-01-01 00:05:20,2\n"
      "2024-01-01 00:09:50,4\n"
      "2024-01-01 00:15:05,5\n"
      "2024-01-01 00:20:00,6\n"
      "2024-01-01 00:31:00,8\n";
  fc::csv::Options o;
  o.source = "jitter.csv";
  std::vector<std::string> notices;
  const anomaly::Input in = anomaly::column_input(fc::csv::read(csv, o), "value", "", &notices);
  EXPECT_EQ(in.step, 300);
  EXPECT_EQ(in.start, k2024);
  ASSERT_EQ(in.size(), 7u);
  EXPECT_DOUBLE_EQ(in.value[0], 1);
  EXPECT_DOUBLE_EQ(in.value[1], 3);  // (2 + 4) / 2
  EXPECT_TRUE(std::isnan(in.value[2]));
  EXPECT_DOUBLE_EQ(in.value[3], 5);
  EXPECT_DOUBLE_EQ(in.value[4], 6);
  EXPECT_TRUE(std::isnan(in.value[5]));
  EXPECT_DOUBLE_EQ(in.value[6], 8);
  EXPECT_EQ(in.kind, anomaly::Kind::kLevel);
  ASSERT_FALSE(notices.empty());
  EXPECT_NE(notices[0].find("not on a regular grid"), std::string::npos) << notices[0];
  // The interval's name is plural already ("5 minutes"): no "5 minutess", no "a 5 minutes".
  std::string all;
  for (const auto& n : notices) all += n + "\n";
  EXPECT_NE(all.find("placed in the interval of 5 minutes it falls in"), std::string::npos) << all;
  EXPECT_NE(all.find("1 rows fell in an interval of 5 minutes that already had one"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("2 intervals of 5 minutes have no value"), std::string::npos) << all;
  EXPECT_EQ(all.find("minutess"), std::string::npos) << all;

  // A regular daily export keeps its own phase (rows at 05:00) and its gaps.
  const std::string daily = "date,price\n2024-01-01 05:00,10\n2024-01-02 05:00,11\n2024-01-04 05:00,-3\n";
  const anomaly::Input d = anomaly::column_input(fc::csv::read(daily, o), "price", "date", nullptr);
  EXPECT_EQ(d.step, 86400);
  EXPECT_EQ(d.start, k2024 + 5 * 3600);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_TRUE(std::isnan(d.value[2]));
  EXPECT_DOUBLE_EQ(d.value[3], -3);  // any column: negative values are values

  EXPECT_THROW(anomaly::column_input(fc::csv::read(daily, o), "date", "", nullptr), fc::Error);
  EXPECT_THROW(anomaly::column_input(fc::csv::read(daily, o), "nope", "", nullptr), fc::Error);
}

}  // namespace
