// `funnelcast train score` without --target, on the tables: a certain guess is
// used with one note on stderr (the column, and --target to choose another); an uncertain
// one stops with exit 2 and the candidates (name, why, share of positives), training nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"

namespace {

std::string scratch(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "fc_train_outcome_" + name;
  std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
  return dir;
}

std::string csv(const std::string& header, size_t rows, const std::function<std::string(size_t)>& row) {
  std::string s = header + "\n";
  for (size_t r = 0; r < rows; ++r) s += row(r) + "\n";
  return s;
}

// Trains without --target; returns the run and (on success) the report's outcome column.
fc::testing::Outcome train(const std::string& dir, const std::string& data, std::string* target) {
  fc::testing::put(dir + "/leads.csv", data);
  auto r = fc::testing::run_cli(dir, "train score --json --quiet --no-log --folds 0 --param num_iterations=3 --data " +
                                         dir + "/leads.csv --out " + dir + "/m.fcm");
  if (r.code == 0 && target) *target = nlohmann::json::parse(r.out).at("report").at("target").at("column");
  return r;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CliTrainOutcome, AZeroOneStatusIsTrainedForNotTheRareReferralColumnAndTheChoiceIsSaid) {
  const std::string dir = scratch("status");
  // status: 1 on every 5th row (20.0%); referral, the last two-valued text column: yes on 2%.
  std::string target;
  const auto r = train(dir, csv("age,visits,status,referral", 500, [](size_t i) {
    return std::to_string(20 + i % 40) + "," + std::to_string((i * 7) % 11) + "," + (i % 5 == 0 ? "1" : "0") + "," +
           (i % 50 == 0 ? "yes" : "no");
  }), &target);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(target, "status");
  const std::string note =
      "outcome: 'status', guessed (named like an outcome, two values; 20.0% are '1'); to train for another column, "
      "give --target COLUMN";
  EXPECT_EQ(count(r.err, note), 1u) << r.err;  // said once, not again among the training notices
  EXPECT_EQ(count(r.out, "guessed"), 1u) << r.out.substr(0, 400);  // and in the --json notices
}

TEST(CliTrainOutcome, ConvertedIsTrainedForNotTheBrochureColumn) {
  const std::string dir = scratch("converted");
  std::string target;
  const auto r = train(dir, csv("Lead Origin,TotalVisits,Converted,A free copy of Mastering The Interview", 300,
                                [](size_t i) {
                                  return std::string(i % 3 ? "API" : "Landing Page Submission") + "," +
                                         std::to_string(i % 9) + "," + (i % 4 == 0 ? "1" : "0") + "," +
                                         (i % 3 ? "No" : "Yes");
                                }),
                       &target);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(target, "Converted");
  EXPECT_NE(r.err.find("outcome: 'Converted', guessed (named like an outcome, two values; 25.0% are '1')"),
            std::string::npos)
      << r.err;
}

TEST(CliTrainOutcome, AFiveValuedLastColumnDoesNotHideResponse) {
  const std::string dir = scratch("response");
  std::string target;
  // Response: 1 on every 7th of 280 rows (40 = 14.3%); Marital, the last column, 5 values.
  const auto r = train(dir, csv("Income,Recency,Response,Marital_Status", 280, [](size_t i) {
    const char* m[] = {"Single", "Married", "Divorced", "Widow", "Together"};
    return std::to_string(30000 + i * 10) + "," + std::to_string(i % 99) + "," + (i % 7 == 0 ? "1" : "0") + "," + m[i % 5];
  }), &target);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(target, "Response");
  EXPECT_NE(r.err.find("outcome: 'Response', guessed (named like an outcome, two values; 14.3% are '1')"),
            std::string::npos)
      << r.err;
}

TEST(CliTrainOutcome, AnUncertainGuessStopsWithTheCandidatesAndTrainsNothing) {
  const std::string dir = scratch("uncertain");
  // Two outcome-like 0/1 columns: converted 1 on every 4th row (25.0%), won on every 10th (10.0%).
  auto r = train(dir, csv("visits,converted,won,plan", 200, [](size_t i) {
    return std::to_string(i % 13) + "," + (i % 4 == 0 ? "1" : "0") + "," + (i % 10 == 0 ? "1" : "0") + "," +
           (i % 2 ? "basic" : "pro");
  }), nullptr);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("which column is the outcome? The guess is not certain (2 two-valued columns are named like "
                       "an outcome); the candidates, most likely first:\n"
                       "  won: named like an outcome, two values; 10.0% are '1'\n"
                       "  converted: named like an outcome, two values; 25.0% are '1'\n"
                       "  plan: two values; neither label is a known yes\n"
                       "give the outcome with --target COLUMN (e.g. --target won)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::ifstream(dir + "/m.fcm").good()) << "no model is written";
  // A yes/no column alone, not named like an outcome: listed, not picked.
  r = train(dir, csv("age,referral", 100, [](size_t i) {
    return std::to_string(20 + i % 40) + "," + (i % 50 == 0 ? "yes" : "no");
  }), nullptr);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("  referral: two values, yes/no-like; 2.0% are 'yes'\n"), std::string::npos) << r.err;
  // With --target the user's choice stands, guess or not.
  r = fc::testing::run_cli(dir, "train score --quiet --no-log --folds 0 --param num_iterations=3 --data " + dir +
                                    "/leads.csv --target referral --out " + dir + "/m.fcm");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("guessed"), std::string::npos) << r.err;
}

}  // namespace
