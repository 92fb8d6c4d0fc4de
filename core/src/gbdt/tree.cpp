// The reference predictor is deliberately naive: it is the yardstick the flat engine
// and the model loader are tested against, so it must be obviously right, not fast.
#include "funnelcast/gbdt/tree.hpp"

#include <cmath>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/objective.hpp"

namespace fc::gbdt {

bool Tree::goes_left(size_t node, float x) const {
  if (std::isnan(x)) return default_left[node] != 0;
  if (is_categorical(node)) {
    const auto s = static_cast<size_t>(cat_set[node]);
    return category_in_set(x, cat_bits.data() + cat_begin[s], cat_begin[s + 1] - cat_begin[s]);
  }
  return x <= threshold[node];
}

float Tree::predict_reference(const float* row) const {
  if (feature.empty()) return leaf_value.empty() ? 0.0f : leaf_value[0];
  int32_t node = 0;
  // A valid tree visits each internal node at most once on a path; the bound only keeps
  // an unvalidated, cyclic tree from hanging the caller.
  for (size_t steps = 0; steps <= feature.size(); ++steps) {
    const bool go_left = goes_left(static_cast<size_t>(node), row[feature[node]]);
    const int32_t child = go_left ? left[node] : right[node];
    if (child < 0) return leaf_value[~child];
    node = child;
  }
  throw Error("tree has a cycle; run Ensemble::validate() before predicting");
}

double Ensemble::predict_raw_reference(const float* row) const {
  double sum = base_score;
  for (const Tree& t : trees) sum += t.predict_reference(row);
  return sum;
}

double Ensemble::transform(double raw) const {
  return objective_function(objective).transform(raw);
}

namespace {

[[noreturn]] void fail(size_t tree, const std::string& what) {
  throw Error("model tree " + std::to_string(tree) + ": " + what);
}

[[noreturn]] void fail_node(size_t tree, size_t node, const std::string& what) {
  throw Error("model tree " + std::to_string(tree) + ", node " + std::to_string(node) + ": " +
              what);
}

// The arrays' lengths agree with each other and with the node count.
void check_sizes(size_t t, const Tree& tree) {
  const size_t n = tree.feature.size();
  if (tree.threshold.size() != n || tree.default_left.size() != n || tree.left.size() != n ||
      tree.right.size() != n) {
    fail(t, "internal-node arrays have different lengths (feature " + std::to_string(n) +
                ", threshold " + std::to_string(tree.threshold.size()) + ", default_left " +
                std::to_string(tree.default_left.size()) + ", left " +
                std::to_string(tree.left.size()) + ", right " +
                std::to_string(tree.right.size()) + ")");
  }
  const size_t leaves = tree.leaf_value.size();
  if (leaves != n + 1) {
    fail(t, "a tree with " + std::to_string(n) + " internal nodes must have " +
                std::to_string(n + 1) + " leaves, found " + std::to_string(leaves));
  }
  // TreeSHAP needs the cover; a model without it may leave the array empty.
  if (!tree.leaf_cover.empty() && tree.leaf_cover.size() != leaves) {
    fail(t, "leaf_cover has " + std::to_string(tree.leaf_cover.size()) + " entries for " +
                std::to_string(leaves) + " leaves");
  }
  if (n >= static_cast<size_t>(INT32_MAX)) fail(t, "too many nodes");
}

// The category sets: either none at all, or one entry per node and in-range extents.
void check_category_sets(size_t t, const Tree& tree) {
  const size_t n = tree.feature.size();
  if (tree.cat_begin.empty()) {
    if (!tree.cat_set.empty() || !tree.cat_bits.empty()) {
      fail(t, "categorical arrays without cat_begin (cat_set " +
                  std::to_string(tree.cat_set.size()) + ", cat_bits " +
                  std::to_string(tree.cat_bits.size()) + ")");
    }
  } else {
    if (tree.cat_set.size() != n) {
      fail(t, "cat_set has " + std::to_string(tree.cat_set.size()) + " entries for " +
                  std::to_string(n) + " internal nodes");
    }
    if (tree.cat_begin[0] != 0) fail(t, "cat_begin must start at 0");
    for (size_t s = 0; s + 1 < tree.cat_begin.size(); ++s) {
      if (tree.cat_begin[s + 1] < tree.cat_begin[s] ||
          tree.cat_begin[s + 1] - tree.cat_begin[s] > kMaxCategoryWords) {
        fail(t, "category set " + std::to_string(s) + " has a bad extent (" +
                    std::to_string(tree.cat_begin[s]) + " to " +
                    std::to_string(tree.cat_begin[s + 1]) + "; at most " +
                    std::to_string(kMaxCategoryWords) + " words)");
      }
    }
    if (tree.cat_begin.back() != tree.cat_bits.size()) {
      fail(t, "category sets end at word " + std::to_string(tree.cat_begin.back()) +
                  " but cat_bits has " + std::to_string(tree.cat_bits.size()));
    }
  }
}

// Each internal node: its feature, threshold, category set and children in range.
void check_nodes(size_t t, const Tree& tree, uint32_t num_features) {
  const size_t n = tree.feature.size(), leaves = tree.leaf_value.size();
  const size_t sets = tree.cat_begin.empty() ? 0 : tree.cat_begin.size() - 1;
  for (size_t k = 0; k < n; ++k) {
    if (tree.feature[k] < 0 || static_cast<uint32_t>(tree.feature[k]) >= num_features) {
      fail_node(t, k,
                "feature " + std::to_string(tree.feature[k]) + " is out of range (" +
                    std::to_string(num_features) + " features)");
    }
    if (!std::isfinite(tree.threshold[k])) fail_node(t, k, "threshold is not a finite number");
    if (tree.is_categorical(k)) {
      if (static_cast<size_t>(tree.cat_set[k]) >= sets) {
        fail_node(t, k,
                  "category set " + std::to_string(tree.cat_set[k]) + " is out of range (" +
                      std::to_string(sets) + " sets)");
      }
      // The file keeps no threshold for a categorical split; requiring 0 keeps a save and
      // load round trip exact.
      if (tree.threshold[k] != 0.0f || std::signbit(tree.threshold[k])) {
        fail_node(t, k, "a categorical split must have threshold 0");
      }
    } else if (!tree.cat_set.empty() && tree.cat_set[k] != -1) {
      fail_node(t, k, "cat_set must be -1 (numeric) or a category set index");
    }
    if (tree.default_left[k] > 1) fail_node(t, k, "default_left must be 0 or 1");
    for (int side = 0; side < 2; ++side) {
      const int32_t c = side == 0 ? tree.left[k] : tree.right[k];
      const std::string name = side == 0 ? "left child " : "right child ";
      if (c >= 0 && static_cast<size_t>(c) >= n) {
        fail_node(t, k,
                  name + std::to_string(c) + " is out of range (" + std::to_string(n) +
                      " internal nodes)");
      }
      if (c < 0 && static_cast<size_t>(~c) >= leaves) {
        fail_node(t, k,
                  name + "leaf " + std::to_string(~c) + " is out of range (" +
                      std::to_string(leaves) + " leaves)");
      }
    }
  }
}

void check_leaves(size_t t, const Tree& tree) {
  const size_t leaves = tree.leaf_value.size();
  for (size_t l = 0; l < leaves; ++l) {
    if (!std::isfinite(tree.leaf_value[l])) {
      fail(t, "leaf " + std::to_string(l) + " value is not a finite number");
    }
    if (!tree.leaf_cover.empty() &&
        !(tree.leaf_cover[l] >= 0.0f && std::isfinite(tree.leaf_cover[l]))) {
      fail(t, "leaf " + std::to_string(l) + " cover is not a finite number >= 0");
    }
  }
}

// Every node and leaf must be reached exactly once from the root: this rules out cycles,
// shared subtrees and orphans in one pass, without recursion a hostile file could use to
// exhaust the stack. The buffers are the caller's, reused from tree to tree.
void check_reachable(size_t t, const Tree& tree, std::vector<uint8_t>& seen_node,
                     std::vector<uint8_t>& seen_leaf, std::vector<int32_t>& stack) {
  const size_t n = tree.feature.size(), leaves = tree.leaf_value.size();
  if (n == 0) return;
  seen_node.assign(n, 0);
  seen_leaf.assign(leaves, 0);
  stack.clear();
  stack.push_back(0);
  seen_node[0] = 1;
  while (!stack.empty()) {
    const int32_t k = stack.back();
    stack.pop_back();
    for (int side = 0; side < 2; ++side) {
      const int32_t c = side == 0 ? tree.left[k] : tree.right[k];
      if (c >= 0) {
        if (seen_node[c]) {
          fail_node(t, k,
                    std::string(side == 0 ? "left" : "right") + " child " + std::to_string(c) +
                        " is reached more than once (a cycle or a shared subtree)");
        }
        seen_node[c] = 1;
        stack.push_back(c);
      } else {
        if (seen_leaf[~c]) {
          fail_node(t, k, "leaf " + std::to_string(~c) + " is reached more than once");
        }
        seen_leaf[~c] = 1;
      }
    }
  }
  for (size_t k = 0; k < n; ++k) {
    if (!seen_node[k]) fail_node(t, k, "is not reachable from the root");
  }
  for (size_t l = 0; l < leaves; ++l) {
    if (!seen_leaf[l]) fail(t, "leaf " + std::to_string(l) + " is not reachable from the root");
  }
}

}  // namespace

void Ensemble::validate() const {
  if (!find_objective(objective)) throw Error("model: unknown objective");
  if (!std::isfinite(base_score)) throw Error("model: base score is not a finite number");
  std::vector<uint8_t> seen_node, seen_leaf;
  std::vector<int32_t> stack;
  for (size_t t = 0; t < trees.size(); ++t) {
    check_sizes(t, trees[t]);
    check_category_sets(t, trees[t]);
    check_nodes(t, trees[t], num_features);
    check_leaves(t, trees[t]);
    check_reachable(t, trees[t], seen_node, seen_leaf, stack);
  }
}

}  // namespace fc::gbdt
