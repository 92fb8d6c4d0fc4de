// Drift and sample size: PSI between two samples of one population is about
// (B - 1) (1/n + 1/m) (a chi-square over n + m rows), which is why drift needs a minimum
// number of rows and bins that adapt to the smaller side; and the verdict on 1, 5 and 50
// rows copied from the reference is "too few rows to judge" in the command line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "test_support.hpp"
#include "funnelcast/drift/drift.hpp"
#include "funnelcast/scoring/monitor.hpp"

namespace {

// The mean PSI of two samples (n, m) of one normal population over 400 draws (100 under the
// sanitizers), B bins.
double mean_null_psi(size_t n, size_t m, size_t bins) {
  std::mt19937 rng(7);
  std::normal_distribution<double> z;
  double sum = 0;
  const int draws = fc::testing::unless_sanitized(400, 100);  // the mean's error stays < 0.003
  for (int d = 0; d < draws; ++d) {
    std::vector<double> a(n), b(m);
    for (double& x : a) x = z(rng);
    for (double& x : b) x = z(rng);
    sum += fc::drift::psi_numeric(a, b, bins).value;
  }
  return sum / draws;
}

TEST(DriftSampleSize, NoDriftPsiFollowsTheChiSquareApproximation) {
  // (B - 1)(1/n + 1/m): 9 (1/5000 + 1/50) = 0.18 with 10 bins, more in fact (5 rows a bin:
  // empty bins cost their epsilon term): far above the 0.1 line with no drift at all.
  EXPECT_GT(mean_null_psi(5000, 50, 10), 0.18);
  // 4 (1/5000 + 1/100) = 0.0408 with 5 bins of 20 rows, where the approximation holds.
  EXPECT_NEAR(mean_null_psi(5000, 100, 5), 0.0408, 0.01);
  // At the minimum (100 rows, 5 bins) the no-drift PSI stays well below 0.1.
  EXPECT_LT(mean_null_psi(5000, fc::scoring::kMinDriftRows, fc::scoring::kMinDriftRows / fc::scoring::kRowsPerBin),
            0.05);
}

TEST(DriftSampleSize, FewCopiedRowsAreTooFewToJudge) {
  const std::string dir = ::testing::TempDir() + "fc_drift_sample";
  std::system(("mkdir -p " + dir).c_str());
  ASSERT_EQ(fc::testing::run_cli(dir, "demo-data --out " + dir + "/demo").code, 0);
  const std::string leads = fc::testing::slurp(dir + "/demo/leads.csv");
  for (size_t n : {1, 5, 50}) {
    size_t end = 0;
    for (size_t line = 0; line <= n; ++line) end = leads.find('\n', end) + 1;
    fc::testing::put(dir + "/few.csv", leads.substr(0, end));
    const auto r = fc::testing::run_cli(dir, "drift --json --reference " + dir + "/demo/leads.csv --current " + dir + "/few.csv");
    ASSERT_EQ(r.code, 0) << n << " rows: " << r.err;
    EXPECT_NE(r.err.find("too few rows to judge: few.csv has " + std::to_string(n) + (n == 1 ? " row;" : " rows;")),
              std::string::npos) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["verdict"], "too few rows");
    EXPECT_EQ(j["min_rows"], 100);
    EXPECT_EQ(j["major"], 0);
    EXPECT_EQ(j["moderate"], 0);
    EXPECT_EQ(j["alert"], false);
  }
  // 120 rows: a verdict, with 120 / 20 = 6 bins at most for a numeric column (7 with the
  // missing bin).
  size_t end = 0;
  for (size_t line = 0; line <= 120; ++line) end = leads.find('\n', end) + 1;
  fc::testing::put(dir + "/some.csv", leads.substr(0, end));
  const auto r = fc::testing::run_cli(dir, "drift --json --reference " + dir + "/demo/leads.csv --current " + dir + "/some.csv");
  ASSERT_TRUE(r.code == 0 || r.code == 3) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["verdict"], "too few rows");
  size_t numeric = 0;
  for (const auto& c : j["columns"])
    if (c["type"] == "number") {
      ++numeric;
      size_t bins = 0;
      for (const auto& b : c["bins"]) bins += b["label"] == "(missing)" ? 0 : 1;
      EXPECT_LE(bins, 6u) << c["column"];
      EXPECT_GE(bins, 2u) << c["column"];
    }
  EXPECT_GT(numeric, 0u);
}

// With a model: a current table whose outcome holds one label (one lead) gets no model
// check, and says why in model_check_skipped (not "no outcome column"); with both labels
// (5 and 50 leads) the check is there and nothing is skipped.
TEST(DriftSampleSize, FewRowsSayWhyTheModelIsNotChecked) {
  const std::string dir = ::testing::TempDir() + "fc_drift_sample_model";
  std::system(("mkdir -p " + dir).c_str());
  ASSERT_EQ(fc::testing::run_cli(dir, "demo-data --out " + dir + "/demo").code, 0);
  const std::string leads = fc::testing::slurp(dir + "/demo/leads.csv");
  const std::string model = std::string(FC_SOURCE_DIR) + "/models/demo_leads.fcm";
  for (size_t n : {1, 5, 50}) {
    size_t end = 0;
    for (size_t line = 0; line <= n; ++line) end = leads.find('\n', end) + 1;
    fc::testing::put(dir + "/few.csv", leads.substr(0, end));
    const auto r = fc::testing::run_cli(dir, "drift --json --model " + model + " --reference " + dir +
                                                  "/demo/leads.csv --current " + dir + "/few.csv");
    ASSERT_EQ(r.code, 0) << n << " rows: " << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["verdict"], "too few rows");
    if (n == 1) {
      EXPECT_TRUE(j["model_check"].is_null());
      ASSERT_TRUE(j["model_check_skipped"].is_string()) << r.out;
      EXPECT_NE(j["model_check_skipped"].get<std::string>().find("one label"), std::string::npos) << r.out;
      EXPECT_NE(j["note"].get<std::string>().find("no model check: " + j["model_check_skipped"].get<std::string>()),
                std::string::npos) << r.out;
    } else {
      EXPECT_TRUE(j["model_check"].is_object()) << n << ": " << r.out;
      EXPECT_TRUE(j["model_check_skipped"].is_null()) << n << ": " << r.out;
    }
  }
}

}  // namespace
