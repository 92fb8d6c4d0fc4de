// Follows docs/recipes/objective.md: an objective written exactly as the recipe says (here
// in the test, registered for the test's lifetime instead of listed in objective.cpp) is
// found by name, trains to a first tree worked out by hand, and goes through the model
// file. And every listed objective has a hand-worked row below: a new objective without
// one fails ListedObjectives.EachHasAHandWorkedStump.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/objective.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::gbdt {
namespace {

// ---------------------------------------------------------------------------------
// The recipe's objective: pseudo-Huber loss with delta 1, delta^2 (sqrt(1 + (r/delta)^2)
// - 1) for the residual r = f - y: squared error near zero, absolute error far from it.
// In core this would be core/src/gbdt/objective_pseudo_huber.cpp.

struct PseudoHuberRows {
  explicit PseudoHuberRows(const Params&) {}
  GradPair operator()(double f, double y, double w, double& loss) const {
    const double r = f - y, s = std::sqrt(1.0 + r * r);
    loss = s - 1.0;
    return {r / s * w, w / (s * s * s)};
  }
};

class PseudoHuber final : public RowObjective<PseudoHuberRows> {
 public:
  // 200: a code no built-in objective has (it is the model file's objective byte).
  Objective id() const override { return static_cast<Objective>(200); }
  const char* name() const override { return "pseudo_huber"; }
  std::vector<std::string> aliases() const override { return {"huber_smooth"}; }
  Link link() const override { return Link::kIdentity; }
  double base_score(const double* y, const double* w, size_t n, const Params&) const override {
    return weighted_label_mean(y, w, n, 1.0);
  }
  double transform(double raw) const override { return raw; }
};

const PseudoHuber kPseudoHuber;

// ---------------------------------------------------------------------------------
// A step: x = 0..59, the first 30 rows labelled lo, the rest hi. One stump (two leaves,
// learning rate 0.1, lambda_l2 1) splits it at 29.5 for any of these losses.

struct Step {
  std::vector<float> x;
  std::vector<double> y;
  Dataset view() const { return Dataset{x.data(), x.size(), 1, y.data(), nullptr}; }
};

Step step(double lo, double hi) {
  Step s;
  for (int i = 0; i < 60; ++i) {
    s.x.push_back(static_cast<float>(i));
    s.y.push_back(i < 30 ? lo : hi);
  }
  return s;
}

Params recipe_stump_params(Objective objective) {
  Params p;
  p.objective = objective;
  p.num_iterations = 1;
  p.num_leaves = 2;
  p.learning_rate = 0.1;
  p.lambda_l2 = 1.0;
  p.min_data_in_leaf = 5;
  return p;
}

// A minimal model header the loader accepts for these trees: a forecast over one lag for
// an objective that predicts a quantity, a yes/no score for a logit one.
model::Header header_for(const ObjectiveFunction& o) {
  model::Header h;
  h.created_by = "funnelcast test";
  if (o.link() == Link::kLogit) {
    h.kind = "score";
    h.table.source = "step.csv";
    h.table.columns = {{"x", "number", "feature", ""}};
    model::ScoreSection s;
    s.output = "probability";
    s.target = "y";
    s.positive = "1";
    s.negative = "0";
    s.positive_rate = 0.5;
    s.threshold_rule = "fixed";
    model::ScoreFeature f;
    f.name = f.column = "x";
    f.kind = "number";
    f.min = 0;
    f.max = 59;
    s.features = {f};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.out_of_fold = {nan, nan, nan, nan, nan, nan, nan, nan};
    h.score = s;
    return h;
  }
  h.kind = "forecast";
  h.data.source = "step.csv";
  h.data.columns = {{"timestamp", "timestamp", "time"}, {"leads", "number", "leads"}};
  h.data.roles.time = "timestamp";
  h.data.roles.leads = "leads";
  h.data.start = 1704067200;
  h.data.end = 1704067200 + 3600 * 60;
  h.data.intervals = 60;
  h.data.target = {5, 5, 0, 10, 60};
  model::ForecastSection f;
  f.features.lags = {1};
  f.features.calendar = false;
  f.features.cyclic = false;
  f.predictor = "gbdt";
  f.objective = o.name();
  f.params = recipe_stump_params(o.id());
  f.horizon = 24;
  f.min_history = 2;
  f.intervals.lo95 = {-3};
  f.intervals.lo80 = {-2};
  f.intervals.hi80 = {2};
  f.intervals.hi95 = {3};
  f.coverage = {0.8, 0.95, 24};
  f.cv.folds = 1;
  f.cv.horizon = 24;
  for (const char* metric : {"rmse", "mae", "r2", "smape", "mase"}) {
    f.cv.one_step[metric] = {1.0, 0.0, 1};
    f.cv.recursive[metric] = {1.0, 0.0, 1};
  }
  f.selected = "gbdt";
  h.forecast = f;
  return h;
}

// Trains the stump, checks it against the hand-worked base score and left leaf (the right
// leaf is its negative: the step is symmetric about the base score for each loss here),
// then saves and loads it: the objective and the predictions come back.
void expect_stump(const ObjectiveFunction& o, double lo, double hi, double base, double leaf0) {
  SCOPED_TRACE(o.name());
  const Step s = step(lo, hi);
  const TrainResult r = train(s.view(), nullptr, recipe_stump_params(o.id()));
  ASSERT_EQ(r.ensemble.trees.size(), 1u);
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_FLOAT_EQ(t.threshold[0], 29.5f);
  EXPECT_NEAR(r.ensemble.base_score, base, 1e-12);
  EXPECT_NEAR(t.leaf_value[0], leaf0, 1e-6);
  EXPECT_NEAR(t.leaf_value[1], -leaf0, 1e-6);

  model::Model m;
  m.header = header_for(o);
  m.ensemble = r.ensemble;
  const std::string bytes = model::save(m);
  const model::Model back = model::load(bytes);
  EXPECT_EQ(back.ensemble.objective, o.id());
  EXPECT_EQ(model::save(back), bytes);
  const FlatEnsemble engine(back.ensemble);
  const float row[1] = {0.0f};
  EXPECT_EQ(engine.predict_one(row), o.transform(base + t.leaf_value[0]));
}

TEST(ObjectiveRecipe, ARegisteredObjectiveIsFoundTrainedAndSaved) {
  const ObjectiveRegistration registration(kPseudoHuber);

  // Found by name and alias, wherever objectives are named.
  EXPECT_EQ(objective_from_string("pseudo_huber"), kPseudoHuber.id());
  EXPECT_EQ(objective_from_string("huber_smooth"), kPseudoHuber.id());
  EXPECT_STREQ(to_string(kPseudoHuber.id()), "pseudo_huber");
  Params p;
  p.set("objective", "pseudo_huber");
  EXPECT_EQ(Params::from_json(p.to_json()).objective, kPseudoHuber.id());

  // Labels 0 and 10: base score 5 (the mean), residual r = +5 on the left, so per row
  // g = 5 / sqrt(26), h = 26^-1.5; leaf = -30 g / (30 h + 1) * 0.1.
  const double g = 5.0 / std::sqrt(26.0), h = std::pow(26.0, -1.5);
  expect_stump(kPseudoHuber, 0, 10, 5.0, -(30 * g) / (30 * h + 1.0) * 0.1);

  // Metric after one tree: the mean pseudo-Huber loss at residual 5 - |leaf|.
  const TrainResult r = train(step(0, 10).view(), nullptr, recipe_stump_params(kPseudoHuber.id()), {}, Measures{true});
  const double rest = 5.0 - std::abs(static_cast<double>(r.ensemble.trees[0].leaf_value[0]));
  EXPECT_NEAR(r.train_metric[0], std::sqrt(1 + rest * rest) - 1, 1e-12);
}

TEST(ObjectiveRecipe, UnregisteredItIsUnknownAgain) {
  std::string bytes;
  {
    const ObjectiveRegistration registration(kPseudoHuber);
    model::Model m;
    m.header = header_for(kPseudoHuber);
    m.ensemble = train(step(0, 10).view(), nullptr, recipe_stump_params(kPseudoHuber.id())).ensemble;
    bytes = model::save(m);
  }
  EXPECT_THROW(objective_from_string("pseudo_huber"), Error);
  // The header, read first, names an objective the list no longer has.
  try {
    model::load(bytes);
    ADD_FAILURE() << "a model of an unknown objective loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'forecast.objective' must be regression or poisson"),
              std::string::npos)
        << e.what();
  }
}

