// XGBoost categorical splits and early stopping on import: a hand-written model whose
// every route is worked out by hand (XGBoost 1.7.4 itself was run on the same tree to fix
// the rule: the set goes right, any other value -- unseen, negative, beyond the bitset --
// left, NaN by default_left), refusals naming the JSON path, best_iteration with and
// without --all-trees, category names from a reference table in pandas' order, and -- with
// Debian's python3-xgboost -- models trained by XGBoost with 3 categorical and 5 numeric
// inputs, missing values, categories unseen in training and early stopping, whose
// probabilities and pred_contribs the import must give within 1e-6.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/shap.hpp"
#include "funnelcast/gbdt/xgboost.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/import.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::gbdt {
namespace {

using Json = nlohmann::json;
const float kCatNaN = std::numeric_limits<float>::quiet_NaN();

// Two trees on features (cat, num); cat is categorical. In XGBoost 1.7.4's layout, with
// the bare NaN its writer puts in a categorical node's split_conditions.
//   tree 0: node 0: cat in {0, 2, 4, 5} ? node 2 : node 1   (missing: right, default_left 0)
//           node 1: leaf 0.5
//           node 2: num < 1 (missing left) ? leaf -0.25 : leaf 1
//   tree 1: node 0: cat in {33} ? leaf 0.125 : leaf -0.0625 (missing: left)
std::string cat_model(int best_iteration = -1) {
  std::string attributes = best_iteration < 0 ? "{}" : R"({"best_iteration": ")" + std::to_string(best_iteration) + R"("})";
  return R"({"learner": {"attributes": )" + attributes + R"(,
    "feature_names": ["cat", "num"], "feature_types": ["c", "q"],
    "gradient_booster": {"name": "gbtree", "model": {
      "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2"},
      "tree_info": [0, 0],
      "trees": [
        {"categories": [0, 2, 4, 5], "categories_nodes": [0], "categories_segments": [0], "categories_sizes": [4],
         "default_left": [0, 0, 1, 0, 0], "left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1],
         "split_conditions": [NaN, 0.5, 1.0, -0.25, 1.0], "split_indices": [0, 0, 1, 0, 0],
         "split_type": [1, 0, 0, 0, 0], "sum_hessian": [40, 10, 30, 20, 10],
         "tree_param": {"num_nodes": "5", "size_leaf_vector": "0"}},
        {"categories": [33], "categories_nodes": [0], "categories_segments": [0], "categories_sizes": [1],
         "default_left": [1, 0, 0], "left_children": [1, -1, -1], "right_children": [2, -1, -1],
         "split_conditions": [NaN, -0.0625, 0.125], "split_indices": [0, 0, 0],
         "split_type": [1, 0, 0], "sum_hessian": [40, 30, 10],
         "tree_param": {"num_nodes": "3", "size_leaf_vector": "0"}}]}},
    "learner_model_param": {"base_score": "5E-1", "num_class": "0", "num_feature": "2", "num_target": "1"},
    "objective": {"name": "binary:logistic"}},
   "version": [1, 7, 4]})";
}

