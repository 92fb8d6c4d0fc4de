// Binning: each feature's values become uint8 codes once, before training. A numeric
// feature gets up to max_bin quantile bins; a categorical one a bin per category (the
// rarest pooled when they do not fit). Every histogram and split works on these codes.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/train.hpp"
#include "workers.hpp"

namespace fc::gbdt::detail {

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

  void prepare_search();

  // The number of bounds below x: the first b with x <= upper[b], or nb-1 when none.
  // A categorical feature: the category's bin (the dataset checks have vouched for the
  // codes).
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

// Sorts finite values ascending, to the bit as std::sort does but for the order of -0 and
// +0 among themselves (make_bins reads the two alike: a boundary is a midpoint, the same
// from either zero).
void sort_finite(std::vector<float>& values);

// values: the finite sampled values of one feature (reordered in place).
FeatureBins make_bins(std::vector<float>& values, int max_bin);

// A categorical feature's bins from count[c], the training rows with category c.
FeatureBins make_categorical_bins(const std::vector<uint32_t>& count, int max_bin);

// The rows whose values place the numeric bounds: all of them, or a seeded sample of
// kBinSampleRows, ascending.
std::vector<uint32_t> bin_sample(size_t rows, uint64_t seed);

// The bins of every column of d (numeric columns from the sample rows).
std::vector<FeatureBins> make_all_bins(const Dataset& d, const std::vector<uint32_t>& sample,
                                       int max_bin, Workers& workers);

// codes: cols x rows, column-major, d coded against bins.
void code_matrix(const std::vector<FeatureBins>& bins, const Dataset& d, Workers& workers,
                 std::vector<uint8_t>& codes);

}  // namespace fc::gbdt::detail
