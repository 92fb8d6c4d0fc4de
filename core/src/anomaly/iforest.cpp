// Random choices come from splitmix64 and plain arithmetic only, so a forest grown from
// the same rows and seed has the same trees natively and in wasm.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include "funnelcast/anomaly/iforest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"

namespace fc::anomaly {
namespace {

uint64_t mix64(uint64_t z) {  // the splitmix64 finalizer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Rng {
  uint64_t state;
  uint64_t next() { return mix64(state += 0x9e3779b97f4a7c15ULL); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t below(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)); }
};

class Grower {
 public:
  // cols: the tree's subsample by feature (cols[f * stride + k], k indexing the subsample),
  // so a node's scan over one feature reads one small contiguous column.
  // flat[f]: feature f does not vary over the whole subsample (every value the same, or
  // none known), so in no node: drawn, it is put aside without a scan.
  Grower(const float* cols, size_t stride, const uint8_t* flat, size_t features, int max_depth,
         Rng& rng, gbdt::Tree& tree)
      : cols_(cols), stride_(stride), flat_(flat), features_(features), max_depth_(max_depth),
        rng_(rng), tree_(tree) {}

  // Grows the node holding idx[begin, end); returns its child code (internal index, or
  // ~leaf).
  int32_t grow(std::vector<uint32_t>& idx, size_t begin, size_t end, int depth) {
    const size_t n = end - begin;
    if (n <= 1 || depth >= max_depth_) return leaf(n, depth);
    // A feature drawn at random among those that still vary among the node's known
    // values: draw, and draw again among the rest when the drawn one is constant.
    candidates_.resize(features_);
    for (size_t f = 0; f < features_; ++f) candidates_[f] = static_cast<uint32_t>(f);
    size_t left = features_;
    uint32_t f = 0;
    float lo = 0, hi = 0;
    for (;;) {
      if (left == 0) return leaf(n, depth);
      const size_t k = rng_.below(left);
      f = candidates_[k];
      if (flat_[f]) {
        std::swap(candidates_[k], candidates_[--left]);
        continue;
      }
      lo = std::numeric_limits<float>::infinity();
      hi = -std::numeric_limits<float>::infinity();
      const float* col = cols_ + static_cast<size_t>(f) * stride_;
      for (size_t i = begin; i < end; ++i) {
        const float x = col[idx[i]];  // NaN: neither comparison holds, lo and hi stay
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      if (lo < hi) break;
      std::swap(candidates_[k], candidates_[--left]);
    }
    float threshold = static_cast<float>(lo + rng_.uniform() * (static_cast<double>(hi) - lo));
    // x <= threshold goes left: keep the largest value on the right.
    if (!(threshold < hi)) threshold = std::nextafter(hi, -std::numeric_limits<float>::infinity());
    if (threshold < lo) threshold = lo;
    const bool nan_left = rng_.uniform() < 0.5;
    // Partition in place: left first.
    size_t mid = begin;
    const float* col = cols_ + static_cast<size_t>(f) * stride_;
    // (Without a branch: the side is a coin flip the predictor cannot learn. Swaps
    // idx[i] and idx[mid] when it goes left, as std::swap did.)
    uint32_t* id = idx.data();
    for (size_t i = begin; i < end; ++i) {
      const uint32_t v = id[i], w = id[mid];
      const float x = col[v];
      const bool left = std::isnan(x) ? nan_left : x <= threshold;
      id[i] = left ? w : v;
      id[mid] = left ? v : w;
      mid += left;
    }
    const int32_t node = static_cast<int32_t>(tree_.feature.size());
    tree_.feature.push_back(static_cast<int32_t>(f));
    tree_.threshold.push_back(threshold);
    tree_.default_left.push_back(nan_left ? 1 : 0);
    tree_.left.push_back(0);
    tree_.right.push_back(0);
    const int32_t l = grow(idx, begin, mid, depth + 1);
    const int32_t r = grow(idx, mid, end, depth + 1);
    tree_.left[static_cast<size_t>(node)] = l;
    tree_.right[static_cast<size_t>(node)] = r;
    return node;
  }

 private:
  int32_t leaf(size_t n, int depth) {
    const int32_t id = static_cast<int32_t>(tree_.leaf_value.size());
    tree_.leaf_value.push_back(static_cast<float>(depth + average_path_length(n)));
    tree_.leaf_cover.push_back(static_cast<float>(n));
    return ~id;
  }

  const float* cols_;
  size_t stride_;
  const uint8_t* flat_;
  size_t features_;
  int max_depth_;
  Rng& rng_;
  gbdt::Tree& tree_;
  std::vector<uint32_t> candidates_;
};

}  // namespace

double average_path_length(size_t n) {
  if (n <= 1) return 0;
  if (n == 2) return 1;
  // H(m) summed exactly for small m, by its asymptotic expansion for large m.
  const double m = static_cast<double>(n - 1);
  double h;
  if (n <= 256) {
    h = 0;
    for (size_t i = 1; i < n; ++i) h += 1.0 / static_cast<double>(i);
  } else {
    h = std::log(m) + 0.57721566490153286061 + 1 / (2 * m) - 1 / (12 * m * m);
  }
  return 2 * h - 2 * m / static_cast<double>(n);
}

IsolationForest IsolationForest::fit(const float* rows, size_t n, size_t features,
                                     const ForestOptions& o) {
  if (n < 2) throw Error("isolation forest: at least 2 rows are needed, got " + std::to_string(n));
  if (features == 0) throw Error("isolation forest: no features");
  if (o.trees < 1 || o.subsample < 2)
    throw Error("isolation forest: trees >= 1 and subsample >= 2 needed");
  IsolationForest out;
  out.subsample_ = std::min(n, static_cast<size_t>(o.subsample));
  const int max_depth = static_cast<int>(std::ceil(std::log2(static_cast<double>(out.subsample_))));
  out.ensemble_.objective = gbdt::Objective::kSquaredError;
  out.ensemble_.num_features = static_cast<uint32_t>(features);
  out.ensemble_.base_score = 0;
  out.ensemble_.trees.resize(static_cast<size_t>(o.trees));
  const size_t m = out.subsample_;
  std::vector<uint32_t> pool(n), idx(m), drawn(m);
  for (size_t i = 0; i < n; ++i) pool[i] = static_cast<uint32_t>(i);
  std::vector<float> cols(m * features);
  std::vector<uint8_t> flat(features);
  for (int t = 0; t < o.trees; ++t) {
    Rng rng{mix64(o.seed ^ mix64(static_cast<uint64_t>(t) + 1))};
    // A partial Fisher-Yates shuffle draws the subsample without replacement. The grower
    // reads the drawn rows from their copy by feature; idx[k] = k is the k-th drawn row.
    // pool is 0, 1, ..., n - 1 here: each tree's swaps are undone after its draw.
    for (size_t i = 0; i < m; ++i) {
      const size_t j = i + rng.below(n - i);
      drawn[i] = static_cast<uint32_t>(j);
      std::swap(pool[i], pool[j]);
      idx[i] = static_cast<uint32_t>(i);
      const float* row = rows + static_cast<size_t>(pool[i]) * features;
      for (size_t f = 0; f < features; ++f) cols[f * m + i] = row[f];
    }
    for (size_t i = m; i-- > 0;) std::swap(pool[i], pool[drawn[i]]);
    for (size_t f = 0; f < features; ++f) {
      float lo = std::numeric_limits<float>::infinity(), hi = -lo;
      for (size_t i = 0; i < m; ++i) {
        const float x = cols[f * m + i];
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      flat[f] = lo < hi ? 0 : 1;
    }
    gbdt::Tree& tree = out.ensemble_.trees[static_cast<size_t>(t)];
    Grower g(cols.data(), m, flat.data(), features, max_depth, rng, tree);
    g.grow(idx, 0, idx.size(), 0);
  }
  out.engine_ = gbdt::FlatEnsemble(out.ensemble_);
  return out;
}

double IsolationForest::path_length(const float* row) const {
  return engine_.predict_one(row) / static_cast<double>(ensemble_.trees.size());
}

double IsolationForest::score(const float* row) const {
  return std::exp(-M_LN2 * path_length(row) / average_path_length(subsample_));
}

void IsolationForest::score(const float* rows, size_t n, double* out) const {
  engine_.predict_raw(rows, n, ensemble_.num_features, out);
  const double trees = static_cast<double>(ensemble_.trees.size());
  const double c = average_path_length(subsample_);
  for (size_t i = 0; i < n; ++i) out[i] = std::exp(-M_LN2 * (out[i] / trees) / c);
}

}  // namespace fc::anomaly
