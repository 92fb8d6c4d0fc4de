// Time-series cross-validation: expanding windows, never shuffled. Each
// validation block is the segment right after its training data (after an optional gap).
#pragma once
#include <cstddef>
#include <vector>

namespace fc::validation {

struct Fold {
  size_t train_begin = 0, train_end = 0;  // [begin, end)
  size_t valid_begin = 0, valid_end = 0;  // [begin, end), valid_begin = train_end + gap
};

// Like scikit-learn's TimeSeriesSplit: test_size defaults to n / (folds + 1);
// the last fold ends at n. fc::Error when n is too small for the request
// (fewer than min_train training rows in the first fold).
std::vector<Fold> time_series_splits(size_t n, int folds, size_t test_size = 0, size_t gap = 0,
                                     size_t min_train = 1);

}  // namespace fc::validation
