// The JSON the CLI reads, as a user meets it: `funnelcast runs` over a runs.jsonl with
// damaged lines (each skipped with a note naming it, the good ones still listed), and
// `anomalies --truth` with a truth file nested too deep or with a channel column.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "funnelcast/time/time.hpp"

namespace {

using fc::testing::Outcome;
using fc::testing::put;

class CliJson : public ::testing::Test {
 protected:
  static std::string dir_;
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/fc_cli_json_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  static void TearDownTestSuite() { std::system(("rm -rf " + dir_).c_str()); }
  static Outcome run(const std::string& args) { return fc::testing::run_cli(dir_, args); }
};
std::string CliJson::dir_;

// 2024-06-01 00:00:00 UTC is day 19875 since 1970: 19875 * 86400 s.
constexpr int64_t kJune1 = 1717200000;

TEST_F(CliJson, RunsSkipsEachBadLineWithANoteAndListsTheGoodOnes) {
  const std::string t = std::to_string(kJune1 + 12 * 3600);
  std::string text;
  text +=
      R"({"time":)" + t +
      R"(,"kind":"score","model":"a.fcm","data":"leads.csv","metrics":{"roc_auc":0.8,"pr_auc":0.5,"logloss":0.4,"f1":0.6}})"
      "\n";               // 1
  text += "[1, 2]\n";     // 2: an array
  text += "\"a run\"\n";  // 3: a string
  text += R"({"kind":"score","model":"b.fcm"})"
          "\n";  // 4: no metrics
  text += R"({"kind":5,"model":"b.fcm","metrics":{}})"
          "\n";  // 5: kind a number
  text += R"({"kind":"score","time":"yesterday","metrics":{}})"
          "\n";  // 6: time a string
  text += R"({"kind":"score","model":7,"metrics":{}})"
          "\n";                                                        // 7: model a number
  text += std::string(200000, '[') + std::string(200000, ']') + "\n";  // 8: 200,000 deep
  text += R"({"time":)" + t +
          R"(,"kind":"forecast","model":"c.fcm","metr)"
          "\n";  // 9: cut
  text += R"({"kind":"score","metrics":[]})"
          "\n";  // 10: metrics an array
  text +=
      R"({"time":)" + std::to_string(kJune1 + 86400) +
      R"(,"kind":"forecast","model":"f.fcm","data":"hourly.csv","metrics":{"selected":"gbdt_l2","recursive_rmse":3.5,"recursive_mae":2.25}})"
      "\n";  // 11
  text += R"({"time":)" + std::to_string(kJune1 + 2 * 86400) +
          R"(,"kind":"score","model":"c.fcm","data":"leads.csv","metrics":{"roc_auc":0.9}})"
          "\n";  // 12
  put(dir_ + "/runs.jsonl", text);

  const Outcome r = run("runs " + dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  const std::string path = dir_ + "/runs.jsonl";
  const std::map<int, std::string> why = {
      {2, "line 2: expected a JSON object, found an array"},
      {3, "line 3: expected a JSON object, found a string"},
      {4, "line 4: field 'metrics' is missing"},
      {5, "line 5: field 'kind' must be a string, found a number"},
      {6, "line 6: field 'time' must be a number, found a string"},
      {7, "line 7: field 'model' must be a string, found a number"},
      {8, "line 8, column 65: nested deeper than 64 levels"},
      {9, "line 9, column "},
      {10, "line 10: field 'metrics' must be an object, found an array"}};
  for (const auto& [line, piece] : why)
    EXPECT_NE(r.err.find(path + ": " + piece), std::string::npos)
        << "line " << line << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 9) << r.err;  // one note per bad line

  // The good lines: scoring runs best first (c 0.9 before a 0.8), then the forecast run.
  const size_t score = r.out.find("score runs (best first)"), c = r.out.find("c.fcm"),
               a = r.out.find("a.fcm"), forecast = r.out.find("forecast runs (best first)"),
               f = r.out.find("f.fcm");
  ASSERT_NE(score, std::string::npos) << r.out;
  ASSERT_NE(forecast, std::string::npos) << r.out;
  EXPECT_TRUE(score < c && c < a && a < forecast && forecast < f) << r.out;
  EXPECT_NE(r.out.find("2024-06-01 12:00:00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0.9000"), std::string::npos);
  EXPECT_NE(r.out.find("gbdt_l2"), std::string::npos);
  EXPECT_NE(r.out.find("3.5000"), std::string::npos);
  EXPECT_NE(r.out.find("2.2500"), std::string::npos);
  EXPECT_EQ(r.out.find("b.fcm"), std::string::npos) << r.out;

