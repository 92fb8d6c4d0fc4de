// Inference over many rows. Walking 4 rows through one tree together hides the latency
// of each dependent node load behind the others (measured 2x natively and in wasm), and
// the self-looping leaves keep that inner loop free of per-row branches. A block steps until
// its deepest row has reached a leaf, so with leaf-wise trees (paths of very unequal length)
// a wider block wastes steps: 4 rows took 13% less CPU than 8 to score 1M demo leads
// (demo_leads.fcm, 104 trees x 31 leaves; 4 interleaved runs each, 1 thread).
//
// Models whose categorical nodes fit the coded path (see engine.hpp) take it:
// 4-row blocks then took 7.9 steps a tree for a mean path of 5.1 nodes, and the categorical
// test (a third of the demo model's nodes) behind an unpredictable branch cost 40% of the
// time (the same walk with every node numeric: 17 against 29 ns a row a tree). Branch-free
// on the raw floats it was slower still (35 ns: the clamps and NaN tests cost more
// instructions than the mispredictions); on category numbers, with the set in the node and
// missing values folded into the set or the comparison, 19-24 against 29-31 ns a row a tree
// (200,000 demo leads, 1 thread, best of 5, 3 interleaved runs, load average about 5).
// The wasm build takes it too (once the bundle was built with non-trapping float-to-int
// conversions, which made room for it): scoring 20,000 demo leads in the inference bundle
// took about 90 against 130 ms once warm (node, medians of 20 calls).
#include "funnelcast/gbdt/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::gbdt {

FlatEnsemble::FlatEnsemble(const Ensemble& ensemble)
    : objective_(&objective_function(ensemble.objective)),
      base_score_(ensemble.base_score),
      num_features_(ensemble.num_features) {
  // The engine indexes rows with the stored feature numbers, so it accepts only what
  // validate() has vouched for; a damaged model is an error here, never a wild read.
  ensemble.validate();
  if (num_features_ > kFeatureMask) throw Error("model: too many features");
  size_t total = 0;
  for (const Tree& t : ensemble.trees) total += t.feature.size() + t.leaf_value.size();
  if (total >= kFeatureMask) throw Error("model: too many nodes");
  nodes_.reserve(total);
  tree_roots_.reserve(ensemble.trees.size());

  // Breadth-first, so each node's two children get adjacent slots and the top levels of a
  // tree, which every row visits, share cache lines.
  struct Pending {
    int32_t ref;    // >= 0 internal node of the source tree, < 0 leaf ~ref
    uint32_t slot;  // where it goes in nodes_
  };
  std::vector<Pending> queue;
  for (const Tree& t : ensemble.trees) {
    const uint32_t root = static_cast<uint32_t>(nodes_.size());
    tree_roots_.push_back(root);
    nodes_.push_back(Node{});
    queue.clear();
    queue.push_back({t.feature.empty() ? ~0 : 0, root});
    for (size_t q = 0; q < queue.size(); ++q) {
      const Pending p = queue[q];
      Node& node = nodes_[p.slot];
      if (p.ref < 0) {
        node.threshold = t.leaf_value[~p.ref];
        node.feature_and_flags = kLeaf | kDefaultLeft;
        node.left = p.slot;
        continue;
      }
      const uint32_t pair = static_cast<uint32_t>(nodes_.size());
      node.threshold = t.threshold[p.ref];
      node.feature_and_flags =
          static_cast<uint32_t>(t.feature[p.ref]) | (t.default_left[p.ref] ? kDefaultLeft : 0u);
      if (t.is_categorical(static_cast<size_t>(p.ref))) {
        const auto s = static_cast<size_t>(t.cat_set[p.ref]);
        const uint32_t begin = t.cat_begin[s], words = t.cat_begin[s + 1] - begin;
        if (cat_.size() + words + 1 > UINT32_MAX) throw Error("model: too many category sets");
        const auto offset = static_cast<uint32_t>(cat_.size());
        std::memcpy(&node.threshold, &offset, sizeof offset);
        node.feature_and_flags |= kCategorical;
        cat_.push_back(words);
        cat_.insert(cat_.end(), t.cat_bits.begin() + begin, t.cat_bits.begin() + begin + words);
        has_categorical_ = true;
      }
      node.left = pair;
      nodes_.push_back(Node{});  // invalidates `node`; not used below
      nodes_.push_back(Node{});
      queue.push_back({t.left[p.ref], pair});
      queue.push_back({t.right[p.ref], pair + 1});
    }
  }
  if (!has_categorical_) return;
  // The coded nodes. A categorical node keeps its set, with bit 31 (category 31 itself is
  // read as none) standing for a missing value when missing goes left. A numeric node whose
  // missing values go left has its children swapped and tests -x <= -next(t) instead of
  // x <= t (true exactly when x > t is false, thresholds being finite), so that NaN goes right
  // either way and needs no test of its own; kDefaultLeft marks those, whose x has its sign
  // flipped.
  std::vector<uint8_t> read_as(num_features_, 0);  // bit 0 by a numeric node, bit 1 categorical
  coded_nodes_ = nodes_;
  bool codable = true;
  for (size_t i = 0; i < coded_nodes_.size(); ++i) {
    Node& node = coded_nodes_[i];
    const uint32_t flags = node.feature_and_flags;
    if (flags & kLeaf) continue;
    const bool categorical = (flags & kCategorical) != 0, missing_left = (flags & kDefaultLeft) != 0;
    read_as[flags & kFeatureMask] |= categorical ? 2 : 1;
    if (categorical) {
      uint32_t offset;
      std::memcpy(&offset, &node.threshold, sizeof offset);
      const uint32_t words = cat_[offset], set = words ? cat_[offset + 1] : 0u;
      codable = codable && words <= 1 && (set >> 31) == 0;
      const uint32_t coded_set = set | (missing_left ? 0x80000000u : 0u);
      std::memcpy(&node.threshold, &coded_set, sizeof coded_set);
      node.feature_and_flags = flags & ~kDefaultLeft;
    } else if (missing_left) {
      node.threshold = -std::nextafter(node.threshold, std::numeric_limits<float>::infinity());
      std::swap(coded_nodes_[node.left], coded_nodes_[node.left + 1]);
      for (uint32_t child = node.left; child < node.left + 2; ++child)
        if (coded_nodes_[child].feature_and_flags & kLeaf) coded_nodes_[child].left = child;
    }
  }
  coded_ = codable;
  for (uint32_t f = 0; f < num_features_; ++f) {
    if (read_as[f] == 3) coded_ = false;
    if (read_as[f] == 2) categorical_features_.push_back(f);
  }
  if (!coded_) std::vector<Node>().swap(coded_nodes_);
}

