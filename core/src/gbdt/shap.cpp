// Path-dependent TreeSHAP. The walk carries, for the features met on the way from the
// root, the fraction of training cover that went the same way as the row would not know
// it ("zero": feature unknown) and whether the row itself goes that way ("one": feature
// known, 0 or 1), plus the permutation weights of every coalition size. A leaf then
// adds, for each feature on its path, the leaf value times the weighted difference
// between knowing and not knowing that feature. A feature split on twice is "unwound"
// from the path first so it is counted once, with the product of its fractions.
#include "funnelcast/gbdt/shap.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::gbdt {

TreeShap::TreeShap(const Ensemble& ensemble) {
  ensemble.validate();
  num_features_ = ensemble.num_features;
  expected_value_ = ensemble.base_score;
  std::vector<uint32_t> order;
  std::vector<size_t> depth;
  for (size_t t = 0; t < ensemble.trees.size(); ++t) {
    const Tree& tree = ensemble.trees[t];
    const size_t n = tree.internal_count();
    if (n == 0) {
      expected_value_ += tree.leaf_value[0];
      continue;
    }
    if (tree.leaf_cover.empty()) {
      throw Error("model tree " + std::to_string(t) +
                  " has no leaf cover (the training hessian sums), so its scores cannot be "
                  "explained; retrain the model with this version to get explanations");
    }
    const auto base = static_cast<uint32_t>(nodes_.size());
    // Internal node k is base + k, leaf l is base + n + l.
    auto index = [&](int32_t child) {
      return child >= 0 ? base + static_cast<uint32_t>(child)
                        : base + static_cast<uint32_t>(n) + static_cast<uint32_t>(~child);
    };
    for (size_t k = 0; k < n; ++k) {
      nodes_.push_back({tree.feature[k], tree.threshold[k], tree.default_left[k],
                        index(tree.left[k]), index(tree.right[k]), 0.0, 0.0});
    }
    for (size_t l = 0; l < tree.leaf_count(); ++l) {
      nodes_.push_back({-1, 0.0f, 0, 0, 0, tree.leaf_value[l], tree.leaf_cover[l]});
    }
    // Pre-order from the root (validate() guarantees a tree), then covers bottom-up.
    order.clear();
    depth.assign(n, 0);
    order.push_back(base);
    size_t max_depth = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const Node& nd = nodes_[order[i]];
      const size_t d = depth[order[i] - base];
      max_depth = std::max(max_depth, d + 1);  // its children are one level down
      for (uint32_t c : {nd.left, nd.right}) {
        if (nodes_[c].feature >= 0) {
          depth[c - base] = d + 1;
          order.push_back(c);
        }
      }
    }
    if (max_depth > kMaxDepth) {
      throw Error("model tree " + std::to_string(t) + " is " + std::to_string(max_depth) +
                  " levels deep; explanations support at most " + std::to_string(kMaxDepth));
    }
    for (size_t i = order.size(); i-- > 0;) {
      Node& nd = nodes_[order[i]];
      nd.cover = nodes_[nd.left].cover + nodes_[nd.right].cover;
      if (!(nd.cover > 0) || !std::isfinite(nd.cover)) {
        throw Error("model tree " + std::to_string(t) + ", node " +
                    std::to_string(order[i] - base) +
                    ": no training cover below this split, so its branches cannot be weighed");
      }
    }
    const double root_cover = nodes_[base].cover;
    double expected = 0;
    for (size_t l = 0; l < tree.leaf_count(); ++l) {
      expected += (tree.leaf_cover[l] / root_cover) * tree.leaf_value[l];
    }
    expected_value_ += expected;
    roots_.push_back(base);
    // A node at depth L holds a path of at most min(L, features) + 1 elements (the root's
    // placeholder and one per distinct feature above it), and every level of the
    // recursion keeps its own copy.
    size_t need = 0;
    for (size_t level = 0; level <= max_depth; ++level) {
      need += std::min<size_t>(level, num_features_) + 1;
    }
    path_capacity_ = std::max(path_capacity_, need);
  }
}

