// The cluster path end to end, small: bench/xgboost_dask.py --quick trains xgboost.dask on
// a dask.distributed LocalCluster of 2 worker processes from a partitioned CSV (numbers and
// categories, missing values, early stopping), imports the JSON with this build's
// funnelcast and checks `funnelcast score --explain all` against XGBoost's probabilities
// and pred_contribs on held-out leads within 1e-6. Skipped, saying why, only where Dask or
// XGBoost cannot start (the script exits 77); FC_REQUIRE_XGBOOST=1 makes that a failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "cli_run.hpp"

namespace {

TEST(XgboostDask, TrainedOnALocalClusterScoresAsXgboost) {
  const char* env = std::getenv("FC_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("fc_xgb_dask_test_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "log.txt").string();
  const std::string cmd = "OMP_NUM_THREADS=1 " + python + " " + FC_SOURCE_DIR + "/bench/xgboost_dask.py --quick --funnelcast " +
                          FC_CLI_PATH + " --dir " + (dir / "work").string() + " > " + log + " 2>&1 </dev/null";
  const int status = std::system(cmd.c_str());
  const std::string out = fc::testing::slurp(log);
  std::filesystem::remove_all(dir);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 77 || !std::filesystem::exists(python)) {
    if (std::getenv("FC_REQUIRE_XGBOOST")) FAIL() << "Dask could not start: " << out << " (FC_REQUIRE_XGBOOST is set)";
    GTEST_SKIP() << (std::filesystem::exists(python) ? out : "no " + python);
  }
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("workers 2;"), std::string::npos) << out;
  EXPECT_NE(out.find("\nOK"), std::string::npos) << out;
  std::printf("%s", out.c_str());
}

}  // namespace