TEST(ObjectiveRecipe, RegistrationRefusesATakenCodeOrName) {
  struct Clash : RowObjective<PseudoHuberRows> {
    Clash(Objective id, const char* name) : id_(id), name_(name) {}
    Objective id() const override { return id_; }
    const char* name() const override { return name_; }
    Link link() const override { return Link::kIdentity; }
    double base_score(const double*, const double*, size_t, const Params&) const override {
      return 0;
    }
    double transform(double raw) const override { return raw; }
    Objective id_;
    const char* name_;
  };
  const Clash same_code(Objective::kPoisson, "fresh_name");
  const Clash same_name(static_cast<Objective>(201), "regression");
  const Clash same_alias(static_cast<Objective>(202), "mse");
  const size_t listed = objectives().size();
  EXPECT_THROW(ObjectiveRegistration{same_code}, Error);
  EXPECT_THROW(ObjectiveRegistration{same_name}, Error);
  EXPECT_THROW(ObjectiveRegistration{same_alias}, Error);
  EXPECT_EQ(objectives().size(), listed);  // nothing was left behind
}

// ---------------------------------------------------------------------------------
// Every objective in the list

struct HandWorked {
  const char* name;
  double lo, hi;  // the step's labels
  double base;    // the base score
  double leaf0;   // the first tree's left leaf
};

