// The scores CSV writes its numbers as printf's %.6f and %.9g would (the format the CLI has
// always written): checked against snprintf itself on values where a formatter can go
// wrong (ties that printf rounds to even, tiny and huge values, negative zero).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "funnelcast/api/score.hpp"

namespace {

// The probabilities and contributions that test the formatting.
const std::vector<double> kAwkwardNumbers = {0.0078125,  0.0234375, 0.5,     1.0,        0.0,
                                             -0.0,       1e-7,      4.5e-7,  0.99999949, 0.9999995,
                                             123456.789, -2.5e-6,   1e300,   -3.75e-12,  0.123456789012};

std::string printf_number(const char* format, double v) {
  char buf[400];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// A run of one lead per number, each with that number as its probability and as its one
// reason's contribution; decisions alternate.
fc::api::ScoreRun awkward_run(const std::string& output) {
  fc::api::ScoreRun run;
  fc::scoring::Scores& s = run.scores;
  s.output = output;
  s.rows = kAwkwardNumbers.size();
  s.features = 1;
  s.feature_names = {"channel, paid"};
  s.explained = 1;
  for (size_t i = 0; i < s.rows; ++i) {
    s.ids.push_back(i == 1 ? "say \"hi\"" : "L" + std::to_string(i));
    s.probability.push_back(kAwkwardNumbers[i]);
    s.decision.push_back(static_cast<uint8_t>(i % 2));
    s.margin.push_back(kAwkwardNumbers[i]);
    s.reason_feature.push_back(0);
    s.reason_value.push_back(kAwkwardNumbers[i]);
    run.reason_text.push_back("x");
  }
  return run;
}

TEST(ScoresCsv, NumbersAsPrintfWritesThem) {
  const fc::api::ScoreRun run = awkward_run("probability");
  std::string expected = "id,probability,decision,reason_1,value_1,contribution_1\n";
  for (size_t i = 0; i < kAwkwardNumbers.size(); ++i) {
    const double v = kAwkwardNumbers[i];
    expected += (i == 1 ? std::string("\"say \"\"hi\"\"\"") : "L" + std::to_string(i)) + "," +
                printf_number("%.6f", v) + "," + std::to_string(i % 2) + ",\"channel, paid\",x," +
                printf_number("%.6f", v) + "\n";
  }
  EXPECT_EQ(fc::api::scores_csv(run), expected);
}

TEST(ScoresCsv, PredictionsAndEveryContributionAsPrintfWritesThem) {
  fc::api::ScoreRun run = awkward_run("value");
  run.scores.explained = -1;
  run.scores.expected_value = -0.3125;
  std::string expected = "id,prediction,margin,expected_value,\"channel, paid\"\n";
  for (size_t i = 0; i < kAwkwardNumbers.size(); ++i) {
    const std::string g = printf_number("%.9g", kAwkwardNumbers[i]);
    expected += (i == 1 ? std::string("\"say \"\"hi\"\"\"") : "L" + std::to_string(i)) + "," + g + "," + g +
                ",-0.3125," + g + "\n";
  }
  EXPECT_EQ(fc::api::scores_csv(run), expected);
}

}  // namespace
