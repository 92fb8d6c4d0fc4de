// Path-dependent TreeSHAP, two ways.
//
// Algorithm 2 (explain_recursive). The walk carries, for the features met on the way from the
// root, the fraction of training cover that went the same way as the row would not know
// it ("zero": feature unknown) and whether the row itself goes that way ("one": feature
// known, 0 or 1), plus the permutation weights of every coalition size. A leaf then
// adds, for each feature on its path, the leaf value times the weighted difference
// between knowing and not knowing that feature. A feature split on twice is "unwound"
// from the path first so it is counted once, with the product of its fractions.
//
// Leaf paths (explain). One leaf adds v * prod_j g_j to the game's value, where j runs
// over the distinct features on its path and g_j = one_j if j is known, zero_j if not.
// The Shapley value of feature i in that product game is
//   v (one_i - zero_i) sum_{S without i} |S|! (d - 1 - |S|)! / d! prod_{S} one prod_{rest} zero
//   = v (one_i - zero_i) integral_0^1 prod_{j != i} (zero_j (1 - t) + one_j t) dt,
// a polynomial of degree d - 1 in t, which Gauss–Legendre with ceil(d / 2) points
// integrates exactly. Every feature the row does not follow (one = 0) gets the same
// value, -v integral prod_{j} g_j(t) / (1 - t) dt, so a leaf costs O(d * points).
#include "funnelcast/gbdt/shap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "funnelcast/base/error.hpp"

namespace fc::gbdt {

TreeShap::TreeShap(const Ensemble& ensemble) {
  ensemble.validate();
  num_features_ = ensemble.num_features;
  expected_value_ = ensemble.base_score;
  inv_.resize(kMaxDepth + 3);
  inv_[0] = 0;
  for (size_t k = 1; k < inv_.size(); ++k) inv_[k] = 1.0 / static_cast<double>(k);
  for (const Tree& tree : ensemble.trees) {
    for (size_t k = 0; k < tree.internal_count(); ++k) {
      has_categorical_ = has_categorical_ || tree.is_categorical(k);
    }
  }
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
    const uint32_t base = append_nodes(tree);
    const size_t max_depth = sum_covers(t, base, n);
    const double root_cover = nodes_[base].cover;
    double expected = 0;
    for (size_t l = 0; l < tree.leaf_count(); ++l) {
      expected += (tree.leaf_cover[l] / root_cover) * tree.leaf_value[l];
    }
    expected_value_ += expected;
    roots_.push_back(base);
    add_leaf_paths(base);
    // A node at depth L holds a path of at most min(L, features) + 1 elements (the root's
    // placeholder and one per distinct feature above it), and every level of the
    // recursion keeps its own copy.
    size_t need = 0;
    for (size_t level = 0; level <= max_depth; ++level) {
      need += std::min<size_t>(level, num_features_) + 1;
    }
    path_capacity_ = std::max(path_capacity_, need);
  }
  if (paths_too_large_) drop_leaf_paths();
  build_quadrature((max_steps_ + 1) / 2);
}

// Internal node k becomes base + k, leaf l base + n + l.
uint32_t TreeShap::append_nodes(const Tree& tree) {
  const size_t n = tree.internal_count();
  const auto base = static_cast<uint32_t>(nodes_.size());
  auto index = [&](int32_t child) {
    return child >= 0 ? base + static_cast<uint32_t>(child)
                      : base + static_cast<uint32_t>(n) + static_cast<uint32_t>(~child);
  };
  for (size_t k = 0; k < n; ++k) {
    uint32_t cat_begin = 0, cat_size = 0;
    if (tree.is_categorical(k)) {
      const auto s = static_cast<size_t>(tree.cat_set[k]);
      cat_begin = static_cast<uint32_t>(cat_words_.size());
      cat_size = tree.cat_begin[s + 1] - tree.cat_begin[s];
      cat_words_.insert(cat_words_.end(), tree.cat_bits.begin() + tree.cat_begin[s],
                        tree.cat_bits.begin() + tree.cat_begin[s + 1]);
    }
    nodes_.push_back({tree.feature[k], tree.threshold[k], tree.default_left[k],
                      static_cast<uint8_t>(tree.is_categorical(k) ? 1 : 0),
                      index(tree.left[k]), index(tree.right[k]), cat_begin, cat_size, 0.0,
                      0.0});
  }
  for (size_t l = 0; l < tree.leaf_count(); ++l) {
    nodes_.push_back({-1, 0.0f, 0, 0, 0, 0, 0, 0, tree.leaf_value[l], tree.leaf_cover[l]});
  }
  return base;
}

