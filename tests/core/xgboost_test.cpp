// The XGBoost JSON importer: hand-written models whose every number is known, refusal of
// every unsupported or damaged input with the field's path, a fuzz loop over mutated
// JSON, and -- when Debian's python3 with xgboost is installed -- models trained by
// XGBoost itself, whose predictions (margin and probability) and SHAP values the import
// must reproduce on rows with missing values and values sitting exactly on thresholds.
#include "funnelcast/gbdt/xgboost.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/shap.hpp"
#include "test_support.hpp"

namespace fc::gbdt {
namespace {

using Json = nlohmann::json;
const float kXgbNaN = std::numeric_limits<float>::quiet_NaN();

// Two trees on 3 features, in XGBoost 1.7's layout.
//   tree 0: node 0: f1 < 0.5 (missing right) ? node 1 : node 2
//           node 1: f0 < -1 (missing left) ? leaf 0.25 : leaf -0.5
//           node 2: leaf 0.75
//   tree 1: a single leaf -0.125
Json small_model() {
  return Json::parse(R"({
    "learner": {
      "attributes": {},
      "feature_names": [],
      "feature_types": [],
      "gradient_booster": {
        "model": {
          "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2", "size_leaf_vector": "0"},
          "tree_info": [0, 0],
          "trees": [
            {"base_weights": [0, 0, 0, 0, 0], "categories": [], "categories_nodes": [],
             "categories_segments": [], "categories_sizes": [],
             "default_left": [0, 1, 0, 0, 0], "id": 0,
             "left_children": [1, 3, -1, -1, -1], "right_children": [2, 4, -1, -1, -1],
             "loss_changes": [1, 1, 0, 0, 0], "parents": [2147483647, 0, 0, 1, 1],
             "split_conditions": [0.5, -1, 0.75, 0.25, -0.5],
             "split_indices": [1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0],
             "sum_hessian": [10, 6, 4, 2, 4],
             "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "5", "size_leaf_vector": "0"}},
            {"base_weights": [0], "categories": [], "categories_nodes": [],
             "categories_segments": [], "categories_sizes": [],
             "default_left": [0], "id": 1, "left_children": [-1], "right_children": [-1],
             "loss_changes": [0], "parents": [2147483647], "split_conditions": [-0.125],
             "split_indices": [0], "split_type": [0], "sum_hessian": [10],
             "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": "1", "size_leaf_vector": "0"}}
          ]
        },
        "name": "gbtree"
      },
      "learner_model_param": {"base_score": "2E-1", "boost_from_average": "1", "num_class": "0",
                              "num_feature": "3", "num_target": "1"},
      "objective": {"name": "binary:logistic", "reg_loss_param": {"scale_pos_weight": "1"}}
    },
    "version": [1, 7, 4]
  })");
}

