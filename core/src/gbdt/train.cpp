// Histogram gradient boosting in the LightGBM mould: features are binned once into
// uint8 codes (binning.cpp; a categorical feature's categories are its bins), each leaf
// keeps a gradient histogram per feature (histogram.cpp), the best split of each leaf
// comes from those histograms (split.cpp), and the tree grows leaf-wise. The loss is the
// objective's (objective.hpp); this file is the learner. Determinism is a design
// constraint throughout: every sum runs in a fixed order, every random draw comes from
// our own seeded generator, and the threads only ever split work by feature, so any
// thread count (and wasm) gives the same model.
#include "funnelcast/gbdt/train.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "binning.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/objective.hpp"
#include "histogram.hpp"
#include "internal.hpp"
#include "split.hpp"
#include "workers.hpp"

namespace fc::gbdt {

namespace {

using detail::FeatureBins;
using detail::HistBin;
using detail::Rng;
using detail::Split;
using detail::Workers;
using detail::bin_goes_left;
using detail::kGroup;

// Below this much histogram work a job is cheaper to run inline than to hand out.
constexpr size_t kMinParallelWork = 1 << 18;
// Rows per chunk when a row loop is split across threads. Fixed, so per-chunk partial
// sums (and therefore totals) do not depend on the thread count.
constexpr size_t kRowChunk = 1 << 14;

// ---------------------------------------------------------------------------------
// Input checks

void check_labels(const Dataset& d, const ObjectiveFunction& objective, const char* what) {
  auto where = [&](size_t i) {
    return std::string(what) + " labels: row " + std::to_string(i + 1);
  };
  for (size_t i = 0; i < d.rows; ++i) {
    const double y = d.y[i];
    if (!std::isfinite(y)) throw Error(where(i) + " is not a finite number");
    const std::string problem = objective.check_label(y);
    if (!problem.empty()) throw Error(where(i) + " " + problem);
  }
  if (d.weight) {
    double sw = 0;
    for (size_t i = 0; i < d.rows; ++i) {
      const double w = d.weight[i];
      if (!std::isfinite(w) || w < 0) {
        throw Error(std::string(what) + " weights: row " + std::to_string(i + 1) +
                    " is not a finite number >= 0");
      }
      sw += w;
    }
    if (!(sw > 0)) throw Error(std::string(what) + " weights: all weights are zero");
  }
}

// counts: the training set's category_counts (or null), which the validation set shares.
void check_categories(const Dataset& d, const uint32_t* counts, const char* what) {
  if (!counts) return;
  for (size_t c = 0; c < d.cols; ++c) {
    const uint32_t k = counts[c];
    if (k == 0) continue;
    const std::string column = std::string(what) + " data: column " + std::to_string(c + 1);
    if (k > kMaxCategories) {
      throw Error(column + " has " + std::to_string(k) + " categories; at most " +
                  std::to_string(kMaxCategories) + " are supported");
    }
    for (size_t r = 0; r < d.rows; ++r) {
      const float x = d.x[r * d.cols + c];
      if (std::isnan(x)) continue;
      if (!(x >= 0.0f && x < static_cast<float>(k)) || std::floor(x) != x) {
        throw Error(column + " is categorical with " + std::to_string(k) + " categories (codes 0 to " +
                    std::to_string(k - 1) + "), but row " + std::to_string(r + 1) + " holds " +
                    std::to_string(x));
      }
    }
  }
}

void check_dataset(const Dataset& d, const ObjectiveFunction& objective, const char* what,
                   const uint32_t* category_counts) {
  if (d.rows == 0) throw Error(std::string(what) + " data has no rows");
  if (d.cols == 0) throw Error(std::string(what) + " data has no feature columns");
  if (!d.x || !d.y) throw Error(std::string(what) + " data: features or labels are missing");
  if (d.rows > std::numeric_limits<uint32_t>::max() / 2) {
    throw Error(std::string(what) + " data has too many rows (" + std::to_string(d.rows) + ")");
  }
  check_labels(d, objective, what);
  check_categories(d, category_counts, what);
}

// The validation set must have the training set's columns and categories.
void check_validation_shape(const Dataset& train, const Dataset& valid) {
  if (valid.cols != train.cols) {
    throw Error("validation data has " + std::to_string(valid.cols) +
                " feature columns, training data has " + std::to_string(train.cols));
  }
  if (!valid.category_counts) return;
  for (size_t c = 0; c < valid.cols; ++c) {
    const uint32_t want = train.category_counts ? train.category_counts[c] : 0;
    if (valid.category_counts[c] != want) {
      throw Error("validation data: column " + std::to_string(c + 1) + " has " +
                  std::to_string(valid.category_counts[c]) + " categories, the training data " +
                  std::to_string(want));
    }
  }
}

// ---------------------------------------------------------------------------------
// Tree growth

struct Leaf {
  uint32_t begin = 0, count = 0;  // segment of `order_`
  double g = 0, h = 0;
  int depth = 0;
  int hist = -1;    // histogram buffer, or -1 when the leaf will not be split
  int parent = -1;  // internal node that points at this leaf
  bool is_left = false;
  Split best;
};

// A tree as grown, with what the binned walk and the feature gains need besides.
struct GrownTree {
  Tree tree;
  std::vector<uint8_t> bin;  // per internal node: go left iff code <= bin
  std::vector<double> gain;  // per internal node
  // Per internal node of a tree with categorical splits (else empty): the Split's
  // left_bins, all zero at a numeric node.
  std::vector<std::array<uint64_t, 4>> left_bins;
};

class Trainer {
 public:
  Trainer(const Dataset& train, const Dataset* valid, const Params& p, const Measures& measures)
      : d_(train),
        v_(valid),
        p_(p),
        measures_(measures),
        objective_(objective_function(p.objective)),
        n_(train.rows),
        cols_(train.cols),
        workers_(thread_count(p)) {}

