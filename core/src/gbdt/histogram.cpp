// Histogram accumulation, specialised at compile time for the group size, whether the
// leaf is the whole data set and whether hessians are all 1, so the inner loop carries no
// branch on any of them.
#include "histogram.hpp"

#include <cstring>

namespace fc::gbdt::detail {

namespace {

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

}  // namespace

void accumulate_group(size_t n, bool all_rows, bool unit_hessian, const uint8_t* const* codes,
                      HistBin* const* out, const uint32_t* rows, const GradPair* gp,
                      size_t count) {
  switch (n) {
    case 1:
      accumulate_any<1>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 2:
      accumulate_any<2>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 3:
      accumulate_any<3>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 4:
      accumulate_any<4>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 5:
      accumulate_any<5>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 6:
      accumulate_any<6>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    case 7:
      accumulate_any<7>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
    default:
      accumulate_any<8>(all_rows, unit_hessian, codes, out, rows, gp, count);
      break;
  }
}

}  // namespace fc::gbdt::detail