std::string import_message(const Json& j) {
  try {
    import_xgboost_json(j.dump(), "m.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(XgboostImport, SmallModelByHand) {
  const ImportedModel m = import_xgboost_json(small_model().dump(), "m.json");
  EXPECT_EQ(m.objective, "binary:logistic");
  EXPECT_EQ(m.feature_names, (std::vector<std::string>{"f0", "f1", "f2"}));
  const Ensemble& e = m.ensemble;
  EXPECT_EQ(e.objective, Objective::kBinary);
  EXPECT_EQ(e.num_features, 3u);
  EXPECT_NEAR(e.base_score, std::log(0.2 / 0.8), 1e-15);
  ASSERT_EQ(e.trees.size(), 2u);
  const Tree& t = e.trees[0];
  // Breadth-first: XGBoost node 0 -> ours 0, node 1 -> ours 1; leaves in the order reached:
  // node 2 (0.75) is leaf 0, node 3 (0.25) leaf 1, node 4 (-0.5) leaf 2.
  EXPECT_EQ(t.feature, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(t.threshold[0], std::nextafter(0.5f, -1.0f));
  EXPECT_EQ(t.threshold[1], std::nextafter(-1.0f, -2.0f));
  EXPECT_EQ(t.default_left, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(t.left, (std::vector<int32_t>{1, ~1}));
  EXPECT_EQ(t.right, (std::vector<int32_t>{~0, ~2}));
  EXPECT_EQ(t.leaf_value, (std::vector<float>{0.75f, 0.25f, -0.5f}));
  EXPECT_EQ(t.leaf_cover, (std::vector<float>{4.f, 2.f, 4.f}));
  EXPECT_EQ(e.trees[1].leaf_value, (std::vector<float>{-0.125f}));
  // XGBoost's rule "x < c": the thresholds themselves go right.
  const double base = std::log(0.25);
  auto raw = [&](float f0, float f1) {
    const float row[3] = {f0, f1, 0};
    return e.predict_raw_reference(row);
  };
  EXPECT_DOUBLE_EQ(raw(-2, 0.4f), base + 0.25 - 0.125);
  EXPECT_DOUBLE_EQ(raw(-1, 0.4f), base - 0.5 - 0.125);  // f0 == -1: not < -1
  EXPECT_DOUBLE_EQ(raw(-1, 0.5f), base + 0.75 - 0.125);  // f1 == 0.5: not < 0.5
  EXPECT_DOUBLE_EQ(raw(kXgbNaN, 0.f), base + 0.25 - 0.125);  // f0 missing: left
  EXPECT_DOUBLE_EQ(raw(-2, kXgbNaN), base + 0.75 - 0.125);  // f1 missing: right
  EXPECT_DOUBLE_EQ(raw(std::nextafter(-1.0f, -2.0f), 0.f), base + 0.25 - 0.125);

  Json named = small_model();
  named["learner"]["feature_names"] = {"source", "campaign", "spend"};
  named["learner"]["objective"]["name"] = "reg:squarederror";
  named["learner"]["learner_model_param"]["base_score"] = "[1.5E0]";  // XGBoost 3's form
  named["learner"]["gradient_booster"]["model"]["trees"][0].erase("sum_hessian");
  named["learner"]["gradient_booster"]["model"]["trees"][0]["default_left"] =
      {false, true, false, false, false};
  const ImportedModel r = import_xgboost_json(named.dump(), "m.json");
  EXPECT_EQ(r.feature_names, (std::vector<std::string>{"source", "campaign", "spend"}));
  EXPECT_EQ(r.ensemble.objective, Objective::kSquaredError);
  EXPECT_EQ(r.ensemble.base_score, 1.5);
  EXPECT_TRUE(r.ensemble.trees[0].leaf_cover.empty());
  EXPECT_EQ(r.ensemble.trees[0].default_left, (std::vector<uint8_t>{0, 1}));
}

TEST(XgboostImport, RefusesWhatItCannotRepresent) {
  auto with = [](const std::string& path, const Json& value) {
    Json j = small_model();
    j[Json::json_pointer(path)] = value;
    return import_message(j);
  };
  auto has = [](const std::string& message, const std::string& needle) {
    return message.find(needle) != std::string::npos;
  };
  EXPECT_EQ(with("/learner/gradient_booster/name", "dart"),
            "m.json: learner.gradient_booster.name: booster 'dart' is not supported (gbtree is)");
  EXPECT_TRUE(has(with("/learner/gradient_booster/name", "gblinear"), "booster 'gblinear'"));
  EXPECT_EQ(with("/learner/objective/name", "multi:softprob"),
            "m.json: learner.objective.name: objective 'multi:softprob' is not supported "
            "(binary:logistic and reg:squarederror are)");
  EXPECT_TRUE(has(with("/learner/objective/name", "count:poisson"), "'count:poisson'"));
  EXPECT_TRUE(has(with("/learner/learner_model_param/num_class", "3"),
                  "learner.learner_model_param.num_class: multi-class models are not supported"));
  EXPECT_TRUE(has(with("/learner/learner_model_param/num_target", "2"), "multi-target"));
  EXPECT_TRUE(has(with("/learner/gradient_booster/model/tree_info/1", 1),
                  "learner.gradient_booster.model.tree_info[1]: trees for several outputs"));
  // Categorical splits are read (xgboost_categorical_test.cpp); inconsistent ones refused.
  EXPECT_TRUE(has(with("/learner/gradient_booster/model/trees/0/split_type/1", 1),
                  "learner.gradient_booster.model.trees[0].split_type[1]: a categorical split "
                  "without categories (node 1 is not in categories_nodes)"));
  EXPECT_TRUE(has(with("/learner/gradient_booster/model/trees/0/categories_nodes", {1}),
                  "trees[0].categories_nodes: lists categorical nodes but split_type has none"));
  EXPECT_TRUE(has(with("/learner/feature_types", {"q", "c"}), "has 2 types for 3 features"));
  EXPECT_TRUE(has(with("/learner/gradient_booster/model/trees/0/tree_param/size_leaf_vector", "2"),
                  "vector leaves"));
  EXPECT_TRUE(has(with("/version", {4, 0, 0}), "XGBoost 4.x is not supported"));
  EXPECT_TRUE(has(with("/learner/learner_model_param/base_score", "1E0"),
                  "binary:logistic needs a base score strictly between 0 and 1, found 1E0"));
  EXPECT_TRUE(has(with("/learner/learner_model_param/base_score", "x"),
                  "learner.learner_model_param.base_score: expected a number in a string"));
  EXPECT_TRUE(has(with("/learner/learner_model_param/base_score", 0.5), "expected a string"));
  EXPECT_TRUE(has(with("/learner/feature_names", {"a", "b"}), "has 2 names for 3 features"));
}

TEST(XgboostImport, RefusesDamagedTreesNamingTheField) {
  const std::string tree0 = "/learner/gradient_booster/model/trees/0/";
  const std::string at0 = "m.json: learner.gradient_booster.model.trees[0].";
  auto with = [&](const std::string& field, const Json& value) {
    Json j = small_model();
    j[Json::json_pointer(tree0 + field)] = value;
    return import_message(j);
  };
  EXPECT_EQ(with("split_indices/1", 3),
            at0 + "split_indices[1]: feature 3 is out of range (3 features)");
  EXPECT_EQ(with("split_indices/0", -1),
            at0 + "split_indices[0]: feature -1 is out of range (3 features)");
  EXPECT_EQ(with("left_children/1", 7), at0 + "left_children[1]: child 7 is out of range (5 nodes)");
  EXPECT_EQ(with("left_children/1", -2), at0 + "left_children[1]: child -2 is out of range (5 nodes)");
  EXPECT_EQ(with("left_children/1", 0),
            at0 + "left_children[1]: node 0 is reached more than once (a cycle or a shared subtree)");
  EXPECT_EQ(with("right_children/1", 2),
            at0 + "right_children[1]: node 2 is reached more than once (a cycle or a shared subtree)");
  EXPECT_EQ(with("right_children/1", -1),
            at0 + "right_children[1]: node 1 has one child only (left 3, right -1)");
  EXPECT_EQ(with("split_conditions/3", "0.25"),
            at0 + "split_conditions[3]: expected a number, found string");
  EXPECT_EQ(with("split_conditions/3", 1e39), at0 + "split_conditions[3]: expected a finite float32 number, found 1e+39");
  EXPECT_EQ(with("split_conditions/0", -3.4028234663852886e38),
            at0 + "split_conditions[0]: the split x < -340282346638528859811704183484516925440.000000 cannot be represented");
  EXPECT_EQ(with("default_left/1", 2), at0 + "default_left[1]: expected 0 or 1, found 2");
  EXPECT_EQ(with("sum_hessian/3", -1), at0 + "sum_hessian[3]: a negative cover");
  EXPECT_EQ(with("split_indices", {1, 0}),
            at0 + "split_indices: has 2 entries but left_children has 5");
  EXPECT_EQ(with("left_children", Json::array()), at0 + "left_children: a tree needs at least one node");
  EXPECT_EQ(with("tree_param/num_nodes", "6"),
            at0 + "tree_param.num_nodes: says 6 nodes but left_children has 5");
  EXPECT_EQ(with("left_children", 5), at0 + "left_children: expected a list, found number");
  EXPECT_EQ(with("split_indices/1", 1.5), at0 + "split_indices[1]: expected a whole number, found number");
  EXPECT_EQ(with("split_indices/1", nullptr), at0 + "split_indices[1]: expected a whole number, found null");

  Json j = small_model();
  j["learner"]["gradient_booster"]["model"]["trees"][0].erase("right_children");
  EXPECT_EQ(import_message(j),
            "m.json: learner.gradient_booster.model.trees[0].right_children is missing; is this "
            "an XGBoost JSON model?");
  j = small_model();
  j["learner"].erase("learner_model_param");
  EXPECT_EQ(import_message(j),
            "m.json: learner.learner_model_param is missing; is this an XGBoost JSON model?");
  j = small_model();
  j["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "3";
  EXPECT_NE(import_message(j).find("says 3 trees but the list has 2"), std::string::npos);
  // Deleted (unreachable) nodes are dropped, as XGBoost's own walk never meets them.
  j = small_model();
  Json& t = j["learner"]["gradient_booster"]["model"]["trees"][0];
  for (const char* key : {"left_children", "right_children"}) t[key].push_back(-1);
  for (const char* key : {"split_conditions", "split_indices", "default_left", "sum_hessian",
                          "split_type", "base_weights", "loss_changes", "parents"}) {
    t[key].push_back(0);
  }
  t["tree_param"]["num_nodes"] = "6";
  EXPECT_EQ(import_message(j), "");

  EXPECT_EQ(import_message(Json::array()), "m.json: expected a JSON object, found array");
  try {
    import_xgboost_json("{\"learner\": ", "m.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("m.json: not valid JSON: ", 0), 0u) << e.what();
  }
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  try {
    import_xgboost_json(deep, "m.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64 levels"), std::string::npos);
  }
}

// Random mutations of a valid model, as text and as JSON values: the importer returns a
// model that validates and predicts, or throws fc::Error -- nothing else, never a crash.
TEST(XgboostImport, FuzzNeverThrowsAnythingButError) {
  const Json good = small_model();
  const std::string text = good.dump();
  std::mt19937_64 rng(99);
  const std::vector<Json> odd = {Json(-1), Json(0), Json(1), Json(2), Json(3), Json(5),
                                 Json(1e39), Json(-2147483648LL), Json(18446744073709551615ull),
                                 Json(0.5), Json("1"), Json(nullptr), Json(true),
                                 Json::array(), Json::object(), Json::array({1, 2})};
  size_t loaded = 0, refused = 0;
  // A tenth under the sanitizers (bench/fuzz's fuzz_xgboost covers the space there).
  const int cases = fc::testing::unless_sanitized(20000, 2000);
  for (int i = 0; i < cases; ++i) {
    std::string b;
    if (i % 2 == 0) {
      b = text;
      const int changes = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < changes; ++k) {
        const size_t at = rng() % b.size();
        switch (rng() % 3) {
          case 0:
            b[at] = static_cast<char>(" \"{}[],:0123456789-.eE"[rng() % 22]);
            break;
          case 1:
            b.erase(at, 1 + rng() % 8);
            break;
          default:
            b.insert(at, 1, static_cast<char>(rng() & 0xFF));
        }
      }
    } else {
      // Replace a random element of a random tree list, or a random parameter.
      Json j = good;
      Json& trees = j["learner"]["gradient_booster"]["model"]["trees"];
      const int changes = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < changes; ++k) {
        Json& tree = trees[rng() % 2];
        static const char* const kLists[] = {"left_children", "right_children", "split_indices",
                                             "split_conditions", "default_left", "sum_hessian",
                                             "split_type"};
        Json& list = tree[kLists[rng() % 7]];
        const Json& value = odd[rng() % odd.size()];
        switch (rng() % 4) {
          case 0:
            if (!list.empty()) list[rng() % list.size()] = value;
            break;
          case 1:
            list.push_back(value);
            break;
          case 2:
            if (!list.empty()) list.erase(list.size() - 1);
            break;
          default:
            j["learner"]["learner_model_param"][rng() % 2 ? "num_feature" : "base_score"] =
                rng() % 2 ? Json(std::to_string(rng() % 5)) : value;
        }
      }
      b = j.dump();
    }
    try {
      const ImportedModel m = import_xgboost_json(b, "fuzz");
      ++loaded;
      EXPECT_NO_THROW(m.ensemble.validate());
      const FlatEnsemble flat(m.ensemble);
      std::vector<float> row(m.ensemble.num_features, 0.5f);
      const double p = flat.predict_one(row.data());
      EXPECT_TRUE(std::isfinite(p));
      EXPECT_EQ(m.feature_names.size(), m.ensemble.num_features);
    } catch (const Error&) {
      ++refused;
    } catch (const std::exception& e) {
      FAIL() << "case " << i << ": non-fc exception: " << e.what();
    } catch (...) {
      FAIL() << "case " << i << ": unknown exception";
    }
  }
  EXPECT_EQ(loaded + refused, static_cast<size_t>(cases));
  EXPECT_GT(refused, static_cast<size_t>(cases / 20));
  EXPECT_GT(loaded, static_cast<size_t>(cases / 200));  // some mutations are harmless (a leaf value, a cover)
  RecordProperty("loaded", static_cast<int>(loaded));
}

// ---------------------------------------------------------------------------------
// Against XGBoost itself

const char* const kScript = R"PY(
import json, os, sys
try:
    import numpy as np
    import xgboost as xgb
except ImportError:
    sys.exit(77)

out, only = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)

def data(n):
    x = rng.normal(size=(n, 6)).astype(np.float32)
    x[:, 3] = np.floor(rng.uniform(0, 5, n))   # few distinct values
    x[:, 5] = np.round(x[:, 5], 1)
    x[rng.uniform(size=(n, 6)) < 0.15] = np.nan
    return x

def signal(x):
    z = np.nan_to_num(x)
    return z[:, 0] + np.where(np.isnan(x[:, 1]), 1.0, z[:, 1] * z[:, 2]) + 0.5 * z[:, 3] - z[:, 5] ** 2

xtr, xte = data(3000), data(1000)
f = signal(xtr)
cases = {
    "binary": ({"objective": "binary:logistic", "tree_method": "hist", "max_depth": 5,
                "eta": 0.1, "base_score": 0.3, "seed": 1, "nthread": 1},
               (f + rng.normal(size=len(f)) > 0.8).astype(np.float32), 150,
               ["source", "campaign", "occupation", "country", "device", "spend"]),
    "regression": ({"objective": "reg:squarederror", "tree_method": "hist", "max_depth": 0,
                    "grow_policy": "lossguide", "max_leaves": 31, "eta": 0.1,
                    "subsample": 0.8, "seed": 1, "nthread": 1},
                   (f + 0.1 * rng.normal(size=len(f))).astype(np.float32), 120, None),
}
for name, (params, y, rounds, names) in cases.items():
    if name != only:
        continue
    d = xgb.DMatrix(xtr, label=y, missing=np.nan, feature_names=names)
    bst = xgb.train(params, d, rounds)
    path = os.path.join(out, name + ".json")
    bst.save_model(path)
    # Put some test values exactly on split thresholds, where < and <= differ.
    x = xte.copy()
    trees = json.load(open(path))["learner"]["gradient_booster"]["model"]["trees"]
    k = 0
    for t in trees:
        for i, left in enumerate(t["left_children"]):
            if left != -1 and k < 300:
                x[k, t["split_indices"][i]] = np.float32(t["split_conditions"][i])
                k += 1
    dt = xgb.DMatrix(x, missing=np.nan, feature_names=names)
    x.astype(np.float32).tofile(os.path.join(out, name + ".x"))
    bst.predict(dt, output_margin=True).astype(np.float64).tofile(os.path.join(out, name + ".margin"))
    bst.predict(dt).astype(np.float64).tofile(os.path.join(out, name + ".pred"))
    bst.predict(dt, pred_contribs=True).astype(np.float64).tofile(os.path.join(out, name + ".shap"))
print("ok")
)PY";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <class T>
std::vector<T> read_array(const std::filesystem::path& p) {
  const std::string bytes = slurp(p);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

class AgainstXgboost : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Debian's python3 sees Debian's python3-xgboost; a python3 earlier on PATH may not.
    // FC_PYTHON overrides it.
    const char* env = std::getenv("FC_PYTHON");
    python_ = env && *env ? env : "/usr/bin/python3";
    dir_ = std::filesystem::temp_directory_path() /
           ("fc_xgboost_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "make.py") << kScript;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Trains and saves the one case `name` with XGBoost. False (with the test skipped) when
  // python3 or xgboost is missing.
  static bool make(const std::string& name) {
    if (!std::filesystem::exists(python_)) {
      skip_ = "no " + python_ + ": the comparison with XGBoost needs it";
      return false;
    }
    const std::string log = (dir_ / "log.txt").string();
    const std::string cmd = "OMP_NUM_THREADS=1 " + python_ + " " + (dir_ / "make.py").string() +
                            " " + dir_.string() + " " + name + " > " + log + " 2>&1";
    const int status = std::system(cmd.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      skip_ = "xgboost is not importable by " + python_ + " (apt-get install python3-xgboost)";
      return false;
    }
    EXPECT_EQ(status, 0) << "the XGBoost script failed: " << slurp(log);
    return status == 0;
  }

  // Imports `name`.json and compares with XGBoost's margins, predictions and SHAP values.
  static void compare(const std::string& name, Objective objective, const char* first_name) {
    const ImportedModel m = import_xgboost_json(slurp(dir_ / (name + ".json")), name + ".json");
    EXPECT_EQ(m.ensemble.objective, objective);
    EXPECT_EQ(m.feature_names.at(0), first_name);
    const size_t nf = 6;
    ASSERT_EQ(m.ensemble.num_features, nf);
    const std::vector<float> x = read_array<float>(dir_ / (name + ".x"));
    const std::vector<double> margin = read_array<double>(dir_ / (name + ".margin"));
    const std::vector<double> pred = read_array<double>(dir_ / (name + ".pred"));
    const std::vector<double> shap = read_array<double>(dir_ / (name + ".shap"));
    const size_t n = margin.size();
    ASSERT_EQ(n, 1000u);
    ASSERT_EQ(x.size(), n * nf);
    ASSERT_EQ(shap.size(), n * (nf + 1));
    size_t missing = 0;
    for (float v : x) missing += std::isnan(v);
    EXPECT_GT(missing, 500u);

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
    // XGBoost sums its trees in float32; the rest is rounding, not a different tree walk
    // (one row down the wrong branch moves the margin by a leaf value, ~1e-2).
    EXPECT_LT(worst_margin, 1e-5) << name;
    EXPECT_LT(worst_pred, 1e-5) << name;
    RecordProperty(name + "_max_margin_diff", std::to_string(worst_margin));
    // Summed as XGBoost sums (float32, tree by tree), our leaves give its margins to the
    // last few bits: every row reached the same leaf in every tree.
    double worst_float = 0;
    for (size_t i = 0; i < n; ++i) {
      float acc = static_cast<float>(m.ensemble.base_score);
      for (const Tree& t : m.ensemble.trees) acc += t.predict_reference(&x[i * nf]);
      worst_float = std::max(worst_float, std::fabs(static_cast<double>(acc) - margin[i]));
    }
    EXPECT_LT(worst_float, 1e-6) << name;
    RecordProperty(name + "_max_float_sum_diff", std::to_string(worst_float));

    // XGBoost's pred_contribs is path-dependent TreeSHAP over the same covers.
    const TreeShap explainer(m.ensemble);
    std::vector<double> phi(n * nf);
    explainer.explain(x.data(), n, nf, phi.data());
    double worst_phi = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t f = 0; f < nf; ++f) {
        worst_phi = std::max(worst_phi, std::fabs(phi[i * nf + f] - shap[i * (nf + 1) + f]));
      }
      worst_phi = std::max(worst_phi, std::fabs(explainer.expected_value() - shap[i * (nf + 1) + nf]));
    }
    EXPECT_LT(worst_phi, 1e-4) << name;
  }

  static std::filesystem::path dir_;
  static std::string python_, skip_;
};

std::filesystem::path AgainstXgboost::dir_;
std::string AgainstXgboost::python_, AgainstXgboost::skip_;

TEST_F(AgainstXgboost, BinaryLogisticPredictionsMatch) {
  if (!make("binary")) {
    if (std::getenv("FC_REQUIRE_XGBOOST")) FAIL() << skip_ << " (FC_REQUIRE_XGBOOST is set: scripts/test.sh installs it)";
    GTEST_SKIP() << skip_;
  }
  compare("binary", Objective::kBinary, "source");
}

TEST_F(AgainstXgboost, SquaredErrorPredictionsMatch) {
  if (!make("regression")) {
    if (std::getenv("FC_REQUIRE_XGBOOST")) FAIL() << skip_ << " (FC_REQUIRE_XGBOOST is set: scripts/test.sh installs it)";
    GTEST_SKIP() << skip_;
  }
  compare("regression", Objective::kSquaredError, "f0");
}

}  // namespace
}  // namespace fc::gbdt