  TrainResult run(const Progress& progress);
  const KeepTrees* keep = nullptr;  // train(..., KeepTrees): see train.hpp

 private:
  static int thread_count(const Params& p) {
#ifdef __EMSCRIPTEN__
    (void)p;
    return 1;
#else
    int t = p.num_threads;
    if (t <= 0) t = static_cast<int>(std::thread::hardware_concurrency());
    return std::max(1, t);
#endif
  }

  // Splits [0, n) into fixed chunks; fn(chunk, begin, end).
  template <class Fn>
  void for_chunks(size_t n, Fn&& fn) {
    const size_t chunks = (n + kRowChunk - 1) / kRowChunk;
    std::function<void(size_t)> job = [&](size_t c) {
      fn(c, c * kRowChunk, std::min(n, (c + 1) * kRowChunk));
    };
    if (n < 4 * kRowChunk) {
      for (size_t c = 0; c < chunks; ++c) job(c);
    } else {
      workers_.run(chunks, job);
    }
  }

  void prepare(double base_score);
  void build_bins();
  void compute_gradients();
  double metric(const Dataset& d, const std::vector<double>& score);
  void draw_bag(Rng& rng);
  void draw_features(Rng& rng);
  void sample_features(Rng& rng);
  GrownTree grow_tree();
  void start_root();
  void set_leaf_values(Tree& t) const;
  void build_histograms(size_t first, size_t n, const uint32_t* rows, const GradPair* gp,
                        size_t count, bool all_rows, HistBin* hist) const;
  void find_best(const Leaf& leaf, const HistBin* hist, int feature, Split& out,
                 const uint64_t* occupied = nullptr) const;
  void occupied_bins(int feature, const uint32_t* rows, size_t count, bool all_rows,
                     uint64_t* mask) const;
  void search_splits(Leaf& small, bool split_small, Leaf* large, bool split_large,
                     bool all_rows);
  bool can_split(const Leaf& leaf) const;
  int acquire_hist();
  void release_hist(int& h);
  size_t partition(const Leaf& leaf, const Split& s);
  template <class GoLeft>
  size_t partition_by(const Leaf& leaf, GoLeft go_left_of);
  void split_leaf(GrownTree& gt, int leaf_id, int num_leaves_after);
  int add_node(GrownTree& gt, int leaf_id, int right_id, const Split& s) const;
  void add_category_set(GrownTree& gt, int node, const Split& s) const;
  void split_rows(int leaf_id, int node, const Split& s);
  void search_children(Leaf& left, Leaf& right, int parent_hist, bool more);
  void update_scores(const GrownTree& gt, std::vector<double>& score,
                     const std::vector<uint8_t>& codes, size_t rows, bool use_segments);
  size_t walk(const GrownTree& gt, const uint8_t* codes, size_t rows, size_t r) const;

  const Dataset& d_;
  const Dataset* v_;
  const Params& p_;
  const Measures measures_;
  const ObjectiveFunction& objective_;
  size_t n_, cols_;
  Workers workers_;

  std::vector<FeatureBins> bins_;
  std::vector<uint32_t> offset_;  // first histogram slot of each feature
  size_t hist_size_ = 0;
  std::vector<uint8_t> codes_;   // cols x n, column-major
  std::vector<uint8_t> vcodes_;  // validation rows, same layout
  std::vector<int> usable_;      // features with at least two codes in the data
  std::vector<int> active_;      // this tree's features (feature_fraction)
  size_t group_ = kGroup;        // features per histogram task

  std::vector<double> score_, vscore_;
  std::vector<GradPair> gh_;  // per row, indexed by row
  std::vector<uint8_t> in_bag_;
  std::vector<uint32_t> bag_rows_;  // rows of the current bag, ascending
  bool bagging_ = false;
  bool unit_hessian_ = false;