// Pre-order from the root (validate() guarantees a tree), then covers bottom-up. fc::Error
// for a tree deeper than kMaxDepth or a split with no cover below it.
size_t TreeShap::sum_covers(size_t t, uint32_t base, size_t n) {
  std::vector<uint32_t> order{base};
  std::vector<size_t> depth(n, 0);
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
  return max_depth;
}

// A pathological model (huge, deep trees on many features): explain() falls back to the
// recursive walk, whose memory does not grow with the number of leaves.
void TreeShap::drop_leaf_paths() {
  steps_ = std::vector<Step>();
  leaves_ = std::vector<LeafPath>();
  step_cat_ = std::vector<uint32_t>();
  cat_conditions_ = std::vector<CatCondition>();
  max_steps_ = 0;
}

bool TreeShap::goes_left(const Node& nd, float x) const {
  if (std::isnan(x)) return nd.default_left != 0;
  if (nd.categorical) return category_in_set(x, cat_words_.data() + nd.cat_begin, nd.cat_size);
  return x <= nd.threshold;
}

namespace {

// A categorical feature's condition while a path is being built (see CatCondition).
struct PendingCondition {
  bool active = false;
  bool others = true;
  std::vector<uint32_t> words;
};

// cond &= "went left (into set) / right (out of set)" at a split on `set`.
void intersect(PendingCondition& cond, const uint32_t* set, uint32_t size, bool left) {
  // The branch's own condition: left = the set, others out; right = the complement
  // within the bitset, others in.
  const uint32_t others_word_b = left ? 0u : ~0u;
  if (!cond.active) {
    cond.active = true;
    cond.others = !left;
    cond.words.assign(set, set + size);
    if (!left) {
      for (uint32_t& w : cond.words) w = ~w;
    }
    return;
  }
  const uint32_t others_word_a = cond.others ? ~0u : 0u;
  const size_t n = std::max<size_t>(cond.words.size(), size);
  cond.words.resize(n, others_word_a);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = i < size ? (left ? set[i] : ~set[i]) : others_word_b;
    cond.words[i] &= b;
  }
  cond.others = cond.others && !left;
}

}  // namespace

