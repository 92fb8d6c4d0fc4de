// Drift statistics. KS and PSI answer different questions: KS asks whether the two
// samples could come from one distribution (and with enough rows the answer is always
// no), PSI measures how far apart the binned distributions are. The flags use PSI for
// size and KS as a second opinion.
#include "funnelcast/drift/drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"

namespace fc::drift {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

std::vector<double> sorted_values(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v) {
    if (!std::isnan(x)) out.push_back(x);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string number_text(double v) {
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double term(double e, double a) {
  e = std::max(e, kPsiEpsilon);
  a = std::max(a, kPsiEpsilon);
  return (a - e) * std::log(a / e);
}

// Shares and contributions from the counts; value NaN when a side has no rows.
void finish(Psi& psi, size_t n_ref, size_t n_cur) {
  psi.value = 0;
  for (PsiBin& b : psi.bins) {
    b.reference_share = n_ref ? static_cast<double>(b.reference_count) / n_ref : kNaN;
    b.current_share = n_cur ? static_cast<double>(b.current_count) / n_cur : kNaN;
    b.contribution = (n_ref && n_cur) ? term(b.reference_share, b.current_share) : kNaN;
    psi.value += b.contribution;
  }
  if (n_ref == 0 || n_cur == 0) psi.value = kNaN;
}

}  // namespace

double kolmogorov_survival(double t) {
  if (std::isnan(t)) return kNaN;
  if (t <= 0) return 1.0;
  if (t < 1.18) {
    // The Jacobi theta form converges fast for small t, where the alternating series
    // does not: K(t) = sqrt(2 pi) / t * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 t^2)).
    const double a = -kPi * kPi / (8 * t * t);
    double s = 0;
    for (int j = 1; j <= 8; ++j) {
      const double k = 2 * j - 1;
      s += std::exp(k * k * a);
    }
    return std::min(1.0, std::max(0.0, 1.0 - std::sqrt(2 * kPi) / t * s));
  }
  double s = 0;
  for (int j = 1; j <= 40; ++j) {
    const double e = std::exp(-2.0 * j * j * t * t);
    s += (j % 2 ? e : -e);
    if (e < 1e-18) break;
  }
  return std::min(1.0, std::max(0.0, 2 * s));
}

Ks ks_two_sample(const std::vector<double>& reference, const std::vector<double>& current) {
  const std::vector<double> a = sorted_values(reference), b = sorted_values(current);
  Ks out;
  out.n_reference = a.size();
  out.n_current = b.size();
  if (a.empty() || b.empty()) {
    out.statistic = out.p_value = kNaN;
    return out;
  }
  // Walk the merged order; compare the CDFs only after every copy of a value has been
  // passed on both sides, so ties between the samples are not split.
  size_t i = 0, j = 0;
  double d = 0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    d = std::max(d, std::fabs(i / na - j / nb));
  }
  // Past the end of one sample its CDF is 1; the other only rises toward 1 from here, so
  // the largest gap in that stretch is at its start, already measured above.
  out.statistic = d;
  const double en = na * nb / (na + nb);
  out.p_value = kolmogorov_survival(std::sqrt(en) * d);
  return out;
}

Psi psi_numeric(const std::vector<double>& reference, const std::vector<double>& current,
                size_t bins) {
  if (bins < 2) throw Error("PSI: needs at least 2 bins, got " + std::to_string(bins));
  const std::vector<double> ref = sorted_values(reference);
  const size_t m = ref.size();
  std::vector<double> edges;
  if (m > 0) {
    for (size_t k = 1; k < bins; ++k) {
      // rank ceil(k m / bins), 1-based; exact in integers.
      const size_t rank = (k * m + bins - 1) / bins;
      if (rank == 0) continue;
      const double e = ref[rank - 1];
      if (edges.empty() || e > edges.back()) edges.push_back(e);
    }
  }
  Psi psi;
  for (size_t k = 0; k <= edges.size(); ++k) {
    PsiBin b;
    b.lower = k == 0 ? -kInf : edges[k - 1];
    b.upper = k == edges.size() ? kInf : edges[k];
    b.label =
        "(" + number_text(b.lower) + ", " + number_text(b.upper) + (k == edges.size() ? ")" : "]");
    psi.bins.push_back(b);
  }
  PsiBin missing;
  missing.label = "(missing)";
  missing.lower = missing.upper = kNaN;
  auto count = [&](const std::vector<double>& v, size_t PsiBin::*counter) {
    for (double x : v) {
      if (std::isnan(x)) {
        ++(missing.*counter);
        continue;
      }
      // x <= edges[k] falls in bin k: the first edge not below x.
      const auto k = std::lower_bound(edges.begin(), edges.end(), x) - edges.begin();
      ++(psi.bins[static_cast<size_t>(k)].*counter);
    }
  };
  count(reference, &PsiBin::reference_count);
  count(current, &PsiBin::current_count);
  if (missing.reference_count || missing.current_count) psi.bins.push_back(missing);
  finish(psi, reference.size(), current.size());
  return psi;
}

Psi psi_categorical(const std::vector<std::string>& reference,
                    const std::vector<std::string>& current) {
  Psi psi;
  std::unordered_map<std::string, size_t> bin_of;
  PsiBin missing, unseen;
  missing.label = "(missing)";
  unseen.label = "(unseen)";
  for (const std::string& s : reference) {
    if (s.empty()) {
      ++missing.reference_count;
      continue;
    }
    auto it = bin_of.find(s);
    if (it == bin_of.end()) {
      it = bin_of.emplace(s, psi.bins.size()).first;
      PsiBin b;
      b.label = s;
      b.lower = b.upper = kNaN;
      psi.bins.push_back(b);
    }
    ++psi.bins[it->second].reference_count;
  }
  for (const std::string& s : current) {
    if (s.empty()) {
      ++missing.current_count;
      continue;
    }
    auto it = bin_of.find(s);
    if (it == bin_of.end()) {
      ++unseen.current_count;
    } else {
      ++psi.bins[it->second].current_count;
    }
  }
  for (PsiBin* b : {&unseen, &missing}) {
    b->lower = b->upper = kNaN;
    if (b->reference_count || b->current_count) psi.bins.push_back(*b);
  }
  finish(psi, reference.size(), current.size());
  return psi;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kModerate:
      return "moderate";
    case Severity::kMajor:
      return "major";
    case Severity::kNone:
      break;
  }
  return "none";
}