  std::vector<uint32_t> order_;  // leaves own contiguous segments of this
  std::vector<uint32_t> scratch_;
  std::vector<GradPair> ordered_gh_;  // gradients in `order_` order
  std::vector<GradPair> gh_scratch_;
  std::vector<uint32_t> scratch_right_;  // the parallel partition's second buffers
  std::vector<GradPair> gh_scratch_right_;
  std::vector<size_t> chunk_left_, chunk_right_, chunk_dest_;
  std::vector<Leaf> leaves_;
  std::vector<std::vector<HistBin>> hist_pool_;
  // Beside each histogram buffer, per feature, the 256-bit set of bins its leaf's rows fall
  // in; kept only for features with more bins than the leaf has rows (a sparse leaf).
  std::vector<std::vector<uint64_t>> mask_pool_;
  std::vector<int> free_hist_;
  std::vector<Split> best_a_, best_b_;  // per feature, for the two children of a split
};

void Trainer::build_bins() {
  // A seeded sample of rows fixes the boundaries; every row is then coded against them.
  bins_ = detail::make_all_bins(d_, detail::bin_sample(n_, p_.seed), p_.max_bin, workers_);
  offset_.resize(cols_ + 1);
  offset_[0] = 0;
  for (size_t f = 0; f < cols_; ++f) offset_[f + 1] = offset_[f] + bins_[f].nb + 1;
  hist_size_ = offset_[cols_];

  detail::code_matrix(bins_, d_, workers_, codes_);
  if (v_) detail::code_matrix(bins_, *v_, workers_, vcodes_);

  // A feature whose training rows all share one code can never split anything.
  usable_.clear();
  for (size_t f = 0; f < cols_; ++f) {
    const uint8_t* col = codes_.data() + f * n_;
    bool varies = false;
    for (size_t i = 1; i < n_ && !varies; ++i) varies = col[i] != col[0];
    if (varies) usable_.push_back(static_cast<int>(f));
  }
}

// The gradient pairs at the current scores.
void Trainer::compute_gradients() {
  for_chunks(n_, [&](size_t, size_t b, size_t e) {
    objective_.gradients(score_.data() + b, d_.y + b, d_.weight ? d_.weight + b : nullptr, e - b,
                         p_, gh_.data() + b);
  });
}

double Trainer::metric(const Dataset& d, const std::vector<double>& score) {
  const size_t chunks = (d.rows + kRowChunk - 1) / kRowChunk;
  std::vector<double> part(chunks, 0.0), wpart(chunks, 0.0);
  for_chunks(d.rows, [&](size_t c, size_t b, size_t e) {
    const double* w = d.weight ? d.weight + b : nullptr;
    part[c] = objective_.loss(score.data() + b, d.y + b, w, e - b, p_);
    double sw = 0;
    for (size_t i = 0; i < e - b; ++i) sw += w ? w[i] : 1.0;
    wpart[c] = sw;
  });
  double s = 0, sw = 0;
  for (size_t c = 0; c < chunks; ++c) {
    s += part[c];
    sw += wpart[c];
  }
  return objective_.finish_metric(s / sw);
}

void Trainer::draw_bag(Rng& rng) {
  in_bag_.resize(n_);
  bag_rows_.resize(n_);
  // Without a branch: one on each draw mispredicted about as often as the bag leaves rows
  // out, every row of every tree.
  size_t m = 0;
  for (size_t i = 0; i < n_; ++i) {
    const uint8_t in = rng.uniform() < p_.bagging_fraction ? 1 : 0;
    in_bag_[i] = in;
    bag_rows_[m] = static_cast<uint32_t>(i);
    m += in;
  }
  bag_rows_.resize(m);
  if (bag_rows_.empty()) {
    const size_t i = rng.below(n_);
    in_bag_[i] = 1;
    bag_rows_.push_back(static_cast<uint32_t>(i));
  }
}

void Trainer::draw_features(Rng& rng) {
  active_ = usable_;
  if (p_.feature_fraction < 1.0 && !active_.empty()) sample_features(rng);
  // Smaller groups when there are few features, so every thread still gets work.
  const size_t per_thread = (active_.size() + 2 * workers_.size() - 1) / (2 * workers_.size());
  group_ = std::min(kGroup, std::max<size_t>(1, per_thread));
}

void Trainer::sample_features(Rng& rng) {
  const size_t m = active_.size();
  size_t k = static_cast<size_t>(std::floor(p_.feature_fraction * static_cast<double>(m) + 0.5));
  k = std::min(m, std::max<size_t>(1, k));
  for (size_t i = 0; i < k; ++i) std::swap(active_[i], active_[i + rng.below(m - i)]);
  active_.resize(k);
  std::sort(active_.begin(), active_.end());
}

bool Trainer::can_split(const Leaf& leaf) const {
  if (p_.max_depth > 0 && leaf.depth >= p_.max_depth) return false;
  const double min_data = std::max(1, p_.min_data_in_leaf);
  if (leaf.count < 2 * min_data) return false;
  if (leaf.h < 2 * p_.min_sum_hessian_in_leaf) return false;
  return !active_.empty();
}

int Trainer::acquire_hist() {
  if (!free_hist_.empty()) {
    const int h = free_hist_.back();
    free_hist_.pop_back();
    return h;
  }
  hist_pool_.emplace_back(hist_size_);
  mask_pool_.emplace_back(4 * cols_);
  return static_cast<int>(hist_pool_.size() - 1);
}

void Trainer::release_hist(int& h) {
  if (h >= 0) free_hist_.push_back(h);
  h = -1;
}

// Histograms of the features active_[first .. first+n) over a leaf's rows (gp: their
// gradients, gathered in row order), into hist. all_rows: the leaf is the whole, unbagged
// data set, so row i is row i.
void Trainer::build_histograms(size_t first, size_t n, const uint32_t* rows, const GradPair* gp,
                               size_t count, bool all_rows, HistBin* hist) const {
  const uint8_t* codes[kGroup] = {};
  HistBin* out[kGroup] = {};
  for (size_t k = 0; k < n; ++k) {
    const int f = active_[first + k];
    codes[k] = codes_.data() + static_cast<size_t>(f) * n_;
    out[k] = hist + offset_[f];
    const uint32_t width = bins_[f].nb + 1;
    if (count < width && !bins_[f].categorical) {
      // A numeric feature's histogram of a leaf with fewer rows than bins: only the bins
      // its rows fall in, and the missing bin (read by every scan), are ever read (the
      // numeric scan and the subtraction go through the set of occupied bins; the
      // categorical scans read every bin), so only those are cleared. On small data sets
      // clearing whole histograms took a tenth of the training time.
      const uint8_t* col = codes[k];
      for (size_t i = 0; i < count; ++i) out[k][col[all_rows ? i : rows[i]]] = HistBin{0, 0, 0};
      out[k][width - 1] = HistBin{0, 0, 0};
    } else {
      std::memset(static_cast<void*>(out[k]), 0, width * sizeof(HistBin));
    }
  }
  detail::accumulate_group(n, all_rows, unit_hessian_, codes, out, rows, gp, count);
  // Unweighted rows of a unit-hessian objective have hessian sums equal to the row counts:
  // one accumulation fewer in the hottest loop, and the same numbers.
  // Bins no row fell in are 0 in both slots already, so a leaf with fewer rows than a
  // feature has bins copies only the bins its rows touched.
  if (unit_hessian_) {
    for (size_t k = 0; k < n; ++k) {
      const uint32_t width = bins_[active_[first + k]].nb + 1;
      if (count < width) {
        const uint8_t* col = codes[k];
        for (size_t i = 0; i < count; ++i) {
          HistBin& hb = out[k][col[all_rows ? i : rows[i]]];
          hb.c = hb.h;
        }
      } else {
        for (uint32_t b = 0; b < width; ++b) out[k][b].c = out[k][b].h;
      }
    }
  }
}

void Trainer::find_best(const Leaf& leaf, const HistBin* hist, int feature, Split& out,
                        const uint64_t* occupied) const {
  const detail::LeafSums sums{leaf.g, leaf.h, static_cast<double>(leaf.count)};
  detail::find_best_split(bins_[feature], p_, sums, hist, feature, out, occupied);
}

// The bins a leaf's rows fall in for one feature, as a 256-bit set (codes are uint8).
void Trainer::occupied_bins(int feature, const uint32_t* rows, size_t count, bool all_rows,
                            uint64_t* mask) const {
  mask[0] = mask[1] = mask[2] = mask[3] = 0;
  const uint8_t* col = codes_.data() + static_cast<size_t>(feature) * n_;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t c = col[all_rows ? i : rows[i]];
    mask[c >> 6] |= uint64_t{1} << (c & 63u);
  }
}

// Visits the bins set in a 256-bit mask, ascending.
template <class Fn>
void for_each_occupied_bin(const uint64_t* mask, Fn&& fn) {
  for (uint32_t w = 0; w < 4; ++w)
    for (uint64_t word = mask[w]; word != 0; word &= word - 1)
      fn(w * 64 + static_cast<uint32_t>(__builtin_ctzll(word)));
}

// Builds `small`'s histograms row by row and finds the best split of each leaf asked for.
// With `large` (the sibling, whose buffer holds the parent's histograms), that buffer
// becomes parent minus small: only the smaller child is ever summed row by row.
void Trainer::search_splits(Leaf& small, bool split_small, Leaf* large, bool split_large,
                            bool all_rows) {
  const uint32_t* rows = order_.data() + small.begin;
  const GradPair* gp = ordered_gh_.data() + small.begin;
  const size_t count = small.count;
  HistBin* hs = hist_pool_[small.hist].data();
  HistBin* hl = large ? hist_pool_[large->hist].data() : nullptr;
  // Leaves with fewer rows than a feature has bins (most leaves of a small data set) are
  // handled through the set of bins their rows fall in: the subtraction and the scans
  // touch only those. A bin outside the small child's set is exactly zero there, so
  // parent minus it is the parent's bin unchanged; the results are the same numbers.
  // The sets are kept beside the buffers: the larger child's is then its parent's (the
  // buffer it inherits) less the bins the subtraction empties, when the parent was sparse
  // too, and is read from its rows only when the parent was not.
  const uint32_t* large_rows = large ? order_.data() + large->begin : nullptr;
  const size_t large_count = large ? large->count : 0;
  const size_t parent_count = count + large_count;
  uint64_t* small_masks = mask_pool_[small.hist].data();
  uint64_t* large_masks = large ? mask_pool_[large->hist].data() : nullptr;
  std::function<void(size_t)> job = [&](size_t group) {
    const size_t first = group * group_;
    const size_t n = std::min(group_, active_.size() - first);
    build_histograms(first, n, rows, gp, count, all_rows, hs);
    for (size_t k = first; k < first + n; ++k) {
      const int f = active_[k];
      HistBin* a = hs + offset_[f];
      HistBin* b = hl ? hl + offset_[f] : nullptr;
      const uint32_t width = bins_[f].nb + 1;
      const bool sparse_small = count < width;
      uint64_t* small_bins = small_masks + 4 * static_cast<size_t>(f);
      if (sparse_small) occupied_bins(f, rows, count, all_rows, small_bins);
      // The larger child's histogram is needed only when it may split.
      if (b && split_large) {
        uint64_t* large_bins = large_masks + 4 * static_cast<size_t>(f);
        const bool sparse_large = large_count < width;
        if (sparse_small && parent_count < width) {
          // Parent sparse: its set is in large_bins; a bin whose rows all went to the
          // smaller child leaves it.
          for_each_occupied_bin(small_bins, [&](uint32_t j) {
            const double c = b[j].c - a[j].c;
            b[j].g = c == 0 ? 0.0 : b[j].g - a[j].g;
            b[j].h = c == 0 ? 0.0 : b[j].h - a[j].h;
            b[j].c = c;
            large_bins[j >> 6] &= ~(uint64_t{c == 0} << (j & 63u));
          });
        } else {
          auto subtract = [&](uint32_t j) {
            // A bin the larger child has no rows in must be exactly zero, not a rounding
            // residue: a residue could make an empty bin's bound win a tie it should lose.
            const double c = b[j].c - a[j].c;
            b[j].g = c == 0 ? 0.0 : b[j].g - a[j].g;
            b[j].h = c == 0 ? 0.0 : b[j].h - a[j].h;
            b[j].c = c;
          };
          if (sparse_small) {
            for_each_occupied_bin(small_bins, subtract);
          } else {
            for (uint32_t j = 0; j < width; ++j) subtract(j);
          }
          if (sparse_large) occupied_bins(f, large_rows, large_count, false, large_bins);
        }
        find_best(*large, b, f, best_b_[f], sparse_large ? large_bins : nullptr);
      }
      if (split_small) find_best(small, a, f, best_a_[f], sparse_small ? small_bins : nullptr);
    }
  };
  const size_t groups = (active_.size() + group_ - 1) / group_;
  if (count * active_.size() >= kMinParallelWork) {
    workers_.run(groups, job);
  } else {
    for (size_t g = 0; g < groups; ++g) job(g);
  }
  for (int f : active_) {
    if (split_small && best_a_[f].gain > small.best.gain) small.best = best_a_[f];
    if (split_large && best_b_[f].gain > large->best.gain) large->best = best_b_[f];
  }
}

// Stable partition of a leaf's rows, their gradients travelling with them: left rows keep
// their order at the front, right rows follow. Children's rows stay ascending (friendlier
// column reads) and their gradients contiguous, so no leaf ever gathers gradients by
// random access. Returns the number of left rows. A stable partition has one possible
// result, so the parallel path (for big leaves) gives the same order as the serial one.
size_t Trainer::partition(const Leaf& leaf, const Split& s) {
  const uint8_t* col = codes_.data() + static_cast<size_t>(s.feature) * n_;
  if (s.categorical) {
    const Split* split = &s;
    return partition_by(leaf, [col, split](uint32_t r) -> size_t {
      return bin_goes_left(split->left_bins, col[r]) ? 1 : 0;
    });
  }
  const uint8_t missing = static_cast<uint8_t>(bins_[s.feature].nb);
  const uint8_t bin = static_cast<uint8_t>(s.bin);
  const bool default_left = s.default_left;
  return partition_by(leaf, [col, missing, bin, default_left](uint32_t r) -> size_t {
    const uint8_t c = col[r];
    return c == missing ? default_left : c <= bin;
  });
}

template <class GoLeft>
size_t Trainer::partition_by(const Leaf& leaf, GoLeft go_left_of) {
  uint32_t* seg = order_.data() + leaf.begin;
  GradPair* gseg = ordered_gh_.data() + leaf.begin;
  const size_t count = leaf.count;
  // Both sides are written every time, with no branch to mispredict.
  auto split_range = [&](size_t b, size_t e, uint32_t* left_rows, GradPair* left_gh,
                         uint32_t* right_rows, GradPair* right_gh, size_t& nl_out, size_t& nr_out) {
    // Local counters: the outputs may sit next to another thread's on one cache line.
    size_t nl = 0, nr = 0;
    for (size_t i = b; i < e; ++i) {
      const uint32_t r = seg[i];
      const GradPair g = gseg[i];
      const size_t go_left = go_left_of(r);
      left_rows[nl] = r;
      left_gh[nl] = g;
      right_rows[nr] = r;
      right_gh[nr] = g;
      nl += go_left;
      nr += 1 - go_left;
    }
    nl_out = nl;
    nr_out = nr;
  };

  if (workers_.size() == 1 || count < 4 * kRowChunk) {
    // In place for the left side: a slot at or below i has already been read.
    size_t nl, nr;
    split_range(0, count, seg, gseg, scratch_.data(), gh_scratch_.data(), nl, nr);
    std::memcpy(seg + nl, scratch_.data(), nr * sizeof(uint32_t));
    std::memcpy(static_cast<void*>(gseg + nl), gh_scratch_.data(), nr * sizeof(GradPair));
    return nl;
  }

  // Chunks split their rows into scratch, then copy them to their final places.
  scratch_right_.resize(n_);
  gh_scratch_right_.resize(n_);
  const size_t chunks = (count + kRowChunk - 1) / kRowChunk;
  chunk_left_.resize(chunks);
  chunk_right_.resize(chunks);
  workers_.run(chunks, [&](size_t c) {
    const size_t b = c * kRowChunk, e = std::min(count, b + kRowChunk);
    split_range(b, e, scratch_.data() + b, gh_scratch_.data() + b, scratch_right_.data() + b,
                gh_scratch_right_.data() + b, chunk_left_[c], chunk_right_[c]);
  });
  size_t total_left = 0;
  for (size_t c = 0; c < chunks; ++c) total_left += chunk_left_[c];
  chunk_dest_.resize(2 * chunks);
  size_t l = 0, r = total_left;
  for (size_t c = 0; c < chunks; ++c) {
    chunk_dest_[2 * c] = l;
    chunk_dest_[2 * c + 1] = r;
    l += chunk_left_[c];
    r += chunk_right_[c];
  }
  workers_.run(chunks, [&](size_t c) {
    const size_t b = c * kRowChunk;
    const size_t dl = chunk_dest_[2 * c], dr = chunk_dest_[2 * c + 1];
    std::memcpy(seg + dl, scratch_.data() + b, chunk_left_[c] * sizeof(uint32_t));
    std::memcpy(static_cast<void*>(gseg + dl), gh_scratch_.data() + b,
                chunk_left_[c] * sizeof(GradPair));
    std::memcpy(seg + dr, scratch_right_.data() + b, chunk_right_[c] * sizeof(uint32_t));
    std::memcpy(static_cast<void*>(gseg + dr), gh_scratch_right_.data() + b,
                chunk_right_[c] * sizeof(GradPair));
  });
  return total_left;
}

// Splits leaf leaf_id by its best split: a new internal node, the leaf's rows divided
// between it (now the left child) and a new right leaf, and the children's own best
// splits searched for when they may split further.
void Trainer::split_leaf(GrownTree& gt, int leaf_id, int num_leaves_after) {
  const Split s = leaves_[leaf_id].best;
  const int right_id = static_cast<int>(leaves_.size());
  const int node = add_node(gt, leaf_id, right_id, s);
  const int parent_hist = leaves_[leaf_id].hist;
  split_rows(leaf_id, node, s);
  search_children(leaves_[leaf_id], leaves_[right_id], parent_hist,
                  num_leaves_after < p_.num_leaves);
}

// Adds the internal node of split s to the tree, its children leaf leaf_id (left) and
// leaf right_id (right), and points the leaf's parent at it. Returns the node's index.
int Trainer::add_node(GrownTree& gt, int leaf_id, int right_id, const Split& s) const {
  Tree& t = gt.tree;
  const int node = static_cast<int>(t.feature.size());
  t.feature.push_back(s.feature);
  t.default_left.push_back(s.default_left ? 1 : 0);
  if (s.categorical) {
    add_category_set(gt, node, s);
  } else {
    t.threshold.push_back(bins_[s.feature].upper[s.bin]);
    if (t.has_categorical()) {
      t.cat_set.push_back(-1);
      gt.left_bins.push_back(std::array<uint64_t, 4>{});
    }
  }
  t.left.push_back(~leaf_id);
  t.right.push_back(~right_id);
  gt.bin.push_back(static_cast<uint8_t>(s.bin));
  gt.gain.push_back(s.gain);
  const Leaf& leaf = leaves_[leaf_id];
  if (leaf.parent >= 0) (leaf.is_left ? t.left : t.right)[leaf.parent] = node;
  return node;
}

// The category set of a categorical node: the categories of the bins that go left (never
// the missing bin or "other").
void Trainer::add_category_set(GrownTree& gt, int node, const Split& s) const {
  Tree& t = gt.tree;
  t.threshold.push_back(0.0f);
  if (!t.has_categorical()) {
    t.cat_begin.push_back(0);
    t.cat_set.assign(static_cast<size_t>(node), -1);
    gt.left_bins.assign(static_cast<size_t>(node), std::array<uint64_t, 4>{});
  }
  const FeatureBins& fb = bins_[s.feature];
  uint32_t top = 0;
  for (uint32_t b = 0; b < fb.levels(); ++b) {
    if (bin_goes_left(s.left_bins, static_cast<uint8_t>(b))) top = std::max(top, fb.level[b]);
  }
  const size_t begin = t.cat_bits.size();
  t.cat_bits.resize(begin + top / 32 + 1, 0u);
  for (uint32_t b = 0; b < fb.levels(); ++b) {
    if (bin_goes_left(s.left_bins, static_cast<uint8_t>(b))) {
      t.cat_bits[begin + fb.level[b] / 32] |= 1u << (fb.level[b] % 32);
    }
  }
  t.cat_set.push_back(static_cast<int32_t>(t.cat_begin.size() - 1));
  t.cat_begin.push_back(static_cast<uint32_t>(t.cat_bits.size()));
  gt.left_bins.push_back({s.left_bins[0], s.left_bins[1], s.left_bins[2], s.left_bins[3]});
}

// Divides leaf leaf_id's rows by split s: the leaf keeps the left ones and becomes the
// left child of `node`; a new leaf, appended to leaves_, takes the right ones. The
// parent's histogram buffer stays with leaf leaf_id for search_children.
void Trainer::split_rows(int leaf_id, int node, const Split& s) {
  Leaf& leaf = leaves_[leaf_id];
  const size_t nl = partition(leaf, s);
  const size_t nr = leaf.count - nl;

  Leaf right;
  right.begin = leaf.begin + static_cast<uint32_t>(nl);
  right.count = static_cast<uint32_t>(nr);
  right.g = s.rg;
  right.h = s.rh;
  right.depth = leaf.depth + 1;
  right.parent = node;
  right.is_left = false;
  leaf.count = static_cast<uint32_t>(nl);
  leaf.g = s.lg;
  leaf.h = s.lh;
  leaf.depth += 1;
  leaf.parent = node;
  leaf.is_left = true;
  leaf.best = Split{};
  leaf.hist = -1;
  leaves_.push_back(right);  // may move `leaf`
}

// Finds the best splits of two new sibling leaves that may split further (more: the tree
// has room for more leaves), reusing the parent's histogram buffer for the larger one.
void Trainer::search_children(Leaf& left, Leaf& right, int parent_hist, bool more) {
  const bool split_l = more && can_split(left);
  const bool split_r = more && can_split(right);
  int ph = parent_hist;
  if (!split_l && !split_r) {
    release_hist(ph);
    return;
  }
  Leaf& small = left.count <= right.count ? left : right;
  Leaf& large = left.count <= right.count ? right : left;
  const bool split_small = &small == &left ? split_l : split_r;
  const bool split_large = &small == &left ? split_r : split_l;
  small.hist = acquire_hist();
  large.hist = ph;
  search_splits(small, split_small, &large, split_large, false);
  if (!split_small) release_hist(small.hist);
  if (!split_large) release_hist(large.hist);
}

// The root leaf over this tree's rows (the bag, or all), with its best split when it may
// split.
void Trainer::start_root() {
  leaves_.clear();
  // Leaves never outlive the tree, so their histogram buffers all go back to the pool.
  free_hist_.clear();
  for (size_t i = 0; i < hist_pool_.size(); ++i) free_hist_.push_back(static_cast<int>(i));

  const size_t m = bagging_ ? bag_rows_.size() : n_;
  order_.resize(m);
  if (bagging_) {
    std::copy(bag_rows_.begin(), bag_rows_.end(), order_.begin());
  } else {
    for (size_t i = 0; i < m; ++i) order_[i] = static_cast<uint32_t>(i);
  }

  Leaf root;
  root.begin = 0;
  root.count = static_cast<uint32_t>(m);
  for (size_t i = 0; i < m; ++i) ordered_gh_[i] = gh_[order_[i]];
  const GradPair* gp = ordered_gh_.data();
  for (size_t i = 0; i < m; ++i) {
    root.g += gp[i].g;
    root.h += gp[i].h;
  }
  leaves_.push_back(root);

  if (p_.num_leaves >= 2 && can_split(leaves_[0])) {
    leaves_[0].hist = acquire_hist();
    search_splits(leaves_[0], true, nullptr, false, !bagging_);
  }
}

void Trainer::set_leaf_values(Tree& t) const {
  t.leaf_value.resize(leaves_.size());
  t.leaf_cover.resize(leaves_.size());
  for (size_t l = 0; l < leaves_.size(); ++l) {
    const Leaf& leaf = leaves_[l];
    const double denom = leaf.h + p_.lambda_l2;
    const double v = denom > 0 ? -leaf.g / denom * p_.learning_rate : 0.0;
    t.leaf_value[l] = static_cast<float>(v);
    t.leaf_cover[l] = static_cast<float>(leaf.h);
  }
}

GrownTree Trainer::grow_tree() {
  GrownTree gt;
  start_root();
  // Leaf-wise: always split the leaf whose best split gains most (lowest id on ties).
  while (static_cast<int>(leaves_.size()) < p_.num_leaves) {
    int pick = -1;
    for (size_t l = 0; l < leaves_.size(); ++l) {
      if (!leaves_[l].best.valid()) continue;
      if (pick < 0 || leaves_[l].best.gain > leaves_[pick].best.gain) pick = static_cast<int>(l);
    }
    if (pick < 0) break;
    split_leaf(gt, pick, static_cast<int>(leaves_.size()) + 1);
  }
  set_leaf_values(gt.tree);
  return gt;
}

size_t Trainer::walk(const GrownTree& gt, const uint8_t* codes, size_t rows, size_t r) const {
  const Tree& t = gt.tree;
  if (t.feature.empty()) return 0;
  int32_t node = 0;
  for (;;) {
    const int f = t.feature[node];
    const uint8_t c = codes[static_cast<size_t>(f) * rows + r];
    const bool go_left = t.is_categorical(static_cast<size_t>(node))
                             ? bin_goes_left(gt.left_bins[node].data(), c)
                             : c == bins_[f].nb ? t.default_left[node] != 0 : c <= gt.bin[node];
    const int32_t child = go_left ? t.left[node] : t.right[node];
    if (child < 0) return static_cast<size_t>(~child);
    node = child;
  }
}

// Adds the tree's float leaf values (the very numbers the model stores) so training
// scores equal what the saved model will predict.
void Trainer::update_scores(const GrownTree& gt, std::vector<double>& score,
                            const std::vector<uint8_t>& codes, size_t rows, bool use_segments) {
  const Tree& t = gt.tree;
  if (use_segments) {
    // Leaves own disjoint rows, so they can be updated in any order or in parallel.
    const std::function<void(size_t)> job = [&](size_t l) {
      const double v = t.leaf_value[l];
      const uint32_t* seg = order_.data() + leaves_[l].begin;
      for (size_t i = 0; i < leaves_[l].count; ++i) score[seg[i]] += v;
    };
    if (rows >= 4 * kRowChunk) {
      workers_.run(leaves_.size(), job);
    } else {
      for (size_t l = 0; l < leaves_.size(); ++l) job(l);
    }
    if (!bagging_) return;
    for_chunks(rows, [&](size_t, size_t b, size_t e) {
      for (size_t r = b; r < e; ++r) {
        if (!in_bag_[r]) score[r] += t.leaf_value[walk(gt, codes.data(), rows, r)];
      }
    });
    return;
  }
  for_chunks(rows, [&](size_t, size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) score[r] += t.leaf_value[walk(gt, codes.data(), rows, r)];
  });
}