const std::vector<HandWorked>& hand_worked() {
  static const std::vector<HandWorked> rows = {
      // Mean 5; g = f - y = +5 on the left, h = 1 per row.
      {"regression", 0, 10, 5.0, -(30 * 5.0) / (30 + 1.0) * 0.1},
      // Mean 2.5, f0 = log 2.5; g = e^f0 - y = 1.5, h = e^f0 e^0.7 (poisson_max_delta_step).
      {"poisson", 1, 4, std::log(2.5), -(30 * 1.5) / (30 * 2.5 * std::exp(0.7) + 1.0) * 0.1},
      // Half positive: log-odds 0, p = 0.5, g = +0.5 on the left, h = 0.25.
      {"binary", 0, 1, 0.0, -(30 * 0.5) / (30 * 0.25 + 1.0) * 0.1},
  };
  return rows;
}

TEST(ListedObjectives, EachHasAHandWorkedStump) {
  for (const ObjectiveFunction* o : objectives()) {
    const HandWorked* row = nullptr;
    for (const HandWorked& h : hand_worked()) {
      if (h.name == std::string(o->name())) row = &h;
    }
    ASSERT_NE(row, nullptr) << "add a hand-worked row for objective '" << o->name() << "'";
    expect_stump(*o, row->lo, row->hi, row->base, row->leaf0);
  }
}

TEST(ListedObjectives, CodesNamesAndAliasesAreUniqueAndFound) {
  std::set<int> codes;
  std::set<std::string> names;
  for (const ObjectiveFunction* o : objectives()) {
    EXPECT_TRUE(codes.insert(static_cast<int>(o->id())).second) << o->name();
    std::vector<std::string> all = o->aliases();
    all.emplace_back(o->name());
    for (const std::string& n : all) {
      EXPECT_TRUE(names.insert(n).second) << n;
      EXPECT_EQ(objective_from_string(n), o->id()) << n;
    }
    EXPECT_EQ(find_objective(o->id()), o);
    EXPECT_STREQ(to_string(o->id()), o->name());
  }
  // The built-in codes are the model file's: they must never change.
  EXPECT_STREQ(to_string(static_cast<Objective>(0)), "regression");
  EXPECT_STREQ(to_string(static_cast<Objective>(1)), "poisson");
  EXPECT_STREQ(to_string(static_cast<Objective>(2)), "binary");
  EXPECT_EQ(find_objective(static_cast<Objective>(3)), nullptr);
  EXPECT_THROW(objective_from_string("tweedie"), Error);
}

TEST(ListedObjectives, TransformIsTheInverseOfTheLink) {
  for (const ObjectiveFunction* o : objectives()) {
    for (double raw : {-2.0, 0.0, 0.75}) {
      double want = raw;
      if (o->link() == Link::kLog) want = std::exp(raw);
      if (o->link() == Link::kLogit) want = 1.0 / (1.0 + std::exp(-raw));
      EXPECT_NEAR(o->transform(raw), want, 1e-14 * std::max(1.0, want)) << o->name() << " " << raw;
    }
  }
}

}  // namespace
}  // namespace fc::gbdt