ColumnDrift column_drift(const Column& reference, const Column& current,
                         const Thresholds& thresholds, size_t bins) {
  ColumnDrift out;
  out.name = reference.name;
  if (reference.type != current.type) {
    throw Error("drift: column '" + reference.name + "' is " + fc::to_string(reference.type) +
                " in the reference table but " + fc::to_string(current.type) + " in the new one");
  }
  if (reference.type == ColumnType::kTimestamp) {
    throw Error("drift: column '" + reference.name +
                "' holds timestamps; drift is measured on numbers and categories only");
  }
  auto missing_share = [](const Column& c, size_t rows) {
    if (rows == 0) return kNaN;
    size_t m = 0;
    for (size_t r = 0; r < rows; ++r) m += c.is_missing(r);
    return static_cast<double>(m) / rows;
  };
  if (reference.type == ColumnType::kNumber) {
    out.ks = ks_two_sample(reference.numbers, current.numbers);
    out.psi = psi_numeric(reference.numbers, current.numbers, bins);
    out.missing_reference = missing_share(reference, reference.numbers.size());
    out.missing_current = missing_share(current, current.numbers.size());
  } else {
    out.categorical = true;
    out.ks.statistic = out.ks.p_value = kNaN;
    auto texts = [](const Column& c) {
      std::vector<std::string> v(c.codes.size());
      for (size_t r = 0; r < c.codes.size(); ++r) {
        const int32_t code = c.codes[r];
        if (code >= 0 && static_cast<size_t>(code) < c.levels.size()) v[r] = c.levels[code];
      }
      return v;
    };
    out.psi = psi_categorical(texts(reference), texts(current));
    out.missing_reference = missing_share(reference, reference.codes.size());
    out.missing_current = missing_share(current, current.codes.size());
  }
  char buf[96];
  if (out.psi.value > thresholds.psi_major) {
    out.severity = Severity::kMajor;
    std::snprintf(buf, sizeof buf, "PSI %.3g > %.3g", out.psi.value, thresholds.psi_major);
    out.reason = buf;
  } else if (out.psi.value > thresholds.psi_moderate) {
    out.severity = Severity::kModerate;
    std::snprintf(buf, sizeof buf, "PSI %.3g > %.3g", out.psi.value, thresholds.psi_moderate);
    out.reason = buf;
  }
  if (!out.categorical && out.ks.p_value < thresholds.ks_p_value) {
    if (out.severity == Severity::kNone) out.severity = Severity::kModerate;
    std::snprintf(buf, sizeof buf, "KS p-value %.2g < %.2g", out.ks.p_value, thresholds.ks_p_value);
    out.reason += (out.reason.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

}  // namespace fc::drift
