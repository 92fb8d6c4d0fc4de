// The funnelcast binary as a user runs it: exit codes, messages, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

struct Outcome {
  int code;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void put(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class Cli : public ::testing::Test {
 protected:
  static std::string dir_;

  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/fc_cli_XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_EQ(run("demo-data --out " + dir_ + "/demo --days 75 --seed 4").code, 0);
    const Outcome r = run("train forecast --data " + dir_ + "/demo/hourly.csv --out " + dir_ +
                      "/m.fcm --report " + dir_ + "/report.json --folds 3 --horizon 48 --quiet"
                      " --param num_iterations=60 --param learning_rate=0.1");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { std::system(("rm -rf " + dir_).c_str()); }

  static Outcome run(const std::string& args) {
    const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    const std::string cmd = std::string(FC_CLI_PATH) + " " + args + " >" + out + " 2>" + err + " </dev/null";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

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

TEST_F(Cli, ForecastWritesFileAndJson) {
  ASSERT_EQ(run("forecast --model " + dir_ + "/m.fcm --data " + dir_ + "/demo/hourly.csv --out " + dir_ + "/f.csv").code, 0);
  std::istringstream in(slurp(dir_ + "/f.csv"));
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 169);  // header + the default 168 hours
  const Outcome j = run("forecast --json --horizon 5 --model " + dir_ + "/m.fcm --data " + dir_ + "/demo/hourly.csv");
  ASSERT_EQ(j.code, 0);
  const auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed.at("mean").size(), 5u);
}

TEST_F(Cli, InspectPrintsValidJson) {
  const Outcome r = run("inspect " + dir_ + "/m.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("kind"), "forecast");
  EXPECT_TRUE(j.contains("comparison"));
  EXPECT_TRUE(j.contains("selected"));
}

TEST_F(Cli, ReportHasTheDocumentedFields) {
  const auto j = nlohmann::json::parse(slurp(dir_ + "/report.json"));
  EXPECT_EQ(j.at("cv").at("folds").size(), 3u);
  for (const char* mode : {"one_step", "recursive"})
    for (const char* m : {"rmse", "mae", "r2", "smape", "mase"}) {
      EXPECT_TRUE(j.at("cv").at(mode).at(m).at("mean").is_number()) << mode << " " << m;
      EXPECT_TRUE(j.at("cv").at(mode).at(m).at("std").is_number()) << mode << " " << m;
    }
  EXPECT_GE(j.at("comparison").size(), 4u);
  EXPECT_TRUE(j.at("selected").is_string());
  EXPECT_TRUE(j.at("interval_coverage").at("p80").is_number());
  EXPECT_TRUE(j.at("interval_coverage").at("p95").is_number());
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
  EXPECT_NE(t.out.find("Conv. rate"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("5.00%"), std::string::npos) << t.out;
}

TEST_F(Cli, AnomaliesJsonCountsFlaggedHours) {
  const Outcome r = run("anomalies --json --lookback 0 --data " + dir_ + "/demo/hourly.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("count").get<size_t>(), j.at("anomalies").size());
  EXPECT_GT(j.at("count").get<size_t>(), 0u);
}

// models/demo_forecast.fcm is what scripts/make_demo_model.sh makes: one trainer command
// on `demo-data --seed 1`. Retraining must give the committed bytes.
TEST_F(Cli, CommittedDemoModelIsReproducible) {
  const std::string committed = slurp(std::string(FC_SOURCE_DIR) + "/models/demo_forecast.fcm");
  ASSERT_FALSE(committed.empty()) << "models/demo_forecast.fcm is missing: run scripts/make_demo_model.sh";
  EXPECT_LT(committed.size(), 200u * 1024) << "the demo model should stay under 200 KB";
  ASSERT_EQ(run("demo-data --out " + dir_ + "/demo730 --seed 1 --days 730").code, 0);
  const Outcome r = run("train forecast --quiet --data " + dir_ + "/demo730/hourly.csv --out " + dir_ + "/demo730.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(slurp(dir_ + "/demo730.fcm") == committed)
      << "retraining gives other bytes: the code changed since the demo model was made; run "
         "scripts/make_demo_model.sh and commit models/";
}

}  // namespace
