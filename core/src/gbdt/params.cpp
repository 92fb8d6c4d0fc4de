// Parameter parsing and checking. Keys follow LightGBM, with the aliases people
// bring from XGBoost and scikit-learn, so a command line copied from either works.
#include "funnelcast/gbdt/params.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/objective.hpp"

namespace fc::gbdt {

namespace {

const char* const kKnownKeys =
    "objective, num_iterations, learning_rate, num_leaves, max_depth, min_data_in_leaf, "
    "min_sum_hessian_in_leaf, lambda_l2, min_gain_to_split, feature_fraction, bagging_fraction, "
    "bagging_freq, max_bin, early_stopping_round, scale_pos_weight, poisson_max_delta_step, "
    "cat_smooth, cat_l2, max_cat_threshold, max_cat_to_onehot, min_data_per_group, seed, "
    "num_threads";

std::string canonical_key(const std::string& key) {
  struct Alias {
    const char* alias;
    const char* canonical;
  };
  static const Alias kAliases[] = {
      {"application", "objective"},
      {"objective_type", "objective"},
      {"loss", "objective"},
      {"n_estimators", "num_iterations"},
      {"num_trees", "num_iterations"},
      {"num_iteration", "num_iterations"},
      {"num_round", "num_iterations"},
      {"num_rounds", "num_iterations"},
      {"num_boost_round", "num_iterations"},
      {"max_iter", "num_iterations"},
      {"eta", "learning_rate"},
      {"shrinkage_rate", "learning_rate"},
      {"num_leaf", "num_leaves"},
      {"max_leaves", "num_leaves"},
      {"max_leaf_nodes", "num_leaves"},
      {"min_child_samples", "min_data_in_leaf"},
      {"min_data_per_leaf", "min_data_in_leaf"},
      {"min_data", "min_data_in_leaf"},
      {"min_samples_leaf", "min_data_in_leaf"},
      {"min_child_weight", "min_sum_hessian_in_leaf"},
      {"min_sum_hessian", "min_sum_hessian_in_leaf"},
      {"min_hessian", "min_sum_hessian_in_leaf"},
      {"reg_lambda", "lambda_l2"},
      {"lambda", "lambda_l2"},
      {"l2_regularization", "lambda_l2"},
      {"min_split_gain", "min_gain_to_split"},
      {"gamma", "min_gain_to_split"},
      {"colsample_bytree", "feature_fraction"},
      {"sub_feature", "feature_fraction"},
      {"subsample", "bagging_fraction"},
      {"sub_row", "bagging_fraction"},
      {"bagging", "bagging_fraction"},
      {"subsample_freq", "bagging_freq"},
      {"max_bins", "max_bin"},
      {"early_stopping_rounds", "early_stopping_round"},
      {"early_stopping", "early_stopping_round"},
      {"n_iter_no_change", "early_stopping_round"},
      {"max_delta_step", "poisson_max_delta_step"},
      {"random_state", "seed"},
      {"random_seed", "seed"},
      {"num_thread", "num_threads"},
      {"n_jobs", "num_threads"},
      {"nthread", "num_threads"},
  };
  for (const Alias& a : kAliases) {
    if (key == a.alias) return a.canonical;
  }
  return key;
}

[[noreturn]] void bad_value(const std::string& key, const std::string& expected,
                            const std::string& found) {
  throw Error(key + ": expected " + expected + ", found '" + found + "'");
}

long long parse_integer(const std::string& key, const std::string& value,
                        const std::string& expected) {
  // strtoll alone accepts leading spaces and trailing junk ("31abc"); insist on the whole text.
  if (value.empty()) bad_value(key, expected, value);
  size_t i = (value[0] == '-' || value[0] == '+') ? 1 : 0;
  if (i == value.size()) bad_value(key, expected, value);
  for (size_t k = i; k < value.size(); ++k) {
    if (value[k] < '0' || value[k] > '9') bad_value(key, expected, value);
  }
  errno = 0;
  long long v = std::strtoll(value.c_str(), nullptr, 10);
  if (errno == ERANGE || v < std::numeric_limits<int>::min() ||
      v > std::numeric_limits<int>::max()) {
    bad_value(key, expected, value);
  }
  return v;
}

double parse_number(const std::string& key, const std::string& value, const std::string& expected) {
  if (value.empty() || value[0] == ' ' || value[0] == '\t') bad_value(key, expected, value);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size() || errno == ERANGE || !std::isfinite(v)) {
    bad_value(key, expected, value);
  }
  return v;
}

// The one place that states each parameter's range, shared by set(), validate() and
// from_json(), so the three can never disagree on what is allowed.
// written_if_changed: to_json() leaves the parameter out while it has its default (the
// parameters added after models were first saved, so those models' bytes do not change).
struct IntRule {
  const char* key;
  int Params::*field;
  int min;
  int max;
  const char* expected;
  bool written_if_changed = false;
};
struct RealRule {
  const char* key;
  double Params::*field;
  double min;
  bool min_open;  // value must be > min rather than >= min
  double max;
  const char* expected;
  bool written_if_changed = false;
};

const IntRule kIntRules[] = {
    {"num_iterations", &Params::num_iterations, 1, 100000, "a whole number from 1 to 100000"},
    {"num_leaves", &Params::num_leaves, 2, 131072, "a whole number from 2 to 131072"},
    {"max_depth", &Params::max_depth, -1, 1000, "-1 (no limit) or a whole number from 1 to 1000"},
    {"min_data_in_leaf", &Params::min_data_in_leaf, 0, std::numeric_limits<int>::max(),
     "an integer >= 0"},
    {"bagging_freq", &Params::bagging_freq, 0, std::numeric_limits<int>::max(), "an integer >= 0"},
    {"max_bin", &Params::max_bin, 2, 255, "an integer from 2 to 255"},
    {"early_stopping_round", &Params::early_stopping_round, 0, std::numeric_limits<int>::max(),
     "an integer >= 0"},
    {"num_threads", &Params::num_threads, 0, 1024, "an integer from 0 (all cores) to 1024"},
    {"max_cat_threshold", &Params::max_cat_threshold, 1, 255, "an integer from 1 to 255", true},
    {"max_cat_to_onehot", &Params::max_cat_to_onehot, 1, 255, "an integer from 1 to 255", true},
    {"min_data_per_group", &Params::min_data_per_group, 1, std::numeric_limits<int>::max(),
     "an integer >= 1", true},
};

const double kInf = std::numeric_limits<double>::infinity();
const RealRule kRealRules[] = {
    {"learning_rate", &Params::learning_rate, 0.0, true, kInf, "a number > 0"},
    {"min_sum_hessian_in_leaf", &Params::min_sum_hessian_in_leaf, 0.0, false, kInf,
     "a number >= 0"},
    {"lambda_l2", &Params::lambda_l2, 0.0, false, kInf, "a number >= 0"},
    {"min_gain_to_split", &Params::min_gain_to_split, 0.0, false, kInf, "a number >= 0"},
    {"feature_fraction", &Params::feature_fraction, 0.0, true, 1.0, "a number in (0, 1]"},
    {"bagging_fraction", &Params::bagging_fraction, 0.0, true, 1.0, "a number in (0, 1]"},
    {"scale_pos_weight", &Params::scale_pos_weight, 0.0, true, kInf, "a number > 0"},
    {"poisson_max_delta_step", &Params::poisson_max_delta_step, 0.0, true, kInf, "a number > 0"},
    {"cat_smooth", &Params::cat_smooth, 0.0, false, kInf, "a number >= 0", true},
    {"cat_l2", &Params::cat_l2, 0.0, false, kInf, "a number >= 0", true},
};

bool int_ok(const IntRule& r, long long v) {
  // LightGBM users write max_depth=0 or any negative number for "no limit"; -1 is stored.
  if (r.field == &Params::max_depth) return v == -1 || (v >= 1 && v <= r.max);
  return v >= r.min && v <= r.max;
}

bool real_ok(const RealRule& r, double v) {
  if (!std::isfinite(v)) return false;
  if (r.min_open ? !(v > r.min) : !(v >= r.min)) return false;
  return v <= r.max;
}

std::string number_text(double v) {
  nlohmann::json j = v;
  return j.dump();
}

}  // namespace

