// Histogram gradient boosting in the LightGBM mould: features are binned once into
// uint8 codes (a categorical feature's categories are its bins), each leaf keeps a
// gradient histogram per feature, and the tree grows leaf-wise. Determinism is a design constraint throughout: every sum runs in a fixed
// order, every random draw comes from our own seeded generator, and the threads only
// ever split work by feature, so any thread count (and wasm) gives the same model.
#include "funnelcast/gbdt/train.hpp"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "internal.hpp"
#include "workers.hpp"

namespace fc::gbdt {

namespace {

using detail::Rng;
using detail::Workers;

// Enough rows to place 255 quantile boundaries well; sorting more only costs time.
constexpr size_t kBinSampleRows = 200000;
// Below this much histogram work a job is cheaper to run inline than to hand out.
constexpr size_t kMinParallelWork = 1 << 15;
// Features whose histograms are built in one pass over a leaf's rows (one thread task).
constexpr size_t kGroup = 8;
// Rows per chunk when a row loop is split across threads. Fixed, so per-chunk partial
// sums (and therefore totals) do not depend on the thread count.
constexpr size_t kRowChunk = 1 << 14;

struct GradPair {
  double g, h;
};

struct HistBin {
  double g, h, c;  // c: row count, kept as double so subtraction is one uniform loop
};

// ---------------------------------------------------------------------------------
// Binning

// One feature's bins. Value bins 0..nb-1; code nb means missing. upper[b] is the
// largest float that falls in bin b, so for every float x:
//   code(x) <= b  <=>  x <= upper[b]
// which is exactly the test inference applies to the float threshold upper[b]. The last
// bound is FLT_MAX (a finite stand-in for "everything"), used only by the split that
// separates present values from missing ones.
struct FeatureBins {
  std::vector<float> upper;
  uint32_t nb = 1;
  // upper[0..nb-2] padded with +inf to a power of two, for a branch-free search: coding
  // every value of a large table with a branchy binary search is mostly mispredictions.
  std::vector<float> search;
  // A categorical feature: bin_of[c] is category c's bin, level[b] the category of value
  // bin b. With has_other, the last value bin pools the categories beyond max_bin - 1.
  bool categorical = false;
  bool has_other = false;
  std::vector<uint8_t> bin_of;
  std::vector<uint32_t> level;
  // Value bins a categorical split may send left (every one but the pooled "other").
  uint32_t levels() const { return has_other ? nb - 1 : nb; }

  void prepare_search() {
    size_t size = 1;
    while (size < nb) size *= 2;
    search.assign(size, std::numeric_limits<float>::infinity());
    std::copy(upper.begin(), upper.end() - 1, search.begin());
  }

  // The number of bounds below x: the first b with x <= upper[b], or nb-1 when none.
  // A categorical feature: the category's bin (check_dataset has vouched for the codes).
  uint8_t code(float x) const {
    if (std::isnan(x)) return static_cast<uint8_t>(nb);
    if (categorical) return bin_of[static_cast<uint32_t>(x)];
    const float* t = search.data();
    size_t pos = 0;
    for (size_t step = search.size() / 2; step > 0; step /= 2) {
      pos += t[pos + step - 1] < x ? step : 0;
    }
    return static_cast<uint8_t>(pos);
  }
};

// A float strictly below b and at or above a, as near their midpoint as floats allow.
// Rounding the double midpoint can land on b itself when a and b are adjacent floats,
// which would put b on the wrong side of its own bin boundary.
float boundary_between(float a, float b) {
  float t = static_cast<float>((static_cast<double>(a) + static_cast<double>(b)) * 0.5);
  if (!(t < b)) t = std::nextafter(b, -std::numeric_limits<float>::infinity());
  if (t < a) t = a;
  return t;
}

// values: the finite sampled values of one feature (reordered in place).
FeatureBins make_bins(std::vector<float>& values, int max_bin) {
  FeatureBins fb;
  std::sort(values.begin(), values.end());
  std::vector<float> distinct;
  std::vector<double> count;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    distinct.push_back(values[i]);
    count.push_back(static_cast<double>(j - i));
    i = j;
  }
  const size_t d = distinct.size();
  std::vector<size_t> cuts;  // cut after distinct[i]
  if (d <= static_cast<size_t>(max_bin)) {
    for (size_t i = 0; i + 1 < d; ++i) cuts.push_back(i);
  } else {
    // Greedy equal-frequency bins. The target size is re-derived from what is left, so a
    // heavy value (say 40% zeros) takes a bin of its own without starving the rest.
    double rest = static_cast<double>(values.size());
    int bins_left = max_bin;
    double cur = 0;
    for (size_t i = 0; i + 1 < d && bins_left > 1; ++i) {
      cur += count[i];
      const double target = rest / bins_left;
      const bool full = cur >= target;
      const bool next_overshoots = cur + count[i + 1] - target > target - cur;
      const bool one_each_left = d - 1 - i <= static_cast<size_t>(bins_left - 1);
      if (full || next_overshoots || one_each_left) {
        cuts.push_back(i);
        rest -= cur;
        cur = 0;
        --bins_left;
      }
    }
  }
  fb.upper.reserve(cuts.size() + 1);
  for (size_t i : cuts) fb.upper.push_back(boundary_between(distinct[i], distinct[i + 1]));
  fb.upper.push_back(FLT_MAX);
  fb.nb = static_cast<uint32_t>(fb.upper.size());
  fb.prepare_search();
  return fb;
}

// A categorical feature's bins: each category its own bin, codes as they are, while the k
// categories fit in max_bin; otherwise the max_bin - 1 most frequent (ties: the smaller
// code) keep bins of their own, in code order, and the rest share the last, "other" bin.
// count[c]: training rows with category c.
FeatureBins make_categorical_bins(const std::vector<uint32_t>& count, int max_bin) {
  FeatureBins fb;
  fb.categorical = true;
  const auto k = static_cast<uint32_t>(count.size());
  if (k <= static_cast<uint32_t>(max_bin)) {
    fb.nb = k;
    fb.bin_of.resize(k);
    fb.level.resize(k);
    for (uint32_t c = 0; c < k; ++c) {
      fb.bin_of[c] = static_cast<uint8_t>(c);
      fb.level[c] = c;
    }
    return fb;
  }
  std::vector<uint32_t> by_count(k);
  for (uint32_t c = 0; c < k; ++c) by_count[c] = c;
  const auto kept = static_cast<size_t>(max_bin - 1);
  std::partial_sort(by_count.begin(), by_count.begin() + kept, by_count.end(),
                    [&](uint32_t a, uint32_t b) {
                      return count[a] != count[b] ? count[a] > count[b] : a < b;
                    });
  by_count.resize(kept);
  std::sort(by_count.begin(), by_count.end());
  fb.has_other = true;
  fb.nb = static_cast<uint32_t>(max_bin);
  fb.bin_of.assign(k, static_cast<uint8_t>(kept));
  fb.level = by_count;
  for (size_t b = 0; b < kept; ++b) fb.bin_of[by_count[b]] = static_cast<uint8_t>(b);
  return fb;
}

// ---------------------------------------------------------------------------------
// Objectives

struct Loss {
  Objective objective;
  double scale_pos_weight;
  double poisson_hessian_scale;  // exp(poisson_max_delta_step)

