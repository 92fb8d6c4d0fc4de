// The funnelcast binary as a user runs it: exit codes, messages, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "test_support.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

namespace {

using fc::testing::Outcome;
using fc::testing::put;
using fc::testing::slurp;

class Cli : public ::testing::Test {
 protected:
  static std::string dir_;

  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/fc_cli_XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_EQ(run("demo-data --out " + dir_ + "/demo --days 75 --seed 4").code, 0);
    const Outcome r = run("train forecast --data " + dir_ + "/demo/hourly.csv --out " + dir_ +
                      "/m.fcm --report " + dir_ + "/report.json" + kSmall);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  // Quick training settings for the tests that train.
  static constexpr const char* kSmall = " --folds 3 --horizon 48 --quiet --param num_iterations=60 --param learning_rate=0.1";
  static void TearDownTestSuite() { std::system(("rm -rf " + dir_).c_str()); }

  static Outcome run(const std::string& args) { return fc::testing::run_cli(dir_, args); }

  // A bad CSV must give exit code 2 and a message holding each expected piece.
  void expect_refused(const std::string& name, const std::string& csv, std::initializer_list<const char*> pieces) {
    const std::string path = dir_ + "/" + name;
    put(path, csv);
    for (const std::string& cmd : {"train forecast --quiet --out " + dir_ + "/x.fcm --data " + path,
                                   "kpi --data " + path}) {
      const Outcome r = run(cmd);
      EXPECT_EQ(r.code, 2) << name << ": " << r.err;
      EXPECT_NE(r.err.find(name), std::string::npos) << "message should name the file: " << r.err;
      for (const char* p : pieces) EXPECT_NE(r.err.find(p), std::string::npos) << name << ": '" << p << "' not in: " << r.err;
    }
  }
};
std::string Cli::dir_;

TEST_F(Cli, RaggedRowNamesTheLine) {
  expect_refused("ragged.csv", "timestamp,leads\n2024-01-01 00:00,1\n2024-01-01 01:00,2,3\n", {"line 3"});
}

TEST_F(Cli, NonNumericTargetNamesLineColumnAndValue) {
  expect_refused("text_leads.csv", "timestamp,leads\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 02:00,many\n",
                 {"line 4", "leads", "many"});
}

TEST_F(Cli, NoTimeColumn) {
  expect_refused("no_time.csv", "campaign,leads\nA,1\nB,2\n", {"time column"});
}

TEST_F(Cli, UnparseableTimestampNamesTheLine) {
  expect_refused("bad_time.csv", "timestamp,leads\n2024-01-01 00:00,1\n2024-13-45 00:00,2\n2024-01-01 02:00,1\n",
                 {"line 3", "timestamp"});
}

TEST_F(Cli, DuplicateTimestampsInAnHourlyExport) {
  expect_refused("dup.csv", "timestamp,leads\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 01:00,5\n",
                 {"duplicate", "line 4"});
}

TEST_F(Cli, EmptyFile) { expect_refused("empty.csv", "", {"empty"}); }

TEST_F(Cli, HeaderOnly) { expect_refused("header.csv", "timestamp,leads\n", {"header"}); }

TEST_F(Cli, MissingFileIsABadInput) {
  const Outcome r = run("kpi --data " + dir_ + "/nope.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST_F(Cli, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(run("kpi").code, 2);
  EXPECT_EQ(run("kpi --data x.csv --bogus 1").code, 2);
  EXPECT_EQ(run("train").code, 2);
  EXPECT_EQ(run("train scoring --data x").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("forecast --model m --data d --horizon zero").code, 2);
  for (const char* c : {"demo-data", "train", "forecast", "kpi", "anomalies", "inspect"}) {
    const Outcome r = run(std::string(c) + " --help");
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_NE(r.out.find("usage: funnelcast"), std::string::npos) << c;
  }
  EXPECT_EQ(run("--help").code, 0);
}

TEST_F(Cli, ForecastCsvContinuesTheSeriesWithNestedIntervals) {
  const Outcome r = run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/demo/hourly.csv --horizon 30");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "timestamp,forecast,lower_80,upper_80,lower_95,upper_95");
  // The demo data starts 2023-01-01 00:00 and has 75 days: the forecast starts at day 75.
  const int64_t first = 1672531200 + 75 * 86400;
  int rows = 0;
  while (std::getline(in, line)) {
    char ts[32];
    double f, l80, u80, l95, u95;
    ASSERT_EQ(std::sscanf(line.c_str(), "%19[^,],%lf,%lf,%lf,%lf,%lf", ts, &f, &l80, &u80, &l95, &u95), 6) << line;
    const int64_t t = first + rows * 3600;
    const int64_t day = t / 86400, sec = t % 86400;
    (void)day;
    char expect[8];
    std::snprintf(expect, sizeof expect, "%02d:00", static_cast<int>(sec / 3600));
    EXPECT_EQ(std::string(ts).substr(11, 5), expect) << line;
    EXPECT_LE(0, l95);
    EXPECT_LE(l95, l80);
    EXPECT_LE(l80, f);
    EXPECT_LE(f, u80);
    EXPECT_LE(u80, u95);
    ++rows;
  }
  EXPECT_EQ(rows, 30);
  EXPECT_NE(r.out.find("\n2023-03-17 00:00:00,"), std::string::npos) << "first forecast hour";
}

// A forecast model written by hand: ridge with weight 1 on lag 1 (the forecast is the last
// observed value, fed back) and fixed, unscaled interval offsets, so every number the CLI
// prints can be worked out by hand.
std::string hand_made_model(const std::string& leads_column) {
  fc::model::Model m;
  auto& h = m.header;
  h.kind = "forecast";
  h.created_by = "test";
  h.data.source = "hand.csv";
  h.data.columns = {{"timestamp", "timestamp", "time"}, {leads_column, "number", "leads"}};
  h.data.roles.time = "timestamp";
  h.data.roles.leads = leads_column;
  h.data.intervals = 48;
  fc::model::ForecastSection f;
  f.features.lags = {1};
  f.features.calendar = false;
  f.features.cyclic = false;
  f.predictor = "ridge";
  fc::baselines::Ridge r;
  r.mean = {0.0};
  r.scale = {1.0};
  r.weight = {1.0};
  f.ridge = r;
  f.horizon = 24;
  f.min_history = 1;
  f.intervals.bucket_steps = 24;
  f.intervals.scaled = false;
  f.intervals.lo95 = {-3};
  f.intervals.lo80 = {-1};
  f.intervals.hi80 = {2};
  f.intervals.hi95 = {5};
  fc::model::MetricTable t;
  for (const char* n : {"rmse", "mae", "r2", "smape", "mase"}) t[n] = {1, 0, 1};
  f.cv.folds = 1;
  f.cv.horizon = 24;
  f.cv.one_step = t;
  f.cv.recursive = t;
  f.selected = "ridge";
  h.forecast = f;
  return fc::model::save(m);
}

TEST_F(Cli, ForecastWritesFileAndJsonWithTheValuesWorkedOutByHand) {
  put(dir_ + "/hand.fcm", hand_made_model("leads"));
  // 30 hours ending on 7 leads: the forecast is 7 every hour, 80% band 6..9, 95% band 4..12.
  std::string csv = "timestamp,leads\n";
  for (int h = 0; h < 30; ++h) csv += fc::time::format_timestamp(1709251200 + h * 3600) + "," + std::to_string(h == 29 ? 7 : h % 5) + "\n";
  put(dir_ + "/hand.csv", csv);
  ASSERT_EQ(run("forecast --model " + dir_ + "/hand.fcm --data " + dir_ + "/hand.csv --out " + dir_ + "/f.csv").code, 0);
  std::istringstream in(slurp(dir_ + "/f.csv"));
  std::string line;
  std::getline(in, line);
  int lines = 0;
  while (std::getline(in, line)) {
    char expect[120];
    std::snprintf(expect, sizeof expect, "%s,7.0000,6.0000,9.0000,4.0000,12.0000",
                  fc::time::format_timestamp(1709251200 + (30 + lines) * 3600).c_str());
    EXPECT_EQ(line, expect);
    ++lines;
  }
  EXPECT_EQ(lines, 24);  // the model's validated horizon is the default
  const Outcome j = run("forecast --json --horizon 5 --model " + dir_ + "/hand.fcm --data " + dir_ + "/hand.csv");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed.at("mean"), nlohmann::json({7.0, 7.0, 7.0, 7.0, 7.0}));
  EXPECT_EQ(parsed.at("lower95"), nlohmann::json({4.0, 4.0, 4.0, 4.0, 4.0}));
  EXPECT_EQ(parsed.at("upper80").at(4).get<double>(), 9.0);
  EXPECT_EQ(parsed.at("time").at(0).get<int64_t>(), 1709251200 + 30 * 3600);
  EXPECT_EQ(parsed.at("model"), "hand.fcm");
}

TEST_F(Cli, InspectPrintsTheDataSchemaTheModelWasTrainedOn) {
  const Outcome r = run("inspect " + dir_ + "/m.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("kind"), "forecast");
  EXPECT_EQ(j.at("format"), 2);
  const auto& d = j.at("data");
  EXPECT_EQ(d.at("source"), "hourly.csv");
  EXPECT_EQ(d.at("roles").at("time"), "timestamp");
  EXPECT_EQ(d.at("roles").at("leads"), "leads");
  EXPECT_EQ(d.at("roles").at("channel"), "channel");
  EXPECT_TRUE(d.at("roles").at("clicks").is_null());
  EXPECT_EQ(d.at("rows"), "values");
  EXPECT_TRUE(d.at("channel").is_null());
  EXPECT_EQ(d.at("channel_count"), 3);
  EXPECT_EQ(d.at("interval"), 3600);
  EXPECT_EQ(d.at("intervals"), 75 * 24);
  EXPECT_EQ(d.at("input_rows"), 75 * 24 * 3);
  EXPECT_EQ(d.at("start"), 1672531200);
  EXPECT_EQ(d.at("end"), 1672531200 + 75 * 86400);
  ASSERT_EQ(d.at("columns").size(), 5u);
  EXPECT_EQ(d.at("columns").at(3), nlohmann::json({{"name", "spend"}, {"type", "number"}, {"role", "spend"}}));
  const auto& f = j.at("forecast");
  EXPECT_EQ(f.at("horizon"), 48);
  EXPECT_EQ(f.at("cv").at("folds"), 3);
  EXPECT_EQ(f.at("cv").at("per_fold").size(), 3u);
  if (f.at("predictor") == "gbdt") EXPECT_EQ(j.at("file").at("trees"), f.at("params").at("num_iterations"));
}

TEST_F(Cli, ReportHasTheDocumentedFields) {
  const auto j = nlohmann::json::parse(slurp(dir_ + "/report.json"));
  EXPECT_EQ(j.at("cv").at("folds"), 3);
  EXPECT_EQ(j.at("cv").at("per_fold").size(), 3u);
  for (const char* mode : {"one_step", "recursive"})
    for (const char* m : {"rmse", "mae", "r2", "smape", "mase"}) {
      EXPECT_TRUE(j.at("cv").at(mode).at(m).at("mean").is_number()) << mode << " " << m;
      EXPECT_TRUE(j.at("cv").at(mode).at(m).at("std").is_number()) << mode << " " << m;
    }
  EXPECT_GE(j.at("comparison").size(), 4u);
  EXPECT_TRUE(j.at("selected").is_string());
  EXPECT_TRUE(j.at("coverage").at("p80").is_number());
  EXPECT_TRUE(j.at("coverage").at("p95").is_number());
  EXPECT_EQ(j.at("coverage").at("per_fold").size(), 3u);
  EXPECT_EQ(j.at("data").at("source"), "hourly.csv");
}

TEST_F(Cli, SameInputAndSeedGiveByteIdenticalModels) {
  const std::string common = "train forecast --data " + dir_ + "/demo/hourly.csv --folds 3 --horizon 48 --quiet"
                             " --param num_iterations=60 --param learning_rate=0.1 --out ";
  ASSERT_EQ(run(common + dir_ + "/m2.fcm --threads 1").code, 0);
  EXPECT_EQ(slurp(dir_ + "/m.fcm"), slurp(dir_ + "/m2.fcm"));
}

TEST_F(Cli, CreatedAtOnlyWhenAsked) {
  EXPECT_FALSE(nlohmann::json::parse(run("inspect " + dir_ + "/m.fcm").out).contains("created_at"));
  const std::string common = "train forecast --data " + dir_ + "/demo/hourly.csv --folds 3 --horizon 48 --quiet"
                             " --param num_iterations=20 --out ";
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  const Outcome stamped = run(common + dir_ + "/s.fcm");
  unsetenv("SOURCE_DATE_EPOCH");
  ASSERT_EQ(stamped.code, 0) << stamped.err;
  EXPECT_EQ(nlohmann::json::parse(run("inspect " + dir_ + "/s.fcm").out).at("created_at").get<int64_t>(), 1700000000);
}

TEST_F(Cli, CorruptAndTruncatedModelsAreRefused) {
  const std::string good = slurp(dir_ + "/m.fcm");
  ASSERT_GT(good.size(), 100u);
  const std::string data = " --data " + dir_ + "/demo/hourly.csv";
  put(dir_ + "/trunc.fcm", good.substr(0, good.size() / 2));
  Outcome r = run("forecast --model " + dir_ + "/trunc.fcm" + data);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("trunc.fcm"), std::string::npos) << r.err;

  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  put(dir_ + "/flip.fcm", flipped);
  r = run("forecast --model " + dir_ + "/flip.fcm" + data);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;

  r = run("inspect " + dir_ + "/demo/hourly.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a funnelcast model"), std::string::npos) << r.err;

