// Matrix products of the baselines, summed in a fixed order (products.cpp).
#pragma once
#include <Eigen/Dense>

namespace fc::baselines::detail {

// Z' diag(w) Z for a column-major Z (w null = all ones), symmetric.
Eigen::MatrixXd weighted_gram(const Eigen::MatrixXd& z, const double* w);
// Z' v.
Eigen::VectorXd transpose_times(const Eigen::MatrixXd& z, const Eigen::VectorXd& v);
// Z theta.
Eigen::VectorXd times(const Eigen::MatrixXd& z, const Eigen::VectorXd& theta);

}  // namespace fc::baselines::detail