void TreeShap::add_leaf_paths(uint32_t root) {
  if (paths_too_large_) return;
  // Depth-first; each pending node carries its own copy of the merged path so far (and,
  // in a model with categorical splits, of its steps' category conditions).
  struct Pending {
    uint32_t node;
    std::vector<Step> path;
    std::vector<PendingCondition> cats;
  };
  std::vector<Pending> stack;
  stack.push_back({root, {}, {}});
  const float kUnbounded = std::numeric_limits<float>::quiet_NaN();
  while (!stack.empty()) {
    Pending pending = std::move(stack.back());
    stack.pop_back();
    const std::vector<Step>& path = pending.path;
    const Node& nd = nodes_[pending.node];
    if (nd.feature < 0) {
      if (steps_.size() + path.size() > kMaxPathSteps) {
        paths_too_large_ = true;
        return;
      }
      leaves_.push_back(
          {static_cast<uint32_t>(steps_.size()), static_cast<uint32_t>(path.size()), nd.value});
      steps_.insert(steps_.end(), path.begin(), path.end());
      max_steps_ = std::max(max_steps_, path.size());
      if (has_categorical_) {
        for (const PendingCondition& c : pending.cats) {
          if (!c.active) {
            step_cat_.push_back(kNoCondition);
            continue;
          }
          if (cat_words_.size() + c.words.size() > kMaxPathSteps) {
            paths_too_large_ = true;
            return;
          }
          step_cat_.push_back(static_cast<uint32_t>(cat_conditions_.size()));
          cat_conditions_.push_back({static_cast<uint32_t>(cat_words_.size()),
                                     static_cast<uint32_t>(c.words.size()),
                                     static_cast<uint8_t>(c.others ? 1 : 0)});
          cat_words_.insert(cat_words_.end(), c.words.begin(), c.words.end());
        }
      }
      continue;
    }
    for (int side = 0; side < 2; ++side) {
      const bool left = side == 0;
      const uint32_t child = left ? nd.left : nd.right;
      std::vector<Step> p = path;
      std::vector<PendingCondition> cats;
      if (has_categorical_) cats = pending.cats;
      auto it =
          std::find_if(p.begin(), p.end(), [&](const Step& s) { return s.feature == nd.feature; });
      if (it == p.end()) {
        p.push_back({1.0, kUnbounded, kUnbounded, nd.feature, 1});
        if (has_categorical_) cats.emplace_back();
        it = p.end() - 1;
      }
      it->zero *= nodes_[child].cover / nd.cover;
      if (nd.categorical) {
        intersect(cats[static_cast<size_t>(it - p.begin())], cat_words_.data() + nd.cat_begin,
                  nd.cat_size, left);
      } else {
        // Left: x <= threshold, the upper bound tightens; right: x > threshold.
        float& bound = left ? it->upper : it->lower;
        if (std::isnan(bound)) {
          bound = nd.threshold;
        } else {
          bound = left ? std::min(bound, nd.threshold) : std::max(bound, nd.threshold);
        }
      }
      if ((nd.default_left != 0) != left) it->nan_follows = 0;
      stack.push_back({child, std::move(p), std::move(cats)});
    }
  }
}

void TreeShap::build_quadrature(size_t max_points) {
  constexpr double kPi = 3.14159265358979323846;
  rule_begin_.assign(max_points + 2, 0);
  gl_t_.clear();
  gl_w_.clear();
  for (size_t q = 1; q <= max_points; ++q) {
    rule_begin_[q] = gl_t_.size();
    // Roots of the Legendre polynomial P_q by Newton's method from the classical
    // starting points; weights 2 / ((1 - x^2) P_q'(x)^2), then mapped to [0, 1].
    for (size_t i = 1; i <= q; ++i) {
      double x = std::cos(kPi * (static_cast<double>(i) - 0.25) / (static_cast<double>(q) + 0.5));
      double dp = 1;
      for (int it = 0; it < 100; ++it) {
        double p_prev = 1, p = x;  // P_0 and P_1, then up the recurrence to P_{q-1}, P_q
        for (size_t k = 2; k <= q; ++k) {
          const double next =
              ((2.0 * static_cast<double>(k) - 1) * x * p - (static_cast<double>(k) - 1) * p_prev) /
              static_cast<double>(k);
          p_prev = p;
          p = next;
        }
        dp = static_cast<double>(q) * (x * p - p_prev) / (x * x - 1);
        const double dx = p / dp;
        x -= dx;
        if (std::fabs(dx) < 1e-16) break;
      }
      gl_t_.push_back(0.5 * (1 + x));
      gl_w_.push_back(1.0 / ((1 - x * x) * dp * dp));  // (2 / (...)) / 2 for [0, 1]
    }
  }
  rule_begin_[max_points + 1] = gl_t_.size();
}

struct TreeShap::Work {
  const float* row = nullptr;
  double* phi = nullptr;
  std::vector<PathElement> path;
  // At a leaf: per-position constants and, for the features the row follows, the
  // running state of their unwound sums, advanced together so the loop runs across
  // features (independent, vectorizable) rather than down one long dependency chain.
  std::vector<double> a, b, zero, next, total;
  std::vector<int32_t> feature;
};