  put(dir_ + "/empty.fcm", "");
  EXPECT_EQ(run("inspect " + dir_ + "/empty.fcm").code, 2);
}

TEST_F(Cli, KpiJsonWorkedOutByHand) {
  // First day: 1 lead, spend 10, revenue 30 each hour. Second day: 2 leads, spend 10, revenue 10.
  std::string csv = "timestamp,leads,spend,revenue\n";
  for (int h = 0; h < 48; ++h) {
    char line[80];
    std::snprintf(line, sizeof line, "2024-03-%02d %02d:00:00,%d,10,%d\n", 1 + h / 24, h % 24, h < 24 ? 1 : 2,
                  h < 24 ? 30 : 10);
    csv += line;
  }
  put(dir_ + "/kpi.csv", csv);
  const Outcome r = run("kpi --json --data " + dir_ + "/kpi.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["current"]["leads"].get<double>(), 48);
  EXPECT_DOUBLE_EQ(j["current"]["spend"].get<double>(), 240);
  EXPECT_DOUBLE_EQ(j["current"]["cpl"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(j["current"]["roi"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(j["previous"]["cpl"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(j["previous"]["roi"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(j["change"]["leads"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["change"]["cpl"].get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(j["change"]["roi"].get<double>(), -1.0);
  EXPECT_EQ(j["current"]["start"].get<int64_t>(), 1709251200 + 86400);  // 2024-03-02 00:00 UTC
}

TEST_F(Cli, KpiJsonConversionRateByHand) {
  // 40 sessions an hour; 1 lead an hour the first day, 2 the second: 24 / 960 then 48 / 960.
  std::string csv = "timestamp,leads,sessions\n";
  for (int h = 0; h < 48; ++h) {
    char line[80];
    std::snprintf(line, sizeof line, "2024-03-%02d %02d:00:00,%d,40\n", 1 + h / 24, h % 24, h < 24 ? 1 : 2);
    csv += line;
  }
  put(dir_ + "/conv.csv", csv);
  const Outcome r = run("kpi --json --data " + dir_ + "/conv.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["current"]["clicks"].get<double>(), 960);
  EXPECT_DOUBLE_EQ(j["current"]["conversion"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(j["previous"]["conversion"].get<double>(), 0.025);
  EXPECT_DOUBLE_EQ(j["change"]["conversion"].get<double>(), 1.0);
  // Not a traffic column when told so: clicks and the rate are null.
  const Outcome n = run("kpi --json --clicks - --data " + dir_ + "/conv.csv");
  ASSERT_EQ(n.code, 0) << n.err;
  const auto k = nlohmann::json::parse(n.out);
  EXPECT_TRUE(k["current"]["clicks"].is_null());
  EXPECT_TRUE(k["current"]["conversion"].is_null());
  EXPECT_TRUE(k["change"]["conversion"].is_null());
  // The table shows the rows.
  const Outcome t = run("kpi --data " + dir_ + "/conv.csv");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("Conversion rate"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("5.00%"), std::string::npos) << t.out;
}

// Leads alternate 10, 12 for 30 hours, then 30, then 11 (each test process writes it).
std::string spike_file(const std::string& dir) {
  std::string csv = "timestamp,leads\n";
  for (int h = 0; h < 32; ++h)
    csv += fc::time::format_timestamp(1709251200 + h * 3600) + "," + std::to_string(h == 30 ? 30 : h == 31 ? 11 : h % 2 ? 12 : 10) + "\n";
  put(dir + "/spike.csv", csv);
  return dir + "/spike.csv";
}

TEST_F(Cli, AnomaliesJsonFlagsTheHourWorkedOutByHand) {
  // With a 4-hour baseline, hour 30's baseline is {10, 12, 10, 12} (mean 11, sample sd
  // sqrt(4/3)): z = 19 / 1.1547 = 16.45.
  spike_file(dir_);
  const Outcome r = run("anomalies --json --metric leads --method zscore --baseline 4 --lookback 0 --data " + dir_ + "/spike.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("count").get<size_t>(), 1u);
  const auto& a = j.at("anomalies").at(0);
  EXPECT_EQ(a.at("time").get<int64_t>(), 1709251200 + 30 * 3600);
  EXPECT_DOUBLE_EQ(a.at("expected").get<double>(), 11);
  EXPECT_NEAR(a.at("z").get<double>(), 19 / std::sqrt(4.0 / 3), 1e-9);
  EXPECT_NEAR(a.at("upper").get<double>(), 11 + 2.5 * std::sqrt(4.0 / 3), 1e-9);
  EXPECT_DOUBLE_EQ(a.at("score").get<double>(), 1);  // erf(16.45 / sqrt 2) rounds to 1
  EXPECT_EQ(a.at("direction").get<std::string>(), "spike");
  EXPECT_NEAR(j.at("threshold").get<double>(), 0.98758067, 1e-8);  // |z| > 2.5
  // Every hour from the 4th on has a full baseline (3 of its 4 hours suffice): 29 scored.
  EXPECT_EQ(j.at("scored").get<size_t>(), 29u);
  EXPECT_EQ(j.at("baseline").get<std::string>(), "4 intervals");
}

TEST_F(Cli, AnomaliesFailOnAnomalyIsAnExitCodeForCron) {
  // The same file: hour 30 of 32 is flagged. In the last 3 hours: exit 3; in the last
  // hour only: exit 0.
  spike_file(dir_);
  const std::string base = "anomalies --metric leads --method zscore --baseline 4 --fail-on-anomaly --data " + dir_ + "/spike.csv";
  const Outcome hit = run(base + " --last 3");
  EXPECT_EQ(hit.code, 3) << hit.err;
  EXPECT_NE(hit.err.find("alert: 1 anomalous hour of leads in the last 3 intervals"), std::string::npos) << hit.err;
  EXPECT_EQ(run(base + " --last 1").code, 0);
  EXPECT_EQ(run(base + " --last 1h").code, 0);
  EXPECT_EQ(run(base + " --last 2h").code, 3);  // hours 30 and 31
  EXPECT_EQ(run(base + " --last 3h").code, 3);
  const Outcome bad = run(base + " --last 3x");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("unknown unit 'x'"), std::string::npos) << bad.err;
  EXPECT_EQ(run("anomalies --last 3 --data " + dir_ + "/spike.csv").code, 2);  // --last needs --fail-on-anomaly
}

// A CSV without quotes as rows of cells, the header first.
std::vector<std::vector<std::string>> cells_of(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    size_t from = 0;
    for (size_t comma; (comma = line.find(',', from)) != std::string::npos; from = comma + 1)
      f.push_back(line.substr(from, comma - from));
    f.push_back(line.substr(from));
    rows.push_back(f);
  }
  return rows;
}

TEST_F(Cli, AnomaliesOutWritesEveryCheckedIntervalWithItsCause) {
  // Every hour of the last 14 days: its spend and leads are the sums over the channels of
  // the input (added up here from hourly.csv), its CPL their ratio (none at 0 leads); the
  // flags are those of --json, each flag the default rule score >= 0.99995, and the cause
  // of each flagged hour the parts that moved on their own (part score >= 0.99: the spend,
  // the leads, both; neither: mix).
  const std::string out = dir_ + "/anomalies.csv";
  const std::string args = "anomalies --lookback 14d --data " + dir_ + "/demo/hourly.csv";
  const Outcome r = run(args + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const Outcome js = run(args + " --json");
  ASSERT_EQ(js.code, 0) << js.err;
  std::map<std::string, std::pair<double, double>> input;  // timestamp -> (leads, spend)
  std::string last;
  for (const auto& f : cells_of(slurp(dir_ + "/demo/hourly.csv"))) {
    if (f[0] == "timestamp") {
      ASSERT_EQ(f[2] + "," + f[3], "leads,spend");
      continue;
    }
    input[f[0]].first += std::stod(f[2]);
    input[f[0]].second += std::stod(f[3]);
    last = std::max(last, f[0]);
  }
  std::map<std::string, nlohmann::json> flagged;
  const nlohmann::json report = nlohmann::json::parse(js.out);
  for (const auto& a : report.at("anomalies")) flagged[a.at("timestamp").get<std::string>()] = a;
  const auto rows = cells_of(slurp(out));
  ASSERT_EQ(rows.size(), 1 + 14 * 24u);
  EXPECT_EQ(rows[0].size(), 13u);
  int64_t last_t = 0;
  ASSERT_TRUE(fc::time::parse_timestamp(last, last_t));
  size_t scored = 0, flags = 0;
  for (size_t k = 1; k < rows.size(); ++k) {
    const auto& f = rows[k];
    ASSERT_EQ(f.size(), 13u);
    const std::string& t = f[0];
    EXPECT_EQ(t, fc::time::format_timestamp(last_t - static_cast<int64_t>(rows.size() - 1 - k) * 3600));
    const auto [leads, spend] = input.at(t);
    EXPECT_NEAR(std::stod(f[8]), spend, 1e-6 * spend + 0.01) << t;
    EXPECT_EQ(std::stod(f[10]), leads) << t;
    if (leads > 0) {
      EXPECT_NEAR(std::stod(f[1]), spend / leads, 1e-5 * spend / leads) << t;
    } else {
      EXPECT_EQ(f[1], "") << t;  // no CPL at 0 leads, never an infinite one
    }
    if (f[5].empty()) continue;
    ++scored;
    const double score = std::stod(f[5]);
    EXPECT_EQ(f[6], score >= 0.99995 ? "1" : "0") << t;
    ASSERT_EQ(f[6] == "1", flagged.count(t) == 1) << t;
    if (f[6] != "1") continue;
    ++flags;
    const auto& a = flagged.at(t);
    const bool spend_moved = a.at("spend").at("score").get<double>() >= 0.99;
    const bool leads_moved = a.at("leads").at("score").get<double>() >= 0.99;
    const std::string cause = spend_moved && leads_moved ? "both" : spend_moved ? "spend" : leads_moved ? "leads" : "mix";
    EXPECT_EQ(f[12], cause) << t;
    EXPECT_EQ(a.at("cause").get<std::string>(), cause) << t;
    EXPECT_EQ(f[7], a.at("direction").get<std::string>()) << t;
  }
  EXPECT_GT(scored, 14 * 24u - 10);
  EXPECT_EQ(flags, flagged.size());
  EXPECT_GT(flags, 0u);  // seed 4's last two weeks hold a spend spike and a lead collapse
}

// Event-level scores worked out from the flags of --out and the labelled hours, as the
// docs define them: an incident is a run of consecutive labelled hours (any channel), found
// when one of its hours is flagged (delay: hours from its start to that flag); an alert is
// a run of flagged hours, true when it overlaps an incident.
struct EventScores {
  size_t events = 0, detected = 0, alerts = 0, true_alerts = 0;
  double delay = 0;
};
EventScores event_scores(const std::vector<std::vector<std::string>>& out, const std::set<std::string>& labelled) {
  EventScores e;
  std::vector<int> label(out.size(), 0), flag(out.size(), 0);
  for (size_t k = 1; k < out.size(); ++k) {
    label[k] = labelled.count(out[k][0]) ? 1 : 0;
    flag[k] = out[k][6] == "1" ? 1 : 0;
  }
  std::vector<std::pair<size_t, size_t>> incidents;
  for (size_t k = 1; k < out.size(); ++k) {
    if (!label[k]) continue;
    if (!incidents.empty() && incidents.back().second == k - 1) incidents.back().second = k;
    else incidents.push_back({k, k});
  }
  double delays = 0;
  for (const auto& [a, b] : incidents) {
    ++e.events;
    for (size_t k = a; k <= b; ++k) {
      if (!flag[k]) continue;
      ++e.detected;
      delays += static_cast<double>(k - a);
      break;
    }
  }
  e.delay = e.detected ? delays / static_cast<double>(e.detected) : 0;
  for (size_t k = 1; k < out.size(); ++k) {
    if (!flag[k] || flag[k - 1]) continue;
    size_t end = k;
    while (end + 1 < out.size() && flag[end + 1]) ++end;
    ++e.alerts;
    for (const auto& [a, b] : incidents) {
      if (a <= end && k <= b) {
        ++e.true_alerts;
        break;
      }
    }
  }
  return e;
}

void expect_evaluation(const nlohmann::json& ev, const EventScores& want, const std::string& what) {
  EXPECT_EQ(ev.at("events").get<size_t>(), want.events) << what;
  EXPECT_EQ(ev.at("detected").get<size_t>(), want.detected) << what;
  EXPECT_EQ(ev.at("alerts").get<size_t>(), want.alerts) << what;
  EXPECT_EQ(ev.at("true_alerts").get<size_t>(), want.true_alerts) << what;
  const double p = static_cast<double>(want.true_alerts) / static_cast<double>(want.alerts);
  const double q = static_cast<double>(want.detected) / static_cast<double>(want.events);
  EXPECT_NEAR(ev.at("precision").get<double>(), p, 1e-12) << what;
  EXPECT_NEAR(ev.at("recall").get<double>(), q, 1e-12) << what;
  EXPECT_NEAR(ev.at("f1").get<double>(), 2 * p * q / (p + q), 1e-12) << what;
  EXPECT_NEAR(ev.at("delay").get<double>(), want.delay, 1e-12) << what;
  EXPECT_NEAR(ev.at("delay_seconds").get<double>(), want.delay * 3600, 1e-9) << what;
}

TEST_F(Cli, AnomaliesEvaluateAgainstATruthFile) {
  const std::string data = " --data " + dir_ + "/demo/hourly.csv";
  const std::string truth = dir_ + "/demo/anomalies_truth.csv";
  const Outcome r = run("anomalies --json" + data + " --truth " + truth);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("lookback").get<std::string>(), "all");  // --truth checks the whole series
  // The flags of every hour (they do not depend on the truth file).
  ASSERT_EQ(run("anomalies --lookback 0 --out " + dir_ + "/all.csv" + data).code, 0);
  const auto out = cells_of(slurp(dir_ + "/all.csv"));
  ASSERT_EQ(out.size(), 1 + 75 * 24u);
  std::set<std::string> labelled;
  for (const auto& f : cells_of(slurp(truth))) {
    if (f[0] == "timestamp") continue;
    labelled.insert(f[0]);
  }
  const EventScores all = event_scores(out, labelled);
  EXPECT_EQ(all.events, 8u);  // 75 days of seed 4 hold 8 incidents
  expect_evaluation(j.at("evaluation"), all, "the demo's truth file");
  EXPECT_NE(r.err.find("evaluation (ensemble): 8 incidents"), std::string::npos) << r.err;
  // A truth file that misses the first incident (its alert becomes a false one) and names
  // two quiet hours of day 40 (an incident nothing flags): every score moves.
  std::set<std::string> changed = labelled;
  const std::string first = *labelled.begin();
  int64_t t = 0;
  ASSERT_TRUE(fc::time::parse_timestamp(first, t));
  for (; changed.count(fc::time::format_timestamp(t)); t += 3600) changed.erase(fc::time::format_timestamp(t));
  std::string quiet;
  for (size_t k = 40 * 24; k + 1 < out.size() && quiet.empty(); ++k)
    if (out[k][6] == "0" && out[k + 1][6] == "0" && !labelled.count(out[k][0]) && !labelled.count(out[k + 1][0]))
      quiet = out[k][0];
  ASSERT_FALSE(quiet.empty());
  ASSERT_TRUE(fc::time::parse_timestamp(quiet, t));
  changed.insert(quiet);
  changed.insert(fc::time::format_timestamp(t + 3600));
  std::string text = "timestamp\n";
  for (const std::string& h : changed) text += h + "\n";
  put(dir_ + "/changed_truth.csv", text);
  const EventScores want = event_scores(out, changed);
  EXPECT_EQ(want.events, 8u);
  EXPECT_LT(want.true_alerts, want.alerts);
  EXPECT_LT(want.detected, want.events);
  const Outcome c = run("anomalies --json" + data + " --truth " + dir_ + "/changed_truth.csv");
  ASSERT_EQ(c.code, 0) << c.err;
  expect_evaluation(nlohmann::json::parse(c.out).at("evaluation"), want, "the changed truth file");
  // Windows given as start,end.
  spike_file(dir_);
  put(dir_ + "/windows.csv", "start,end\n2024-03-01 10:00,2024-03-01 12:00\n");
  const Outcome w = run("anomalies --json --metric leads --method zscore --baseline 4 --data " + dir_ + "/spike.csv --truth " + dir_ + "/windows.csv");
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_EQ(nlohmann::json::parse(w.out).at("evaluation").at("events").get<size_t>(), 1u);
}

TEST_F(Cli, AnomaliesResidualUsesAForecastModelOfTheMetric) {
  // The demo model forecasts leads: its one-step-ahead forecasts and their interval are the
  // residual method's expected value and band, for every checked hour. Checked against
  // `funnelcast forecast --horizon 1` on the history before three of those hours.
  const std::string model = std::string(FC_SOURCE_DIR) + "/models/demo_forecast.fcm";
  const std::string data = " --data " + dir_ + "/demo/hourly.csv";
  const std::string out = dir_ + "/residual.csv";
  const Outcome r = run("anomalies --metric leads --method residual --lookback 2d --model " + model + " --out " + out + data);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows_out = cells_of(slurp(out));
  ASSERT_EQ(rows_out.size(), 49u);
  EXPECT_EQ(rows_out[0].size(), 8u);
  const auto input = cells_of(slurp(dir_ + "/demo/hourly.csv"));
  size_t rows = 0;
  for (size_t k = 1; k < rows_out.size(); ++k) {
    const auto& f = rows_out[k];
    ++rows;
    ASSERT_EQ(f.size(), 8u);
    ASSERT_FALSE(f[2].empty()) << "every checked hour has a forecast: " << f[0];
    EXPECT_LE(std::stod(f[3]), std::stod(f[2])) << f[0];
    EXPECT_LE(std::stod(f[2]), std::stod(f[4])) << f[0];
    if (!f[5].empty()) EXPECT_EQ(f[6], std::stod(f[5]) >= 0.99995 ? "1" : "0") << f[0];
    if (k != 1 && k != 24 && k != 48) continue;
    std::string before;
    for (const auto& row : input)
      if (row[0] < f[0]) before += row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "," + row[4] + "\n";
    put(dir_ + "/before.csv", "timestamp,channel,leads,spend,revenue\n" + before);
    const Outcome fo = run("forecast --json --horizon 1 --model " + model + " --data " + dir_ + "/before.csv");
    ASSERT_EQ(fo.code, 0) << fo.err;
    const auto fj = nlohmann::json::parse(fo.out);
    const double want = fj.at("mean").at(0).get<double>();
    EXPECT_NEAR(std::stod(f[2]), want, 1e-5 * std::max(1.0, want)) << f[0];
  }
  EXPECT_EQ(rows, 48u);
  // Refusals that say what to do.
  const Outcome cpl = run("anomalies --metric cpl --method residual --model " + model + data);
  EXPECT_EQ(cpl.code, 2);
  EXPECT_NE(cpl.err.find("demo_forecast.fcm forecasts leads, so its residuals judge leads; use --metric leads"),
            std::string::npos)
      << cpl.err;
  const Outcome none = run("anomalies --metric leads --method residual" + data);
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("the residual method needs one-step-ahead forecasts of leads"), std::string::npos)
      << none.err;
  const Outcome score = run("anomalies --metric leads --model " + std::string(FC_SOURCE_DIR) + "/models/demo_leads.fcm" + data);
  EXPECT_EQ(score.code, 2);
  EXPECT_NE(score.err.find("demo_leads.fcm is a score model, not a forecast model"), std::string::npos) << score.err;
  const Outcome method = run("anomalies --method prophet" + data);
  EXPECT_EQ(method.code, 2);
  EXPECT_NE(method.err.find("--method: unknown method 'prophet'"), std::string::npos) << method.err;
}

TEST_F(Cli, AnomaliesInAnyNumericColumnAtAnyInterval) {
  // A machine metric every 5 minutes for 4 weeks with one spike near the end.
  std::string csv = "timestamp,latency_ms,host\n";
  const int steps = 4 * 7 * 288;
  for (int i = 0; i < steps; ++i) {
    const double v = 50 + 5 * std::sin(i / 288.0 * 2 * M_PI) + ((i * 7919) % 11) * 0.3 + (i == steps - 20 ? 400 : 0);
    csv += fc::time::format_timestamp(1709251200 + int64_t{i} * 300) + "," + std::to_string(v) + ",a\n";
  }
  put(dir_ + "/latency.csv", csv);
  const Outcome r = run("anomalies --json --metric latency_ms --lookback 1d --data " + dir_ + "/latency.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("interval_seconds").get<int>(), 300);
  EXPECT_EQ(j.at("lookback_steps").get<int>(), 288);
  ASSERT_GE(j.at("count").get<size_t>(), 1u);
  EXPECT_EQ(j.at("anomalies").at(0).at("time").get<int64_t>(), 1709251200 + int64_t{steps - 20} * 300);
  EXPECT_NE(r.err.find("8064 rows -> 8064 intervals of 5 minutes"), std::string::npos) << r.err;
  const Outcome unknown = run("anomalies --metric latency --data " + dir_ + "/latency.csv");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("neither a metric"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("numeric columns: latency_ms"), std::string::npos) << unknown.err;
  EXPECT_EQ(run("anomalies --metric latency_ms --channel a --data " + dir_ + "/latency.csv").code, 2);
  const Outcome days = run("anomalies --metric latency_ms --lookback 90m --baseline 1w --threshold 3 --json --data " + dir_ + "/latency.csv");
  ASSERT_EQ(days.code, 0) << days.err;
  const auto k = nlohmann::json::parse(days.out);
  EXPECT_EQ(k.at("lookback_steps").get<int>(), 18);
  EXPECT_EQ(k.at("baseline_steps").get<int>(), 7 * 288);
  EXPECT_NEAR(k.at("threshold").get<double>(), 0.99730020, 1e-8);
}

// models/demo_forecast.fcm is what scripts/make_demo_model.sh makes: one trainer command
// on `demo-data --seed 1`. Retraining must give the committed bytes.
TEST_F(Cli, CommittedDemoModelIsReproducible) {
  // Two years of hourly data and 20,000 leads trained as the release build trains them: 1.5
  // minutes under the sanitizers, whose suite already trains both kinds of model on smaller
  // data (Cli.SameInputAndSeedGiveByteIdenticalModels, ScoringTrain.*).
  if (fc::testing::kSanitized) GTEST_SKIP() << "run by the release suite (ctest); too slow under the sanitizers";
  const std::string committed = slurp(std::string(FC_SOURCE_DIR) + "/models/demo_forecast.fcm");
  ASSERT_FALSE(committed.empty()) << "models/demo_forecast.fcm is missing: run scripts/make_demo_model.sh";
  EXPECT_LT(committed.size(), 200u * 1024) << "the demo model should stay under 200 KB";
  ASSERT_EQ(run("demo-data --out " + dir_ + "/demo730 --seed 1 --days 730").code, 0);
  const Outcome r = run("train forecast --quiet --no-log --data " + dir_ + "/demo730/hourly.csv --out " + dir_ + "/demo730.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(slurp(dir_ + "/demo730.fcm") == committed)
      << "retraining gives other bytes: the code changed since the demo model was made; run "
         "scripts/make_demo_model.sh and commit models/";
  // The demo scoring model, from the demo leads of the same run.
  const std::string leads = slurp(std::string(FC_SOURCE_DIR) + "/models/demo_leads.fcm");
  ASSERT_FALSE(leads.empty()) << "models/demo_leads.fcm is missing: run scripts/make_demo_model.sh";
  EXPECT_LT(leads.size(), 400u * 1024) << "the demo scoring model should stay under 400 KB";
  const Outcome s = run("train score --quiet --no-log --data " + dir_ + "/demo730/leads.csv --target converted --out " +
                        dir_ + "/demo_leads.fcm");
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_TRUE(slurp(dir_ + "/demo_leads.fcm") == leads)
      << "retraining gives other bytes: run scripts/make_demo_model.sh and commit models/";
}

// ---- Inputs that once gave a silent wrong answer: each now gives the right number or
// exit code 2 with a message that says what to do. ----

// An hourly CSV of `hours` rows from 2024-03-01 00:00: `row(h)` gives the fields after the time.
std::string hourly(const std::string& header, int hours, const std::function<std::string(int)>& row) {
  std::string csv = header + "\n";
  for (int h = 0; h < hours; ++h) csv += fc::time::format_timestamp(1709251200 + int64_t{h} * 3600) + "," + row(h) + "\n";
  return csv;
}

int shape(int h) { return 20 + static_cast<int>(std::lround(15 * std::sin((h % 24 - 6) / 24.0 * 2 * M_PI))) + (h * 7919) % 5; }

std::string without_noise(const std::string& err) {
  // Progress and notes go to stderr too; keep the error line.
  const size_t at = err.find("error:");
  return at == std::string::npos ? err : err.substr(at);
}

TEST_F(Cli, ModelTrainedOnAnotherTargetColumnForecastsItWithoutFlags) {
  put(dir_ + "/value.csv", hourly("timestamp,value", 24 * 40, [](int h) { return std::to_string(shape(h)); }));
  ASSERT_EQ(run("train forecast --data " + dir_ + "/value.csv --target value --out " + dir_ + "/value.fcm" + kSmall).code, 0);
  const Outcome plain = run("forecast --model " + dir_ + "/value.fcm --data " + dir_ + "/value.csv");
  const Outcome flagged = run("forecast --model " + dir_ + "/value.fcm --data " + dir_ + "/value.csv --target value");
  ASSERT_EQ(plain.code, 0) << plain.err;
  ASSERT_EQ(flagged.code, 0) << flagged.err;
  EXPECT_EQ(plain.out, flagged.out);
  // The forecast follows the series' level (a daily mean of about 22), not 1 lead a row.
  const auto j = nlohmann::json::parse(run("forecast --json --model " + dir_ + "/value.fcm --data " + dir_ + "/value.csv").out);
  double sum = 0;
  for (int k = 0; k < 24; ++k) sum += j.at("mean").at(k).get<double>();
  EXPECT_NEAR(sum / 24, 22, 3) << j.at("mean").dump();
}

TEST_F(Cli, ChannelModelForecastsItsChannelByDefault) {
  ASSERT_EQ(run("train forecast --data " + dir_ + "/demo/hourly.csv --channel search --out " + dir_ + "/search.fcm" + kSmall).code, 0);
  const std::string data = " --data " + dir_ + "/demo/hourly.csv --json";
  const Outcome plain = run("forecast --model " + dir_ + "/search.fcm" + data);
  const Outcome search = run("forecast --model " + dir_ + "/search.fcm --channel search" + data);
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out).at("mean"), nlohmann::json::parse(search.out).at("mean"));
  EXPECT_EQ(nlohmann::json::parse(plain.out).at("channel"), "search");
  const Outcome total = run("forecast --model " + dir_ + "/search.fcm --channel ''" + data);
  ASSERT_EQ(total.code, 0) << total.err;
  EXPECT_NE(total.err.find("which was trained on channel 'search'"), std::string::npos) << total.err;
  EXPECT_NE(nlohmann::json::parse(total.out).at("mean"), nlohmann::json::parse(search.out).at("mean"));
}

TEST_F(Cli, FileWithoutALeadsColumnIsRefusedWithTheNumericColumnsListed) {
  std::string renamed = slurp(dir_ + "/demo/hourly.csv");
  renamed.replace(renamed.find(",leads,"), 7, ",foo,");
  put(dir_ + "/foo.csv", renamed);
  const Outcome r = run("kpi --data " + dir_ + "/foo.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("foo.csv: which column holds the leads?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("numeric columns without a role: foo"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--leads COL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--events"), std::string::npos) << r.err;
  // Naming it gives the same KPIs as the original file.
  const Outcome named = run("kpi --json --leads foo --data " + dir_ + "/foo.csv");
  const Outcome original = run("kpi --json --data " + dir_ + "/demo/hourly.csv");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(nlohmann::json::parse(named.out), nlohmann::json::parse(original.out));
  // A file of events with no numbers at all counts rows, and says so.
  put(dir_ + "/events.csv", "created_at,email\n2024-03-01 10:05:00,a@x\n2024-03-01 10:40:00,b@x\n2024-03-01 12:15:00,c@x\n");
  const Outcome ev = run("kpi --json --window 1 --data " + dir_ + "/events.csv");
  ASSERT_EQ(ev.code, 0) << ev.err;
  EXPECT_NE(ev.err.find("each row counted as one lead"), std::string::npos) << ev.err;
  EXPECT_EQ(nlohmann::json::parse(ev.out).at("current").at("leads"), 1.0);   // 12:00
  EXPECT_EQ(nlohmann::json::parse(ev.out).at("previous").at("leads"), 0.0);  // 11:00: no events
}

TEST_F(Cli, BlankNaAndNanCellsAreMissingNotZero) {
  // 48 hours of 2 leads and 10 spend; in the last day, three leads cells are blank, NA, NaN.
  const std::string csv = hourly("timestamp,leads,spend", 48, [](int h) {
    const char* leads = h == 30 ? "" : h == 31 ? "NA" : h == 32 ? "NaN" : "2";
    return std::string(leads) + ",10";
  });
  put(dir_ + "/blank.csv", csv);
  const Outcome r = run("kpi --json --data " + dir_ + "/blank.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("current").at("missing"), 3);
  EXPECT_DOUBLE_EQ(j.at("current").at("leads").get<double>(), 42);  // 21 known hours x 2
  EXPECT_DOUBLE_EQ(j.at("current").at("cpl").get<double>(), 5);     // 210 / 42 over the same hours
  EXPECT_NE(r.err.find("3 blank or NA cells are missing values, not zeros"), std::string::npos) << r.err;
}

TEST_F(Cli, AllMissingLeadsCannotBeTrainedOn) {
  put(dir_ + "/all_na.csv", hourly("timestamp,leads", 24 * 40, [](int) { return std::string("NA"); }));
  const Outcome r = run("train forecast --data " + dir_ + "/all_na.csv --out " + dir_ + "/x.fcm" + kSmall);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("all_na.csv: the leads column 'leads' has no values"), std::string::npos) << r.err;
}

TEST_F(Cli, BlankHoursAtTheEndAreAnErrorInKpiAndForecast) {
  put(dir_ + "/tail.csv", hourly("timestamp,leads", 24 * 40, [](int h) { return h >= 24 * 40 - 72 ? std::string("") : std::to_string(shape(h)); }));
  const Outcome k = run("kpi --data " + dir_ + "/tail.csv");
  EXPECT_EQ(k.code, 2);
  EXPECT_NE(k.err.find("the last 24 hours (from 2024-04-09 00:00:00) have no leads value"), std::string::npos) << k.err;
  const Outcome f = run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/tail.csv");
  EXPECT_EQ(f.code, 2);
  EXPECT_NE(f.err.find("the data ends with 72 hours without a value for the target (from 2024-04-07 00:00:00)"), std::string::npos) << f.err;
}

TEST_F(Cli, TooLittleHistoryForTheModelIsRefused) {
  put(dir_ + "/short.csv", hourly("timestamp,channel,leads,spend,revenue", 25, [](int h) { return "search," + std::to_string(shape(h)) + ",10,20"; }));
  const Outcome r = run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/short.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("the data has 25 hours; m.fcm needs at least"), std::string::npos) << r.err;
  // 30 hours is too little to train on, and the message says 30.
  put(dir_ + "/thirty.csv", hourly("timestamp,leads", 30, [](int h) { return std::to_string(shape(h)); }));
  const Outcome t = run("train forecast --data " + dir_ + "/thirty.csv --out " + dir_ + "/x.fcm" + kSmall);
  EXPECT_EQ(t.code, 2);
  EXPECT_NE(t.err.find("30 hours of data are too few"), std::string::npos) << t.err;
}

TEST_F(Cli, DailyDataGivesDailyKpisAndIsRefusedForHourlyForecasts) {
  std::string csv = "Date,Sales,Website_Traffic,Marketing_Spend,Leads\n";
  for (int d = 0; d < 60; ++d) csv += fc::time::format_timestamp(1709251200 + int64_t{d} * 86400).substr(0, 10) + ",1000,500,200," + std::to_string(d == 59 ? 50 : 40) + "\n";
  put(dir_ + "/daily.csv", csv);
  const Outcome t = run("train forecast --data " + dir_ + "/daily.csv --out " + dir_ + "/x.fcm" + kSmall);
  EXPECT_EQ(t.code, 2);
  // Trained as days, but 60 are too few for a 48-day horizon. By hand: n = 219 skips
  // min(28, 219 / 8) = 27 rows, leaving 192 = 4 blocks of 48; n = 218 leaves 191.
  EXPECT_NE(t.err.find("daily.csv: a 48-day horizon with 3 folds needs at least 219 days of history"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("and the file has 60 days"), std::string::npos) << t.err;
  const Outcome f = run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/daily.csv --time Date --leads Leads --channel ''");
  EXPECT_EQ(f.code, 2);
  EXPECT_NE(f.err.find("daily.csv is daily data (one row per day), but m.fcm forecasts hourly data"), std::string::npos) << f.err;
  // KPIs work on days: the last day against the day before. Marketing_Spend is spend and
  // Website_Traffic the traffic, found by their last word.
  const Outcome k = run("kpi --json --data " + dir_ + "/daily.csv");
  ASSERT_EQ(k.code, 0) << k.err;
  const auto j = nlohmann::json::parse(k.out);
  EXPECT_EQ(j.at("interval_seconds"), 86400);
  EXPECT_DOUBLE_EQ(j.at("current").at("leads").get<double>(), 50);
  EXPECT_DOUBLE_EQ(j.at("previous").at("leads").get<double>(), 40);
  EXPECT_DOUBLE_EQ(j.at("current").at("cpl").get<double>(), 4);          // 200 / 50
  EXPECT_DOUBLE_EQ(j.at("current").at("conversion").get<double>(), 0.1);  // 50 / 500
  EXPECT_DOUBLE_EQ(j.at("current").at("revenue").get<double>(), 1000);
  EXPECT_NE(k.err.find("daily data (one row per day)"), std::string::npos) << k.err;
}

TEST_F(Cli, DailyDataIsForecastInDays) {
  // 200 days of a pure weekly cycle: the forecast repeats the same weekday last week.
  const int shape_of_day[7] = {120, 135, 130, 128, 110, 60, 45};
  std::string csv = "Date,Leads\n";
  for (int d = 0; d < 200; ++d)
    csv += fc::time::format_timestamp(1709251200 + int64_t{d} * 86400).substr(0, 10) + "," + std::to_string(shape_of_day[d % 7]) + "\n";
  put(dir_ + "/days.csv", csv);
  const Outcome t = run("train forecast --data " + dir_ + "/days.csv --out " + dir_ + "/days.fcm --folds 3 --quiet --param num_iterations=60");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("forecasts of 14 days"), std::string::npos) << t.out;
  EXPECT_NE(t.err.find("daily series: forecasting 14 days ahead with a weekly season"), std::string::npos) << t.err;
  const Outcome f = run("forecast --model " + dir_ + "/days.fcm --data " + dir_ + "/days.csv");
  ASSERT_EQ(f.code, 0) << f.err;
  // Day 200 after 2024-03-01 is 2024-09-17; 200 % 7 = 4, so its value is 110.
  EXPECT_NE(f.out.find("2024-09-17"), std::string::npos) << f.out;
  size_t lines = 0;
  for (char c : f.out) lines += c == '\n';
  EXPECT_EQ(lines, 15u) << f.out;  // a header and 14 days
  EXPECT_NE(f.out.find("2024-09-17 00:00:00,110.0000,"), std::string::npos) << f.out;
  const Outcome help = run("train forecast --help");
  EXPECT_NE(help.out.find("Daily data (one row per date): --horizon in days"), std::string::npos);
}

TEST_F(Cli, QuarterHourDataIsForecastAsItsHourlySums) {
  // The demo's first channel as 15-minute rows (each hour's leads all in its first quarter).
  std::string quarters = "timestamp,leads\n", hours = "timestamp,leads\n";
  for (int h = 0; h < 24 * 40; ++h)
    for (int q = 0; q < 4; ++q) {
      quarters += fc::time::format_timestamp(1709251200 + int64_t{h} * 3600 + q * 900) + "," + std::to_string(q == 0 ? shape(h) : 0) + "\n";
      if (q == 0) hours += fc::time::format_timestamp(1709251200 + int64_t{h} * 3600) + "," + std::to_string(shape(h)) + "\n";
    }
  put(dir_ + "/q.csv", quarters);
  put(dir_ + "/h.csv", hours);
  ASSERT_EQ(run("train forecast --data " + dir_ + "/h.csv --out " + dir_ + "/h.fcm" + kSmall).code, 0);
  const Outcome q = run("forecast --json --model " + dir_ + "/h.fcm --data " + dir_ + "/q.csv");
  const Outcome h = run("forecast --json --model " + dir_ + "/h.fcm --data " + dir_ + "/h.csv");
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(nlohmann::json::parse(q.out).at("mean"), nlohmann::json::parse(h.out).at("mean"));
  EXPECT_NE(q.err.find("summed to hourly data"), std::string::npos) << q.err;
}

TEST_F(Cli, ImplausibleValuesAreRefused) {
  put(dir_ + "/neg_spend.csv", hourly("timestamp,leads,spend", 48, [](int h) { return h == 5 ? "3,-12.5" : "3,10"; }));
  Outcome r = run("kpi --data " + dir_ + "/neg_spend.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("neg_spend.csv: line 7, column 'spend': spend cannot be negative, found '-12.5'"), std::string::npos) << r.err;
  put(dir_ + "/huge.csv", hourly("timestamp,leads,spend", 48, [](int h) { return h == 9 ? "1e308,10" : "3,10"; }));
  r = run("kpi --data " + dir_ + "/huge.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("huge.csv: line 11, column 'leads': leads of '1e+308' is not a plausible number"), std::string::npos) << r.err;
  r = run("train forecast --data " + dir_ + "/huge.csv --out " + dir_ + "/x.fcm" + kSmall);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("line 11, column 'leads'"), std::string::npos) << r.err;
  // Negative revenue (refunds) is allowed.
  put(dir_ + "/refund.csv", hourly("timestamp,leads,spend,revenue", 48, [](int h) { return h == 40 ? "3,10,-5" : "3,10,20"; }));
  EXPECT_EQ(run("kpi --data " + dir_ + "/refund.csv").code, 0);
}

TEST_F(Cli, AnomaliesWithAShortBaselineStillScoreAndTwoRowsAreTooFew) {
  const Outcome r = run("anomalies --json --baseline 24 --data " + dir_ + "/demo/hourly.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  // The last 14 days hold 336 hours; those with spend (every hour of the demo) are scored.
  EXPECT_GT(j.at("scored").get<size_t>(), 300u);
  EXPECT_EQ(j.at("method").get<std::string>(), "ensemble");
  put(dir_ + "/two.csv", hourly("timestamp,leads,spend", 2, [](int h) { return std::to_string(h + 1) + ",10"; }));
  const Outcome two = run("anomalies --data " + dir_ + "/two.csv");
  EXPECT_EQ(two.code, 2);
  EXPECT_NE(two.err.find("not enough data to score any hour of cpl"), std::string::npos) << two.err;
  const Outcome b = run("anomalies --baseline 2h --data " + dir_ + "/demo/hourly.csv");
  EXPECT_EQ(b.code, 2);
  EXPECT_NE(b.err.find("the baseline must span at least 3 intervals (3 hours for hourly data), got 2 hours"), std::string::npos) << b.err;
  EXPECT_EQ(b.err.find("min_baseline"), std::string::npos) << b.err;
}

TEST_F(Cli, HorizonPastTheValidatedOneIsRefused) {
  const Outcome r = run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/demo/hourly.csv --horizon 8784");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("m.fcm was validated for 48 hours ahead; forecasting 8784 hours"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("retrain with --horizon 8784"), std::string::npos) << r.err;
}

// ---- Messages a user can act on ----

TEST_F(Cli, AFolderGivenAsAFileIsNamed) {
  Outcome r = run("kpi --data " + dir_);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(dir_ + ": is a folder, not a file"), std::string::npos) << r.err;
  r = run("inspect " + dir_);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is a folder, not a file"), std::string::npos) << r.err;
}

TEST_F(Cli, AForgottenOptionValueIsNamed) {
  const Outcome r = run("kpi --data --json");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--data needs a value (found the option --json instead)"), std::string::npos) << r.err;
}

TEST_F(Cli, ParameterOutOfRangeSaysTheRange) {
  const Outcome r = run("train forecast --data " + dir_ + "/demo/hourly.csv --out " + dir_ + "/x.fcm --param num_iterations=100000000");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("num_iterations: expected a whole number from 1 to 100000, found '100000000'"), std::string::npos) << r.err;
}

TEST_F(Cli, HelpIsGeneratedFromTheRegistry) {
  const Outcome k = run("kpi --help");
  for (const char* s : {"--leads COL", "--spend COL", "--clicks COL", "--channel-column COL", "--events", "--gaps MODE",
                        "CPL", "Conversion rate", "(leads / clicks)"})
    EXPECT_NE(k.out.find(s), std::string::npos) << s << " in:\n" << k.out;
  const Outcome a = run("anomalies --help");
  EXPECT_NE(a.out.find("leads, spend, revenue, clicks, cpl, roi, conversion"), std::string::npos) << a.out;
}

// ---- Lead scoring ----

TEST_F(Cli, TrainScoreReportHasTheDocumentedFieldsAndLogsTheRun) {
  const std::string dir = dir_ + "/score";
  std::system(("mkdir -p " + dir).c_str());
  const Outcome r = run("train score --quiet --data " + dir_ + "/demo/leads.csv --target converted --out " + dir +
                        "/leads.fcm --report " + dir + "/report.json --folds 3 --param num_iterations=80 --param learning_rate=0.1");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(dir + "/report.json"));
  for (const char* m : {"roc_auc", "pr_auc", "logloss", "brier"}) {
    EXPECT_TRUE(j.at("cv").at(m).at("mean").is_number()) << m;
    EXPECT_TRUE(j.at("cv").at(m).at("std").is_number()) << m;
  }
  EXPECT_TRUE(j.at("threshold").is_number());
  for (const char* m : {"precision", "recall", "f1"}) EXPECT_TRUE(j.at("at_threshold").at(m).is_number()) << m;
  EXPECT_EQ(j.at("calibration").size(), 10u);
  EXPECT_EQ(j.at("lift").size(), 15u);  // 10 deciles and the top 5/10/20/30/50%
  EXPECT_EQ(j.at("comparison").size(), 2u);
  EXPECT_TRUE(j.at("dropped_columns").is_array());
  EXPECT_GT(j.at("cv").at("roc_auc").at("mean").get<double>(), 0.72);
  EXPECT_NE(r.out.find("logistic"), std::string::npos) << r.out;
  // The run is logged beside the model, and runs prints it.
  const std::string log = slurp(dir + "/runs.jsonl");
  const auto line = nlohmann::json::parse(log.substr(0, log.find('\n')));
  EXPECT_EQ(line.at("kind"), "score");
  EXPECT_EQ(line.at("model"), "leads.fcm");
  EXPECT_EQ(line.at("metrics").at("roc_auc"), j.at("cv").at("roc_auc").at("mean"));
  EXPECT_EQ(line.at("params").at("learning_rate"), 0.1);
  const Outcome second = run("train score --quiet --data " + dir_ + "/demo/leads.csv --target converted --out " + dir +
                             "/worse.fcm --folds 3 --param num_iterations=5 --param learning_rate=0.01");
  ASSERT_EQ(second.code, 0) << second.err;
  const Outcome runs = run("runs " + dir);
  ASSERT_EQ(runs.code, 0) << runs.err;
  EXPECT_LT(runs.out.find("leads.fcm"), runs.out.find("worse.fcm")) << runs.out;  // best first
  EXPECT_EQ(run("train score --quiet --no-log --data " + dir_ + "/demo/leads.csv --target converted --out " + dir_ +
                "/nolog.fcm --folds 0 --param num_iterations=5").code, 0);
  EXPECT_EQ(slurp(dir_ + "/runs.jsonl").find("nolog.fcm"), std::string::npos);
}

// The training options by name and as --param are one field list: the same bytes; --json
// prints the document the page gets ({report, notices}), the report --report writes.
TEST_F(Cli, TrainOptionsByNameEqualParamsAndJsonIsTheReport) {
  const std::string data = " --quiet --no-log --data " + dir_ + "/demo/leads.csv --target converted --folds 0";
  const Outcome named = run("train score" + data + " --iterations 8 --learning-rate 0.2 --num-leaves 7 --seed 3 --json --out " +
                            dir_ + "/named.fcm --report " + dir_ + "/named.json");
  ASSERT_EQ(named.code, 0) << named.err;
  const Outcome param = run("train score" + data + " --param num_iterations=8 --param learning_rate=0.2 --param num_leaves=7"
                            " --param seed=3 --out " + dir_ + "/param.fcm");
  ASSERT_EQ(param.code, 0) << param.err;
  EXPECT_TRUE(slurp(dir_ + "/named.fcm") == slurp(dir_ + "/param.fcm"));
  const auto j = nlohmann::json::parse(named.out);
  EXPECT_EQ(j.size(), 2u);
  EXPECT_EQ(j.at("report"), nlohmann::json::parse(slurp(dir_ + "/named.json")));
  EXPECT_TRUE(j.at("notices").is_array());
  EXPECT_LE(j.at("report").at("trees").get<int>(), 8);
  const Outcome clash = run("train score" + data + " --iterations 8 --param num_iterations=9 --out " + dir_ + "/x.fcm");
  EXPECT_EQ(clash.code, 2);
  EXPECT_NE(clash.err.find("--iterations and --param num_iterations give two values"), std::string::npos) << clash.err;
}

TEST_F(Cli, ScoreExplainsEveryLeadAndTheContributionsAddUp) {
  // --explain all: per lead, the expected value plus the contributions give the margin and
  // the sigmoid of the margin the probability of plain `score`; the decision is p >= the
  // model's threshold (from inspect). --explain 3: the three contributions of largest size
  // among those of --explain all, in that order, with the lead's own values.
  const std::string model = dir_ + "/scoring.fcm";
  ASSERT_EQ(run("train score --quiet --no-log --data " + dir_ + "/demo/leads.csv --target converted --out " + model +
                " --folds 2 --param num_iterations=40").code, 0);
  const Outcome info = run("inspect " + model);
  ASSERT_EQ(info.code, 0) << info.err;
  const double threshold = nlohmann::json::parse(info.out).at("score").at("threshold").get<double>();
  const std::string leads_csv = dir_ + "/demo/leads.csv";
  const Outcome all = run("score --model " + model + " --data " + leads_csv + " --explain all");
  ASSERT_EQ(all.code, 0) << all.err;
  const Outcome plain = run("score --model " + model + " --data " + leads_csv);
  ASSERT_EQ(plain.code, 0) << plain.err;
  const Outcome top = run("score --model " + model + " --data " + leads_csv + " --explain 3 --out " + dir_ + "/s.csv");
  ASSERT_EQ(top.code, 0) << top.err;
  const auto a = cells_of(all.out), p = cells_of(plain.out), t = cells_of(slurp(dir_ + "/s.csv")), in = cells_of(slurp(leads_csv));
  EXPECT_EQ(a[0][0] + "," + a[0][1] + "," + a[0][2] + "," + a[0][3] + "," + a[0][4], "id,probability,decision,margin,expected_value");
  EXPECT_EQ(p[0].size(), 3u);
  ASSERT_EQ(t[0].size(), 12u);
  EXPECT_EQ(t[0][3] + "," + t[0][4] + "," + t[0][5], "reason_1,value_1,contribution_1");
  ASSERT_EQ(a.size(), in.size());
  ASSERT_EQ(p.size(), in.size());
  ASSERT_EQ(t.size(), in.size());
  std::map<std::string, size_t> input_column;
  for (size_t c = 0; c < in[0].size(); ++c) input_column[in[0][c]] = c;
  size_t positives = 0;
  for (size_t row = 1; row < a.size(); ++row) {
    const auto& f = a[row];
    ASSERT_EQ(f.size(), a[0].size());
    EXPECT_EQ(f[0], in[row][0]);
    EXPECT_EQ(p[row][0], f[0]);
    EXPECT_EQ(t[row][0], f[0]);
    const double prob = std::stod(f[1]), margin = std::stod(f[3]);
    double sum = std::stod(f[4]);
    std::vector<std::pair<double, size_t>> by_size;
    for (size_t k = 5; k < f.size(); ++k) {
      sum += std::stod(f[k]);
      by_size.push_back({-std::fabs(std::stod(f[k])), k});
    }
    EXPECT_NEAR(sum, margin, 1e-6) << f[0];
    EXPECT_NEAR(prob, 1 / (1 + std::exp(-margin)), 1e-6) << f[0];
    EXPECT_EQ(p[row][1], f[1]) << f[0];
    EXPECT_EQ(f[2], std::stod(p[row][1]) >= threshold ? "1" : "0") << f[0];
    EXPECT_EQ(p[row][2], f[2]) << f[0];
    positives += f[2] == "1";
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t r = 0; r < 3; ++r) {
      const std::string& feature = a[0][by_size[r].second];
      const std::string& reason = t[row][3 + 3 * r];
      if (std::fabs(by_size[r].first - by_size[r + 1].first) < 1e-9) continue;  // a tie
      EXPECT_EQ(reason, feature) << f[0] << " reason " << r + 1;
      EXPECT_NEAR(std::stod(t[row][5 + 3 * r]), std::stod(f[by_size[r].second]), 1e-5) << f[0];
      if (!input_column.count(feature)) continue;  // a calendar part of created_at
      // The lead's own value; the reader's missing tokens ("none" among them) show as blank.
      const std::string& v = in[row][input_column.at(feature)];
      EXPECT_EQ(t[row][4 + 3 * r], v == "none" ? "" : v) << f[0] << " " << feature;
    }
  }
  EXPECT_GT(positives, 0u);
  EXPECT_LT(positives, a.size() - 1);
  // What scoring did to a table unlike training's is said: dates without times (the hour
  // is unknown, not midnight), a number written as a percentage (read as a fraction).
  std::string odd = "lead_id,created_at,source,campaign,device,country,company_size,last_activity,time_on_site,page_views,email_opens,days_since_first_touch\n";
  odd += "X1,2024-10-01,organic,brand,desktop,US,1000+,blog_visit,49%,1,1,12\n";
  odd += "X2,2024-10-02,organic,brand,mobile,US,1-10,none,120,3,0,40\n";
  put(dir_ + "/odd.csv", odd);
  const Outcome o = run("score --model " + model + " --data " + dir_ + "/odd.csv");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.err.find("'created_at' has no time of day here (every value at 00:00:00), but the model learned from "
                       "the hour of the day: the hour of 2 leads is read as unknown, not midnight"),
            std::string::npos) << o.err;
  EXPECT_NE(o.err.find("column 'time_on_site' holds numbers written as text; read as numbers; percentages are read "
                       "as fractions ('49%' as 0.49)"),
            std::string::npos) << o.err;
}

TEST_F(Cli, ScoringRefusesWhatItCannotScore) {
  auto refused = [&](const std::string& cmd, const std::string& needle) {
    const Outcome r = run(cmd);
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "'" << needle << "' not in: " << r.err;
  };
  put(dir_ + "/three.csv", "a,outcome\n1,won\n2,lost\n3,open\n");
  refused("train score --data " + dir_ + "/three.csv --target outcome --out " + dir_ + "/x.fcm",
          "three.csv: column 'outcome' has 3 labels ('won', 'lost', 'open'); a yes/no outcome has two");
  put(dir_ + "/oneclass.csv", "a,converted\n1,no\n2,no\n");
  refused("train score --data " + dir_ + "/oneclass.csv --target converted --out " + dir_ + "/x.fcm",
          "oneclass.csv: column 'converted' has one label ('no') in all 2 rows");
  put(dir_ + "/headeronly.csv", "a,converted\n");
  refused("train score --data " + dir_ + "/headeronly.csv --target converted --out " + dir_ + "/x.fcm", "headeronly.csv");
  // Text where the model reads a number.
  const std::string model = dir_ + "/scoring2.fcm";
  ASSERT_EQ(run("train score --quiet --no-log --data " + dir_ + "/demo/leads.csv --target converted --out " + model +
                " --folds 0 --param num_iterations=10").code, 0);
  std::string leads = slurp(dir_ + "/demo/leads.csv");
  const size_t second = leads.find('\n', leads.find('\n') + 1) + 1;  // line 3
  std::string row = leads.substr(second, leads.find('\n', second) - second);
  std::vector<std::string> f;
  std::stringstream ss(row);
  std::string cell;
  while (std::getline(ss, cell, ',')) f.push_back(cell);
  f[9] = "many";  // page_views
  std::string bad_row;
  for (size_t i = 0; i < f.size(); ++i) bad_row += (i ? "," : "") + f[i];
  put(dir_ + "/text.csv", leads.substr(0, second) + bad_row + "\n");
  refused("score --model " + model + " --data " + dir_ + "/text.csv",
          "text.csv: line 3, column 'page_views': scoring2.fcm reads it as a number, found 'many'");
  refused("score --model " + dir_ + "/m.fcm --data " + dir_ + "/demo/leads.csv",
          "m.fcm is a forecast model, not a scoring model");
  put(dir_ + "/few.csv", "lead_id,source\nX,google_ads\n");
  refused("score --model " + model + " --data " + dir_ + "/few.csv", "few.csv lacks columns that scoring2.fcm needs: 'created_at'");
}

TEST_F(Cli, DriftExitsThreeWhenTheLeadsHaveMoved) {
  const std::string leads = slurp(dir_ + "/demo/leads.csv");
  // The same population split in two halves: no drift.
  const size_t mid = leads.find('\n', leads.size() / 2) + 1;
  const std::string header = leads.substr(0, leads.find('\n') + 1);
  put(dir_ + "/first.csv", leads.substr(0, mid));
  put(dir_ + "/second.csv", header + leads.substr(mid));
  Outcome r = run("drift --json --reference " + dir_ + "/first.csv --current " + dir_ + "/second.csv");
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("major"), 0);
  // Every lead now comes from facebook: the source column drifts majorly.
  std::string moved = header;
  std::istringstream in(leads.substr(mid));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() < 13) f.resize(13);
    f[2] = "facebook";
    for (size_t i = 0; i < f.size(); ++i) moved += (i ? "," : "") + f[i];
    moved += "\n";
  }
  put(dir_ + "/moved.csv", moved);
  r = run("drift --json --reference " + dir_ + "/first.csv --current " + dir_ + "/moved.csv");
  EXPECT_EQ(r.code, 3) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_GE(j.at("major").get<int>(), 1);
  for (const auto& c : j.at("columns"))
    if (c.at("column") == "source") EXPECT_EQ(c.at("severity"), "major");
}

// ---- Files that are not CSV text, or not quite ----

TEST_F(Cli, ANulByteIsNamedWithItsLineAndColumn) {
  put(dir_ + "/nul.csv", std::string("timestamp,leads\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\0\n", 61));
  const Outcome r = run("kpi --data " + dir_ + "/nul.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nul.csv: line 3, column 'leads': a NUL byte (binary data?) in '2\\x00'"), std::string::npos) << r.err;
}

TEST_F(Cli, AUtf16FileNamesItsEncoding) {
  put(dir_ + "/u16.csv", std::string("\xff\xfet\0s\0\n\0", 8));
  const Outcome r = run("kpi --data " + dir_ + "/u16.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("u16.csv: the file is UTF-16 (little-endian) text; save it as UTF-8 CSV"), std::string::npos) << r.err;
}

TEST_F(Cli, AModelFileGivenAsDataIsNamedForWhatItIs) {
  const Outcome r = run("kpi --data " + dir_ + "/m.fcm");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("m.fcm: this is a funnelcast model file (.fcm), not a CSV; pass it as the model"), std::string::npos) << r.err;
}

TEST_F(Cli, Latin1TextIsReadAsWindows1252WithANote) {
  put(dir_ + "/l1.csv", "timestamp,channel,leads\n2024-01-01 00:00:00,R\xe9seaux,1\n2024-01-01 01:00:00,R\xe9seaux,2\n");
  const Outcome r = run("kpi --json --window 1 --data " + dir_ + "/l1.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: l1.csv: read as Windows-1252 (Latin-1): the file is not UTF-8"), std::string::npos) << r.err;
  // One channel, spelled as UTF-8, not a second one for the Latin-1 bytes.
  EXPECT_NE(r.err.find("1 channel"), std::string::npos) << r.err;
  EXPECT_EQ(run("kpi --json --window 1 --channel R\xc3\xa9seaux --data " + dir_ + "/l1.csv").code, 0);
}

TEST_F(Cli, AQuoteInsideAnUnquotedCellIsKeptWithANote) {
  put(dir_ + "/q.csv", "timestamp,leads,note\n2024-01-01 00:00:00,1,12\" screen\n2024-01-01 01:00:00,2,x\n");
  const Outcome r = run("kpi --window 1 --data " + dir_ + "/q.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: q.csv: 1 cell has a quote inside unquoted text, kept as written (first at line 2, column 'note')"),
            std::string::npos) << r.err;
}

TEST_F(Cli, AFileWithoutAHeaderLineIsRefused) {
  put(dir_ + "/nohdr.csv", "2024-01-01 00:00:00,3\n2024-01-01 01:00:00,2\n");
  const Outcome r = run("kpi --data " + dir_ + "/nohdr.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nohdr.csv: line 1 looks like data, not column names (found '2024-01-01 00:00:00'); add a header line"),
            std::string::npos) << r.err;
}

}  // namespace
