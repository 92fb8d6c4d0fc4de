// The XGBoost JSON reader. Like the model file loader it trusts nothing: every field is
// looked up and type-checked before use, every index is range-checked, the trees are
// walked iteratively from their roots (a cycle or a shared subtree is refused, never
// followed), and the result passes Ensemble::validate() before it is returned. Errors name
// the JSON path of the offending field.
//
// The layout read (XGBoost 1.x-3.x, Booster.save_model with a .json name):
//   version: [major, minor, patch]
//   learner.learner_model_param: {base_score: "5E-1" (or "[5E-1]"), num_feature: "3",
//                                 num_class: "0", num_target: "1"}
//   learner.objective.name: "binary:logistic" | "reg:squarederror"
//   learner.feature_names: [...] (may be empty), learner.feature_types: [...]
//   learner.gradient_booster: {name: "gbtree", model: {trees: [...], tree_info: [...]}}
//   tree: left_children, right_children (-1 at a leaf), split_indices, split_conditions
//         (the threshold, or the leaf value at a leaf), default_left, sum_hessian,
//         split_type (1 = categorical), categories*, tree_param.num_nodes
#include "funnelcast/gbdt/xgboost.hpp"

#include <fast_float/fast_float.h>

#include <cfloat>
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/json.hpp"
#include "internal.hpp"

namespace fc::gbdt {
namespace {

using Json = nlohmann::json;

// The JSON nesting XGBoost writes is 6 levels deep; fc::json::parse refuses anything
// deeper than 64 as not a model.
// Nodes per tree: far more than any real model, small enough for 32-bit node indices.
constexpr size_t kMaxTreeNodes = size_t{1} << 26;
constexpr int64_t kMaxFeatures = 1 << 16;

// One field of the document with its path, for messages that point at it.
class Field {
 public:
  Field(const Json& j, std::string path, const std::string& source)
      : j_(&j), path_(std::move(path)), source_(&source) {}

  const Json& json() const { return *j_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(*source_ + ": " + (path_.empty() ? "" : path_ + ": ") + what);
  }
  [[noreturn]] void fail_at(size_t i, const std::string& what) const {
    throw Error(*source_ + ": " + path_ + "[" + std::to_string(i) + "]: " + what);
  }

  bool has(const char* key) const { return j_->is_object() && j_->find(key) != j_->end(); }

  Field at(const char* key) const {
    if (!j_->is_object()) fail("expected a JSON object, found " + type_name());
    const auto it = j_->find(key);
    if (it == j_->end()) {
      throw Error(*source_ + ": " + join(key) + " is missing; is this an XGBoost JSON model?");
    }
    return Field(*it, join(key), *source_);
  }

  const Json::array_t& array() const {
    if (!j_->is_array()) fail("expected a list, found " + type_name());
    return j_->get_ref<const Json::array_t&>();
  }

  Field element(size_t i) const {
    return Field(array()[i], path_ + "[" + std::to_string(i) + "]", *source_);
  }

  const std::string& string() const {
    if (!j_->is_string()) fail("expected a string, found " + type_name());
    return j_->get_ref<const std::string&>();
  }

  // XGBoost writes its parameters as strings: "5E-1", "3"; newer versions wrap the base
  // score in brackets, "[5E-1]".
  double number_in_string() const {
    std::string_view s = string();
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    double v = 0;
    const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
      fail("expected a number in a string, found \"" + std::string(string()) + "\"");
    }
    return v;
  }

  int64_t integer_in_string(int64_t lo, int64_t hi) const {
    const double v = number_in_string();
    if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || std::floor(v) != v) {
      fail("expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
           ", found \"" + string() + "\"");
    }
    return static_cast<int64_t>(v);
  }

  std::string type_name() const { return j_->type_name(); }

 private:
  std::string join(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  const Json* j_;
  std::string path_;
  const std::string* source_;
};

// Element i of a list of whole numbers.
int64_t integer_at(const Field& list, size_t i) {
  const Json& v = list.array()[i];
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      list.fail_at(i, "number out of range");
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  list.fail_at(i, std::string("expected a whole number, found ") + v.type_name());
}

// Element i of a list of numbers, as a finite float.
float float_at(const Field& list, size_t i) {
  const Json& v = list.array()[i];
  if (!v.is_number()) list.fail_at(i, std::string("expected a number, found ") + v.type_name());
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) {
    list.fail_at(i, "expected a finite float32 number, found " + v.dump());
  }
  return static_cast<float>(d);
}