  double base_score(const double* y, const double* w, size_t n) const {
    double sy = 0, sw = 0;
    for (size_t i = 0; i < n; ++i) {
      double wi = w ? w[i] : 1.0;
      if (objective == Objective::kBinary && y[i] > 0.5) wi *= scale_pos_weight;
      sy += wi * y[i];
      sw += wi;
    }
    const double mean = sy / sw;
    switch (objective) {
      case Objective::kSquaredError:
        return mean;
      case Objective::kPoisson:
        // All-zero counts would give log(0); a tiny floor keeps the model usable.
        return detail::log(std::max(mean, 1e-10));
      case Objective::kBinary: {
        const double p = std::min(std::max(mean, 1e-10), 1.0 - 1e-10);
        return detail::log(p / (1.0 - p));
      }
    }
    return mean;
  }

  // The gradient and hessian at raw score f, and the row's loss there (as point_loss),
  // sharing one exp: the training metric comes out of the gradient pass for free.
  GradPair gradient(double f, double y, double w, double& loss) const {
    switch (objective) {
      case Objective::kSquaredError:
        loss = (f - y) * (f - y);
        return {(f - y) * w, w};
      case Objective::kPoisson: {
        // The hessian is inflated by exp(max_delta_step), as LightGBM does, so early
        // steps on log-counts cannot overshoot.
        const double mu = detail::exp(f);
        loss = poisson_deviance(f, mu, y);
        return {(mu - y) * w, mu * poisson_hessian_scale * w};
      }
      case Objective::kBinary: {
        // e = exp(-|f|) never overflows; p and both log-losses follow from it.
        const double e = detail::exp(-std::abs(f));
        const double one_e = 1.0 + e, inv = 1.0 / one_e;
        const double p = f >= 0 ? inv : e * inv;
        // log(1 + e), with the rounding of 1 + e corrected to first order (log1p's trick
        // without its extra division).
        const double softplus_abs = detail::log(one_e) + (e - (one_e - 1.0)) * inv;
        loss = y > 0.5 ? (f < 0 ? -f : 0.0) + softplus_abs : (f > 0 ? f : 0.0) + softplus_abs;
        const double wp = y > 0.5 ? w * scale_pos_weight : w;
        return {(p - y) * wp, std::max(p * (1.0 - p), 1e-16) * wp};
      }
    }
    loss = 0;
    return {0, 0};
  }

  static double poisson_deviance(double f, double mu, double y) {
    const double ylog = y > 0 ? y * (detail::log(y) - f) : 0.0;
    return 2.0 * (ylog - (y - mu));
  }

  // Per-row loss whose weighted mean is the reported metric (RMSE before the square root).
  double point_loss(double f, double y) const {
    double loss;
    gradient(f, y, 1.0, loss);
    return loss;
  }

