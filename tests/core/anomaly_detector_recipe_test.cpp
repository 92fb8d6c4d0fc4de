// The detector recipe (docs/recipes/detector.md) followed with a dummy detector: defined
// here as a detector file would define it, and run through run_detector(), which is what
// detect() does once it has found a method in the list. Then the list itself: what every
// entry must carry, and methods() derived from it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "../../core/src/anomaly/detector.hpp"
#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::k2024;

namespace anomaly = fc::anomaly;
namespace detail = fc::anomaly::detail;


// ---- step 1 of the recipe: the detector's file ----

// "step": the change from the previous interval, z = x[i] - x[i - 1] (a level in units
// whose noise is 1), read through the Gaussian tail, not calibrated.
detail::Track run_step(detail::Context& ctx) {
  const anomaly::Input& in = ctx.in;
  detail::Track t;
  t.resize(in.size());
  for (size_t i = 1; i < in.size(); ++i) {
    if (!in.known(i) || !in.known(i - 1)) continue;
    const double z = in.value[i] - in.value[i - 1];
    t.expected[i] = in.value[i - 1];
    t.lower[i] = in.value[i - 1] - ctx.params.z_threshold;
    t.upper[i] = in.value[i - 1] + ctx.params.z_threshold;
    t.z[i] = z;
    t.p[i] = anomaly::gaussian_two_sided(z);
    t.direction[i] = detail::sign_of(z);
  }
  return t;
}

const detail::Detector kStepDetector = {
    "step",
    "Step change",
    "the change from the interval before; |z| > 2.5",
    /*default_threshold=*/2.5,
    /*calibrated=*/false,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/false,
    /*band_rank=*/0,
    run_step,
};

anomaly::Input level(const std::vector<double>& v) {
  anomaly::Input in;
  in.name = in.label = "value";
  in.start = k2024;
  in.step = 3600;
  in.value = v;
  return in;
}

anomaly::Options whole_recipe(const std::string& method) {
  anomaly::Options o;
  o.method = method;
  o.lookback = anomaly::Span::intervals(0);
  return o;
}

// ---- step 3 of the recipe: its test, with values worked out by hand ----

TEST(AnomalyDetectorRecipe, ADummyDetectorRunsLikeAListedOne) {
  const anomaly::Result r = detail::run_detector(kStepDetector, level({10, 10, 13, 10, 10.5}), whole_recipe("step"));
  EXPECT_EQ(r.method, "step");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_TRUE(std::isnan(r.score[0]));  // nothing before it
  // Interval 2: 13 - 10 = +3, a spike; score 1 - erfc(3 / sqrt 2) = erf(2.1213) = 0.9973002.
  EXPECT_DOUBLE_EQ(r.z[2], 3);
  EXPECT_DOUBLE_EQ(r.expected[2], 10);
  // The band at the default's z: 2.5 through its score and back (bisection, to 1e-13).
  EXPECT_NEAR(r.upper[2], 12.5, 1e-12);
  EXPECT_NEAR(r.score[2], 0.99730020393674, 1e-12);
  EXPECT_EQ(r.direction[2], 1);
  // Interval 3: -3, a drop; interval 4: +0.5, score erf(0.5 / sqrt 2) = 0.3829249.
  EXPECT_EQ(r.direction[3], -1);
  EXPECT_NEAR(r.score[4], 0.38292492254802624, 1e-12);
  // Its default threshold is |z| > 2.5, the score 0.98758.
  EXPECT_EQ(r.flagged, (std::vector<uint8_t>{0, 0, 1, 1, 0}));
  EXPECT_NEAR(r.threshold, 0.987580669348446, 1e-12);
  // A z of 3.5 as the threshold: |3| is not above it.
  anomaly::Options strict = whole_recipe("step");
  strict.threshold = 3.5;
  EXPECT_EQ(detail::run_detector(kStepDetector, level({10, 10, 13, 10, 10.5}), strict).count(), 0u);

  // What a selector sees, derived from the entry as methods() derives it.
  const anomaly::MethodDef m = detail::method_def(kStepDetector);
  EXPECT_STREQ(m.name, "step");
  EXPECT_STREQ(m.label, "Step change");
  EXPECT_NEAR(m.default_threshold, 0.987580669348446, 1e-12);
  EXPECT_FALSE(m.needs_forecasts);
  EXPECT_FALSE(m.ensemble_member);
}

TEST(AnomalyDetectorRecipe, DetectRefusesForADetectorWhatItNeeds) {
  // A detector that needs forecasts is refused without them, by name, with no code of its own.
  detail::Detector needs = kStepDetector;
  needs.name = "stepf";
  needs.needs_forecasts = true;
  try {
    detail::run_detector(needs, level({1, 2, 3}), whole_recipe("stepf"));
    FAIL() << "no error";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("the stepf method needs one-step-ahead forecasts of value"),
              std::string::npos)
        << e.what();
  }
  // Too little data: the generic requirement (the baseline's known values), no calibration.
  try {
    detail::run_detector(kStepDetector, level({1}), whole_recipe("step"));
    FAIL() << "no error";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("with the step method: each needs at least 24 known values in "
                                         "the 168 hours before it; the data has 1 hour"),
              std::string::npos)
        << e.what();
  }
}

