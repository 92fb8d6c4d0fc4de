// ensemble (the default): the members of the list (ensemble_member) combined by the Cauchy
// rule (calibrate.hpp), which stays a valid tail probability for dependent detectors, and
// where one very small p dominates (an incident one member is sure of is not outvoted).
// Expected value and band: the member with the highest band_rank that has one; direction:
// the member with the smallest p.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include <algorithm>
#include <cmath>
#include <string>

#include "detector.hpp"

namespace fc::anomaly::detail {
namespace {

// The members for this run: those that need no forecasts, in list order, then, when
// forecasts are given, those that do (so the combination without forecasts is the same
// with them, plus their evidence).
std::vector<const Detector*> members_of(const Context& ctx) {
  std::vector<const Detector*> out;
  for (bool forecast_based : {false, true}) {
    if (forecast_based && ctx.forecasts.empty()) break;
    for (const Detector* d : detectors())
      if (d->ensemble_member && d->needs_forecasts == forecast_based) out.push_back(d);
  }
  return out;
}

// The exposure of a ratio (CPL's spend) as a series of its own, judged where the ratio is.
Input exposure_input(const Input& in) {
  Input e;
  e.name = in.exposure_name;
  e.label = e.name;
  e.kind = in.exposure_kind;
  e.start = in.start;
  e.step = in.step;
  e.value = in.exposure;
  for (size_t i = 0; i < e.value.size(); ++i)
    if (!std::isfinite(in.quantity[i]) || !std::isfinite(in.exposure[i])) e.value[i] = kNaN;
  return e;
}

// Members' tail probabilities combined by the Cauchy rule; expected and band from
// `band_from` (members tried in order where they have one). `exposure_p`: on a ratio of
// counts, the seasonal tail of the exposure alone (empty otherwise).
Track combine(const Input& in, const std::vector<const Track*>& members,
              const std::vector<double>& weights, const std::vector<uint8_t>& yields,
              const Track* count, const std::vector<const Track*>& band_from,
              const std::vector<double>& exposure_p) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  std::vector<double> ps(members.size());
  for (size_t i = 0; i < n; ++i) {
    size_t have = 0;
    double best_p = 2;
    int8_t dir = 0;
    // On a count (and on lumpy money: revenue) the count model speaks for robust and
    // seasonal. On a ratio of counts (CPL, and ROI through its revenue) they keep their say
    // only as far as the exposure itself is unusual: their p is raised to the exposure's own
    // seasonal p (an intersection-union test: small only when the ratio and its spend both
    // moved). A runaway bid at night (spend 13x, one lead where 0.4
    // were expected) moves both; the ratio's noise from few leads under a steady spend is
    // the count model's to judge (robust and seasonal calibrated on a ratio of 2 leads an
    // hour flagged 34 hours in 10,000 of pure Poisson noise).
    const bool scored = count && !std::isnan(count->p[i]);
    const bool counted = scored && (in.kind == Kind::kCount || in.kind == Kind::kMoney);
    // ROI's revenue is money, which robust and seasonal measure as if it were a count: they
    // keep to the gate also where the count model does not score (holidays), else an hour
    // of 0.2 sales on a holiday is a collapse (70 flags in 52,000 hours of clean revenue).
    const bool gated = (scored || in.lumpy) && !exposure_p.empty();
    for (size_t k = 0; k < members.size(); ++k) {
      ps[k] = counted && yields[k] ? kNaN : members[k]->p[i];
      if (gated && yields[k] && !std::isnan(ps[k]))
        ps[k] = std::isnan(exposure_p[i]) ? kNaN : std::max(ps[k], exposure_p[i]);
      if (std::isnan(ps[k])) continue;
      ++have;
      if (ps[k] < best_p) {
        best_p = ps[k];
        dir = members[k]->direction[i];
      }
    }
    if (!have) continue;
    const double p = cauchy_combine(ps.data(), weights.data(), ps.size());
    t.p[i] = p;
    t.z[i] = dir * -std::log10(std::max(p, 1e-300));
    t.direction[i] = dir;
    for (const Track* m : band_from) {
      if (std::isnan(m->expected[i])) continue;
      t.expected[i] = m->expected[i];
      t.lower[i] = m->lower[i];
      t.upper[i] = m->upper[i];
      break;
    }
  }
  return t;
}

Track run(Context& ctx) {
  const std::vector<const Detector*> members = members_of(ctx);
  std::vector<const Track*> tracks;
  for (const Detector* d : members) tracks.push_back(&ctx.track(d->name));
  // The band from the member of highest rank (stable: list order on a tie).
  std::vector<size_t> order;
  for (size_t k = 0; k < members.size(); ++k)
    if (members[k]->band_rank > 0) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return members[a]->band_rank > members[b]->band_rank;
  });
  std::vector<const Track*> band;
  for (size_t k : order) band.push_back(tracks[k]);
  std::vector<double> weights;
  std::vector<uint8_t> yields;
  const Track* count = nullptr;
  for (size_t k = 0; k < members.size(); ++k) {
    weights.push_back(members[k]->ensemble_weight);
    yields.push_back(members[k]->yields_to_count ? 1 : 0);
    if (std::string(members[k]->name) == "count") count = tracks[k];
  }
  std::vector<double> exposure_p;
  if (count && ctx.in.kind == Kind::kRatio) {
    const Input e = exposure_input(ctx.in);
    Params prm = ctx.params;
    prm.bands = false;
    const Forecasts none;
    Context ectx(e, prm, none);
    exposure_p = ectx.track("seasonal").p;
  }
  Track t = combine(ctx.in, tracks, weights, yields, count, band, exposure_p);
  for (size_t k = 0; k < members.size(); ++k) t.members.push_back({members[k]->name, tracks[k]->p});
  return t;
}

}  // namespace

extern const Detector kEnsembleDetector = {
    "ensemble",
    "Ensemble",
    "robust, seasonal and isolation forest (and residual with a forecast) combined by the "
    "Cauchy rule",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/false,
    /*band_rank=*/0,
    run,
};

}  // namespace fc::anomaly::detail

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
