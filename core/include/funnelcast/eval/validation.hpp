// Time-series cross-validation: expanding windows, never shuffled. Each
// validation block is the segment right after its training data (after an optional gap).
// Stratified k-fold and a stratified train/validation split for tables of leads.
#pragma once
#include <cstddef>
#include <cstdint>
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

// Stratified k-fold for a table of independent rows (leads), deterministic by seed: the
// same labels and seed give the same folds natively and in wasm (our own splitmix64
// generator and Fisher–Yates shuffle, never <random>'s distributions or std::shuffle).
//
// Rows are grouped by label value (any finite value is a class; lead scoring uses 0/1),
// each class is shuffled, and the classes, taken in ascending label order, are dealt to
// the folds round robin as one sequence. Hence every fold holds floor or ceil of
// (class rows / folds) of each class, fold sizes differ by at most one row, and for two
// classes each fold's positive count is within one row of its size times the overall
// rate. fc::Error when folds < 2, a label is NaN or infinite, or a class has fewer rows
// than folds (a fold would have none of it, and its AUC would be undefined).
//
// fold_of[i] is the validation fold of row i, in [0, folds).
std::vector<int> stratified_fold_of(const std::vector<double>& labels, int folds, uint64_t seed);

// Row indices, each ascending (the table's row order is kept inside a part).
struct Split {
  std::vector<size_t> train, valid;
};
// One Split per fold: valid = the rows of that fold, train = all other rows.
std::vector<Split> stratified_kfold(const std::vector<double>& labels, int folds, uint64_t seed);

// A stratified hold-out (e.g. for early stopping): of each class, round(rows *
// valid_fraction) shuffled rows go to valid, but a class with at least two rows keeps at
// least one on each side. valid_fraction in (0, 1). fc::Error when either part would be
// empty, for NaN or infinite labels and for a bad fraction.
Split stratified_split(const std::vector<double>& labels, double valid_fraction, uint64_t seed);

}  // namespace fc::validation
