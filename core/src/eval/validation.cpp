// Expanding-window splits laid out from the end of the series backwards, as
// scikit-learn's TimeSeriesSplit does: the last validation block ends at the last
// hour, so the most recent (most relevant) data is always validated on.
#include "funnelcast/eval/validation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
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

namespace {

// splitmix64 (Steele, Lea, Flood 2014): 64-bit state, good enough to shuffle rows, and
// the same integer sequence on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0, without modulo bias: draws below 2^64 mod n are redrawn.
  uint64_t below(uint64_t n) {
    const uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t x = next();
      if (x >= reject_below) return x % n;
    }
  }

 private:
  uint64_t state_;
};

// Fisher–Yates from the back, as Knuth's algorithm P.
void shuffle(std::vector<size_t>& v, SplitMix64& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

// The rows of each class in row order, classes by ascending label.
std::map<double, std::vector<size_t>> rows_by_class(const std::vector<double>& labels,
                                                    const char* what) {
  std::map<double, std::vector<size_t>> out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!std::isfinite(labels[i])) {
      throw Error(std::string(what) + ": the outcome of row " + std::to_string(i + 1) +
                  " is missing or not a number");
    }
    out[labels[i] == 0.0 ? 0.0 : labels[i]].push_back(i);  // -0 and 0 are one class
  }
  return out;
}

std::string label_text(double v) {
  std::string s = std::to_string(v);
  // "1.000000" -> "1"
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace

std::vector<int> stratified_fold_of(const std::vector<double>& labels, int folds, uint64_t seed) {
  if (folds < 2) {
    throw Error("stratified cross-validation needs at least 2 folds, got " + std::to_string(folds));
  }
  auto classes = rows_by_class(labels, "stratified cross-validation");
  const auto k = static_cast<size_t>(folds);
  if (labels.size() < k) {
    throw Error("stratified cross-validation: " + std::to_string(labels.size()) +
                " rows are too few for " + std::to_string(folds) + " folds");
  }
  for (const auto& c : classes) {
    if (c.second.size() < k) {
      throw Error("stratified cross-validation: only " + std::to_string(c.second.size()) +
                  " rows have outcome " + label_text(c.first) + ", need at least " +
                  std::to_string(folds) + " for " + std::to_string(folds) +
                  " folds; use fewer folds");
    }
  }
  SplitMix64 rng(seed);
  std::vector<int> fold_of(labels.size(), -1);
  // One running position across the classes keeps the fold sizes balanced overall.
  size_t position = 0;
  for (auto& c : classes) {
    shuffle(c.second, rng);
    for (size_t row : c.second) fold_of[row] = static_cast<int>(position++ % k);
  }
  return fold_of;
}

std::vector<Split> stratified_kfold(const std::vector<double>& labels, int folds, uint64_t seed) {
  const std::vector<int> fold_of = stratified_fold_of(labels, folds, seed);
  std::vector<Split> out(static_cast<size_t>(folds));
  for (size_t i = 0; i < fold_of.size(); ++i) {
    for (size_t f = 0; f < out.size(); ++f) {
      (static_cast<int>(f) == fold_of[i] ? out[f].valid : out[f].train).push_back(i);
    }
  }
  return out;
}

Split stratified_split(const std::vector<double>& labels, double valid_fraction, uint64_t seed) {
  if (!(valid_fraction > 0.0 && valid_fraction < 1.0)) {
    throw Error(
        "stratified split: the validation share must be between 0 and 1 (exclusive), "
        "got " +
        std::to_string(valid_fraction));
  }
  auto classes = rows_by_class(labels, "stratified split");
  SplitMix64 rng(seed);
  std::vector<uint8_t> in_valid(labels.size(), 0);
  for (auto& c : classes) {
    std::vector<size_t>& rows = c.second;
    shuffle(rows, rng);
    const size_t n = rows.size();
    size_t take = static_cast<size_t>(std::floor(static_cast<double>(n) * valid_fraction + 0.5));
    if (n >= 2) take = std::min(std::max<size_t>(take, 1), n - 1);
    for (size_t j = 0; j < take; ++j) in_valid[rows[j]] = 1;
  }
  Split out;
  for (size_t i = 0; i < labels.size(); ++i) (in_valid[i] ? out.valid : out.train).push_back(i);
  if (out.train.empty() || out.valid.empty()) {
    throw Error("stratified split: " + std::to_string(labels.size()) +
                " rows are too few to hold out " + std::to_string(valid_fraction * 100) +
                "% for validation and still train");
  }
  return out;
}

}  // namespace fc::validation