  // --json lists the three good runs only, in file order.
  const Outcome j = run("runs " + dir_ + " --json");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0].at("model"), "a.fcm");
  EXPECT_EQ(doc[1].at("model"), "f.fcm");
  EXPECT_EQ(doc[2].at("model"), "c.fcm");
}

TEST_F(CliJson, RunsWithOnlyBadLinesPrintsNoTable) {
  std::system(("mkdir -p " + dir_ + "/bad").c_str());
  put(dir_ + "/bad/runs.jsonl", "{\"time\": 1e300, \"metrics\": {}}\nnull\n");
  const Outcome r = run("runs " + dir_ + "/bad");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("runs.jsonl: line 1: field 'time' must be seconds since 1970"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("runs.jsonl: line 2: expected a JSON object, found null"), std::string::npos)
      << r.err;
}

// 300 hours of leads around 10 with one hour at 60.
void small_series(const std::string& path) {
  std::string csv = "timestamp,leads\n";
  for (int h = 0; h < 300; ++h)
    csv += fc::time::format_timestamp(kJune1 + h * 3600) + "," +
           std::to_string(h == 250 ? 60 : 10 + h % 3) + "\n";
  put(path, csv);
}

TEST_F(CliJson, ADeeplyNestedTruthFileIsRefusedNotACrash) {
  small_series(dir_ + "/series.csv");
  put(dir_ + "/deep.json", std::string(200000, '[') + std::string(200000, ']'));
  const Outcome r =
      run("anomalies --metric leads --data " + dir_ + "/series.csv --truth " + dir_ + "/deep.json");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("deep.json: line 1, column 65: nested deeper than 64 levels"),
            std::string::npos)
      << r.err;
  put(dir_ + "/cut.json", "[\"2024-06-11 10:00\", ");
  const Outcome c =
      run("anomalies --metric leads --data " + dir_ + "/series.csv --truth " + dir_ + "/cut.json");
  EXPECT_EQ(c.code, 2) << c.err;
  EXPECT_NE(c.err.find("cut.json: line 1, column 22: "), std::string::npos) << c.err;
}

// Incidents per channel worked out from the truth file alone: runs of consecutive hours
// among its rows for that channel ("" = every row, hours merged across channels).
size_t runs_of_hours(const std::string& truth_csv, const std::string& channel) {
  std::istringstream in(truth_csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "timestamp,channel,kind");
  std::set<int64_t> hours;
  while (std::getline(in, line)) {
    const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1);
    if (!channel.empty() && line.substr(c1 + 1, c2 - c1 - 1) != channel) continue;
    int64_t t = 0;
    EXPECT_TRUE(fc::time::parse_timestamp(line.substr(0, c1), t)) << line;
    hours.insert(t / 3600);
  }
  size_t runs = 0;
  int64_t prev = -2;
  for (int64_t h : hours) {
    if (h != prev + 1) ++runs;
    prev = h;
  }
  return runs;
}

TEST_F(CliJson, TheDemoTruthFilesChannelColumnIsHonoured) {
  ASSERT_EQ(run("demo-data --out " + dir_ + "/demo --days 75 --seed 4").code, 0);
  const std::string truth = fc::testing::slurp(dir_ + "/demo/anomalies_truth.csv");
  // The demo's truth file holds one row per hour and channel hit: spend spikes on search,
  // lead bursts on social, collapses and outages on all three channels.
  const std::string data =
      " --data " + dir_ + "/demo/hourly.csv --truth " + dir_ + "/demo/anomalies_truth.csv";
  const Outcome total = run("anomalies --json" + data);
  ASSERT_EQ(total.code, 0) << total.err;
  const size_t all = runs_of_hours(truth, "");
  EXPECT_EQ(all, 8u);
  EXPECT_EQ(nlohmann::json::parse(total.out).at("evaluation").at("events").get<size_t>(), all);
  EXPECT_NE(total.err.find("per hour across channels"), std::string::npos) << total.err;
  for (const std::string channel : {"email", "search", "social"}) {
    const size_t want = runs_of_hours(truth, channel);
    EXPECT_LT(want, all) << channel;
    const Outcome r = run("anomalies --json --channel " + channel + data);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto e = nlohmann::json::parse(r.out).at("evaluation");
    EXPECT_EQ(e.at("events").get<size_t>(), want) << channel;
    EXPECT_NE(r.err.find("only the incidents of channel '" + channel + "'"), std::string::npos)
        << r.err;
  }
}

}  // namespace
