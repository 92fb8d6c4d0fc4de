// funnelcast score writes the same bytes for any --threads: each thread scores (and reads,
// encodes, writes) its own rows, and the rows come back in file order. The demo leads are
// enough rows (60,000) for the work to be split between threads at all.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cli_run.hpp"
#include "test_support.hpp"

namespace {

using fc::testing::Outcome;
using fc::testing::run_cli;
using fc::testing::slurp;

// `funnelcast score` of the demo leads with the demo model on `threads` threads into
// scores<threads>.csv; its bytes.
std::string scores_on_threads(const std::string& dir, const std::string& leads, int threads,
                              const std::string& explain) {
  const std::string model = std::string(FC_SOURCE_DIR) + "/models/demo_leads.fcm";
  const std::string out = dir + "/scores" + std::to_string(threads) + "_" + explain + ".csv";
  const Outcome o = run_cli(dir, "score --model " + model + " --data " + dir + "/" + leads + " --explain " +
                                     explain + " --threads " + std::to_string(threads) + " --out " + out);
  EXPECT_EQ(o.code, 0) << o.err;
  return slurp(out);
}

TEST(CliScoreThreads, SameBytesForAnyThreadCount) {
  const std::string dir = ::testing::TempDir() + "fc_score_threads";
  std::system(("mkdir -p " + dir).c_str());
  // 60,000 leads: 30 blocks of 2,048 rows; 8,000 (4 blocks) under the sanitizers.
  const size_t leads = fc::testing::unless_sanitized<size_t>(60000, 8000);
  ASSERT_EQ(run_cli(dir, "demo-data --days 30 --leads " + std::to_string(leads) + " --seed 2 --out " + dir + "/demo").code, 0);
  const std::string one = scores_on_threads(dir, "demo/leads.csv", 1, "0");
  // A header and one line per lead.
  ASSERT_EQ(one.rfind("id,probability,decision\n", 0), 0u) << one.substr(0, 200);
  size_t lines = 0;
  for (char c : one) lines += c == '\n';
  EXPECT_EQ(lines, leads + 1);
  for (int threads : {2, 3, 4})
    EXPECT_TRUE(scores_on_threads(dir, "demo/leads.csv", threads, "0") == one) << threads << " threads";
  // With reasons (each thread its own blocks of 2,048 rows) on the first 7,000 leads.
  ASSERT_EQ(std::system(("head -n 7001 " + dir + "/demo/leads.csv > " + dir + "/first.csv").c_str()), 0);
  const std::string reasons = scores_on_threads(dir, "first.csv", 1, "2");
  EXPECT_NE(reasons.find("reason_2"), std::string::npos);
  EXPECT_TRUE(scores_on_threads(dir, "first.csv", 4, "2") == reasons);
}

}  // namespace
