// Drift between a reference sample (the leads a model was trained on) and a current one
// (this month's leads): the two-sample Kolmogorov–Smirnov test and the population
// stability index (PSI) for numeric columns, PSI over levels for categorical columns,
// and a severity flag per column.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"

namespace fc::drift {

// Two-sample Kolmogorov–Smirnov. NaN values are left out (missingness is compared by
// PSI's "(missing)" bin instead). statistic = max over x of |F_ref(x) - F_cur(x)| with
// both empirical CDFs right-continuous, so tied values are handled exactly. p_value is
// the asymptotic one, Q_KS(sqrt(n m / (n + m)) * statistic), as R's ks.test(exact =
// FALSE) gives; it is rough below ~30 values a side (SciPy's method="asymp" uses a
// finite-n approximation instead and differs there).
// Both are NaN when either side has no values.
struct Ks {
  double statistic = 0;
  double p_value = 1;
  size_t n_reference = 0, n_current = 0;  // values compared (NaN left out)
};
Ks ks_two_sample(const std::vector<double>& reference, const std::vector<double>& current);

// Survival function of the Kolmogorov distribution:
// Q(t) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 t^2); 1 for t <= 0.
double kolmogorov_survival(double t);

// A share below this counts as this share in PSI, so an empty bin on one side gives a
// large but finite term ((a - e) ln(a / e) with e or a = 1e-4, i.e. one lead in 10,000).
constexpr double kPsiEpsilon = 1e-4;

struct PsiBin {
  std::string label;  // "(-inf, 3.5]", "(3.5, 7]", "(7, +inf)", a level, "(missing)", "(unseen)"
  double lower = 0, upper = 0;  // numeric bins: lower < x <= upper (±inf at the ends); else NaN
  size_t reference_count = 0, current_count = 0;
  double reference_share = 0, current_share = 0;  // count / all rows of that side
  double contribution = 0;  // (a - e) ln(a / e), shares floored at kPsiEpsilon
};
struct Psi {
  double value = 0;  // sum of contributions; NaN when either side has no rows
  std::vector<PsiBin> bins;
};
// Numeric PSI: bin edges at the reference's k/bins quantiles (the value at rank
// ceil(k n / bins) of the sorted non-missing reference, k = 1..bins-1), duplicate edges
// dropped, so heavy ties give fewer bins. An edge may equal the reference maximum: its
// upper bin is then empty in the reference and costs nothing unless new values land
// above everything seen before, which is drift worth a large PSI. A "(missing)"
// bin is added when either side has NaN values. bins >= 2 (fc::Error otherwise).
Psi psi_numeric(const std::vector<double>& reference, const std::vector<double>& current,
                size_t bins = 10);
// Categorical PSI over the reference's levels; levels absent from the reference share one
// "(unseen)" bin, and "" (missing) is the "(missing)" bin when either side has it.
Psi psi_categorical(const std::vector<std::string>& reference,
                    const std::vector<std::string>& current);

// Flags. PSI > psi_major is major drift, PSI > psi_moderate moderate (the usual credit
// scoring rule of thumb: < 0.1 stable, 0.1-0.2 watch, > 0.2 act). A KS p-value below
// ks_p_value raises a numeric column to at least moderate, never to major on its own:
// with thousands of leads KS finds shifts too small to matter, and PSI sizes them.
enum class Severity { kNone, kModerate, kMajor };
const char* to_string(Severity s);  // "none", "moderate", "major"
struct Thresholds {
  double psi_moderate = 0.1;
  double psi_major = 0.2;
  double ks_p_value = 0.01;
};

struct ColumnDrift {
  std::string name;
  bool categorical = false;
  Ks ks;  // numeric columns only (NaN fields for categorical)
  Psi psi;
  double missing_reference = 0, missing_current = 0;  // share of missing cells
  Severity severity = Severity::kNone;
  std::string reason;  // e.g. "PSI 0.31 > 0.2", "KS p-value 0.002 < 0.01", "" when none
};
// Numeric and categorical columns of one name in two tables (their level dictionaries
// may differ; levels are matched by text). fc::Error for a timestamp column or when the
// two columns' types differ.
ColumnDrift column_drift(const Column& reference, const Column& current,
                         const Thresholds& thresholds = {}, size_t bins = 10);

}  // namespace fc::drift
