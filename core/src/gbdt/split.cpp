// Split search. Ties always resolve the same way (a fixed scan order and strict
// comparisons), so the chosen split is one fixed function of the histogram.
#include "split.hpp"

#include <algorithm>

namespace fc::gbdt::detail {

namespace {

// Scores candidate splits of one leaf and keeps the best. A candidate is its left side's
// sums; the right side is the rest. It must leave min_data_in_leaf rows and
// min_sum_hessian_in_leaf on each side and beat the bar: the best gain so far, and at
// least min_gain_to_split.
class GainSearch {
 public:
  GainSearch(const LeafSums& leaf, double lambda, const Params& p)
      : g_(leaf.g),
        h_(leaf.h),
        c_(leaf.c),
        lambda_(lambda),
        min_data_(std::max(1, p.min_data_in_leaf)),
        min_hess_(p.min_sum_hessian_in_leaf),
        bar_(p.min_gain_to_split) {}

  // False when the leaf's own gain is undefined: nothing can be split.
  bool possible() const { return h_ + lambda_ > 0; }

  // (bar + parent), as improves() rounds it: num must exceed it times den.
  double threshold() const { return bar_ + parent(); }

  // Whether left sums (lg, lh, lc) beat the best so far. When they do, they become the
  // best and out gets the gain and both sides' sums; the caller records the rest.
  bool improves(double lg, double lh, double lc, Split& out) {
    const double rg = g_ - lg, rh = h_ - lh, rc = c_ - lc;
    if (lc < min_data_ || rc < min_data_) return false;
    if (lh < min_hess_ || rh < min_hess_) return false;
    const double dl = lh + lambda_, dr = rh + lambda_;
    if (!(dl > 0) || !(dr > 0)) return false;
    // gain = num/den - parent. Comparing num against (bar + parent) * den keeps the
    // division out of the innermost loop; it runs only for a new best.
    const double num = lg * lg * dr + rg * rg * dl, den = dl * dr;
    if (!(num > (bar_ + parent()) * den)) return false;
    const double children = num / den;
    const double gain = children - parent();
    // Rounding alone can make a split of a pure leaf look a hair better than none.
    if (!(gain > bar_) || !(gain > 1e-10 * children)) return false;
    bar_ = gain;
    out.gain = gain;
    out.lg = lg, out.lh = lh, out.lc = lc, out.rg = rg, out.rh = rh, out.rc = rc;
    return true;
  }

 private:
  double parent() const { return parent_; }

