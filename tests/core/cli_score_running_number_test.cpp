// A running integer per row (a lead number) names the row; it is left out of a scoring
// model like a text id, and said. Whole-number features with repeats, and distinct values
// that are not whole numbers, stay inputs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"

namespace {

TEST(CliScoreRunningNumber, ALeadNumberIsLeftOutAndSaid) {
  const std::string dir = ::testing::TempDir() + "fc_running_number";
  std::system(("mkdir -p " + dir).c_str());
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(0, 1);
  // 'Lead Number': 660737 + i + i / 3, a different whole number on every row, 533 wide for
  // 400 rows (under twice the rows). 'score': distinct decimals (a real input). 'visits':
  // whole numbers with repeats (a real input).
  std::string csv = "Lead Number,visits,score,Converted\n";
  for (int i = 0; i < 400; ++i) {
    const int visits = i % 9;
    const double score = 0.001 * i + u(rng) * 1e-4;
    const bool yes = u(rng) < 0.15 + 0.07 * visits;
    csv += std::to_string(660737 + i + i / 3) + "," + std::to_string(visits) + "," + std::to_string(score) + "," + (yes ? "1" : "0") + "\n";
  }
  fc::testing::put(dir + "/leads.csv", csv);
  const auto r = fc::testing::run_cli(dir, "train score --no-log --folds 0 --param num_iterations=20 --data " + dir +
                                               "/leads.csv --target Converted --out " + dir + "/m.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("'Lead Number' (a running number: a different whole number on every row)"), std::string::npos) << r.err;
  const auto h = fc::testing::run_cli(dir, "inspect " + dir + "/m.fcm");
  ASSERT_EQ(h.code, 0) << h.err;
  const auto j = nlohmann::json::parse(h.out);
  std::string inputs;
  for (const auto& f : j["score"]["features"]) inputs += f["column"].get<std::string>() + ";";
  EXPECT_EQ(inputs, "visits;score;") << h.out.substr(0, 400);
}

}  // namespace