std::string message_of(const std::string& json, const XgboostOptions& o = {}) {
  try {
    import_xgboost_json(json, "m.json", o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(XgboostCategorical, SplitsByHand) {
  const ImportedModel m = import_xgboost_json(cat_model(), "m.json");
  EXPECT_EQ(m.categorical, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(m.category_bound, (std::vector<uint32_t>{34, 0}));  // code 33 is the largest named
  const Ensemble& e = m.ensemble;
  ASSERT_EQ(e.trees.size(), 2u);
  const Tree& t = e.trees[0];
  // Ours: in the set goes left, so XGBoost's right child (node 2) is our left, node 1 our
  // right, and default_left flips (XGBoost sends NaN right).
  EXPECT_EQ(t.cat_set, (std::vector<int32_t>{0, -1}));
  EXPECT_EQ(t.cat_begin, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(t.cat_bits, (std::vector<uint32_t>{(1u << 0) | (1u << 2) | (1u << 4) | (1u << 5)}));
  EXPECT_EQ(t.default_left[0], 1);
  EXPECT_EQ(t.left[0], 1);     // node 2 became internal node 1
  EXPECT_EQ(t.right[0], ~0);   // node 1 (0.5) is the first leaf reached
  EXPECT_EQ(e.trees[1].cat_bits, (std::vector<uint32_t>{0u, 1u << 1}));  // 33 = word 1, bit 1
  EXPECT_EQ(e.trees[1].default_left[0], 0);

  // Worked by hand from XGBoost's rule; base score logit(0.5) = 0.
  auto raw = [&](float cat, float num) {
    const float row[2] = {cat, num};
    return e.predict_raw_reference(row);
  };
  EXPECT_DOUBLE_EQ(raw(0, 0), -0.25 - 0.0625);      // in {0,2,4,5}, num < 1; not 33
  EXPECT_DOUBLE_EQ(raw(2, 1), 1.0 - 0.0625);        // num == 1 is not < 1
  EXPECT_DOUBLE_EQ(raw(1, 0), 0.5 - 0.0625);        // not in the set: XGBoost's left
  EXPECT_DOUBLE_EQ(raw(7, 0), 0.5 - 0.0625);        // beyond the bitset: left
  EXPECT_DOUBLE_EQ(raw(-1, 0), 0.5 - 0.0625);       // negative: left
  EXPECT_DOUBLE_EQ(raw(33, 0), 0.5 + 0.125);        // tree 1's set
  EXPECT_DOUBLE_EQ(raw(kCatNaN, kCatNaN), -0.25 - 0.0625);  // tree 0: NaN right then NaN left; tree 1 NaN left
  EXPECT_DOUBLE_EQ(raw(4, kCatNaN), -0.25 - 0.0625);

  // The flat engine and TreeSHAP agree with the reference walk; SHAP sums to the margin.
  const FlatEnsemble flat(e);
  const TreeShap shap(e);
  const float rows[] = {0, 0, 2, 1, 1, 0, 7, 0, -1, 0, 33, 0, kCatNaN, kCatNaN, 4, kCatNaN};
  const size_t n = 8;
  std::vector<double> r(n), phi(n * 2);
  flat.predict_raw(rows, n, 2, r.data());
  shap.explain(rows, n, 2, phi.data());
  for (size_t i = 0; i < n; ++i) {
    EXPECT_DOUBLE_EQ(r[i], e.predict_raw_reference(rows + 2 * i)) << i;
    EXPECT_NEAR(phi[2 * i] + phi[2 * i + 1] + shap.expected_value(), r[i], 1e-9) << i;
  }
}

TEST(XgboostCategorical, RefusesBadCategoriesNamingThePath) {
  auto with = [](const std::string& pointer, const Json& value) {
    std::string text = cat_model();
    // NaN is not JSON: make it parseable here, then write it back the way XGBoost does.
    for (size_t p; (p = text.find("NaN")) != std::string::npos;) text.replace(p, 3, "null");
    Json j = Json::parse(text);
    if (value.is_discarded()) {
      j[Json::json_pointer(pointer).parent_pointer()].erase(Json::json_pointer(pointer).back());
    } else {
      j[Json::json_pointer(pointer)] = value;
    }
    return message_of(j.dump());
  };
  auto has = [](const std::string& message, const std::string& needle) {
    return message.find(needle) != std::string::npos;
  };
  const std::string t0 = "/learner/gradient_booster/model/trees/0/";
  const Json erase = Json(Json::value_t::discarded);
  EXPECT_TRUE(has(with(t0 + "categories", erase),
                  "m.json: learner.gradient_booster.model.trees[0]: a categorical split (split_type 1) "
                  "without categories: categories is missing"))
      << with(t0 + "categories", erase);
  EXPECT_TRUE(has(with(t0 + "categories_nodes", Json::array()),
                  "trees[0].categories_nodes: has 0 entries but categories_segments has 1"));
  EXPECT_TRUE(has(with(t0 + "categories_segments/0", 3),
                  "learner.gradient_booster.model.trees[0].categories_sizes[0]: segment 3 + 4 runs past the end "
                  "of categories (4 entries)"));
  EXPECT_TRUE(has(with(t0 + "categories_segments/0", 9),
                  "trees[0].categories_segments[0]: segment start 9 is out of range (categories has 4 entries)"));
  EXPECT_TRUE(has(with(t0 + "categories_sizes/0", 5), "trees[0].categories_sizes[0]: segment 0 + 5 runs past"));
  EXPECT_TRUE(has(with(t0 + "categories_nodes/0", 2),
                  "trees[0].categories_nodes[0]: node 2 is not a categorical split"));
  EXPECT_TRUE(has(with(t0 + "categories_nodes/0", 7), "trees[0].categories_nodes[0]: node 7 is out of range"));
  EXPECT_TRUE(has(with(t0 + "categories/1", -2), "trees[0].categories[1]: category -2 is out of range"));
  EXPECT_TRUE(has(with(t0 + "split_type/0", 2), "trees[0].split_type[0]: unknown split type 2"));
  EXPECT_TRUE(has(with("/learner/feature_types", {"q", "q"}),
                  "trees[0].split_indices[0]: a categorical split on feature 0, which learner.feature_types "
                  "does not mark \"c\""));
  // best_iteration beyond the trees: 2 rounds are 0 and 1.
  EXPECT_EQ(message_of(cat_model(2)),
            "m.json: learner.attributes.best_iteration: best_iteration 2 is beyond the model's 2 boosting "
            "rounds (rounds 0 to 1)");
  // A string "NaN" in a name stays a name; only the bare token is read as null.
  std::string named = cat_model();
  named.replace(named.find("\"num\""), 5, "\"NaN\"");
  EXPECT_EQ(import_xgboost_json(named, "m.json").feature_names, (std::vector<std::string>{"cat", "NaN"}));
}

TEST(XgboostCategorical, BestIterationKeepsTheChosenRounds) {
  const ImportedModel early = import_xgboost_json(cat_model(0), "m.json");
  EXPECT_EQ(early.ensemble.trees.size(), 1u);
  EXPECT_EQ(early.trees_in_file, 2u);
  EXPECT_EQ(early.best_iteration, 0);
  ASSERT_EQ(early.notes.size(), 1u);
  EXPECT_NE(early.notes[0].find("best_iteration 0, so the first 1 of 2 trees"), std::string::npos);
  const float row[2] = {33, 0};
  EXPECT_DOUBLE_EQ(early.ensemble.predict_raw_reference(row), 0.5);  // tree 1's 0.125 gone

  XgboostOptions all;
  all.all_trees = true;
  const ImportedModel kept = import_xgboost_json(cat_model(0), "m.json", all);
  EXPECT_EQ(kept.ensemble.trees.size(), 2u);
  ASSERT_EQ(kept.notes.size(), 1u);
  EXPECT_NE(kept.notes[0].find("all 2 trees kept (--all-trees)"), std::string::npos);

  const ImportedModel last = import_xgboost_json(cat_model(1), "m.json");  // the last round: nothing said
  EXPECT_EQ(last.ensemble.trees.size(), 2u);
  EXPECT_TRUE(last.notes.empty());

  // Two trees a round (num_parallel_tree 2): best_iteration 0 keeps the first round's two.
  // (2 trees = 1 round of 2: best_iteration 0 is the last round, every tree kept.)
  std::string forest1 = cat_model(0);
  forest1.replace(forest1.find("\"num_parallel_tree\": \"1\""), 24, "\"num_parallel_tree\": \"2\"");
  EXPECT_EQ(import_xgboost_json(forest1, "m.json").ensemble.trees.size(), 2u);
  std::string odd = cat_model();
  odd.replace(odd.find("\"num_parallel_tree\": \"1\""), 24, "\"num_parallel_tree\": \"3\"");
  EXPECT_NE(message_of(odd).find("gbtree_model_param.num_parallel_tree: says 3 trees a round but the model has 2"),
            std::string::npos);
}

TEST(XgboostCategorical, ScoringModelNamesCategoriesInPandasOrder) {
  // cat's distinct values sorted as text: "apple" (0), "banana" (1), "cherry" (2), "date"
  // (3), "elder" (4), "fig" (5); the set {0, 2, 4, 5} = apple, cherry, elder, fig. Tree 1
  // names code 33, which this table cannot name: refused.
  const std::string csv = "cat,num\nfig,1\nbanana,2\napple,0.5\n,3\ncherry,1\ndate,0\nelder,2\nbanana,1\n";
  csv::Options co;
  co.source = "train.csv";
  co.text_columns = {"cat"};
  const Table t = csv::read(csv, co);
  scoring::ImportOptions o;
  o.source = "m.json";
  o.reference = &t;
  try {
    scoring::import_xgboost(cat_model(), o);
    ADD_FAILURE() << "code 33 should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a split on 'cat' names category code 33 but column 'cat' of train.csv has 6 "
                                         "distinct values"),
              std::string::npos)
        << e.what();
  }
  // Without tree 1 (best_iteration 0) every code is named.
  const scoring::Imported imp = scoring::import_xgboost(cat_model(0), o);
  const auto& f = imp.model.header.score->features;
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "category");
  EXPECT_EQ(f[0].levels, (std::vector<std::string>{"apple", "banana", "cherry", "date", "elder", "fig"}));
  EXPECT_EQ(f[1].kind, "number");
  EXPECT_DOUBLE_EQ(f[0].missing_share, 1.0 / 8);
  // Scored: fig (code 5, in the set) goes XGBoost's right: num 0 < 1 -> -0.25; banana
  // (1) left -> 0.5; kiwi (unseen) is missing -> right (default) -> -0.25.
  const Table s = csv::read("cat,num\nfig,0\nbanana,0\nkiwi,0\n", co);
  const scoring::Encoded enc = scoring::encode(f, s);
  EXPECT_EQ(enc.unseen[0], 1u);
  const Ensemble& e = imp.model.ensemble;
  EXPECT_DOUBLE_EQ(e.predict_raw_reference(&enc.x.values[0]), -0.25);
  EXPECT_DOUBLE_EQ(e.predict_raw_reference(&enc.x.values[2]), 0.5);
  EXPECT_DOUBLE_EQ(e.predict_raw_reference(&enc.x.values[4]), -0.25);
  bool said = false;
  for (const auto& w : imp.model.header.score->warnings) said |= w.find("best_iteration 0") != std::string::npos;
  EXPECT_TRUE(said);

  // Numbers are ordered by value as pandas orders a numeric column: 2 < 10 < 100.
  const Table nums = csv::read("cat,num\n10,1\n2,1\n100,1\n2,0\n", co);
  o.reference = &nums;
  std::string small = cat_model(0);
  small.replace(small.find("[0, 2, 4, 5]"), 12, "[0, 2]");
  small.replace(small.find("\"categories_sizes\": [4]"), 23, "\"categories_sizes\": [2]");
  const scoring::Imported n = scoring::import_xgboost(small, o);
  EXPECT_EQ(n.model.header.score->features[0].levels, (std::vector<std::string>{"2", "10", "100"}));
  const Table twice = csv::read("cat,num\n1,1\n1.0,1\n3,1\n", co);
  o.reference = &twice;
  try {
    scoring::import_xgboost(small, o);
    ADD_FAILURE() << "1 and 1.0 should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("one number written two ways"), std::string::npos) << e.what();
  }
  // No table: refused, saying why.
  o.reference = nullptr;
  try {
    scoring::import_xgboost(small, o);
    ADD_FAILURE() << "a categorical model without --data should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("categorical features ('cat')"), std::string::npos) << e.what();
  }
}

// ---- Against Debian's XGBoost --------------------------------------------------------

// Trains with XGBoost (hist, categorical codes via feature_types "c" as pandas' codes
// give them) and writes the model and, for held-out rows, the margins, probabilities and
// pred_contribs over the trees a prediction uses (iteration_range to best_iteration + 1).
// Rows: 3 categorical inputs (6, 9 and 30 categories: the 30 one needs two bitset words
// and the split-finder's partition mode, the 6 one max_cat_to_onehot), 5 numbers, about
// 15% missing cells; held-out rows also carry categories never seen in training (NaN, as
// pandas makes them under the training dtype) and codes beyond the training categories
// (XGBoost sends those left; funnelcast never produces them but the engine must agree).
const char* const kCategoricalScript = R"PY(
import sys, numpy as np
try:
    import xgboost as xgb
except Exception:
    sys.exit(77)
out, name = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(19)
def rows(n, extra):
    X = np.empty((n, 8), np.float32)
    X[:, 0] = rng.integers(0, 6, n)
    X[:, 1] = rng.integers(0, 9, n)
    X[:, 2] = rng.integers(0, 30, n)
    X[:, 3:] = rng.normal(size=(n, 5))
    if extra:
        X[:, 2] = np.where(rng.random(n) < 0.1, rng.integers(30, 40, n), X[:, 2])
        X[:, 0] = np.where(rng.random(n) < 0.1, rng.integers(6, 9, n), X[:, 0])
    X[rng.random((n, 8)) < 0.15] = np.nan
    return X
def label(X):
    c0 = np.nan_to_num(X[:, 0], nan=-1); c1 = np.nan_to_num(X[:, 1], nan=-1); c2 = np.nan_to_num(X[:, 2], nan=-1)
    z = (np.isin(c0, [1, 3]) * 1.5 - np.isin(c1, [0, 4, 7]) + (c2 % 7 == 3) * 1.2
         + np.nan_to_num(X[:, 3]) - 0.5 * np.nan_to_num(X[:, 4]) ** 2 + 0.3 * np.nan_to_num(X[:, 5]))
    return (rng.random(len(X)) < 1 / (1 + np.exp(-z))).astype(np.float32)
names = ["source", "region", "campaign", "n1", "n2", "n3", "n4", "n5"]
types = ["c", "c", "c", "q", "q", "q", "q", "q"]
Xtr, Xva, Xte = rows(3000, False), rows(800, False), rows(1000, True)
ytr, yva = label(Xtr), label(Xva)
def dm(X, y=None):
    return xgb.DMatrix(X, label=y, feature_names=names, feature_types=types, enable_categorical=True)
params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 5, "eta": 0.3,
          "max_cat_to_onehot": 4, "max_bin": 64, "nthread": 1, "seed": 1}
if name == "early":
    b = xgb.train(params, dm(Xtr, ytr), 200, evals=[(dm(Xva, yva), "va")],
                  early_stopping_rounds=5, verbose_eval=False)
    assert b.best_iteration + 1 < b.num_boosted_rounds(), "early stopping did not stop early"
    it = (0, b.best_iteration + 1)
elif name == "forest":
    params.update({"num_parallel_tree": 3, "subsample": 0.8, "colsample_bynode": 0.8})
    b = xgb.train(params, dm(Xtr, ytr), 60, evals=[(dm(Xva, yva), "va")],
                  early_stopping_rounds=3, verbose_eval=False)
    it = (0, b.best_iteration + 1)
else:
    b = xgb.train(params, dm(Xtr, ytr), 40)
    it = (0, b.num_boosted_rounds())
b.save_model(f"{out}/{name}.json")
d = dm(Xte)
Xte.tofile(f"{out}/{name}.x")
b.predict(d, output_margin=True, iteration_range=it).astype(np.float64).tofile(f"{out}/{name}.margin")
b.predict(d, iteration_range=it).astype(np.float64).tofile(f"{out}/{name}.pred")
b.predict(d, pred_contribs=True, iteration_range=it).astype(np.float64).tofile(f"{out}/{name}.shap")
print(name, b.num_boosted_rounds(), b.best_iteration if name != "plain" else -1)
)PY";

