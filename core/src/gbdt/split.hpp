// The split search: given a leaf's gradient histogram of one feature, the best way to
// split the leaf on that feature. Numeric and categorical features differ in which
// candidates they scan; both score them with one gain computation (GainSearch).
#pragma once
#include <cstdint>
#include <limits>

#include "binning.hpp"
#include "funnelcast/gbdt/params.hpp"

namespace fc::gbdt::detail {

struct HistBin {
  double g, h, c;  // c: row count, kept as double so subtraction is one uniform loop
};

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

inline bool bin_goes_left(const uint64_t* left_bins, uint8_t code) {
  return ((left_bins[code >> 6] >> (code & 63u)) & 1u) != 0;
}

// A leaf's sums over its rows: gradients, hessians, rows.
struct LeafSums {
  double g, h, c;
};

// Best split of `feature` for a leaf with sums `leaf`, from the feature's histogram
// (bins 0..nb, nb the missing rows); out.valid() is false when no candidate clears the
// limits and min_gain_to_split. occupied (optional): a 256-bit set holding at least every
// bin with rows (a small leaf's, from its rows' codes); a numeric scan then visits only
// those bins, with the same result as the full scan.
void find_best_split(const FeatureBins& bins, const Params& p, const LeafSums& leaf,
                     const HistBin* hist, int feature, Split& out,
                     const uint64_t* occupied = nullptr);

}  // namespace fc::gbdt::detail