const char* to_string(Objective o) {
  const ObjectiveFunction* f = find_objective(o);
  return f ? f->name() : "unknown";
}

Objective objective_from_string(const std::string& name) {
  if (const ObjectiveFunction* f = find_objective_named(name)) return f->id();
  throw Error("objective: expected " + objective_names() + ", found '" + name + "'");
}

void Params::set(const std::string& raw_key, const std::string& value) {
  const std::string key = canonical_key(raw_key);
  // Name the key as the user wrote it, so the message points at their own text.
  const std::string& shown = raw_key;
  if (key == "objective") {
    try {
      objective = objective_from_string(value);
    } catch (const Error&) {
      bad_value(shown, objective_names(), value);
    }
    return;
  }
  if (key == "seed") {
    bool digits = !value.empty() && value.size() <= 20;
    for (char c : value) digits = digits && c >= '0' && c <= '9';
    errno = 0;
    unsigned long long v = digits ? std::strtoull(value.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE) bad_value(shown, "an integer >= 0", value);
    seed = static_cast<uint64_t>(v);
    return;
  }
  for (const IntRule& r : kIntRules) {
    if (key != r.key) continue;
    long long v = parse_integer(shown, value, r.expected);
    if (r.field == &Params::max_depth && v <= 0) v = -1;
    if (!int_ok(r, v)) bad_value(shown, r.expected, value);
    this->*r.field = static_cast<int>(v);
    return;
  }
  for (const RealRule& r : kRealRules) {
    if (key != r.key) continue;
    double v = parse_number(shown, value, r.expected);
    if (!real_ok(r, v)) bad_value(shown, r.expected, value);
    this->*r.field = v;
    return;
  }
  throw Error("unknown parameter '" + raw_key + "'; known parameters: " + kKnownKeys);
}