// flatten: category_in_set inlined into the walk. The wasm build (-O3 compiled, linked
// -Oz) kept it a call per categorical node, a third of the time of scoring 20,000 demo
// leads in the page.
template <int kBlock, bool kCategoricalNodes>
__attribute__((flatten)) void FlatEnsemble::predict_block(const float* rows, size_t stride, double* acc) const {
  const Node* nodes = nodes_.data();
  const uint32_t* cat = cat_.data();
  for (int j = 0; j < kBlock; ++j) acc[j] = base_score_;
  for (const uint32_t root : tree_roots_) {
    if (nodes[root].feature_and_flags & kLeaf) {
      // A one-leaf tree reads no feature (a model may have none at all).
      for (int j = 0; j < kBlock; ++j) acc[j] += static_cast<double>(nodes[root].threshold);
      continue;
    }
    uint32_t idx[kBlock];
    for (int j = 0; j < kBlock; ++j) idx[j] = root;
    uint32_t active;
    do {
      active = 0;
      for (int j = 0; j < kBlock; ++j) {
        const Node& n = nodes[idx[j]];
        const uint32_t flags = n.feature_and_flags;
        const float x = rows[j * stride + (flags & kFeatureMask)];
        const uint32_t not_leaf = ((~flags) >> 30) & 1u;
        const uint32_t missing_right = ((~flags) >> 31) & 1u;
        uint32_t go_right;
        if (kCategoricalNodes && (flags & kCategorical)) {
          uint32_t offset;
          std::memcpy(&offset, &n.threshold, sizeof offset);
          go_right = std::isnan(x) ? missing_right
                                   : static_cast<uint32_t>(
                                         !category_in_set(x, cat + offset + 1, cat[offset]));
        } else {
          go_right = std::isnan(x) ? missing_right : static_cast<uint32_t>(!(x <= n.threshold));
        }
        idx[j] = n.left + (go_right & not_leaf);
        active |= not_leaf;
      }
    } while (active);
    // Summed tree by tree in model order, as predict_raw_reference does, so the two agree
    // to the last bit rather than merely within rounding.
    for (int j = 0; j < kBlock; ++j) acc[j] += static_cast<double>(nodes[idx[j]].threshold);
  }
}