namespace {

template <class Element>
double unwound_sum(const Element* m, size_t len, size_t i) {
  const size_t l = len - 1;
  const double one = m[i].one, zero = m[i].zero;
  const double lp1 = static_cast<double>(l + 1);
  double next = m[l].weight, total = 0;
  if (one != 0) {
    for (size_t j = l; j-- > 0;) {
      const double tmp = next * lp1 / (static_cast<double>(j + 1) * one);
      total += tmp;
      next = m[j].weight - tmp * zero * static_cast<double>(l - j) / lp1;
    }
  } else {
    for (size_t j = l; j-- > 0;) {
      total += m[j].weight * lp1 / (zero * static_cast<double>(l - j));
    }
  }
  return total;
}

// Removes element i from the path m of length len, undoing its extension of the weights.
template <class Element>
void unwind(Element* m, size_t len, size_t i) {
  const size_t l = len - 1;
  const double one = m[i].one, zero = m[i].zero;
  const double lp1 = static_cast<double>(l + 1);
  double next = m[l].weight;
  for (size_t j = l; j-- > 0;) {
    if (one != 0) {
      const double tmp = m[j].weight;
      m[j].weight = next * lp1 / (static_cast<double>(j + 1) * one);
      next = tmp - m[j].weight * zero * static_cast<double>(l - j) / lp1;
    } else {
      m[j].weight = m[j].weight * lp1 / (zero * static_cast<double>(l - j));
    }
  }
  for (size_t j = i; j < l; ++j) {
    m[j].feature = m[j + 1].feature;
    m[j].zero = m[j + 1].zero;
    m[j].one = m[j + 1].one;
  }
}

}  // namespace

void TreeShap::recurse(uint32_t node, const float* row, double* phi, PathElement* parent,
                       size_t parent_len, double zero, double one, int32_t feature) const {
  PathElement* m = parent + parent_len;
  std::copy(parent, parent + parent_len, m);
  // Extend the path by this split's feature: every coalition size's weight splits into
  // "feature unknown" (scaled by zero) and "feature known" (scaled by one).
  const size_t l = parent_len;
  const double lp1 = static_cast<double>(l + 1);
  m[l] = {feature, zero, one, l == 0 ? 1.0 : 0.0};
  for (size_t i = l; i-- > 0;) {
    m[i + 1].weight += one * m[i].weight * static_cast<double>(i + 1) / lp1;
    m[i].weight = zero * m[i].weight * static_cast<double>(l - i) / lp1;
  }
  size_t len = l + 1;

  const Node& nd = nodes_[node];
  if (nd.feature < 0) {
    for (size_t i = 1; i < len; ++i) {
      const double w = unwound_sum(m, len, i);
      phi[m[i].feature] += w * (m[i].one - m[i].zero) * nd.value;
    }
    return;
  }
  const float x = row[nd.feature];
  const bool go_left = std::isnan(x) ? nd.default_left != 0 : x <= nd.threshold;
  const uint32_t hot = go_left ? nd.left : nd.right;
  const uint32_t cold = go_left ? nd.right : nd.left;
  double incoming_zero = 1, incoming_one = 1;
  for (size_t k = 1; k < len; ++k) {
    if (m[k].feature == nd.feature) {
      incoming_zero = m[k].zero;
      incoming_one = m[k].one;
      unwind(m, len, k);
      --len;
      break;
    }
  }
  const double hot_zero = incoming_zero * (nodes_[hot].cover / nd.cover);
  const double cold_zero = incoming_zero * (nodes_[cold].cover / nd.cover);
  // A branch with zero weight both ways (no cover, and not the row's way) adds nothing;
  // entering it would divide by its zero fraction.
  if (hot_zero != 0 || incoming_one != 0) {
    recurse(hot, row, phi, m, len, hot_zero, incoming_one, nd.feature);
  }
  if (cold_zero != 0) recurse(cold, row, phi, m, len, cold_zero, 0.0, nd.feature);
}

void TreeShap::explain(const float* rows, size_t n, size_t stride, double* out) const {
  if (n == 0) return;
  if (rows == nullptr || out == nullptr) throw Error("SHAP: no rows or no output given");
  if (n > 1 && stride < num_features_) {
    throw Error("SHAP: rows are " + std::to_string(stride) + " floats apart but have " +
                std::to_string(num_features_) + " features");
  }
  std::vector<PathElement> path(path_capacity_ + 1);
  for (size_t r = 0; r < n; ++r) {
    double* phi = out + r * num_features_;
    std::fill(phi, phi + num_features_, 0.0);
    const float* row = rows + r * stride;
    for (uint32_t root : roots_) recurse(root, row, phi, path.data(), 0, 1.0, 1.0, -1);
  }
}

std::vector<double> mean_abs_shap(const double* phi, size_t rows, size_t features) {
  if (rows == 0) throw Error("SHAP importance: no rows");
  if (phi == nullptr && features > 0) throw Error("SHAP importance: no values given");
  std::vector<double> out(features, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t f = 0; f < features; ++f) out[f] += std::fabs(phi[r * features + f]);
  }
  for (double& v : out) v /= static_cast<double>(rows);
  return out;
}

}  // namespace fc::gbdt