void Params::validate() const {
  for (const IntRule& r : kIntRules) {
    if (!int_ok(r, this->*r.field)) {
      throw Error(std::string(r.key) + ": expected " + r.expected + ", found " +
                  std::to_string(this->*r.field));
    }
  }
  for (const RealRule& r : kRealRules) {
    if (!real_ok(r, this->*r.field)) {
      throw Error(std::string(r.key) + ": expected " + r.expected + ", found " +
                  number_text(this->*r.field));
    }
  }
  if (!find_objective(objective)) throw Error("objective: expected " + objective_names());
}

nlohmann::json Params::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["objective"] = to_string(objective);
  const Params defaults;
  for (const IntRule& r : kIntRules) {
    if (r.field == &Params::num_threads) continue;  // never changes the model
    if (r.written_if_changed && this->*r.field == defaults.*r.field) continue;
    j[r.key] = this->*r.field;
  }
  for (const RealRule& r : kRealRules) {
    if (r.written_if_changed && this->*r.field == defaults.*r.field) continue;
    j[r.key] = this->*r.field;
  }
  j["seed"] = seed;
  return j;
}

Params Params::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("parameters: expected a JSON object");
  // Keys left out keep their defaults, so a hand-written file may name only what it changes;
  // a key we do not know is refused rather than silently ignored.
  Params p;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = canonical_key(it.key());
    const nlohmann::json& v = it.value();
    const std::string& shown = it.key();
    if (key == "objective") {
      if (!v.is_string()) throw Error(shown + ": expected a string");
      try {
        p.objective = objective_from_string(v.get<std::string>());
      } catch (const Error&) {
        bad_value(shown, objective_names(), v.get<std::string>());
      }
      continue;
    }
    if (key == "seed") {
      if (!v.is_number_integer() ||
          (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)) {
        throw Error(shown + ": expected an integer >= 0, found " + v.dump());
      }
      p.seed = v.get<uint64_t>();
      continue;
    }
    bool found = false;
    for (const IntRule& r : kIntRules) {
      if (key != r.key) continue;
      found = true;
      if (!v.is_number_integer()) {
        throw Error(shown + ": expected " + r.expected + ", found " + v.dump());
      }
      long long x = v.is_number_unsigned()
                        ? static_cast<long long>(std::min<uint64_t>(v.get<uint64_t>(), 1ull << 40))
                        : v.get<long long>();
      if (!int_ok(r, x)) throw Error(shown + ": expected " + r.expected + ", found " + v.dump());
      p.*r.field = static_cast<int>(x);
    }
    for (const RealRule& r : kRealRules) {
      if (key != r.key) continue;
      found = true;
      if (!v.is_number()) throw Error(shown + ": expected " + r.expected + ", found " + v.dump());
      double x = v.get<double>();
      if (!real_ok(r, x)) throw Error(shown + ": expected " + r.expected + ", found " + v.dump());
      p.*r.field = x;
    }
    if (!found) {
      throw Error("parameters: unknown key '" + it.key() + "'; known parameters: " + kKnownKeys);
    }
  }
  p.validate();
  return p;
}

}  // namespace fc::gbdt
