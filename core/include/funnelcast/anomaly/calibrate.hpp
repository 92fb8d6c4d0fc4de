// Turns a detector's raw statistic (|z|, a residual, an isolation score: anything where
// larger means more unusual) into a tail probability calibrated on the series' own past,
// so that scores mean the same on every series. Streaming: p_value() judges a new value
// against the values add()-ed before it.
//
// Below the tail, p is the conformal rank: (1 + number of past values >= r) / (1 + n).
// The largest `tail_fraction` of the past (at least 10 values) is modelled as an
// exponential tail (peaks over a threshold u, with its scale beta from the median excess,
// so one huge value does not stretch it), so values beyond anything seen get
// p = (1 + k) / (1 + n) * exp(-(r - u) / beta) instead of a floor at 1 / (1 + n). Values
// are kept in 1/512-octave bins of log2(1 + r) (relative resolution 0.14%), so memory and
// time do not grow with the history.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fc::anomaly {

class TailCalibrator {
 public:
  // No p-value until `min_history` values have been added.
  explicit TailCalibrator(size_t min_history = 100, double tail_fraction = 0.02);
  // Empirical-Bayes shrinkage of the tail's scale toward what the detector's own model
  // predicts (a Gaussian z read as its surprise -ln p: exponential with scale 1, at any
  // threshold): beta = (w prior + k beta_hat) / (w + k) over the k values above u. A short
  // history's handful of extremes then cannot make its tail far lighter or heavier than
  // the model says; a long one's (k = 2% of n) speaks for itself. weight 0: no prior.
  void set_prior(double beta, double weight) {
    prior_beta_ = beta;
    prior_weight_ = weight;
    tail_n_ = 0;
  }
  void add(double r);  // r >= 0; NaN is ignored
  size_t size() const { return n_; }
  // The tail probability of r given the history; NaN before min_history values.
  double p_value(double r) const;
  // The smallest r whose p_value is at most alpha; NaN before min_history values.
  double critical(double alpha) const;

  // Bins: exposed for tests.
  static size_t bin_of(double r);
  static double lower_edge(size_t bin);

 private:
  struct Tail {
    size_t count = 0;  // values above u
    double u = 0, beta = 0;
  };
  const Tail& tail() const;             // cached until the next add()
  size_t count_from(size_t bin) const;  // values in bins >= bin
  void fenwick_add(size_t bin);

  size_t min_history_;
  double tail_fraction_;
  double prior_beta_ = 1, prior_weight_ = 0;
  size_t n_ = 0;
  mutable Tail tail_;
  mutable size_t tail_n_ = 0;         // n_ when tail_ was computed (0 = never)
  std::vector<uint32_t> count_tree_;  // a Fenwick tree over the bins
};

// Tail probabilities combined with the Cauchy combination rule (Liu and Xie, 2020): the
// mean of tan((0.5 - p_i) pi) is standard Cauchy when each p_i is uniform, whatever their
// dependence, so the result is a valid p-value for dependent detectors too. NaNs skipped;
// NaN when none is left.
double cauchy_combine(const double* p, size_t n);
// The same with weights w_i > 0 (normalised over the p_i that are not NaN): the weighted
// mean of the tan terms is standard Cauchy too, so a member that sees more (the count
// model on counts) may weigh more without losing validity. w = nullptr: equal weights.
// Each p is truncated at 0.99 (Liu and Xie's remedy for p near 1, whose tan term would
// otherwise cancel any evidence: a count model's p of exactly 1 is common).
double cauchy_combine(const double* p, const double* w, size_t n);
// The same with p truncated at `top` instead of 0.99 (1 - 1e-15: as the unweighted rule).
double cauchy_combine(const double* p, const double* w, size_t n, double top);

// The Gaussian two-sided tail probability of |z| (erfc(|z| / sqrt 2)) and its inverse.
double gaussian_two_sided(double z);
double gaussian_two_sided_inverse(double p);
// -ln gaussian_two_sided(z), without underflow for large |z|, and its inverse (|z| >= 0).
double gaussian_surprise(double z);
double gaussian_surprise_inverse(double s);

}  // namespace fc::anomaly
