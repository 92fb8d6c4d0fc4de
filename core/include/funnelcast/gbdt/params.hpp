// Training parameters, named as LightGBM names them so users know them.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace fc::gbdt {

// An objective's id, which is also its code byte in the model file. The objectives
// themselves live in gbdt/objective.hpp; only those other modules name have an
// enumerator here, and any uint8_t is a valid value, so a new objective needs none.
enum class Objective : uint8_t { kSquaredError = 0, kPoisson = 1, kBinary = 2 };
const char* to_string(Objective o);  // its name: "regression", "poisson", "binary"
Objective objective_from_string(const std::string& name);  // a name or an alias (l2, mse)

struct Params {
  Objective objective = Objective::kSquaredError;
  int num_iterations = 300;
  double learning_rate = 0.05;
  int num_leaves = 31;
  int max_depth = -1;  // -1 = unlimited
  int min_data_in_leaf = 20;
  double min_sum_hessian_in_leaf = 1e-3;
  double lambda_l2 = 0.0;
  double min_gain_to_split = 0.0;
  double feature_fraction = 1.0;  // per tree
  double bagging_fraction = 1.0;
  int bagging_freq = 0;           // 0 = no bagging
  int max_bin = 255;
  int early_stopping_round = 0;   // 0 = off; needs a validation set
  double scale_pos_weight = 1.0;  // binary: weight of positive rows
  double poisson_max_delta_step = 0.7;
  // Categorical features (Dataset::category_counts), as LightGBM names and defaults them.
  // A feature with at most max_cat_to_onehot categories is split one category against the
  // rest; a larger one by sorting its categories by sum_gradient / (sum_hessian +
  // cat_smooth) and scanning that order from both ends, with at most max_cat_threshold
  // categories on the left, at least min_data_per_group rows between candidates, cat_l2
  // added to lambda_l2 in those splits' gains, and categories with fewer than cat_smooth
  // rows in the leaf left out (they go right, with the unseen ones).
  double cat_smooth = 10.0;
  double cat_l2 = 10.0;
  int max_cat_threshold = 32;
  int max_cat_to_onehot = 4;
  int min_data_per_group = 100;
  uint64_t seed = 0;
  int num_threads = 1;            // histogram building; never changes the result

  // key=value from the command line; fc::Error names the key and what was expected.
  void set(const std::string& key, const std::string& value);
  void validate() const;
  // Without num_threads (does not affect the model). The categorical parameters appear only
  // when they differ from their defaults, so a numeric model's header keeps the bytes it
  // had before they existed; from_json() restores the defaults for those left out.
  nlohmann::json to_json() const;
  static Params from_json(const nlohmann::json& j);
};

}  // namespace fc::gbdt