bool flag_at(const Field& list, size_t i) {
  const Json& v = list.array()[i];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer() || v.is_number_unsigned()) {
    const int64_t x = integer_at(list, i);
    if (x == 0 || x == 1) return x == 1;
  }
  list.fail_at(i, "expected 0 or 1, found " + v.dump());
}

// A list the tree must have, with one entry per node.
Field node_list(const Field& tree, const char* key, size_t n) {
  const Field f = tree.at(key);
  const size_t size = f.array().size();
  if (size != n) {
    f.fail("has " + std::to_string(size) + " entries but left_children has " + std::to_string(n));
  }
  return f;
}

// tree_param, when present, agrees with the node count and has scalar leaves.
void check_tree_param(const Field& tree, size_t n) {
  if (!tree.has("tree_param")) return;
  const Field param = tree.at("tree_param");
  if (param.has("num_nodes")) {
    const Field num_nodes = param.at("num_nodes");
    if (num_nodes.integer_in_string(0, INT32_MAX) != static_cast<int64_t>(n)) {
      num_nodes.fail("says " + num_nodes.string() + " nodes but left_children has " +
                     std::to_string(n));
    }
  }
  if (param.has("size_leaf_vector")) {
    const Field size = param.at("size_leaf_vector");
    if (size.integer_in_string(0, INT32_MAX) > 1) {
      size.fail("vector leaves (multi-output trees) are not supported");
    }
  }
}

