// Quantile bins for numeric features, a bin per category for categorical ones, and the
// coding of a whole data set against them.
#include "binning.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstring>
#include <limits>

#include "internal.hpp"

namespace fc::gbdt::detail {

namespace {

// Enough rows to place 255 quantile boundaries well; sorting more only costs time.
constexpr size_t kBinSampleRows = 200000;

// A float strictly below b and at or above a, as near their midpoint as floats allow.
// Rounding the double midpoint can land on b itself when a and b are adjacent floats,
// which would put b on the wrong side of its own bin boundary.
float boundary_between(float a, float b) {
  float t = static_cast<float>((static_cast<double>(a) + static_cast<double>(b)) * 0.5);
  if (!(t < b)) t = std::nextafter(b, -std::numeric_limits<float>::infinity());
  if (t < a) t = a;
  return t;
}

// Greedy equal-frequency cuts (cut after distinct[i]) for more distinct values than bins.
// The target size is re-derived from what is left, so a heavy value (say 40% zeros)
// takes a bin of its own without starving the rest.
std::vector<size_t> equal_frequency_cuts(const std::vector<double>& count, double total,
                                         int max_bin) {
  const size_t d = count.size();
  std::vector<size_t> cuts;
  double rest = total;
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
  return cuts;
}

// A numeric column's bins from the sample rows. Infinities stay out of the boundaries (a
// midpoint with them is infinite); they still get coded, into the first or last bin.
FeatureBins numeric_bins(const Dataset& d, size_t f, const std::vector<uint32_t>& sample,
                         int max_bin) {
  std::vector<float> values;
  values.reserve(sample.size());
  for (uint32_t r : sample) {
    const float x = d.x[static_cast<size_t>(r) * d.cols + f];
    if (std::isfinite(x)) values.push_back(x);
  }
  return make_bins(values, max_bin);
}

// Every training row counts: the categories kept as bins of their own must not depend on
// which rows the sample happened to hold.
FeatureBins categorical_bins(const Dataset& d, size_t f, uint32_t categories, int max_bin) {
  std::vector<uint32_t> count(categories, 0);
  for (size_t r = 0; r < d.rows; ++r) {
    const float x = d.x[r * d.cols + f];
    if (!std::isnan(x)) ++count[static_cast<uint32_t>(x)];
  }
  return make_categorical_bins(count, max_bin);
}

}  // namespace

// An LSD radix sort on keys whose unsigned order is the floats' order, three passes of 11
// bits. std::sort of the sample of every feature was a twentieth of training a by-channel
// forecaster (one binning a fit, 14 fits).
void sort_finite(std::vector<float>& values) {
  const size_t n = values.size();
  if (n < 256) {
    std::sort(values.begin(), values.end());
    return;
  }
  std::vector<uint32_t> keys(n), other(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, &values[i], sizeof b);
    keys[i] = b & 0x80000000u ? ~b : b | 0x80000000u;
  }
  constexpr int kBits = 11;
  constexpr uint32_t kMask = (1u << kBits) - 1;
  std::vector<size_t> start(size_t{1} << kBits);
  for (int shift = 0; shift < 32; shift += kBits) {
    std::fill(start.begin(), start.end(), 0);
    for (uint32_t k : keys) ++start[(k >> shift) & kMask];
    size_t at = 0;
    for (size_t& s : start) {
      const size_t c = s;
      s = at;
      at += c;
    }
    for (uint32_t k : keys) other[start[(k >> shift) & kMask]++] = k;
    keys.swap(other);
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = keys[i];
    const uint32_t b = k & 0x80000000u ? k & 0x7fffffffu : ~k;
    std::memcpy(&values[i], &b, sizeof b);
  }
}

void FeatureBins::prepare_search() {
  size_t size = 1;
  while (size < nb) size *= 2;
  search.assign(size, std::numeric_limits<float>::infinity());
  std::copy(upper.begin(), upper.end() - 1, search.begin());
}

FeatureBins make_bins(std::vector<float>& values, int max_bin) {
  FeatureBins fb;
  sort_finite(values);
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
  std::vector<size_t> cuts;
  if (d <= static_cast<size_t>(max_bin)) {
    for (size_t i = 0; i + 1 < d; ++i) cuts.push_back(i);
  } else {
    cuts = equal_frequency_cuts(count, static_cast<double>(values.size()), max_bin);
  }
  fb.upper.reserve(cuts.size() + 1);
  for (size_t i : cuts) fb.upper.push_back(boundary_between(distinct[i], distinct[i + 1]));
  fb.upper.push_back(FLT_MAX);
  fb.nb = static_cast<uint32_t>(fb.upper.size());
  fb.prepare_search();
  return fb;
}

// Each category its own bin, codes as they are, while the k categories fit in max_bin;
// otherwise the max_bin - 1 most frequent (ties: the smaller code) keep bins of their
// own, in code order, and the rest share the last, "other" bin.
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

std::vector<uint32_t> bin_sample(size_t rows, uint64_t seed) {
  std::vector<uint32_t> sample;
  if (rows <= kBinSampleRows) {
    sample.resize(rows);
    for (size_t i = 0; i < rows; ++i) sample[i] = static_cast<uint32_t>(i);
    return sample;
  }
  std::vector<uint32_t> all(rows);
  for (size_t i = 0; i < rows; ++i) all[i] = static_cast<uint32_t>(i);
  Rng rng(seed ^ 0x5eed0b1d5ull);
  for (size_t i = 0; i < kBinSampleRows; ++i) {
    const size_t j = i + rng.below(rows - i);
    std::swap(all[i], all[j]);
  }
  sample.assign(all.begin(), all.begin() + kBinSampleRows);
  std::sort(sample.begin(), sample.end());
  return sample;
}

std::vector<FeatureBins> make_all_bins(const Dataset& d, const std::vector<uint32_t>& sample,
                                       int max_bin, Workers& workers) {
  std::vector<FeatureBins> bins(d.cols);
  workers.run(d.cols, [&](size_t f) {
    const uint32_t categories = d.category_counts ? d.category_counts[f] : 0;
    bins[f] = categories > 0 ? categorical_bins(d, f, categories, max_bin)
                             : numeric_bins(d, f, sample, max_bin);
  });
  return bins;
}

void code_matrix(const std::vector<FeatureBins>& bins, const Dataset& d, Workers& workers,
                 std::vector<uint8_t>& codes) {
  const size_t cols = bins.size();
  codes.resize(d.rows * cols);
  // Row blocks, so the row-major source is read once, cache line by cache line.
  constexpr size_t kBlock = 4096;
  const size_t blocks = (d.rows + kBlock - 1) / kBlock;
  workers.run(blocks, [&](size_t b) {
    const size_t r0 = b * kBlock, r1 = std::min(d.rows, r0 + kBlock);
    for (size_t f = 0; f < cols; ++f) {
      const FeatureBins& fb = bins[f];
      uint8_t* out = codes.data() + f * d.rows;
      for (size_t r = r0; r < r1; ++r) out[r] = fb.code(d.x[r * cols + f]);
    }
  });
}

}  // namespace fc::gbdt::detail