// ---- the list ----

TEST(AnomalyDetectors, MethodsAreTheListInItsOrder) {
  const std::vector<const detail::Detector*>& list = detail::detectors();
  const std::vector<anomaly::MethodDef>& methods = anomaly::methods();
  ASSERT_EQ(methods.size(), list.size());
  std::set<std::string> names;
  for (size_t k = 0; k < list.size(); ++k) {
    const detail::Detector& d = *list[k];
    EXPECT_STREQ(methods[k].name, d.name);
    EXPECT_STREQ(methods[k].label, d.label);
    EXPECT_STREQ(methods[k].help, d.help);
    EXPECT_TRUE(names.insert(d.name).second) << "two detectors named " << d.name;
    EXPECT_GT(std::string(d.label).size(), 0u) << d.name;
    EXPECT_GT(std::string(d.help).size(), 10u) << d.name;
    EXPECT_NE(d.run, nullptr) << d.name;
    EXPECT_EQ(detail::find_detector(d.name), &d);
    EXPECT_EQ(methods[k].needs_forecasts, d.needs_forecasts) << d.name;
    EXPECT_EQ(methods[k].ensemble_member, d.ensemble_member) << d.name;
    // The default as a score, the same for a selector as for detect().
    EXPECT_DOUBLE_EQ(methods[k].default_threshold, anomaly::score_threshold(d.name, 0)) << d.name;
  }
  EXPECT_EQ(detail::find_detector("prophet"), nullptr);
  EXPECT_EQ(anomaly::method_names(), "zscore, robust, seasonal, count, residual, iforest, ensemble");
}

const anomaly::MethodDef& method(const std::string& name) {
  for (const anomaly::MethodDef& m : anomaly::methods())
    if (name == m.name) return m;
  throw fc::Error("no method " + name);
}

TEST(AnomalyDetectors, WhatASelectorNeedsByHand) {
  EXPECT_NEAR(method("zscore").default_threshold, 0.987580669348446, 1e-12);  // |z| 2.5
  for (const char* name : {"robust", "seasonal", "residual", "iforest", "ensemble"})
    EXPECT_DOUBLE_EQ(method(name).default_threshold, 0.99995) << name;
  for (const char* name : {"robust", "seasonal", "residual", "iforest"})
    EXPECT_TRUE(method(name).ensemble_member) << name;
  EXPECT_FALSE(method("zscore").ensemble_member);
  EXPECT_FALSE(method("ensemble").ensemble_member);
  EXPECT_TRUE(method("residual").needs_forecasts);
  for (const char* name : {"zscore", "robust", "seasonal", "iforest", "ensemble"})
    EXPECT_FALSE(method(name).needs_forecasts) << name;
}

TEST(AnomalyDetectors, TheEnsembleCombinesTheListsMembers) {
  // The ensemble reports each member's score: the list's members in its order, those that
  // need forecasts last and only with forecasts (today robust, seasonal, iforest, residual).
  std::vector<std::string> plain_members, all_members;
  for (bool forecast_based : {false, true})
    for (const anomaly::MethodDef& m : anomaly::methods())
      if (m.ensemble_member && m.needs_forecasts == forecast_based) {
        if (!forecast_based) plain_members.push_back(m.name);
        all_members.push_back(m.name);
      }
  const size_t hours = 10 * 7 * 24;
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i)
    v[i] = 100 + 30 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + static_cast<double>(i % 7);
  anomaly::Options o = whole_recipe("ensemble");
  const anomaly::Result plain = anomaly::detect(level(v), o);
  std::vector<std::string> names;
  for (const auto& m : plain.members) names.push_back(m.method);
  EXPECT_EQ(names, plain_members);
  for (size_t i = 0; i < hours; ++i) {
    o.forecasts.mean.push_back(v[i]);
    o.forecasts.lower.push_back(v[i] - 5);
    o.forecasts.upper.push_back(v[i] + 5);
  }
  const anomaly::Result with = anomaly::detect(level(v), o);
  names.clear();
  for (const auto& m : with.members) names.push_back(m.method);
  EXPECT_EQ(names, all_members);
  // The order the Cauchy combination has always used.
  const std::vector<std::string> known = {"robust", "seasonal", "iforest", "residual"};
  std::vector<std::string> seen;
  for (const std::string& n : names)
    if (std::find(known.begin(), known.end(), n) != known.end()) seen.push_back(n);
  EXPECT_EQ(seen, known);
}

}  // namespace
