// The hottest loop of training: summing a leaf's gradients into per-feature histograms.
#pragma once
#include <cstddef>
#include <cstdint>

#include "funnelcast/gbdt/objective.hpp"
#include "split.hpp"

namespace fc::gbdt::detail {

// Features whose histograms are built in one pass over a leaf's rows (one thread task).
constexpr size_t kGroup = 8;

// Adds rows[0..count) (row i itself when all_rows) with gradients gp[0..count) into the
// histograms out[k] of the n <= kGroup features whose codes (one column each, indexed by
// row) are codes[k]. With unit_hessian the h slots count rows and the c slots are left
// alone: the caller copies h to c afterwards.
void accumulate_group(size_t n, bool all_rows, bool unit_hessian, const uint8_t* const* codes,
                      HistBin* const* out, const uint32_t* rows, const GradPair* gp,
                      size_t count);

}  // namespace fc::gbdt::detail