  const double g_, h_, c_, lambda_, min_data_, min_hess_;
  const double parent_ = g_ * g_ / (h_ + lambda_);
  double bar_;
};

// Every candidate is tried with the missing rows on each side; the scan order (bins
// ascending, missing right before missing left) and the strict comparison make ties
// resolve the same way every time.
// The next bin at or after `from` whose bit is set in `mask` (256 when none); without a
// mask, `from` itself (the dense scan).
inline uint32_t next_split_bin(const uint64_t* mask, uint32_t from) {
  if (!mask) return from;
  uint32_t w = from >> 6;
  if (w >= 4) return 256;
  uint64_t word = mask[w] & (~uint64_t{0} << (from & 63u));
  while (word == 0) {
    if (++w == 4) return 256;
    word = mask[w];
  }
  return w * 64 + static_cast<uint32_t>(__builtin_ctzll(word));
}

// mask (when given): the bins holding rows. Skipping the others visits the same
// candidates in the same order, less the repeats an empty bin makes, which never win.
void find_best_numeric(const FeatureBins& bins, const Params& p, const LeafSums& leaf,
                       const HistBin* hist, int feature, Split& out, const uint64_t* mask) {
  GainSearch search(leaf, p.lambda_l2, p);
  if (!search.possible()) return;
  const uint32_t nb = bins.nb;
  const HistBin& m = hist[nb];
  auto consider = [&](double lg, double lh, double lc, bool default_left, uint32_t b) {
    if (!search.improves(lg, lh, lc, out)) return;
    out.feature = feature;
    out.bin = b;
    out.default_left = default_left;
  };
  // improves()'s last test, on the same numbers rounded the same way, against the current
  // best: a candidate failing it would fail there too.
  auto screen = [&](double slg, double slh) {
    const double rg = leaf.g - slg, rh = leaf.h - slh;
    const double dl = slh + p.lambda_l2, dr = rh + p.lambda_l2;
    return slg * slg * dr + rg * rg * dl > search.threshold() * (dl * dr);
  };

  // An empty bin repeats the previous candidate's partition and ties never replace the
  // best, so the threshold chosen is always the bound of a bin holding left rows. Empty
  // bins are still evaluated: testing for them mispredicts more than it saves.
  double lg = 0, lh = 0, lc = 0;
  const double present = leaf.c - m.c;
  if (m.c > 0) {
    const double min_data = std::max(1, p.min_data_in_leaf);
    for (uint32_t b = next_split_bin(mask, 0); b < nb && lc < present; b = next_split_bin(mask, b + 1)) {
      lg += hist[b].g;
      lh += hist[b].h;
      lc += hist[b].c;
      // Both candidates from here on leave too few rows on the right (the missing rows
      // going left leave fewer still): none can be accepted.
      if (leaf.c - lc < min_data) break;
      // "Missing left, present right" is found at the first bin holding rows, never at
      // an empty bin below all of them: that threshold would send unseen small values
      // the missing rows' way.
      if (lc == 0) continue;
      // Each candidate screened by the gain test alone, as below.
      if (screen(lg, lh)) consider(lg, lh, lc, false, b);
      const double mg = lg + m.g, mh = lh + m.h;
      if (screen(mg, mh)) consider(mg, mh, lc + m.c, true, b);
    }
  } else {
    // No missing rows here to learn from: future ones go where most of the hessian (for
    // most objectives, most of the rows) went. Candidates are screened with the gain test
    // improves() applies last, on the same numbers (num and den rounded the same way): a
    // candidate failing it would fail there too. Only those passing (new bests, or a hair
    // from one) go through improves() and its other limits; the row limits the loop
    // checks itself (lc only grows) to stop early or skip the first bins cheaply.
    const double min_data = std::max(1, p.min_data_in_leaf);
    const double lambda = p.lambda_l2;
    double threshold = search.threshold();
    auto visit = [&](uint32_t b) {
      lg += hist[b].g;
      lh += hist[b].h;
      lc += hist[b].c;
      if (leaf.c - lc < min_data) return false;
      if (lc < min_data) return true;
      const double rg = leaf.g - lg, rh = leaf.h - lh;
      const double dl = lh + lambda, dr = rh + lambda;
      const double num = lg * lg * dr + rg * rg * dl, den = dl * dr;
      if (num > threshold * den && search.improves(lg, lh, lc, out)) {
        threshold = search.threshold();
        out.feature = feature;
        out.bin = b;
        out.default_left = lh >= leaf.h - lh;
      }
      return true;
    };
    if (mask) {
      // The bins below nb - 1 set in the mask, ascending.
      for (uint32_t w = 0; w < 4; ++w) {
        uint64_t word = mask[w];
        if (nb - 1 <= w * 64) break;
        if (nb - 1 < w * 64 + 64) word &= (uint64_t{1} << (nb - 1 - w * 64)) - 1;
        for (; word != 0; word &= word - 1) {
          if (!visit(w * 64 + static_cast<uint32_t>(__builtin_ctzll(word)))) return;
        }
      }
    } else {
      for (uint32_t b = 0; b + 1 < nb; ++b) {
        if (!visit(b)) return;
      }
    }
  }
}

// The categorical scan's candidates are runs order[lo .. hi) of its bins going left.
struct CategoricalScan {
  CategoricalScan(const HistBin* h, const HistBin& m, GainSearch& s, Split& o, int f)
      : hist(h), missing(m), search(s), out(o), feature(f) {}

  const HistBin* hist;
  const HistBin& missing;
  GainSearch& search;
  Split& out;
  int feature;
  uint8_t order[256];
  size_t used = 0, best_lo = 0, best_hi = 0;

