// funnelcast import --xgboost as a user runs it: a hand-written XGBoost model whose every
// prediction is worked out by hand, what is refused and how, and -- when Debian's python3
// with xgboost is installed -- a model trained by XGBoost, imported and scored by the CLI
// on 1,000 rows with missing values, equal to XGBoost's own predictions within 1e-5.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "funnelcast/model/model.hpp"

namespace {

using fc::testing::Outcome;
using fc::testing::put;
using fc::testing::slurp;

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// Two trees over a, b, c in XGBoost 1.7's layout, base_score 0.2:
//   tree 0: b < 0.5 (missing right) ? (a < -1 (missing left) ? 0.25 : -0.5) : 0.75
//   tree 1: a single leaf -0.125
std::string small_model(const std::string& objective = "binary:logistic") {
  return R"({"learner": {"attributes": {}, "feature_names": ["a", "b", "c"], "feature_types": ["float", "float", "float"],
    "gradient_booster": {"model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2"},
      "tree_info": [0, 0], "trees": [
        {"default_left": [0, 1, 0, 0, 0], "id": 0, "left_children": [1, 3, -1, -1, -1], "right_children": [2, 4, -1, -1, -1],
         "loss_changes": [1, 1, 0, 0, 0], "parents": [2147483647, 0, 0, 1, 1], "split_conditions": [0.5, -1, 0.75, 0.25, -0.5],
         "split_indices": [1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0], "sum_hessian": [10, 6, 4, 2, 4],
         "base_weights": [0, 0, 0, 0, 0], "categories": [], "categories_nodes": [], "categories_segments": [], "categories_sizes": [],
         "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "5", "size_leaf_vector": "0"}},
        {"default_left": [0], "id": 1, "left_children": [-1], "right_children": [-1], "loss_changes": [0],
         "parents": [2147483647], "split_conditions": [-0.125], "split_indices": [0], "split_type": [0], "sum_hessian": [10],
         "base_weights": [0], "categories": [], "categories_nodes": [], "categories_segments": [], "categories_sizes": [],
         "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "1", "size_leaf_vector": "0"}}]},
      "name": "gbtree"},
    "learner_model_param": {"base_score": "2E-1", "boost_from_average": "1", "num_class": "0", "num_feature": "3", "num_target": "1"},
    "objective": {"name": ")" + objective + R"("}},
  "version": [1, 7, 4]})";
}

class CliImport : public ::testing::Test {
 protected:
  static std::string dir_;
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/fc_import_XXXXXX";
    dir_ = mkdtemp(tmpl);
    put(dir_ + "/small.json", small_model());
  }
  static void TearDownTestSuite() { std::system(("rm -rf " + dir_).c_str()); }
  static Outcome run(const std::string& args) { return fc::testing::run_cli(dir_, args); }
};
std::string CliImport::dir_;