std::string cat_slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <class T>
std::vector<T> cat_read_array(const std::filesystem::path& p) {
  const std::string bytes = cat_slurp(p);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

class CategoricalAgainstXgboost : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* env = std::getenv("FC_PYTHON");
    python_ = env && *env ? env : "/usr/bin/python3";
    dir_ = std::filesystem::temp_directory_path() / ("fc_xgb_cat_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "make.py") << kCategoricalScript;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static bool make(const std::string& name) {
    if (!std::filesystem::exists(python_)) {
      skip_ = "no " + python_ + ": the comparison with XGBoost needs it";
      return false;
    }
    const std::string log = (dir_ / "log.txt").string();
    const std::string cmd = "OMP_NUM_THREADS=1 " + python_ + " " + (dir_ / "make.py").string() + " " +
                            dir_.string() + " " + name + " > " + log + " 2>&1";
    const int status = std::system(cmd.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      skip_ = "xgboost is not importable by " + python_ + " (apt-get install python3-xgboost)";
      return false;
    }
    EXPECT_EQ(status, 0) << "the XGBoost script failed: " << cat_slurp(log);
    return status == 0;
  }

  static void compare(const std::string& name, bool expect_dropped) {
    const ImportedModel m = import_xgboost_json(cat_slurp(dir_ / (name + ".json")), name + ".json");
    const size_t nf = 8;
    ASSERT_EQ(m.ensemble.num_features, nf);
    EXPECT_EQ(m.categorical, (std::vector<uint8_t>{1, 1, 1, 0, 0, 0, 0, 0}));
    EXPECT_GT(m.category_bound[2], 16u) << "no split needed a second bitset word";
    EXPECT_EQ(m.ensemble.trees.size() < m.trees_in_file, expect_dropped);
    size_t cat_nodes = 0;
    for (const Tree& t : m.ensemble.trees)
      for (size_t k = 0; k < t.internal_count(); ++k) cat_nodes += t.is_categorical(k);
    EXPECT_GT(cat_nodes, 20u);
    const std::vector<float> x = cat_read_array<float>(dir_ / (name + ".x"));
    const std::vector<double> margin = cat_read_array<double>(dir_ / (name + ".margin"));
    const std::vector<double> pred = cat_read_array<double>(dir_ / (name + ".pred"));
    const std::vector<double> shap = cat_read_array<double>(dir_ / (name + ".shap"));
    const size_t n = margin.size();
    ASSERT_EQ(n, 1000u);
    ASSERT_EQ(x.size(), n * nf);
    ASSERT_EQ(shap.size(), n * (nf + 1));
    size_t beyond = 0;
    for (size_t i = 0; i < n; ++i) beyond += x[i * nf + 2] >= 30 || x[i * nf] >= 6;
    EXPECT_GT(beyond, 50u);

    const FlatEnsemble flat(m.ensemble);
    std::vector<double> raw(n), out(n);
    flat.predict_raw(x.data(), n, nf, raw.data());
    flat.predict(x.data(), n, nf, out.data());
    double worst_margin = 0, worst_pred = 0;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(raw[i], m.ensemble.predict_raw_reference(&x[i * nf]));
      worst_margin = std::max(worst_margin, std::fabs(raw[i] - margin[i]));
      worst_pred = std::max(worst_pred, std::fabs(out[i] - pred[i]));
    }
    EXPECT_LT(worst_pred, 1e-6) << name;
    EXPECT_LT(worst_margin, 1e-5) << name;
    const TreeShap explainer(m.ensemble);
    std::vector<double> phi(n * nf);
    explainer.explain(x.data(), n, nf, phi.data());
    double worst_phi = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t f = 0; f < nf; ++f) worst_phi = std::max(worst_phi, std::fabs(phi[i * nf + f] - shap[i * (nf + 1) + f]));
      worst_phi = std::max(worst_phi, std::fabs(explainer.expected_value() - shap[i * (nf + 1) + nf]));
    }
    EXPECT_LT(worst_phi, 1e-6) << name;
    std::printf("[%s] %zu of %zu trees, %zu categorical nodes: max |p diff| %.3g, |margin diff| %.3g, |contrib diff| %.3g\n",
                name.c_str(), m.ensemble.trees.size(), m.trees_in_file, cat_nodes, worst_pred, worst_margin, worst_phi);
  }

  static std::filesystem::path dir_;
  static std::string python_, skip_;
};