  void consider(double lg, double lh, double lc, bool default_left, size_t lo, size_t hi) {
    if (!search.improves(lg, lh, lc, out)) return;
    out.feature = feature;
    out.categorical = true;
    out.default_left = default_left;
    best_lo = lo;
    best_hi = hi;
  }
  // Missing rows are tried on both sides, as for numeric features; with none, missing
  // goes right.
  void both_sides(double lg, double lh, double lc, size_t lo, size_t hi) {
    consider(lg, lh, lc, false, lo, hi);
    if (missing.c > 0) consider(lg + missing.g, lh + missing.h, lc + missing.c, true, lo, hi);
  }
};

// A few categories: each one alone against the rest.
void scan_one_hot(CategoricalScan& scan, uint32_t levels) {
  for (uint32_t b = 0; b < levels; ++b) {
    if (scan.hist[b].c > 0) scan.order[scan.used++] = static_cast<uint8_t>(b);
  }
  for (size_t i = 0; i < scan.used; ++i) {
    const HistBin& hb = scan.hist[scan.order[i]];
    scan.both_sides(hb.g, hb.h, hb.c, i, i + 1);
  }
}

// More: the categories with at least cat_smooth rows, sorted by gradient / (hessian +
// cat_smooth) (ratio ties by bin), their prefixes from either end sent left.
void scan_sorted(CategoricalScan& scan, uint32_t levels, const Params& p, const LeafSums& leaf) {
  const HistBin* hist = scan.hist;
  uint8_t* order = scan.order;
  double ratio[256];
  for (uint32_t b = 0; b < levels; ++b) {
    const HistBin& hb = hist[b];
    if (!(hb.c > 0) || hb.c < p.cat_smooth) continue;
    const double den = hb.h + p.cat_smooth;
    ratio[b] = den > 0 ? hb.g / den : 0.0;
    order[scan.used++] = static_cast<uint8_t>(b);
  }
  const size_t used = scan.used;
  std::sort(order, order + used, [&](uint8_t a, uint8_t b) {
    return ratio[a] != ratio[b] ? ratio[a] < ratio[b] : a < b;
  });
  const double min_data = std::max(1, p.min_data_in_leaf);
  const double min_hess = p.min_sum_hessian_in_leaf;
  const size_t max_left = std::min(static_cast<size_t>(p.max_cat_threshold), (used + 1) / 2);
  for (int dir = 0; dir < 2; ++dir) {
    double lg = 0, lh = 0, lc = 0, group = 0;
    for (size_t i = 0; i < used && i < max_left; ++i) {
      const HistBin& hb = hist[order[dir == 0 ? i : used - 1 - i]];
      lg += hb.g;
      lh += hb.h;
      lc += hb.c;
      group += hb.c;
      if (lc < min_data || lh < min_hess) continue;
      if (leaf.c - lc < min_data || leaf.h - lh < min_hess) break;
      if (group < p.min_data_per_group) continue;
      group = 0;
      if (dir == 0) {
        scan.both_sides(lg, lh, lc, 0, i + 1);
      } else {
        scan.both_sides(lg, lh, lc, used - 1 - i, used);
      }
    }
  }
}

// LightGBM's method. A few categories (levels <= max_cat_to_onehot): one category left,
// the rest right. More: the categories sorted by sum_gradient / (sum_hessian +
// cat_smooth). Without smoothing and regularization the best two-way partition for the
// second-order gain G_L^2 / H_L + G_R^2 / H_R is contiguous in the order of g / h (Fisher
// 1958 for squared error), so scanning prefixes from both ends finds it in O(k log k)
// rather than O(2^k); smoothing and the limits trade a little of that optimality for
// robustness on rare levels. cat_smooth keeps a category with few rows from sorting to an
// extreme on noise, and categories with fewer than cat_smooth rows in the leaf are not
// scanned at all (they stay right, with unseen and "other" categories); at most
// max_cat_threshold categories go left; a candidate is tried only after
// min_data_per_group more rows joined the left side; cat_l2 is added to lambda_l2 in
// these gains. Ties keep the first candidate.
void find_best_categorical(const FeatureBins& bins, const Params& p, const LeafSums& leaf,
                           const HistBin* hist, int feature, Split& out) {
  const uint32_t nb = bins.nb, levels = bins.levels();
  const bool onehot = levels <= static_cast<uint32_t>(p.max_cat_to_onehot);
  GainSearch search(leaf, p.lambda_l2 + (onehot ? 0.0 : p.cat_l2), p);
  if (!search.possible()) return;
  CategoricalScan scan(hist, hist[nb], search, out, feature);
  if (onehot) {
    scan_one_hot(scan, levels);
  } else {
    scan_sorted(scan, levels, p, leaf);
  }
  if (!out.valid()) return;
  for (size_t i = scan.best_lo; i < scan.best_hi; ++i) {
    out.left_bins[scan.order[i] >> 6] |= uint64_t{1} << (scan.order[i] & 63u);
  }
  if (out.default_left) out.left_bins[nb >> 6] |= uint64_t{1} << (nb & 63u);
}

}  // namespace

void find_best_split(const FeatureBins& bins, const Params& p, const LeafSums& leaf,
                     const HistBin* hist, int feature, Split& out, const uint64_t* occupied) {
  out = Split{};
  if (bins.categorical) {
    find_best_categorical(bins, p, leaf, hist, feature, out);
  } else {
    find_best_numeric(bins, p, leaf, hist, feature, out, occupied);
  }
}

}  // namespace fc::gbdt::detail