// Removes element i from the path m of length len, undoing its extension of the weights.
void TreeShap::unwind(PathElement* m, size_t len, size_t i) const {
  const size_t l = len - 1;
  const double one = m[i].one, zero = m[i].zero;
  const double lp1 = static_cast<double>(l + 1), inv_lp1 = inv_[l + 1];
  double next = m[l].weight;
  if (one != 0) {
    for (size_t j = l; j-- > 0;) {
      const double tmp = m[j].weight;
      m[j].weight = next * lp1 * inv_[j + 1];
      next = tmp - m[j].weight * zero * static_cast<double>(l - j) * inv_lp1;
    }
  } else {
    const double inv_zero = 1.0 / zero;
    for (size_t j = l; j-- > 0;) m[j].weight = m[j].weight * lp1 * inv_[l - j] * inv_zero;
  }
  for (size_t j = i; j < l; ++j) {
    m[j].feature = m[j + 1].feature;
    m[j].zero = m[j + 1].zero;
    m[j].one = m[j + 1].one;
  }
}

// For each feature on the path, the sum of the path's weights with that feature unwound
// (the share of coalitions in which it decides), times the leaf value and the difference
// between following the row (one) and not knowing the feature (zero).
void TreeShap::add_leaf(Work& w, const PathElement* m, size_t len, double value) const {
  const size_t l = len - 1;
  if (l == 0) return;
  const double lp1 = static_cast<double>(l + 1), inv_lp1 = inv_[l + 1];
  // A feature the row does not follow (one = 0) unwinds to (l + 1) / zero * s0 with
  // s0 = sum_j weight_j / (l - j), and its zero cancels against the factor (0 - zero).
  double s0 = 0;
  for (size_t j = 0; j < l; ++j) {
    w.a[j] = lp1 * inv_[j + 1];
    w.b[j] = static_cast<double>(l - j) * inv_lp1;
    s0 += m[j].weight * inv_[l - j];
  }
  const double cold = -lp1 * s0 * value;
  size_t hot = 0;
  for (size_t i = 1; i <= l; ++i) {
    if (m[i].one != 0) {
      w.zero[hot] = m[i].zero;
      w.feature[hot] = m[i].feature;
      w.next[hot] = m[l].weight;
      w.total[hot] = 0;
      ++hot;
    } else {
      w.phi[m[i].feature] += cold;
    }
  }
  double* const zero = w.zero.data();
  double* const next = w.next.data();
  double* const total = w.total.data();
  for (size_t j = l; j-- > 0;) {
    const double aj = w.a[j], bj = w.b[j], wj = m[j].weight;
    for (size_t e = 0; e < hot; ++e) {
      const double tmp = next[e] * aj;
      total[e] += tmp;
      next[e] = wj - tmp * zero[e] * bj;
    }
  }
  for (size_t e = 0; e < hot; ++e) w.phi[w.feature[e]] += total[e] * (1.0 - zero[e]) * value;
}

void TreeShap::recurse(Work& w, uint32_t node, PathElement* parent, size_t parent_len, double zero,
                       double one, int32_t feature) const {
  PathElement* m = parent + parent_len;
  std::copy(parent, parent + parent_len, m);
  // Extend the path by this split's feature: every coalition size's weight splits into
  // "feature unknown" (scaled by zero) and "feature known" (scaled by one).
  const size_t l = parent_len;
  const double inv_lp1 = inv_[l + 1];
  m[l] = {feature, zero, one, l == 0 ? 1.0 : 0.0};
  for (size_t i = l; i-- > 0;) {
    m[i + 1].weight += one * m[i].weight * static_cast<double>(i + 1) * inv_lp1;
    m[i].weight = zero * m[i].weight * static_cast<double>(l - i) * inv_lp1;
  }
  size_t len = l + 1;

  const Node& nd = nodes_[node];
  if (nd.feature < 0) {
    add_leaf(w, m, len, nd.value);
    return;
  }
  const bool go_left = goes_left(nd, w.row[nd.feature]);
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
    recurse(w, hot, m, len, hot_zero, incoming_one, nd.feature);
  }
  if (cold_zero != 0) recurse(w, cold, m, len, cold_zero, 0.0, nd.feature);
}

void TreeShap::check_call(const float* rows, size_t n, size_t stride, double* out) const {
  if (rows == nullptr || out == nullptr) throw Error("SHAP: no rows or no output given");
  if (n > 1 && stride < num_features_) {
    throw Error("SHAP: rows are " + std::to_string(stride) + " floats apart but have " +
                std::to_string(num_features_) + " features");
  }
}