TEST_F(CliImport, HandWrittenModelScoresAsWorkedOutByHand) {
  const std::string leads = dir_ + "/leads.csv";
  // c is an input the trees never split on; "id" is carried into the scores.
  put(leads, "id,a,b,c\nL1,-2,0,7\nL2,0,0,7\nL3,,0,7\nL4,0,,7\nL5,0,0.5,7\n");
  Outcome r = run("import --xgboost " + dir_ + "/small.json --out " + dir_ + "/small.fcm --data " + leads +
                  " --threshold 0.3 --id id --target converted --positive yes --negative no");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("imported from the XGBoost model small.json (binary:logistic, 2 trees, 3 features)"), std::string::npos) << r.err;

  const fc::model::Model m = fc::model::load(slurp(dir_ + "/small.fcm"), "small.fcm");
  ASSERT_TRUE(m.header.score);
  const auto& s = *m.header.score;
  EXPECT_FALSE(s.params.has_value());  // nothing made up: XGBoost's parameters are not in its JSON model
  EXPECT_EQ(s.threshold, 0.3);
  EXPECT_EQ(s.threshold_rule, "fixed");
  EXPECT_EQ(s.folds, 0u);
  EXPECT_EQ(s.target, "converted");
  EXPECT_EQ(s.positive, "yes");
  ASSERT_EQ(s.features.size(), 3u);
  EXPECT_EQ(s.features[0].column, "a");
  EXPECT_EQ(s.features[0].min, -2);  // ranges from --data
  EXPECT_EQ(s.features[0].max, 0);
  EXPECT_DOUBLE_EQ(s.features[0].missing_share, 0.2);
  ASSERT_FALSE(s.warnings.empty());
  EXPECT_NE(s.warnings[0].find("not cross-validated"), std::string::npos);

  r = run("score --model " + dir_ + "/small.fcm --data " + leads + " --explain all");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(r.out);
  ASSERT_EQ(rows.size(), 6u) << r.out;
  EXPECT_EQ(rows[0][0], "id");
  // margin = logit(0.2) + tree 0's leaf - 0.125; probability = 1 / (1 + exp(-margin)).
  const double base = std::log(0.2 / 0.8);
  const double leaf[] = {0.25, -0.5, 0.25 /* a missing goes left */, 0.75 /* b missing goes right */,
                         0.75 /* 0.5 < 0.5 is false: right */};
  const char* ids[] = {"L1", "L2", "L3", "L4", "L5"};
  for (size_t i = 0; i < 5; ++i) {
    const double margin = base + leaf[i] - 0.125;
    const double p = 1 / (1 + std::exp(-margin));
    EXPECT_EQ(rows[i + 1][0], ids[i]);
    EXPECT_NEAR(std::stod(rows[i + 1][1]), p, 1e-6) << ids[i];
    EXPECT_EQ(rows[i + 1][2], p >= 0.3 ? "1" : "0") << ids[i];
    EXPECT_NEAR(std::stod(rows[i + 1][3]), margin, 1e-6) << ids[i];
    // Contributions of a, b, c plus the expected value add up to the margin; c never splits.
    const double sum = std::stod(rows[i + 1][4]) + std::stod(rows[i + 1][5]) + std::stod(rows[i + 1][6]) +
                       std::stod(rows[i + 1][7]);
    EXPECT_NEAR(sum, margin, 1e-6) << ids[i];
    EXPECT_EQ(std::stod(rows[i + 1][7]), 0.0) << ids[i];
  }
}

TEST_F(CliImport, RegressionModelPredictsItsNumbersWithNoDecision) {
  // reg:squarederror: base_score 0.2 is the raw start, leaves add as they are.
  put(dir_ + "/reg.json", small_model("reg:squarederror"));
  const std::string rows_csv = dir_ + "/customers.csv";
  put(rows_csv, "a,b,c\n-2,0,1\n0,0,1\n0,,1\n");
  Outcome r = run("import --xgboost " + dir_ + "/reg.json --out " + dir_ + "/reg.fcm");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("reg:squarederror"), std::string::npos) << r.err;
  const fc::model::Model m = fc::model::load(slurp(dir_ + "/reg.fcm"), "reg.fcm");
  EXPECT_EQ(m.header.score->output, "value");

  r = run("score --model " + dir_ + "/reg.fcm --data " + rows_csv + " --explain all");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows[0][1], "prediction");
  EXPECT_EQ(rows[0][2], "margin");
  const double want[] = {0.2 + 0.25 - 0.125, 0.2 - 0.5 - 0.125, 0.2 + 0.75 - 0.125};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(std::stod(rows[i + 1][1]), want[i], 1e-7) << i;
    const double sum = std::stod(rows[i + 1][3]) + std::stod(rows[i + 1][4]) + std::stod(rows[i + 1][5]) +
                       std::stod(rows[i + 1][6]);
    EXPECT_NEAR(sum, want[i], 1e-7) << i;
  }
  // No ROC-AUC for a model of numbers, even when the current table has a 'target' column.
  put(dir_ + "/labelled.csv", "a,b,c,target\n-2,0,1,1\n0,0,1,0\n0,,1,0\n");  // the same rows
  r = run("drift --model " + dir_ + "/reg.fcm --reference " + rows_csv + " --current " + dir_ + "/labelled.csv --json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("roc_auc"), std::string::npos) << r.out;
}

TEST_F(CliImport, RefusesWhatItCannotServeWithClearMessages) {
  put(dir_ + "/multi.json", small_model("multi:softprob"));
  Outcome r = run("import --xgboost " + dir_ + "/multi.json --out " + dir_ + "/multi.fcm");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("multi:softprob' is not supported"), std::string::npos) << r.err;

  put(dir_ + "/lacks.csv", "a,c\n1,2\n");
  r = run("import --xgboost " + dir_ + "/small.json --out " + dir_ + "/x.fcm --data " + dir_ + "/lacks.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("lacks.csv lacks columns that small.json needs: 'b'"), std::string::npos) << r.err;

  put(dir_ + "/text.csv", "a,b,c\n1,2,3\nx,2,3\n");
  r = run("import --xgboost " + dir_ + "/small.json --out " + dir_ + "/x.fcm --data " + dir_ + "/text.csv");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("text.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'a'"), std::string::npos) << r.err;

  r = run("import --xgboost " + dir_ + "/small.json --out " + dir_ + "/x.fcm --threshold 1.5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--threshold expects a probability from 0 to 1, found '1.5'"), std::string::npos) << r.err;

  put(dir_ + "/broken.json", small_model().substr(0, 300));
  r = run("import --xgboost " + dir_ + "/broken.json --out " + dir_ + "/x.fcm");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("broken.json"), std::string::npos) << r.err;

  r = run("import --out " + dir_ + "/x.fcm");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--xgboost"), std::string::npos) << r.err;
  std::ifstream nothing(dir_ + "/x.fcm");
  EXPECT_FALSE(nothing.good()) << "no model file may be written when the import fails";
}

