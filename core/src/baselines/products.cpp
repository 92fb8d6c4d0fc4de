// The baselines' matrix products, in a file of their own so that the wasm build compiles
// them -O3 with SIMD (the root CMakeLists.txt keeps the rest of baselines/ -Os): the Gram
// matrix is the logistic baseline's Newton step, and in the page's scoring training it
// took 12% of the time at -Os. Only the training bundle links this file.
#include "products.hpp"

#include <vector>

namespace fc::baselines::detail {

// Sums over rows in row order, in plain loops: Eigen's blocked products choose their
// summation order from the CPU's cache sizes and vector width, so the same data would give
// other last bits on another machine or in wasm, and model files would differ.
// The loops below read Eigen's column-major storage through plain pointers: compiled for
// size, Eigen's element accessors stay calls (the Gram loop once took 61% of the page's
// scoring training through them). The order of every sum is the same as element by
// element, so the results are the same bits.

// Z' W Z for a column-major Z (n x d), in row order. Element (k, i), k >= i, is summed in
// column i of the result, whose rows k >= i are contiguous, then mirrored; rows are taken
// two at a time, each element adding the first row's product and then the second's, the
// same additions in the same order as one row at a time.
Eigen::MatrixXd weighted_gram(const Eigen::MatrixXd& z, const double* w) {
  const Eigen::Index n = z.rows(), d = z.cols();
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(d, d);
  const double* zd = z.data();
  double* gd = g.data();
  std::vector<double> rows(2 * static_cast<size_t>(d));
  double* const r1 = rows.data();
  double* const r2 = r1 + d;
  auto add_one = [&](const double* row, double wr) {
    for (Eigen::Index i = 0; i < d; ++i) {
      const double a = wr * row[i];
      if (a == 0) continue;
      double* gi = gd + i * d;
      for (Eigen::Index k = i; k < d; ++k) gi[k] += a * row[k];
    }
  };
  Eigen::Index pending = -1;  // a row read into r1, waiting for a second
  double w1 = 0;
  for (Eigen::Index r = 0; r < n; ++r) {
    const double wr = w ? w[r] : 1.0;
    if (wr == 0) continue;
    double* row = pending < 0 ? r1 : r2;
    for (Eigen::Index c = 0; c < d; ++c) row[c] = zd[c * n + r];
    if (pending < 0) {
      pending = r;
      w1 = wr;
      continue;
    }
    pending = -1;
    for (Eigen::Index i = 0; i < d; ++i) {
      const double a1 = w1 * r1[i], a2 = wr * r2[i];
      double* gi = gd + i * d;
      if (a1 != 0 && a2 != 0) {
        for (Eigen::Index k = i; k < d; ++k) gi[k] = gi[k] + a1 * r1[k] + a2 * r2[k];
      } else if (a1 != 0) {
        for (Eigen::Index k = i; k < d; ++k) gi[k] += a1 * r1[k];
      } else if (a2 != 0) {
        for (Eigen::Index k = i; k < d; ++k) gi[k] += a2 * r2[k];
      }
    }
  }
  if (pending >= 0) add_one(r1, w1);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index k = i + 1; k < d; ++k) gd[k * d + i] = gd[i * d + k];
  return g;
}

// Z' v, in row order: one column at a time, its rows contiguous.
Eigen::VectorXd transpose_times(const Eigen::MatrixXd& z, const Eigen::VectorXd& v) {
  const Eigen::Index n = z.rows(), d = z.cols();
  Eigen::VectorXd out(d);
  const double* zd = z.data();
  const double* vd = v.data();
  double* od = out.data();
  for (Eigen::Index c = 0; c < d; ++c) {
    const double* col = zd + c * n;
    double s = 0;
    for (Eigen::Index r = 0; r < n; ++r) {
      const double x = vd[r];
      if (x == 0) continue;
      s += col[r] * x;
    }
    od[c] = s;
  }
  return out;
}

// Z theta, each row summed in column order: a column at a time added to every row's sum,
// which reads Z's columns contiguously and makes the same additions in the same order.
Eigen::VectorXd times(const Eigen::MatrixXd& z, const Eigen::VectorXd& theta) {
  const Eigen::Index n = z.rows(), d = z.cols();
  Eigen::VectorXd out = Eigen::VectorXd::Zero(n);
  const double* zd = z.data();
  const double* td = theta.data();
  double* od = out.data();
  for (Eigen::Index c = 0; c < d; ++c) {
    const double* col = zd + c * n;
    const double t = td[c];
    for (Eigen::Index r = 0; r < n; ++r) od[r] += col[r] * t;
  }
  return out;
}

}  // namespace fc::baselines::detail