void TreeShap::explain_recursive(const float* rows, size_t n, size_t stride, double* out) const {
  if (n == 0) return;
  check_call(rows, n, stride, out);
  Work w;
  w.path.resize(path_capacity_ + 1);
  // A path holds at most kMaxDepth + 1 elements.
  const size_t width = std::min<size_t>(kMaxDepth, num_features_) + 2;
  for (auto* v : {&w.a, &w.b, &w.zero, &w.next, &w.total}) v->resize(width);
  w.feature.resize(width);
  for (size_t r = 0; r < n; ++r) {
    w.phi = out + r * num_features_;
    std::fill(w.phi, w.phi + num_features_, 0.0);
    w.row = rows + r * stride;
    for (uint32_t root : roots_) recurse(w, root, w.path.data(), 0, 1.0, 1.0, -1);
  }
}

namespace {

// One leaf of one row. With a_j = zero_j and b_j = one_j - zero_j, feature j's factor is
// g_j(t) = a_j + b_j t, and its Shapley value is v b_j * integral prod_{i != j} g_i(t) dt.
// The product without j is prefix * suffix (no division, so a factor that is 0 on the
// whole interval, an unreachable branch, is harmless). Q points; Q >= ceil(d / 2).
// kFixed > 0 fixes Q at compile time so the point loops unroll and stay in registers.
// The categorical conditions of a leaf's steps (kCat only): per step an index into
// `conditions` or none, and the words the conditions point into.
template <class CondT>
struct CatView {
  const uint32_t* step_cat = nullptr;
  const CondT* conditions = nullptr;
  const uint32_t* words = nullptr;
  uint32_t none = 0;
};

template <class CondT>
int condition_follows(const CondT& c, const uint32_t* words, float x) {
  if (!(x >= 0.0f) || !(x < 32.0f * static_cast<float>(c.size))) return c.others;
  const auto k = static_cast<uint32_t>(x);
  if (static_cast<float>(k) != x) return c.others;
  return static_cast<int>((words[c.begin + (k >> 5)] >> (k & 31u)) & 1u);
}

template <int kFixed, bool kCat, class StepT, class CondT>
void leaf_shapley(const StepT* steps, size_t d, double value, const float* row, const double* t,
                  const double* w, size_t q, double* prefix, double* suffix, double* b,
                  double* phi, const CatView<CondT>& cat) {
  const size_t n_points = kFixed > 0 ? static_cast<size_t>(kFixed) : q;
  for (size_t j = 0; j < d; ++j) {
    const StepT& s = steps[j];
    const float x = row[s.feature];
    // Bitwise, not short-circuit: whether a row follows a step is data, not a pattern
    // the branch predictor can learn. A NaN bound compares false: unbounded.
    const int missing = x != x;
    int inside = static_cast<int>(!(x <= s.lower)) & static_cast<int>(!(x > s.upper));
    if (kCat && cat.step_cat[j] != cat.none) {
      inside &= condition_follows(cat.conditions[cat.step_cat[j]], cat.words, x);
    }
    const int follows = (missing & s.nan_follows) | ((missing ^ 1) & inside);
    b[j] = static_cast<double>(follows) - s.zero;
  }
  double run[kFixed > 0 ? kFixed : 1];
  double* p = kFixed > 0 ? run : suffix;  // the generic path reuses suffix for the prefix
  for (size_t k = 0; k < n_points; ++k) p[k] = 1.0;
  for (size_t j = 0; j < d; ++j) {
    double* pre = prefix + j * n_points;
    const double a = steps[j].zero, bj = b[j];
    for (size_t k = 0; k < n_points; ++k) {
      pre[k] = p[k];
      p[k] *= a + bj * t[k];
    }
  }
  double* suf = kFixed > 0 ? run : suffix;
  for (size_t k = 0; k < n_points; ++k) suf[k] = w[k] * value;
  for (size_t j = d; j-- > 0;) {
    const double* pre = prefix + j * n_points;
    const double a = steps[j].zero, bj = b[j];
    double sum = 0;
    for (size_t k = 0; k < n_points; ++k) {
      sum += pre[k] * suf[k];
      suf[k] *= a + bj * t[k];
    }
    phi[steps[j].feature] += bj * sum;
  }
}

// Picks the compiled rule for q quadrature points.
template <bool kCat, class StepT, class CondT>
void leaf_rule(size_t q, const StepT* steps, size_t d, double value, const float* row,
               const double* t, const double* w, double* pre, double* suffix, double* b,
               double* phi, const CatView<CondT>& cat) {
  switch (q) {
    case 1:
      leaf_shapley<1, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    case 2:
      leaf_shapley<2, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    case 3:
      leaf_shapley<3, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    case 4:
      leaf_shapley<4, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    case 5:
      leaf_shapley<5, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    case 6:
      leaf_shapley<6, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
      break;
    default:
      leaf_shapley<0, kCat>(steps, d, value, row, t, w, q, pre, suffix, b, phi, cat);
  }
}

// One row: every leaf path's Shapley values added to phi. A function of its own, called
// once per row and kept out of explain(): V8 first runs a wasm function in its baseline
// compiler (Liftoff) and moves to optimized code only on a later call, never inside a
// running one, so a single explain() over the trainer's 2,000 importance rows ran all of
// them at baseline speed (about a third of optimized code's).
template <bool kCat, class LeafT, class StepT, class CondT>
__attribute__((noinline)) void explain_row(const LeafT* leaves, size_t n_leaves,
                                           const StepT* all_steps, const float* row,
                                           const double* gl_t, const double* gl_w,
                                           const size_t* rule_begin, double* prefix,
                                           double* suffix, double* b, double* phi,
                                           const CatView<CondT>& all_cat) {
  for (size_t i = 0; i < n_leaves; ++i) {
    const LeafT& leaf = leaves[i];
    const StepT* steps = all_steps + leaf.begin;
    const size_t d = leaf.size;
    const size_t q = (d + 1) / 2;
    const double* t = gl_t + rule_begin[q];
    const double* w = gl_w + rule_begin[q];
    CatView<CondT> cat = all_cat;
    if (kCat) cat.step_cat += leaf.begin;
    leaf_rule<kCat>(q, steps, d, leaf.value, row, t, w, prefix, suffix, b, phi, cat);
  }
}

}  // namespace

