// A column's type at scoring comes from the model, never from the batch: zip codes with
// leading zeros (02139, 007) that were categories in training stay categories in a batch
// that happens to hold no letters, so the same lead gets the same probability in any batch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"

namespace {

TEST(CliScoreTypes, CategoryCodesWithLeadingZerosKeepTheirLevels) {
  const std::string dir = ::testing::TempDir() + "fc_score_types";
  std::system(("mkdir -p " + dir).c_str());
  // Training: zip codes, some with letters; the outcome depends on the zip.
  const std::vector<std::string> zips = {"02139", "007", "SW1A", "10001", "0042", "EC2A"};
  const std::map<std::string, double> rate = {{"02139", 0.8}, {"007", 0.1}, {"SW1A", 0.5},
                                              {"10001", 0.3}, {"0042", 0.7}, {"EC2A", 0.2}};
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::string train = "lead,zip,visits,converted\n";
  for (int i = 0; i < 600; ++i) {
    const std::string& z = zips[static_cast<size_t>(i) % zips.size()];
    train += "L" + std::to_string(i) + "," + z + "," + std::to_string(i % 7) + "," + (u(rng) < rate.at(z) ? "yes" : "no") + "\n";
  }
  fc::testing::put(dir + "/train.csv", train);
  auto r = fc::testing::run_cli(dir, "train score --quiet --no-log --folds 0 --param num_iterations=30 --data " + dir +
                                         "/train.csv --target converted --out " + dir + "/zip.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  // Two batches holding the same three leads: one with a letter somewhere, one without.
  const std::string rows = "A,02139,3\nB,007,1\nC,0042,5\n";
  fc::testing::put(dir + "/mixed.csv", "lead,zip,visits\n" + rows + "D,SW1A,2\n");
  fc::testing::put(dir + "/digits.csv", "lead,zip,visits\n" + rows);
  const auto probabilities = [&](const std::string& file, std::string* err) {
    const auto o = fc::testing::run_cli(dir, "score --json --model " + dir + "/zip.fcm --data " + dir + "/" + file);
    EXPECT_EQ(o.code, 0) << o.err;
    *err = o.err;
    std::vector<double> p;
    const auto j = nlohmann::json::parse(o.out);
    EXPECT_TRUE(j.contains("probability")) << o.out.substr(0, 300);
    for (const auto& v : j["probability"]) p.push_back(v.get<double>());
    return p;
  };
  std::string err_mixed, err_digits;
  const auto mixed = probabilities("mixed.csv", &err_mixed);
  const auto digits = probabilities("digits.csv", &err_digits);
  ASSERT_EQ(mixed.size(), 4u);
  ASSERT_EQ(digits.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(digits[i], mixed[i]) << "lead " << i;
  EXPECT_EQ(err_digits.find("never seen"), std::string::npos) << err_digits;
  // 02139 (80% converted in training) ranks above 007 (10%).
  EXPECT_GT(digits[0], digits[1]);
}

// A value far outside the training range is scored (trees read it as the nearest value they
// saw) and said, with the range and the farthest value; one just past the edge (within a
// tenth of the range's width) is not worth a note.
TEST(CliScoreTypes, ValuesFarOutsideTheTrainingRangeAreSaid) {
  const std::string dir = ::testing::TempDir() + "fc_score_range";
  std::system(("mkdir -p " + dir).c_str());
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  std::string train = "visits,source,converted\n";
  for (int i = 0; i < 300; ++i)
    train += std::to_string(i % 7) + "," + (i % 2 ? "ads" : "seo") + "," + (u(rng) < 0.1 + 0.1 * (i % 7) ? "yes" : "no") + "\n";
  fc::testing::put(dir + "/train.csv", train);
  auto r = fc::testing::run_cli(dir, "train score --quiet --no-log --folds 0 --param num_iterations=10 --data " + dir +
                                         "/train.csv --target converted --out " + dir + "/m.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  // visits 0..6 in training: 6.5 is within 0.6 of the edge, 60 and -9 are far outside.
  fc::testing::put(dir + "/new.csv", "visits,source\n6.5,ads\n60,seo\n-9,ads\n3,ads\n");
  r = fc::testing::run_cli(dir, "score --model " + dir + "/m.fcm --data " + dir + "/new.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("new.csv: 2 values of 'visits' lie outside the training range [0, 6] (the farthest: 60); "
                       "the model reads them as the nearest value it saw"),
            std::string::npos)
      << r.err;
  fc::testing::put(dir + "/near.csv", "visits,source\n6.5,ads\n0,seo\n");
  r = fc::testing::run_cli(dir, "score --model " + dir + "/m.fcm --data " + dir + "/near.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("outside the training range"), std::string::npos) << r.err;
}

}  // namespace