// Trains a binary:logistic model with XGBoost on rows with missing values, writes 1,000 new
// rows as a CSV (blank = missing, float32 values printed exactly) and XGBoost's predictions.
const char* const kImportScript = R"PY(
import sys
try:
    import numpy as np
    import xgboost as xgb
except ImportError:
    sys.exit(77)
out = sys.argv[1]
rng = np.random.default_rng(11)
def data(n):
    x = rng.normal(size=(n, 4)).astype(np.float32)
    x[:, 2] = np.floor(rng.uniform(0, 6, n))
    x[rng.uniform(size=(n, 4)) < 0.2] = np.nan
    return x
xtr, xte = data(2000), data(1000)
z = np.nan_to_num(xtr)
y = (z[:, 0] + z[:, 1] * (z[:, 2] > 2) - 0.5 * z[:, 3] + rng.normal(size=2000) > 0.5).astype(np.float32)
names = ["time_on_site", "page_views", "email_opens", "days_since_touch"]
bst = xgb.train({"objective": "binary:logistic", "tree_method": "hist", "max_depth": 4, "eta": 0.1,
                 "seed": 3, "nthread": 1}, xgb.DMatrix(xtr, label=y, missing=np.nan, feature_names=names), 80)
bst.save_model(out + "/trained.json")
with open(out + "/new.csv", "w") as f:
    f.write("lead," + ",".join(names) + "\n")
    for i, row in enumerate(xte):
        f.write("L%d," % i + ",".join("" if np.isnan(v) else "%.9g" % v for v in row) + "\n")
p = bst.predict(xgb.DMatrix(xte, missing=np.nan, feature_names=names))
np.savetxt(out + "/xgb.txt", p.astype(np.float64), fmt="%.9f")
)PY";

TEST_F(CliImport, ModelTrainedByXgboostScoresAsXgboostPredicts) {
  const char* env = std::getenv("FC_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  put(dir_ + "/make.py", kImportScript);
  const int status = std::system(("OMP_NUM_THREADS=1 " + python + " " + dir_ + "/make.py " + dir_ + " >" + dir_ +
                                  "/py.log 2>&1").c_str());
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 127))
  {
    if (std::getenv("FC_REQUIRE_XGBOOST"))
      FAIL() << "xgboost is not importable by " << python << " (FC_REQUIRE_XGBOOST is set: scripts/test.sh installs it)";
    GTEST_SKIP() << "xgboost is not importable by " << python << " (apt-get install python3-xgboost)";
  }
  ASSERT_EQ(status, 0) << slurp(dir_ + "/py.log");

  Outcome r = run("import --xgboost " + dir_ + "/trained.json --out " + dir_ + "/trained.fcm --data " + dir_ + "/new.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("score --model " + dir_ + "/trained.fcm --data " + dir_ + "/new.csv --id lead --explain all");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(r.out);
  std::ifstream expected(dir_ + "/xgb.txt");
  std::vector<double> want;
  for (double v; expected >> v;) want.push_back(v);
  ASSERT_EQ(want.size(), 1000u);
  ASSERT_EQ(rows.size(), 1001u);
  size_t differ = 0;
  for (size_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(rows[i + 1][0], "L" + std::to_string(i));
    // The probability from the margin (printed with 9 significant digits), not the
    // 6-decimal column, so the comparison is at 1e-5 with room to spare.
    const double p = 1 / (1 + std::exp(-std::stod(rows[i + 1][3])));
    if (std::fabs(p - want[i]) > 1e-5) ++differ;
    EXPECT_NEAR(std::stod(rows[i + 1][1]), want[i], 1e-5) << "row " << i;
  }
  EXPECT_EQ(differ, 0u);
}

}  // namespace