// Bins the data and sizes every per-row buffer; the scores start at the base score.
void Trainer::prepare(double base_score) {
  build_bins();
  score_.assign(n_, base_score);
  if (v_) vscore_.assign(v_->rows, base_score);
  gh_.resize(n_);
  ordered_gh_.resize(n_);
  gh_scratch_.resize(n_);
  scratch_.resize(n_);
  best_a_.resize(cols_);
  best_b_.resize(cols_);
  bagging_ = p_.bagging_freq > 0 && p_.bagging_fraction < 1.0;
  unit_hessian_ = objective_.unit_hessian() && d_.weight == nullptr;
}

TrainResult Trainer::run(const Progress& progress) {
  TrainResult result;
  Ensemble& ens = result.ensemble;
  ens.objective = p_.objective;
  ens.num_features = static_cast<uint32_t>(cols_);
  ens.base_score = objective_.base_score(d_.y, d_.weight, n_, p_);
  prepare(ens.base_score);

  Rng bag_rng(p_.seed ^ 0xba66ed5eedull);
  Rng feature_rng(p_.seed ^ 0xfea7fea7ull);
  // Per tree, its splits' (feature, gain): summed at the end over the trees kept.
  std::vector<std::vector<std::pair<int, double>>> gains;
  const bool stopping = v_ && p_.early_stopping_round > 0;
  double best_valid = std::numeric_limits<double>::infinity();
  int best_iter = 0;

  for (int it = 0; it < p_.num_iterations; ++it) {
    if (bagging_ && it % p_.bagging_freq == 0) draw_bag(bag_rng);
    draw_features(feature_rng);
    // The training metric, when asked for, of the scores left by the previous tree.
    if (it > 0 && measures_.train_metric) result.train_metric.push_back(metric(d_, score_));
    compute_gradients();
    GrownTree gt = grow_tree();
    update_scores(gt, score_, codes_, n_, true);
    if (v_) update_scores(gt, vscore_, vcodes_, v_->rows, false);

    gains.emplace_back();
    for (size_t k = 0; k < gt.tree.feature.size(); ++k) {
      gains.back().emplace_back(gt.tree.feature[k], gt.gain[k]);
    }
    ens.trees.push_back(std::move(gt.tree));

    bool stop = false;
    if (v_) {
      const double vm = metric(*v_, vscore_);
      result.valid_metric.push_back(vm);
      if (vm < best_valid) {
        best_valid = vm;
        best_iter = it + 1;
      } else if (stopping && it + 1 - best_iter >= p_.early_stopping_round &&
                 (!keep || it + 1 >= keep->min_trees)) {
        stop = true;
      }
    }
    if (progress && !progress(it + 1, p_.num_iterations)) stop = true;
    if (stop) break;
  }

  if (measures_.train_metric && !ens.trees.empty()) result.train_metric.push_back(metric(d_, score_));
  if (stopping && best_iter > 0 && !keep) ens.trees.resize(best_iter);
  result.best_iteration = keep && stopping && best_iter > 0 ? best_iter : static_cast<int>(ens.trees.size());
  result.feature_gain.assign(cols_, 0.0);
  for (size_t t = 0; t < ens.trees.size(); ++t) {
    for (const auto& [feature, gain] : gains[t]) result.feature_gain[feature] += gain;
  }
  return result;
}

// train() with or without KeepTrees.
TrainResult train_with(const Dataset& train_data, const Dataset* valid, const Params& params,
                       const Progress& progress, const Measures& measures, const KeepTrees* keep) {
  params.validate();
  const ObjectiveFunction& objective = objective_function(params.objective);
  check_dataset(train_data, objective, "training", train_data.category_counts);
  if (valid) {
    check_validation_shape(train_data, *valid);
    check_dataset(*valid, objective, "validation", train_data.category_counts);
  }
  Trainer trainer(train_data, valid, params, measures);
  trainer.keep = keep;
  return trainer.run(progress);
}

}  // namespace

TrainResult train(const Dataset& train_data, const Dataset* valid, const Params& params,
                  const Progress& progress, const Measures& measures) {
  return train_with(train_data, valid, params, progress, measures, nullptr);
}

TrainResult train(const Dataset& train_data, const Dataset* valid, const Params& params,
                  const Progress& progress, const KeepTrees& keep) {
  return train_with(train_data, valid, params, progress, Measures{}, &keep);
}

}  // namespace fc::gbdt