// noinline in wasm: in the browser the first scoring runs in V8's baseline compiler
// (Liftoff), which moves a function up to optimised code only between calls. Called once
// per block, this walk is optimised after the first few hundred blocks of the first call,
// which then took about 200 ms for 20,000 demo leads in node instead of about 230 with the
// walk inlined into predict_coded's loop (5 fresh processes each). Natively it stays inlined.
template <int kBlock>
#ifdef __EMSCRIPTEN__
__attribute__((noinline))
#endif
void FlatEnsemble::predict_block_coded(const uint32_t* rows, size_t stride, double* acc) const {
  const Node* nodes = coded_nodes_.data();
  for (int j = 0; j < kBlock; ++j) acc[j] = base_score_;
  for (const uint32_t root : tree_roots_) {
    if (nodes[root].feature_and_flags & kLeaf) {
      for (int j = 0; j < kBlock; ++j) acc[j] += static_cast<double>(nodes[root].threshold);
      continue;
    }
    uint32_t idx[kBlock];
    for (int j = 0; j < kBlock; ++j) idx[j] = root;
    uint32_t active;
    do {
      active = 0;
      for (int j = 0; j < kBlock; ++j) {
        const Node& n = nodes[idx[j]];
        const uint32_t flags = n.feature_and_flags;
        const uint32_t x_bits = rows[j * stride + (flags & kFeatureMask)] ^ (flags & kDefaultLeft);
        float x;
        std::memcpy(&x, &x_bits, sizeof x);
        uint32_t set;
        std::memcpy(&set, &n.threshold, sizeof set);
        const uint32_t not_leaf = ((~flags) >> 30) & 1u;
        const uint32_t categorical = (flags >> 29) & 1u;
        // Both tests, one kept: a numeric node compares x with its threshold (NaN goes right),
        // a categorical one looks its category number up in its set (past 31: in none).
        uint32_t go_right = static_cast<uint32_t>(!(x <= n.threshold));
        const uint32_t in_set = (set >> (x_bits & 31u)) & static_cast<uint32_t>(x_bits < 32u);
        go_right ^= categorical & (go_right ^ in_set ^ 1u);
        idx[j] = n.left + (go_right & not_leaf);
        active |= not_leaf;
      }
    } while (active);
    for (int j = 0; j < kBlock; ++j) acc[j] += static_cast<double>(nodes[idx[j]].threshold);
  }
}

void FlatEnsemble::predict_coded(const float* rows, size_t n, size_t stride, double* out) const {
  constexpr size_t kRows = 64, kBlock = 4;
  const size_t width = num_features_;
  std::vector<uint32_t> coded(kRows * width);
  for (size_t first = 0; first < n; first += kRows) {
    const size_t count = std::min(kRows, n - first);
    for (size_t r = 0; r < count; ++r) {
      uint32_t* row = coded.data() + r * width;
      std::memcpy(row, rows + (first + r) * stride, width * sizeof(float));
      for (const uint32_t f : categorical_features_) {
        float x;
        std::memcpy(&x, &row[f], sizeof x);
        // As category_in_set reads it: an integer from 0 to 30 is that category, any
        // other number none (32; no coded set holds 31), NaN missing (31).
        const bool category = x >= 0.0f && x < 31.0f && static_cast<float>(static_cast<uint32_t>(x)) == x;
        row[f] = std::isnan(x) ? 31u : category ? static_cast<uint32_t>(x) : 32u;
      }
    }
    size_t r = 0;
    for (; r + kBlock <= count; r += kBlock)
      predict_block_coded<kBlock>(coded.data() + r * width, width, out + first + r);
    for (; r < count; ++r) predict_block_coded<1>(coded.data() + r * width, width, out + first + r);
  }
}

template <int kBlock>
void FlatEnsemble::predict_block_any(const float* rows, size_t stride, double* acc) const {
  if (has_categorical_) {
    predict_block<kBlock, true>(rows, stride, acc);
  } else {
    predict_block<kBlock, false>(rows, stride, acc);
  }
}

void FlatEnsemble::predict_raw(const float* rows, size_t n, size_t stride, double* out) const {
  if (coded_) return predict_coded(rows, n, stride, out);
  constexpr int kBlock = 4;
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) predict_block_any<kBlock>(rows + i * stride, stride, out + i);
  for (; i < n; ++i) predict_block_any<1>(rows + i * stride, stride, out + i);
}

void FlatEnsemble::predict(const float* rows, size_t n, size_t stride, double* out) const {
  predict_raw(rows, n, stride, out);
  if (objective_->link() == Link::kIdentity) return;
  for (size_t i = 0; i < n; ++i) out[i] = objective_->transform(out[i]);
}

double FlatEnsemble::predict_one(const float* row) const {
  double out;
  predict_block_any<1>(row, 0, &out);
  return objective_->transform(out);
}

}  // namespace fc::gbdt
