// Expanding-window splits laid out from the end of the series backwards, as
// scikit-learn's TimeSeriesSplit does: the last validation block ends at the last
// hour, so the most recent (most relevant) data is always validated on.
#include "funnelcast/eval/validation.hpp"

#include <algorithm>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::validation {

std::vector<Fold> time_series_splits(size_t n, int folds, size_t test_size, size_t gap,
                                     size_t min_train) {
  if (folds < 1) {
    throw Error("cross-validation needs at least 1 fold, got " + std::to_string(folds));
  }
  const auto k = static_cast<size_t>(folds);
  // An empty training part cannot fit anything, whatever the caller asked for.
  const size_t need_train = std::max<size_t>(min_train, 1);
  if (test_size == 0) test_size = n / (k + 1);

  auto too_short = [&]() {
    const size_t block = std::max<size_t>(test_size, 1);
    const unsigned long long need = static_cast<unsigned long long>(need_train) + gap +
                                    static_cast<unsigned long long>(k) * block;
    std::string msg = "not enough history for " + std::to_string(folds) +
                      " folds: " + std::to_string(n) + " hours, need at least " +
                      std::to_string(need) + " (" + std::to_string(need_train) + " training";
    if (gap > 0) msg += " + " + std::to_string(gap) + " gap";
    msg += " + " + std::to_string(k) + " x " + std::to_string(block) +
           " validation); use fewer folds or a shorter validation block";
    return Error(msg);
  };
  if (test_size == 0) throw too_short();
  // Compare by division so huge arguments cannot overflow the sum.
  if (test_size > n / k) throw too_short();
  const size_t validated = test_size * k;
  if (gap > n - validated || need_train > n - validated - gap) throw too_short();

  std::vector<Fold> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    Fold f;
    f.valid_begin = n - (k - i) * test_size;
    f.valid_end = f.valid_begin + test_size;
    f.train_begin = 0;
    f.train_end = f.valid_begin - gap;
    out.push_back(f);
  }
  return out;
}

}  // namespace fc::validation