void TreeShap::explain(const float* rows, size_t n, size_t stride, double* out) const {
  if (paths_too_large_) {
    explain_recursive(rows, n, stride, out);
    return;
  }
  if (n == 0) return;
  check_call(rows, n, stride, out);
  const size_t max_points = (max_steps_ + 1) / 2;
  std::vector<double> prefix((max_steps_ + 1) * (max_points + 1)), suffix(max_points + 1),
      b(max_steps_ + 1);
  const CatView<CatCondition> cat =
      has_categorical_
          ? CatView<CatCondition>{step_cat_.data(), cat_conditions_.data(), cat_words_.data(),
                                  kNoCondition}
          : CatView<CatCondition>{};
  // Called through a pointer the optimizer cannot see through: binaryen (emscripten's
  // link-time optimizer) inlines any function that has a single caller, whatever its size,
  // which would put all the rows back into this one call.
  using RowFn = void (*)(const LeafPath*, size_t, const Step*, const float*, const double*,
                         const double*, const size_t*, double*, double*, double*, double*,
                         const CatView<CatCondition>&);
  RowFn volatile row_fn = has_categorical_ ? &explain_row<true, LeafPath, Step, CatCondition>
                                           : &explain_row<false, LeafPath, Step, CatCondition>;
  const RowFn explain_one = row_fn;
  for (size_t r = 0; r < n; ++r) {
    double* phi = out + r * num_features_;
    std::fill(phi, phi + num_features_, 0.0);
    explain_one(leaves_.data(), leaves_.size(), steps_.data(), rows + r * stride, gl_t_.data(),
                gl_w_.data(), rule_begin_.data(), prefix.data(), suffix.data(), b.data(), phi, cat);
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