std::filesystem::path CategoricalAgainstXgboost::dir_;
std::string CategoricalAgainstXgboost::python_, CategoricalAgainstXgboost::skip_;

#define FC_MAKE_OR_SKIP(name)                                                                              \
  if (!make(name)) {                                                                                       \
    if (std::getenv("FC_REQUIRE_XGBOOST")) FAIL() << skip_ << " (FC_REQUIRE_XGBOOST is set)";             \
    GTEST_SKIP() << skip_;                                                                                 \
  }

TEST_F(CategoricalAgainstXgboost, PlainModel) {
  FC_MAKE_OR_SKIP("plain");
  compare("plain", false);
}

TEST_F(CategoricalAgainstXgboost, EarlyStoppedModel) {
  FC_MAKE_OR_SKIP("early");
  compare("early", true);
}

TEST_F(CategoricalAgainstXgboost, EarlyStoppedForest) {
  FC_MAKE_OR_SKIP("forest");
  const ImportedModel m = import_xgboost_json(cat_slurp(dir_ / "forest.json"), "forest.json");
  EXPECT_EQ(m.trees_per_round, 3u);
  EXPECT_EQ(m.ensemble.trees.size(), 3 * static_cast<size_t>(m.best_iteration + 1));
  compare("forest", m.ensemble.trees.size() < m.trees_in_file);
}

}  // namespace
}  // namespace fc::gbdt
