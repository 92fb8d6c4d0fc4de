// Inference over many rows. Walking 4 rows through one tree together hides the latency
// of each dependent node load behind the others (measured 2x natively and in wasm), and
// the self-looping leaves keep that inner loop free of per-row branches. A block steps until
// its deepest row has reached a leaf, so with leaf-wise trees (paths of very unequal length)
// a wider block wastes steps: 4 rows took 13% less CPU than 8 to score 1M demo leads
// (demo_leads.fcm, 104 trees x 31 leaves; 4 interleaved runs each, 1 thread).
#include "funnelcast/gbdt/engine.hpp"

#include <cmath>
#include <cstring>
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
}

template <int kBlock, bool kCategoricalNodes>
void FlatEnsemble::predict_block(const float* rows, size_t stride, double* acc) const {
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

template <int kBlock>
void FlatEnsemble::predict_block_any(const float* rows, size_t stride, double* acc) const {
  if (has_categorical_) {
    predict_block<kBlock, true>(rows, stride, acc);
  } else {
    predict_block<kBlock, false>(rows, stride, acc);
  }
}

void FlatEnsemble::predict_raw(const float* rows, size_t n, size_t stride, double* out) const {
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