// A tree's categorical splits: for node i, the sorted category codes XGBoost sends right
// (empty for a numeric split). Checks split_type and the four categories* lists against
// each other: every categorical node listed once, its segment inside `categories`.
std::vector<std::vector<uint32_t>> read_categories(const Field& tree, size_t n) {
  std::vector<std::vector<uint32_t>> sets(n);
  std::vector<uint8_t> categorical(n, 0);
  size_t count = 0;
  if (tree.has("split_type")) {
    const Field type = node_list(tree, "split_type", n);
    for (size_t i = 0; i < n; ++i) {
      const int64_t t = integer_at(type, i);
      if (t != 0 && t != 1) type.fail_at(i, "unknown split type " + std::to_string(t));
      categorical[i] = t == 1 ? 1 : 0;
      count += categorical[i];
    }
  }
  const char* const kLists[] = {"categories", "categories_nodes", "categories_segments",
                                "categories_sizes"};
  if (count == 0) {
    if (tree.has("categories_nodes") && !tree.at("categories_nodes").array().empty()) {
      tree.at("categories_nodes").fail("lists categorical nodes but split_type has none");
    }
    return sets;
  }
  for (const char* key : kLists) {
    if (!tree.has(key)) {
      tree.fail(std::string("a categorical split (split_type 1) without categories: ") + key +
                " is missing");
    }
  }
  const Field cats = tree.at("categories");
  const Field nodes = tree.at("categories_nodes");
  const Field segments = tree.at("categories_segments");
  const Field sizes = tree.at("categories_sizes");
  const size_t k = nodes.array().size();
  if (segments.array().size() != k || sizes.array().size() != k) {
    nodes.fail("has " + std::to_string(k) + " entries but categories_segments has " +
               std::to_string(segments.array().size()) + " and categories_sizes " +
               std::to_string(sizes.array().size()));
  }
  const size_t total = cats.array().size();
  std::vector<uint8_t> listed(n, 0);
  for (size_t j = 0; j < k; ++j) {
    const int64_t node = integer_at(nodes, j);
    if (node < 0 || static_cast<size_t>(node) >= n) {
      nodes.fail_at(j, "node " + std::to_string(node) + " is out of range (" + std::to_string(n) +
                           " nodes)");
    }
    if (!categorical[static_cast<size_t>(node)]) {
      nodes.fail_at(j, "node " + std::to_string(node) + " is not a categorical split (split_type 0)");
    }
    if (listed[static_cast<size_t>(node)]) {
      nodes.fail_at(j, "node " + std::to_string(node) + " is listed twice");
    }
    listed[static_cast<size_t>(node)] = 1;
    const int64_t begin = integer_at(segments, j);
    const int64_t size = integer_at(sizes, j);
    if (begin < 0 || static_cast<uint64_t>(begin) > total) {
      segments.fail_at(j, "segment start " + std::to_string(begin) + " is out of range (categories has " +
                              std::to_string(total) + " entries)");
    }
    if (size < 0 || static_cast<uint64_t>(size) > total - static_cast<uint64_t>(begin)) {
      sizes.fail_at(j, "segment " + std::to_string(begin) + " + " + std::to_string(size) +
                           " runs past the end of categories (" + std::to_string(total) + " entries)");
    }
    std::vector<uint32_t>& set = sets[static_cast<size_t>(node)];
    for (int64_t c = begin; c < begin + size; ++c) {
      const int64_t code = integer_at(cats, static_cast<size_t>(c));
      if (code < 0 || code >= static_cast<int64_t>(kMaxCategories)) {
        cats.fail_at(static_cast<size_t>(c), "category " + std::to_string(code) +
                                                 " is out of range (0 to " +
                                                 std::to_string(kMaxCategories - 1) + ")");
      }
      set.push_back(static_cast<uint32_t>(code));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (categorical[i] && !listed[i]) {
      tree.at("split_type").fail_at(i, "a categorical split without categories (node " +
                                           std::to_string(i) + " is not in categories_nodes)");
    }
  }
  return sets;
}

// XGBoost goes left when x < c; we go left when x <= threshold. For floats, x < c exactly
// when x <= the largest float below c.
float threshold_at(const Field& cond, size_t i) {
  const float c = float_at(cond, i);
  const float threshold = std::nextafter(c, -std::numeric_limits<float>::infinity());
  if (!std::isfinite(threshold)) {
    cond.fail_at(i, "the split x < " + std::to_string(c) + " cannot be represented");
  }
  return threshold;
}

Tree read_tree(const Field& tree, uint32_t num_features, ImportedModel& out) {
  const Field left = tree.at("left_children");
  const size_t n = left.array().size();
  if (n == 0) left.fail("a tree needs at least one node");
  if (n > kMaxTreeNodes) left.fail("more than " + std::to_string(kMaxTreeNodes) + " nodes");
  check_tree_param(tree, n);
  const Field right = node_list(tree, "right_children", n);
  const Field index = node_list(tree, "split_indices", n);
  const Field cond = node_list(tree, "split_conditions", n);
  const Field dleft = node_list(tree, "default_left", n);
  // Cover is only needed for TreeSHAP; a model without it still predicts.
  const bool has_cover = tree.has("sum_hessian");
  const Field hess = has_cover ? node_list(tree, "sum_hessian", n) : tree;
  const std::vector<std::vector<uint32_t>> sets = read_categories(tree, n);

  // Node i is a leaf iff left_children[i] == -1; then right_children[i] must be -1 too.
  auto child = [&](const Field& list, size_t i) -> int64_t {
    const int64_t c = integer_at(list, i);
    if (c == -1) return c;
    if (c < 0 || static_cast<size_t>(c) >= n) {
      list.fail_at(i, "child " + std::to_string(c) + " is out of range (" + std::to_string(n) +
                          " nodes)");
    }
    return c;
  };
  auto is_leaf = [&](size_t i) {
    const int64_t l = child(left, i), r = child(right, i);
    if ((l == -1) != (r == -1)) {
      right.fail_at(i, "node " + std::to_string(i) + " has one child only (left " +
                           std::to_string(l) + ", right " + std::to_string(r) + ")");
    }
    return l == -1;
  };

  Tree t;
  auto add_leaf = [&](size_t i) -> int32_t {
    t.leaf_value.push_back(float_at(cond, i));
    if (has_cover) {
      const float c = float_at(hess, i);
      if (!(c >= 0)) hess.fail_at(i, "a negative cover");
      t.leaf_cover.push_back(c);
    }
    return ~static_cast<int32_t>(t.leaf_value.size() - 1);
  };
  if (is_leaf(0)) {
    add_leaf(0);
    return t;
  }
  // Breadth-first from the root: internal node k of ours is queue[k]. Each node must be
  // reached once: a second visit is a cycle or a shared subtree.
  std::vector<uint8_t> seen(n, 0);
  std::vector<size_t> queue{0};
  seen[0] = 1;
  for (size_t k = 0; k < queue.size(); ++k) {
    const size_t i = queue[k];
    const int64_t f = integer_at(index, i);
    if (f < 0 || f >= static_cast<int64_t>(num_features)) {
      index.fail_at(i, "feature " + std::to_string(f) + " is out of range (" +
                           std::to_string(num_features) + " features)");
    }
    t.feature.push_back(static_cast<int32_t>(f));
    const bool cat = !sets[i].empty() || (tree.has("split_type") &&
                                          integer_at(tree.at("split_type"), i) == 1);
    if (cat) {
      // XGBoost: x in the set goes right, anything else left; ours: in the set goes left.
      if (out.feature_types_given && !out.categorical[static_cast<size_t>(f)]) {
        index.fail_at(i, "a categorical split on feature " + std::to_string(f) +
                             ", which learner.feature_types does not mark \"c\"");
      }
      out.categorical[static_cast<size_t>(f)] = 1;
      if (t.cat_begin.empty()) {
        t.cat_set.assign(t.feature.size() - 1, -1);
        t.cat_begin.push_back(0);
      }
      uint32_t words = 1;
      for (const uint32_t c : sets[i]) words = std::max(words, c / 32 + 1);
      const size_t base = t.cat_bits.size();
      t.cat_bits.resize(base + words, 0);
      for (const uint32_t c : sets[i]) t.cat_bits[base + c / 32] |= 1u << (c % 32);
      t.cat_set.push_back(static_cast<int32_t>(t.cat_begin.size() - 1));
      t.cat_begin.push_back(static_cast<uint32_t>(t.cat_bits.size()));
      t.threshold.push_back(0.0f);
      t.default_left.push_back(flag_at(dleft, i) ? 0 : 1);
    } else {
      if (!t.cat_begin.empty()) t.cat_set.push_back(-1);
      t.threshold.push_back(threshold_at(cond, i));
      t.default_left.push_back(flag_at(dleft, i) ? 1 : 0);
    }
    int32_t ours[2];
    for (int pass = 0; pass < 2; ++pass) {
      const int side = cat ? 1 - pass : pass;  // categorical: XGBoost's right child is our left
      const size_t c_index = static_cast<size_t>(child(side == 0 ? left : right, i));
      if (seen[c_index]) {
        (side == 0 ? left : right)
            .fail_at(i, "node " + std::to_string(c_index) +
                            " is reached more than once (a cycle or a shared subtree)");
      }
      seen[c_index] = 1;
      if (is_leaf(c_index)) {
        ours[pass] = add_leaf(c_index);
      } else {
        ours[pass] = static_cast<int32_t>(queue.size());
        queue.push_back(c_index);
      }
    }
    t.left.push_back(ours[0]);
    t.right.push_back(ours[1]);
  }
  return t;
}

void check_version(const Field& root) {
  if (!root.has("version")) return;
  const Field version = root.at("version");
  if (version.array().empty()) version.fail("an empty list");
  const int64_t major = integer_at(version, 0);
  if (major < 1 || major > 3) {
    version.fail("XGBoost " + std::to_string(major) +
                 ".x is not supported (models saved by XGBoost 1.x to 3.x are)");
  }
}

// The objective, and the base score converted to a raw score under its link.
void read_objective(const Field& learner, const Field& param, ImportedModel& out) {
  const Field objective = learner.at("objective").at("name");
  out.objective = objective.string();
  const Field base = param.at("base_score");
  const double base_score = base.number_in_string();
  Ensemble& e = out.ensemble;
  if (out.objective == "binary:logistic") {
    e.objective = Objective::kBinary;
    if (!(base_score > 0 && base_score < 1)) {
      base.fail("binary:logistic needs a base score strictly between 0 and 1, found " +
                base.string());
    }
    // Our own log, as in training: the same file gives the same model bits everywhere.
    e.base_score = detail::log(base_score / (1 - base_score));
  } else if (out.objective == "reg:squarederror" || out.objective == "reg:linear") {
    e.objective = Objective::kSquaredError;
    e.base_score = base_score;
  } else {
    objective.fail("objective '" + out.objective +
                   "' is not supported (binary:logistic and reg:squarederror are)");
  }
}

// The features' names, or f0, f1, ... when the file has none, and which are categorical
// (feature type "c").
void read_feature_names(const Field& learner, const Field& root, uint32_t num_features,
                        ImportedModel& out) {
  out.categorical.assign(num_features, 0);
  out.category_bound.assign(num_features, 0);
  if (learner.has("feature_types") && !learner.at("feature_types").array().empty()) {
    const Field types = learner.at("feature_types");
    if (types.array().size() != num_features) {
      types.fail("has " + std::to_string(types.array().size()) + " types for " +
                 std::to_string(num_features) + " features");
    }
    out.feature_types_given = true;
    for (size_t i = 0; i < num_features; ++i) {
      if (types.element(i).string() == "c") out.categorical[i] = 1;
    }
  }
  const Field names = learner.has("feature_names") ? learner.at("feature_names") : root;
  if (learner.has("feature_names") && !names.array().empty()) {
    if (names.array().size() != num_features) {
      names.fail("has " + std::to_string(names.array().size()) + " names for " +
                 std::to_string(num_features) + " features");
    }
    for (size_t i = 0; i < num_features; ++i) out.feature_names.push_back(names.element(i).string());
  } else {
    for (uint32_t i = 0; i < num_features; ++i) out.feature_names.push_back("f" + std::to_string(i));
  }
}

// One tree per boosting round of a single output.
void check_tree_list(const Field& model, size_t count) {
  if (model.has("gbtree_model_param")) {
    const Field p = model.at("gbtree_model_param");
    if (p.has("num_trees") &&
        p.at("num_trees").integer_in_string(0, INT32_MAX) != static_cast<int64_t>(count)) {
      p.at("num_trees").fail("says " + p.at("num_trees").string() + " trees but the list has " +
                             std::to_string(count));
    }
  }
  if (model.has("tree_info")) {
    const Field info = model.at("tree_info");
    for (size_t i = 0; i < info.array().size(); ++i) {
      if (integer_at(info, i) != 0) info.fail_at(i, "trees for several outputs are not supported");
    }
  }
}

// The trees a prediction uses: those up to learner.attributes.best_iteration (early
// stopping), unless options.all_trees. Rounds of num_parallel_tree trees each.
size_t trees_to_keep(const Field& learner, const Field& model, size_t count,
                     const XgboostOptions& options, ImportedModel& out) {
  size_t per_round = 1;
  if (model.has("gbtree_model_param") && model.at("gbtree_model_param").has("num_parallel_tree")) {
    const Field p = model.at("gbtree_model_param").at("num_parallel_tree");
    per_round = static_cast<size_t>(p.integer_in_string(1, INT32_MAX));
    if (count % per_round != 0) {
      p.fail("says " + p.string() + " trees a round but the model has " + std::to_string(count) +
             " trees, not a whole number of rounds");
    }
  }
  out.trees_per_round = per_round;
  const size_t rounds = count / per_round;
  if (!learner.has("attributes") || !learner.at("attributes").has("best_iteration")) return count;
  const Field best = learner.at("attributes").at("best_iteration");
  out.best_iteration = best.integer_in_string(0, INT32_MAX);
  const auto b = static_cast<size_t>(out.best_iteration);
  if (b >= rounds) {
    best.fail("best_iteration " + best.string() + " is beyond the model's " +
              std::to_string(rounds) + " boosting rounds (rounds 0 to " +
              std::to_string(rounds == 0 ? 0 : rounds - 1) + ")");
  }
  if (b + 1 == rounds) return count;
  const std::string rounds_text = std::to_string(rounds) + " rounds" +
                                  (per_round > 1 ? " of " + std::to_string(per_round) + " trees" : "");
  if (options.all_trees) {
    out.notes.push_back("all " + std::to_string(count) + " trees kept (--all-trees), although early "
                        "stopping chose round " + std::to_string(b) + " of " + rounds_text +
                        ": scores are those of Booster.predict, not of predict_proba");
    return count;
  }
  const size_t keep = (b + 1) * per_round;
  out.notes.push_back("early stopping: best_iteration " + std::to_string(b) + ", so the first " +
                      std::to_string(keep) + " of " + std::to_string(count) + " trees (" +
                      rounds_text + ") are kept, as XGBoost's predict_proba uses them; "
                      "--all-trees keeps them all");
  return keep;
}

ImportedModel read_model(const Json& doc, const std::string& source,
                         const XgboostOptions& options) {
  const Field root(doc, "", source);
  if (!doc.is_object()) root.fail("expected a JSON object, found " + root.type_name());
  check_version(root);
  const Field learner = root.at("learner");
  const Field param = learner.at("learner_model_param");

  ImportedModel out;
  if (param.has("num_class") && param.at("num_class").integer_in_string(0, INT32_MAX) > 1) {
    param.at("num_class").fail("multi-class models are not supported (one output only)");
  }
  if (param.has("num_target") && param.at("num_target").integer_in_string(0, INT32_MAX) > 1) {
    param.at("num_target").fail("multi-target models are not supported (one output only)");
  }
  // A bound far above lead tables, which also bounds the feature names made up below.
  const auto num_features =
      static_cast<uint32_t>(param.at("num_feature").integer_in_string(0, kMaxFeatures));

  Ensemble& e = out.ensemble;
  e.num_features = num_features;
  read_objective(learner, param, out);
  read_feature_names(learner, root, num_features, out);

  const Field booster = learner.at("gradient_booster");
  const std::string& booster_name = booster.at("name").string();
  if (booster_name != "gbtree") {
    booster.at("name").fail("booster '" + booster_name + "' is not supported (gbtree is)");
  }
  const Field model = booster.at("model");
  const Field trees = model.at("trees");
  const size_t count = trees.array().size();
  check_tree_list(model, count);
  out.trees_in_file = count;
  const size_t keep = trees_to_keep(learner, model, count, options, out);
  e.trees.reserve(count);
  // Every tree is read and checked, kept or not: a damaged file is refused either way.
  for (size_t t = 0; t < count; ++t) {
    e.trees.push_back(read_tree(trees.element(t), num_features, out));
  }
  e.trees.resize(keep);
  // The codes the kept trees name (a dropped tree's categories need no name).
  std::fill(out.category_bound.begin(), out.category_bound.end(), 0u);
  for (const Tree& t : e.trees) {
    for (size_t k = 0; k < t.internal_count(); ++k) {
      if (!t.is_categorical(k)) continue;
      const auto s = static_cast<size_t>(t.cat_set[k]);
      uint32_t& bound = out.category_bound[static_cast<size_t>(t.feature[k])];
      for (uint32_t w = t.cat_begin[s]; w < t.cat_begin[s + 1]; ++w) {
        for (uint32_t b = 0; b < 32; ++b) {
          if ((t.cat_bits[w] >> b) & 1u) bound = std::max(bound, (w - t.cat_begin[s]) * 32 + b + 1);
        }
      }
    }
  }
  try {
    e.validate();
  } catch (const Error& ex) {
    throw Error(source + ": " + ex.what());
  }
  return out;
}

// XGBoost's JSON writer puts a bare NaN (not JSON) where a categorical split has no
// threshold; outside strings it becomes null, which no field we read as a number accepts.
std::string nan_as_null(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char ch = json[i];
    if (in_string) {
      out += ch;
      if (ch == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == 'N' && json.substr(i, 3) == "NaN") {
      out += "null";
      i += 2;
      continue;
    }
    out += ch;
  }
  return out;
}

}  // namespace

ImportedModel import_xgboost_json(std::string_view json, const std::string& source,
                                  const XgboostOptions& options) {
  Json doc;
  try {
    const std::string text = nan_as_null(json);
    doc = fc::json::parse(text, "");
  } catch (const Error& ex) {
    const std::string what = ex.what();
    if (what.find("nested deeper than") != std::string::npos)
      throw Error(source + ": not an XGBoost model: " + what);
    throw Error(source + ": not valid JSON: " + what);
  }
  try {
    return read_model(doc, source, options);
  } catch (const Json::exception& ex) {
    // Every access is type-checked first; this is a safety net, not a path we expect.
    throw Error(source + ": unexpected JSON content: " + ex.what());
  }
}

}  // namespace fc::gbdt