  double finish_metric(double mean_loss) const {
    return objective == Objective::kSquaredError ? std::sqrt(mean_loss) : mean_loss;
  }
};

void check_labels(const Dataset& d, Objective objective, const char* what) {
  for (size_t i = 0; i < d.rows; ++i) {
    const double y = d.y[i];
    const std::string where = std::string(what) + " labels: row " + std::to_string(i + 1);
    if (!std::isfinite(y)) throw Error(where + " is not a finite number");
    if (objective == Objective::kPoisson && y < 0) {
      throw Error(where + " is negative (" + std::to_string(y) +
                  "); the poisson objective needs counts >= 0");
    }
    if (objective == Objective::kBinary && y != 0.0 && y != 1.0) {
      throw Error(where + " is " + std::to_string(y) + "; the binary objective needs 0 or 1");
    }
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

void check_dataset(const Dataset& d, Objective objective, const char* what,
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

// ---------------------------------------------------------------------------------
// Tree growth

struct Split {
  double gain = -std::numeric_limits<double>::infinity();
  int feature = -1;
  uint32_t bin = 0;
  bool default_left = false;
  // A categorical split: the bins that go left, the missing bin (nb) included when missing
  // values go left. 256 bits: every uint8 code.
  bool categorical = false;
  uint64_t left_bins[4] = {0, 0, 0, 0};
  double lg = 0, lh = 0, lc = 0, rg = 0, rh = 0, rc = 0;
  bool valid() const { return feature >= 0; }
};

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

inline bool bin_goes_left(const uint64_t* left_bins, uint8_t code) {
  return ((left_bins[code >> 6] >> (code & 63u)) & 1u) != 0;
}

class Trainer {
 public:
  Trainer(const Dataset& train, const Dataset* valid, const Params& p)
      : d_(train),
        v_(valid),
        p_(p),
        loss_{p.objective, p.scale_pos_weight, detail::exp(p.poisson_max_delta_step)},
        n_(train.rows),
        cols_(train.cols),
        workers_(thread_count(p)) {}

  TrainResult run(const Progress& progress);

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

  void build_bins();
  void bin_matrix(const Dataset& d, std::vector<uint8_t>& codes);
  double compute_gradients();
  double metric(const Dataset& d, const std::vector<double>& score);
  void draw_bag(Rng& rng);
  void draw_features(Rng& rng);
  void sample_features(Rng& rng);
  GrownTree grow_tree();
  void build_histograms(size_t first, size_t n, const uint32_t* rows, const GradPair* gp,
                        size_t count, bool all_rows, HistBin* hist) const;
  void find_best(const Leaf& leaf, const HistBin* hist, int feature, Split& out) const;
  void find_best_categorical(const Leaf& leaf, const HistBin* hist, int feature,
                             Split& out) const;
  bool can_split(const Leaf& leaf) const;
  int acquire_hist();
  void release_hist(int& h);
  size_t partition(const Leaf& leaf, const Split& s);
  template <class GoLeft>
  size_t partition_by(const Leaf& leaf, GoLeft go_left_of);
  void split_leaf(GrownTree& gt, int leaf_id, int num_leaves_after);
  void update_scores(const GrownTree& gt, std::vector<double>& score,
                     const std::vector<uint8_t>& codes, size_t rows, bool use_segments);
  size_t walk(const GrownTree& gt, const uint8_t* codes, size_t rows, size_t r) const;

  const Dataset& d_;
  const Dataset* v_;
  const Params& p_;
  Loss loss_;
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
  std::vector<double> chunk_loss_;
  double weight_sum_ = 0;  // of the training rows, summed in the metric's chunk order
  std::vector<Leaf> leaves_;
  std::vector<std::vector<HistBin>> hist_pool_;
  std::vector<int> free_hist_;
  std::vector<Split> best_a_, best_b_;  // per feature, for the two children of a split
};

void Trainer::build_bins() {
  // A seeded sample of rows fixes the boundaries; every row is then coded against them.
  std::vector<uint32_t> sample;
  if (n_ <= kBinSampleRows) {
    sample.resize(n_);
    for (size_t i = 0; i < n_; ++i) sample[i] = static_cast<uint32_t>(i);
  } else {
    std::vector<uint32_t> all(n_);
    for (size_t i = 0; i < n_; ++i) all[i] = static_cast<uint32_t>(i);
    Rng rng(p_.seed ^ 0x5eed0b1d5ull);
    for (size_t i = 0; i < kBinSampleRows; ++i) {
      const size_t j = i + rng.below(n_ - i);
      std::swap(all[i], all[j]);
    }
    sample.assign(all.begin(), all.begin() + kBinSampleRows);
    std::sort(sample.begin(), sample.end());
  }
  bins_.assign(cols_, FeatureBins{});
  workers_.run(cols_, [&](size_t f) {
    const uint32_t categories = d_.category_counts ? d_.category_counts[f] : 0;
    if (categories > 0) {
      // Every training row counts: the categories kept as bins of their own must not
      // depend on which rows the sample happened to hold.
      std::vector<uint32_t> count(categories, 0);
      for (size_t r = 0; r < n_; ++r) {
        const float x = d_.x[r * cols_ + f];
        if (!std::isnan(x)) ++count[static_cast<uint32_t>(x)];
      }
      bins_[f] = make_categorical_bins(count, p_.max_bin);
      return;
    }
    std::vector<float> values;
    values.reserve(sample.size());
    for (uint32_t r : sample) {
      const float x = d_.x[static_cast<size_t>(r) * cols_ + f];
      // Infinities stay out of the boundaries (a midpoint with them is infinite); they
      // still get coded, into the first or last bin.
      if (std::isfinite(x)) values.push_back(x);
    }
    bins_[f] = make_bins(values, p_.max_bin);
  });
  offset_.resize(cols_ + 1);
  offset_[0] = 0;
  for (size_t f = 0; f < cols_; ++f) offset_[f + 1] = offset_[f] + bins_[f].nb + 1;
  hist_size_ = offset_[cols_];

  bin_matrix(d_, codes_);
  if (v_) bin_matrix(*v_, vcodes_);

  // A feature whose training rows all share one code can never split anything.
  usable_.clear();
  for (size_t f = 0; f < cols_; ++f) {
    const uint8_t* col = codes_.data() + f * n_;
    bool varies = false;
    for (size_t i = 1; i < n_ && !varies; ++i) varies = col[i] != col[0];
    if (varies) usable_.push_back(static_cast<int>(f));
  }
}

void Trainer::bin_matrix(const Dataset& d, std::vector<uint8_t>& codes) {
  codes.resize(d.rows * cols_);
  // Row blocks, so the row-major source is read once, cache line by cache line.
  constexpr size_t kBlock = 4096;
  const size_t blocks = (d.rows + kBlock - 1) / kBlock;
  workers_.run(blocks, [&](size_t b) {
    const size_t r0 = b * kBlock, r1 = std::min(d.rows, r0 + kBlock);
    for (size_t f = 0; f < cols_; ++f) {
      const FeatureBins& fb = bins_[f];
      uint8_t* out = codes.data() + f * d.rows;
      for (size_t r = r0; r < r1; ++r) out[r] = fb.code(d.x[r * cols_ + f]);
    }
  });
}

// Returns the training metric at the current scores, summed in fixed chunks.
double Trainer::compute_gradients() {
  const size_t chunks = (n_ + kRowChunk - 1) / kRowChunk;
  chunk_loss_.assign(chunks, 0.0);
  for_chunks(n_, [&](size_t c, size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) {
      const double w = d_.weight ? d_.weight[i] : 1.0;
      double loss;
      gh_[i] = loss_.gradient(score_[i], d_.y[i], w, loss);
      s += w * loss;
    }
    chunk_loss_[c] = s;
  });
  double s = 0;
  for (double part : chunk_loss_) s += part;
  return loss_.finish_metric(s / weight_sum_);
}

double Trainer::metric(const Dataset& d, const std::vector<double>& score) {
  const size_t chunks = (d.rows + kRowChunk - 1) / kRowChunk;
  std::vector<double> part(chunks, 0.0), wpart(chunks, 0.0);
  for_chunks(d.rows, [&](size_t c, size_t b, size_t e) {
    double s = 0, sw = 0;
    for (size_t i = b; i < e; ++i) {
      const double w = d.weight ? d.weight[i] : 1.0;
      s += w * loss_.point_loss(score[i], d.y[i]);
      sw += w;
    }
    part[c] = s;
    wpart[c] = sw;
  });
  double s = 0, sw = 0;
  for (size_t c = 0; c < chunks; ++c) {
    s += part[c];
    sw += wpart[c];
  }
  return loss_.finish_metric(s / sw);
}

void Trainer::draw_bag(Rng& rng) {
  in_bag_.assign(n_, 0);
  bag_rows_.clear();
  for (size_t i = 0; i < n_; ++i) {
    if (rng.uniform() < p_.bagging_fraction) {
      in_bag_[i] = 1;
      bag_rows_.push_back(static_cast<uint32_t>(i));
    }
  }
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
  return static_cast<int>(hist_pool_.size() - 1);
}

void Trainer::release_hist(int& h) {
  if (h >= 0) free_hist_.push_back(h);
  h = -1;
}

// (g, h) added as one 16-byte vector: one read-modify-write per bin instead of two in
// the hottest loop. Each lane is an ordinary IEEE addition (SSE2 natively, scalar code in
// wasm without SIMD), so the sums are the same numbers as scalar code would give.
typedef double Pair __attribute__((vector_size(16)));

// Up to kGroup features share one pass over a leaf's rows: the row index and gradient
// are loaded once for all of them. Each feature's bins still see the rows in the same
// order whatever the grouping, so grouping never changes a sum.
template <int K, bool kAllRows, bool kUnitHessian>
void accumulate(const uint8_t* const* codes, HistBin* const* out, const uint32_t* rows,
                const GradPair* gp, size_t count) {
  const uint8_t* c[K];
  HistBin* o[K];
  for (int k = 0; k < K; ++k) c[k] = codes[k], o[k] = out[k];
  for (size_t i = 0; i < count; ++i) {
    const size_t r = kAllRows ? i : rows[i];
    // With a unit hessian the h slot counts rows (the caller copies it to c afterwards),
    // so a row costs a single vector update.
    const Pair add = {gp[i].g, kUnitHessian ? 1.0 : gp[i].h};
    for (int k = 0; k < K; ++k) {
      HistBin& hb = o[k][c[k][r]];
      Pair sum;
      std::memcpy(&sum, &hb.g, sizeof sum);
      sum += add;
      std::memcpy(&hb.g, &sum, sizeof sum);
      if (!kUnitHessian) hb.c += 1.0;
    }
  }
}

template <int K>
void accumulate_any(bool all_rows, bool unit_hessian, const uint8_t* const* codes,
                    HistBin* const* out, const uint32_t* rows, const GradPair* gp, size_t count) {
  if (unit_hessian) {
    if (all_rows) {
      accumulate<K, true, true>(codes, out, rows, gp, count);
    } else {
      accumulate<K, false, true>(codes, out, rows, gp, count);
    }
  } else if (all_rows) {
    accumulate<K, true, false>(codes, out, rows, gp, count);
  } else {
    accumulate<K, false, false>(codes, out, rows, gp, count);
  }
}

// Histograms of the features active_[first .. first+n) over a leaf's rows (gp: their
// gradients, gathered in row order), into hist. all_rows: the leaf is the whole, unbagged
// data set, so row i is row i.
void Trainer::build_histograms(size_t first, size_t n, const uint32_t* rows, const GradPair* gp,
                               size_t count, bool all_rows, HistBin* hist) const {
  const uint8_t* codes[kGroup];
  HistBin* out[kGroup];
  for (size_t k = 0; k < n; ++k) {
    const int f = active_[first + k];
    codes[k] = codes_.data() + static_cast<size_t>(f) * n_;
    out[k] = hist + offset_[f];
    std::memset(static_cast<void*>(out[k]), 0, (bins_[f].nb + 1) * sizeof(HistBin));
  }
  switch (n) {
    case 1:
      accumulate_any<1>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 2:
      accumulate_any<2>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 3:
      accumulate_any<3>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 4:
      accumulate_any<4>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 5:
      accumulate_any<5>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 6:
      accumulate_any<6>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    case 7:
      accumulate_any<7>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
    default:
      accumulate_any<8>(all_rows, unit_hessian_, codes, out, rows, gp, count);
      break;
  }
  // Unweighted squared error has a hessian of exactly 1 per row, so its hessian sums are
  // the row counts: one accumulation fewer in the hottest loop, and the same numbers.
  if (unit_hessian_) {
    for (size_t k = 0; k < n; ++k) {
      const uint32_t width = bins_[active_[first + k]].nb + 1;
      for (uint32_t b = 0; b < width; ++b) out[k][b].c = out[k][b].h;
    }
  }
}

// Best split of one feature for a leaf. Every candidate is tried with the missing rows
// on each side; the scan order (bins ascending, missing right before missing left) and
// the strict comparison make ties resolve the same way every time.
void Trainer::find_best(const Leaf& leaf, const HistBin* hist, int feature, Split& out) const {
  if (bins_[feature].categorical) {
    find_best_categorical(leaf, hist, feature, out);
    return;
  }
  out = Split{};
  const double lambda = p_.lambda_l2;
  const double min_data = std::max(1, p_.min_data_in_leaf);
  const double min_hess = p_.min_sum_hessian_in_leaf;
  const double G = leaf.g, H = leaf.h, C = leaf.count;
  if (!(H + lambda > 0)) return;
  const double parent = G * G / (H + lambda);
  const uint32_t nb = bins_[feature].nb;
  const HistBin& m = hist[nb];

  // The bar a candidate must clear: the best gain so far, and at least min_gain_to_split.
  double bar = p_.min_gain_to_split;
  auto consider = [&](double lg, double lh, double lc, bool default_left, uint32_t b) {
    const double rg = G - lg, rh = H - lh, rc = C - lc;
    if (lc < min_data || rc < min_data) return;
    if (lh < min_hess || rh < min_hess) return;
    const double dl = lh + lambda, dr = rh + lambda;
    if (!(dl > 0) || !(dr > 0)) return;
    // gain = num/den - parent. Comparing num against (bar + parent) * den keeps the
    // division out of this innermost loop; it runs only for a new best.
    const double num = lg * lg * dr + rg * rg * dl, den = dl * dr;
    if (!(num > (bar + parent) * den)) return;
    const double children = num / den;
    const double gain = children - parent;
    // Rounding alone can make a split of a pure leaf look a hair better than none.
    if (!(gain > bar) || !(gain > 1e-10 * children)) return;
    bar = gain;
    out.gain = gain;
    out.feature = feature;
    out.bin = b;
    out.default_left = default_left;
    out.lg = lg, out.lh = lh, out.lc = lc, out.rg = rg, out.rh = rh, out.rc = rc;
  };

  // An empty bin repeats the previous candidate's partition and ties never replace the
  // best, so the threshold chosen is always the bound of a bin holding left rows. Empty
  // bins are still evaluated: testing for them mispredicts more than it saves.
  double lg = 0, lh = 0, lc = 0;
  const double present = C - m.c;
  if (m.c > 0) {
    for (uint32_t b = 0; b < nb && lc < present; ++b) {
      lg += hist[b].g;
      lh += hist[b].h;
      lc += hist[b].c;
      // "Missing left, present right" is found at the first bin holding rows, never at
      // an empty bin below all of them: that threshold would send unseen small values
      // the missing rows' way.
      if (lc == 0) continue;
      consider(lg, lh, lc, false, b);
      consider(lg + m.g, lh + m.h, lc + m.c, true, b);
    }
  } else {
    for (uint32_t b = 0; b + 1 < nb; ++b) {
      lg += hist[b].g;
      lh += hist[b].h;
      lc += hist[b].c;
      if (C - lc < min_data) break;
      // No missing rows here to learn from: send future ones where most of the hessian
      // (for most objectives, most of the rows) went.
      consider(lg, lh, lc, lh >= H - lh, b);
    }
  }
}

// Best split of a categorical feature, LightGBM's method. A few categories
// (levels <= max_cat_to_onehot): one category left, the rest right. More: the categories
// sorted by sum_gradient / (sum_hessian + cat_smooth). Without smoothing and
// regularization the best two-way partition for the second-order gain G_L^2 / H_L +
// G_R^2 / H_R is contiguous in the order of g / h (Fisher 1958 for squared error), so
// scanning prefixes from both ends finds it in O(k log k) rather than O(2^k); smoothing
// and the limits below trade a little of that optimality for robustness on rare levels. cat_smooth keeps a category with few rows from sorting to
// an extreme on noise, and categories with fewer than cat_smooth rows in the leaf are not
// scanned at all (they stay right, with unseen and "other" categories); at most
// max_cat_threshold categories go left; a candidate is tried only after min_data_per_group
// more rows joined the left side; cat_l2 is added to lambda_l2 in these gains. Missing rows
// are tried on both sides, as for numeric features; with none, missing goes right.
// Ties keep the first candidate; the sort breaks ratio ties by bin, so the result is one
// fixed function of the histogram.
void Trainer::find_best_categorical(const Leaf& leaf, const HistBin* hist, int feature,
                                    Split& out) const {
  out = Split{};
  const FeatureBins& fb = bins_[feature];
  const double min_data = std::max(1, p_.min_data_in_leaf);
  const double min_hess = p_.min_sum_hessian_in_leaf;
  const double G = leaf.g, H = leaf.h, C = leaf.count;
  const uint32_t nb = fb.nb, levels = fb.levels();
  const HistBin& m = hist[nb];
  const bool onehot = levels <= static_cast<uint32_t>(p_.max_cat_to_onehot);
  const double lambda = p_.lambda_l2 + (onehot ? 0.0 : p_.cat_l2);
  if (!(H + lambda > 0)) return;
  const double parent = G * G / (H + lambda);

  // The bins in scan order; the best candidate is bins order[lo .. hi) on the left.
  uint8_t order[256];
  size_t used = 0, best_lo = 0, best_hi = 0;
  double bar = p_.min_gain_to_split;
  auto consider = [&](double lg, double lh, double lc, bool default_left, size_t lo, size_t hi) {
    const double rg = G - lg, rh = H - lh, rc = C - lc;
    if (lc < min_data || rc < min_data) return;
    if (lh < min_hess || rh < min_hess) return;
    const double dl = lh + lambda, dr = rh + lambda;
    if (!(dl > 0) || !(dr > 0)) return;
    const double num = lg * lg * dr + rg * rg * dl, den = dl * dr;
    if (!(num > (bar + parent) * den)) return;
    const double children = num / den;
    const double gain = children - parent;
    if (!(gain > bar) || !(gain > 1e-10 * children)) return;
    bar = gain;
    out.gain = gain;
    out.feature = feature;
    out.categorical = true;
    out.default_left = default_left;
    out.lg = lg, out.lh = lh, out.lc = lc, out.rg = rg, out.rh = rh, out.rc = rc;
    best_lo = lo;
    best_hi = hi;
  };
  auto both_sides = [&](double lg, double lh, double lc, size_t lo, size_t hi) {
    consider(lg, lh, lc, false, lo, hi);
    if (m.c > 0) consider(lg + m.g, lh + m.h, lc + m.c, true, lo, hi);
  };

  if (onehot) {
    for (uint32_t b = 0; b < levels; ++b) {
      if (hist[b].c > 0) order[used++] = static_cast<uint8_t>(b);
    }
    for (size_t i = 0; i < used; ++i) {
      const HistBin& hb = hist[order[i]];
      both_sides(hb.g, hb.h, hb.c, i, i + 1);
    }
  } else {
    double ratio[256];
    for (uint32_t b = 0; b < levels; ++b) {
      const HistBin& hb = hist[b];
      if (!(hb.c > 0) || hb.c < p_.cat_smooth) continue;
      const double den = hb.h + p_.cat_smooth;
      ratio[b] = den > 0 ? hb.g / den : 0.0;
      order[used++] = static_cast<uint8_t>(b);
    }
    std::sort(order, order + used, [&](uint8_t a, uint8_t b) {
      return ratio[a] != ratio[b] ? ratio[a] < ratio[b] : a < b;
    });
    const size_t max_left =
        std::min(static_cast<size_t>(p_.max_cat_threshold), (used + 1) / 2);
    for (int dir = 0; dir < 2; ++dir) {
      double lg = 0, lh = 0, lc = 0, group = 0;
      for (size_t i = 0; i < used && i < max_left; ++i) {
        const HistBin& hb = hist[order[dir == 0 ? i : used - 1 - i]];
        lg += hb.g;
        lh += hb.h;
        lc += hb.c;
        group += hb.c;
        if (lc < min_data || lh < min_hess) continue;
        if (C - lc < min_data || H - lh < min_hess) break;
        if (group < p_.min_data_per_group) continue;
        group = 0;
        if (dir == 0) {
          both_sides(lg, lh, lc, 0, i + 1);
        } else {
          both_sides(lg, lh, lc, used - 1 - i, used);
        }
      }
    }
  }
  if (!out.valid()) return;
  for (size_t i = best_lo; i < best_hi; ++i) {
    out.left_bins[order[i] >> 6] |= uint64_t{1} << (order[i] & 63u);
  }
  if (out.default_left) out.left_bins[nb >> 6] |= uint64_t{1} << (nb & 63u);
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

void Trainer::split_leaf(GrownTree& gt, int leaf_id, int num_leaves_after) {
  Tree& t = gt.tree;
  Leaf& leaf = leaves_[leaf_id];
  const Split s = leaf.best;
  const int node = static_cast<int>(t.feature.size());
  t.feature.push_back(s.feature);
  t.default_left.push_back(s.default_left ? 1 : 0);
  if (s.categorical) {
    t.threshold.push_back(0.0f);
    if (!t.has_categorical()) {
      t.cat_begin.push_back(0);
      t.cat_set.assign(static_cast<size_t>(node), -1);
      gt.left_bins.assign(static_cast<size_t>(node), std::array<uint64_t, 4>{});
    }
    // The categories of the bins that go left (never the missing bin or "other").
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
  } else {
    t.threshold.push_back(bins_[s.feature].upper[s.bin]);
    if (t.has_categorical()) {
      t.cat_set.push_back(-1);
      gt.left_bins.push_back(std::array<uint64_t, 4>{});
    }
  }
  t.left.push_back(~leaf_id);
  const int right_id = static_cast<int>(leaves_.size());
  t.right.push_back(~right_id);
  gt.bin.push_back(static_cast<uint8_t>(s.bin));
  gt.gain.push_back(s.gain);
  if (leaf.parent >= 0) (leaf.is_left ? t.left : t.right)[leaf.parent] = node;

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
  const int parent_hist = leaf.hist;
  leaf.hist = -1;
  leaves_.push_back(right);  // may move `leaf`; index from here on
  Leaf& L = leaves_[leaf_id];
  Leaf& R = leaves_.back();

  const bool more = num_leaves_after < p_.num_leaves;
  const bool split_l = more && can_split(L);
  const bool split_r = more && can_split(R);
  int ph = parent_hist;
  if (!split_l && !split_r) {
    release_hist(ph);
    return;
  }

  // Only the smaller child is summed row by row; the larger is parent minus smaller.
  Leaf& small = L.count <= R.count ? L : R;
  Leaf& large = L.count <= R.count ? R : L;
  const bool split_small = &small == &L ? split_l : split_r;
  const bool split_large = &small == &L ? split_r : split_l;
  small.hist = acquire_hist();
  large.hist = ph;
  const uint32_t* rows = order_.data() + small.begin;

  HistBin* hs = hist_pool_[small.hist].data();
  HistBin* hl = hist_pool_[large.hist].data();
  const GradPair* gp = ordered_gh_.data() + small.begin;
  const size_t count = small.count;
  std::function<void(size_t)> job = [&](size_t group) {
    const size_t first = group * group_;
    const size_t n = std::min(group_, active_.size() - first);
    build_histograms(first, n, rows, gp, count, false, hs);
    for (size_t k = first; k < first + n; ++k) {
      const int f = active_[k];
      HistBin* a = hs + offset_[f];
      HistBin* b = hl + offset_[f];
      const uint32_t width = bins_[f].nb + 1;
      for (uint32_t j = 0; j < width; ++j) {
        // A bin the larger child has no rows in must be exactly zero, not a rounding
        // residue: a residue could make an empty bin's bound win a tie it should lose.
        const double c = b[j].c - a[j].c;
        b[j].g = c == 0 ? 0.0 : b[j].g - a[j].g;
        b[j].h = c == 0 ? 0.0 : b[j].h - a[j].h;
        b[j].c = c;
      }
      if (split_small) find_best(small, a, f, best_a_[f]);
      if (split_large) find_best(large, b, f, best_b_[f]);
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
    if (split_large && best_b_[f].gain > large.best.gain) large.best = best_b_[f];
  }
  if (!split_small) release_hist(small.hist);
  if (!split_large) release_hist(large.hist);
}

GrownTree Trainer::grow_tree() {
  GrownTree gt;
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
    Leaf& r = leaves_[0];
    r.hist = acquire_hist();
    HistBin* h = hist_pool_[r.hist].data();
    const uint32_t* rows = order_.data();
    std::function<void(size_t)> job = [&](size_t group) {
      const size_t first = group * group_;
      const size_t n = std::min(group_, active_.size() - first);
      build_histograms(first, n, rows, gp, m, !bagging_, h);
      for (size_t k = first; k < first + n; ++k) {
        find_best(r, h + offset_[active_[k]], active_[k], best_a_[active_[k]]);
      }
    };
    const size_t groups = (active_.size() + group_ - 1) / group_;
    if (m * active_.size() >= kMinParallelWork) {
      workers_.run(groups, job);
    } else {
      for (size_t g = 0; g < groups; ++g) job(g);
    }
    for (int f : active_) {
      if (best_a_[f].gain > r.best.gain) r.best = best_a_[f];
    }
  }

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

  Tree& t = gt.tree;
  t.leaf_value.resize(leaves_.size());
  t.leaf_cover.resize(leaves_.size());
  for (size_t l = 0; l < leaves_.size(); ++l) {
    const Leaf& leaf = leaves_[l];
    const double denom = leaf.h + p_.lambda_l2;
    const double v = denom > 0 ? -leaf.g / denom * p_.learning_rate : 0.0;
    t.leaf_value[l] = static_cast<float>(v);
    t.leaf_cover[l] = static_cast<float>(leaf.h);
  }
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

TrainResult Trainer::run(const Progress& progress) {
  TrainResult result;
  Ensemble& ens = result.ensemble;
  ens.objective = p_.objective;
  ens.num_features = static_cast<uint32_t>(cols_);
  ens.base_score = loss_.base_score(d_.y, d_.weight, n_);

  build_bins();
  score_.assign(n_, ens.base_score);
  if (v_) vscore_.assign(v_->rows, ens.base_score);
  gh_.resize(n_);
  ordered_gh_.resize(n_);
  gh_scratch_.resize(n_);
  scratch_.resize(n_);
  best_a_.resize(cols_);
  best_b_.resize(cols_);
  bagging_ = p_.bagging_freq > 0 && p_.bagging_fraction < 1.0;
  unit_hessian_ = p_.objective == Objective::kSquaredError && d_.weight == nullptr;
  // Same chunking and order as metric(), so the last iteration's metric (measured by
  // metric() after the loop) is summed exactly like the others.
  {
    std::vector<double> wpart((n_ + kRowChunk - 1) / kRowChunk, 0.0);
    for (size_t i = 0; i < n_; ++i) wpart[i / kRowChunk] += d_.weight ? d_.weight[i] : 1.0;
    weight_sum_ = 0;
    for (double w : wpart) weight_sum_ += w;
  }

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
    // The gradient pass also measures the scores it starts from: those left by the
    // previous tree.
    const double train_metric = compute_gradients();
    if (it > 0) result.train_metric.push_back(train_metric);
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
      } else if (stopping && it + 1 - best_iter >= p_.early_stopping_round) {
        stop = true;
      }
    }
    if (progress && !progress(it + 1, p_.num_iterations)) stop = true;
    if (stop) break;
  }

  if (!ens.trees.empty()) result.train_metric.push_back(metric(d_, score_));
  if (stopping && best_iter > 0) ens.trees.resize(best_iter);
  result.best_iteration = static_cast<int>(ens.trees.size());
  result.feature_gain.assign(cols_, 0.0);
  for (size_t t = 0; t < ens.trees.size(); ++t) {
    for (const auto& [feature, gain] : gains[t]) result.feature_gain[feature] += gain;
  }
  return result;
}

}  // namespace

TrainResult train(const Dataset& train_data, const Dataset* valid, const Params& params,
                  const Progress& progress) {
  params.validate();
  check_dataset(train_data, params.objective, "training", train_data.category_counts);
  if (valid) {
    if (valid->cols != train_data.cols) {
      throw Error("validation data has " + std::to_string(valid->cols) +
                  " feature columns, training data has " + std::to_string(train_data.cols));
    }
    if (valid->category_counts) {
      for (size_t c = 0; c < valid->cols; ++c) {
        const uint32_t want = train_data.category_counts ? train_data.category_counts[c] : 0;
        if (valid->category_counts[c] != want) {
          throw Error("validation data: column " + std::to_string(c + 1) + " has " +
                      std::to_string(valid->category_counts[c]) +
                      " categories, the training data " + std::to_string(want));
        }
      }
    }
    check_dataset(*valid, params.objective, "validation", train_data.category_counts);
  }
  Trainer trainer(train_data, valid, params);
  return trainer.run(progress);
}

}  // namespace fc::gbdt
