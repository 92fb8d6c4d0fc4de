// Trees forecast within the values they were trained on. The demo model (trained on leads
// around 11.7 an hour) applied to the demo data with every lead count tripled: the recent
// level (about 3x training's) is said, and so is a forecast that stays far below it; the
// untouched demo data gets neither note.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "cli_run.hpp"

namespace {

using fc::testing::Outcome;
using fc::testing::put;
using fc::testing::run_cli;
using fc::testing::slurp;

TEST(CliForecastLevel, ALevelTheTreesNeverSawIsSaid) {
  const std::string dir = ::testing::TempDir() + "fc_forecast_level";
  std::system(("mkdir -p " + dir).c_str());
  ASSERT_EQ(run_cli(dir, "demo-data --days 120 --seed 1 --out " + dir + "/demo").code, 0);
  // leads is the third column: timestamp,channel,leads,spend,revenue.
  std::istringstream in(slurp(dir + "/demo/hourly.csv"));
  std::string line, tripled;
  std::getline(in, line);
  ASSERT_EQ(line, "timestamp,channel,leads,spend,revenue");
  tripled = line + "\n";
  while (std::getline(in, line)) {
    const size_t a = line.find(',', line.find(',') + 1), b = line.find(',', a + 1);
    tripled += line.substr(0, a + 1) + std::to_string(3 * std::stoi(line.substr(a + 1, b - a - 1))) + line.substr(b) + "\n";
  }
  put(dir + "/x3.csv", tripled);
  const std::string model = std::string(FC_SOURCE_DIR) + "/models/demo_forecast.fcm";
  const Outcome x3 = run_cli(dir, "forecast --model " + model + " --data " + dir + "/x3.csv");
  ASSERT_EQ(x3.code, 0) << x3.err;
  EXPECT_NE(x3.err.find("is far from what demo_forecast.fcm was trained on (11.7)"), std::string::npos) << x3.err;
  EXPECT_NE(x3.err.find("a tree model cannot forecast beyond the levels it was trained on; retrain demo_forecast.fcm"),
            std::string::npos)
      << x3.err;
  const Outcome same = run_cli(dir, "forecast --model " + model + " --data " + dir + "/demo/hourly.csv");
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_EQ(same.err.find("is far from what"), std::string::npos) << same.err;
  EXPECT_EQ(same.err.find("cannot forecast beyond"), std::string::npos) << same.err;
}

}  // namespace
