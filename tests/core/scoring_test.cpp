// Lead scoring: the outcome column, what becomes an input, the one encoder, training on
// the demo leads (whose hidden conversion process is known), and scoring with reasons
// that add up to the margin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "funnelcast/api/score.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/demo/leads.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/scoring/monitor.hpp"
#include "funnelcast/scoring/score.hpp"
#include "funnelcast/scoring/table.hpp"
#include "funnelcast/scoring/train.hpp"

namespace fc::scoring {
namespace {

Table table_of(const std::string& text, const std::string& name = "leads.csv") {
  csv::Options o;
  o.source = name;
  return csv::read(text, o);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST(ScoringTarget, LabelsAndThePositiveOne) {
  const Table t = table_of("a,y,yn,tf,ab,three\n1,1,yes,TRUE,A,x\n2,0,no,FALSE,B,y\n3,1,no,,A,z\n");
  Target y = read_target(t, "y", "");
  EXPECT_EQ(y.positive, "1");
  EXPECT_EQ(y.negative, "0");
  EXPECT_EQ(y.positives, 2u);
  EXPECT_EQ(y.negatives, 1u);
  y = read_target(t, "yn", "");
  EXPECT_EQ(y.positive, "yes");
  EXPECT_EQ(y.y[0], 1.0);
  EXPECT_EQ(y.y[2], 0.0);
  y = read_target(t, "tf", "");
  EXPECT_EQ(y.positive, "TRUE");
  EXPECT_EQ(y.missing, 1u);
  EXPECT_TRUE(std::isnan(y.y[2]));
  // Two labels neither of which says "yes": the user says which.
  EXPECT_CONTAINS(error_of([&] { read_target(t, "ab", ""); }),
                  "leads.csv: column 'ab' has the labels 'A' and 'B'; say which one is the outcome to predict (CLI: --positive LABEL)");
  y = read_target(t, "ab", "B");
  EXPECT_EQ(y.positive, "B");
  EXPECT_EQ(y.y[1], 1.0);
  EXPECT_CONTAINS(error_of([&] { read_target(t, "ab", "C"); }), "has the labels 'A' and 'B', not 'C'");
  EXPECT_CONTAINS(error_of([&] { read_target(t, "three", ""); }),
                  "column 'three' has 3 labels ('x', 'y', 'z'); a yes/no outcome has two");
  const Table one = table_of("a,y\n1,yes\n2,yes\n");
  EXPECT_CONTAINS(error_of([&] { read_target(one, "y", ""); }), "column 'y' has one label ('yes') in all 2 rows");
  EXPECT_CONTAINS(error_of([&] { read_target(one, "nope", ""); }), "no column 'nope' for the outcome; columns: a, y");
}

TEST(ScoringInfer, InputsAndWhatIsLeftOut) {
  std::ostringstream csv;
  csv << "lead_id,email,plan,const,empty,spend_text,share,signup,score,converted\n";
  for (int i = 0; i < 60; ++i) {
    csv << "L" << i << ",u" << i << "@x.com," << (i % 3 ? "pro" : "free") << ",same,,\"$" << (1000 + i) << "\"," << (i % 10)
        << "%," << "2024-03-0" << (1 + i % 7) << " 1" << (i % 10) << ":00:00," << i * 0.5 << "," << (i % 4 ? "no" : "yes")
        << "\n";
  }
  const Table t = table_of(csv.str());
  ColumnOptions o;
  o.target = "converted";
  o.drop = {"score"};
  const Inferred inf = infer(t, o);
  EXPECT_EQ(inf.id_column, "lead_id");
  std::vector<std::string> uses;
  for (const auto& c : inf.schema.columns) uses.push_back(c.name + ":" + c.use + (c.reason.empty() ? "" : "/" + c.reason));
  EXPECT_EQ(uses, (std::vector<std::string>{"lead_id:id", "email:dropped/id-like", "plan:feature", "const:dropped/constant",
                                            "empty:dropped/empty", "spend_text:feature", "share:feature",
                                            "signup:feature", "score:dropped/asked", "converted:target"}));
  std::vector<std::string> features;
  for (const auto& f : inf.features) features.push_back(f.name + ":" + f.kind);
  EXPECT_EQ(features, (std::vector<std::string>{"plan:category", "spend_text:number", "share:number", "signup_month:month",
                                                "signup_weekday:weekday", "signup_day:day", "signup_hour:hour"}));
  EXPECT_EQ(inf.features[0].levels, (std::vector<std::string>{"pro", "free"}));  // by frequency
  EXPECT_EQ(inf.features[1].min, 1000);
  EXPECT_EQ(inf.features[1].max, 1059);
  EXPECT_DOUBLE_EQ(inf.features[2].max, 0.09);  // 9% as a share
  // Encoding reads "$1,000"-style text as the same numbers, and the dates as their parts.
  const Encoded e = encode(inf.features, t);
  EXPECT_EQ(e.x.at(5, 1), 1005.0f);
  EXPECT_FLOAT_EQ(e.x.at(5, 2), 0.05f);
  EXPECT_EQ(e.x.at(5, 0), 0.0f);   // "pro" is code 0
  EXPECT_EQ(e.x.at(6, 0), 1.0f);   // "free"
  EXPECT_EQ(e.x.at(0, 3), 3.0f);   // March
  EXPECT_EQ(e.x.at(0, 4), 4.0f);   // 2024-03-01 was a Friday (Monday = 0)
  EXPECT_EQ(e.x.at(0, 5), 1.0f);   // day 1
  EXPECT_EQ(e.x.at(3, 6), 13.0f);  // 13:00
  EXPECT_EQ(e.category_counts, (std::vector<uint32_t>{2, 0, 0, 0, 0, 0, 0}));
  EXPECT_CONTAINS(error_of([&] {
                    ColumnOptions bad = o;
                    bad.drop = {"nope"};
                    infer(t, bad);
                  }),
                  "no column 'nope' to drop");
}

TEST(ScoringEncode, MismatchesAreRefusedOrCounted) {
  model::ScoreFeature plan{"plan", "plan", "category", {"free", "pro"}, 0, 0, 0};
  model::ScoreFeature age{"age", "age", "number", {}, 18, 80, 0};
  model::ScoreFeature visits{"visits", "visits", "number", {}, 0, 9, 0};
  // Every missing column in one message.
  const Table t = table_of("plan,city\nfree,Paris\n");
  EXPECT_CONTAINS(error_of([&] { encode({plan, age, visits}, t, "m.fcm"); }),
                  "leads.csv lacks columns that m.fcm needs: 'age', 'visits'; columns: plan, city");
  // Unseen categories are missing and counted; text for a number names the cell.
  const Table u = table_of("plan,age,visits\nfree,30,1\nenterprise,40,2\npro,,3\n");
  const Encoded e = encode({plan, age, visits}, u, "m.fcm");
  EXPECT_EQ(e.unseen, (std::vector<size_t>{1, 0, 0}));
  EXPECT_EQ(e.missing, (std::vector<size_t>{0, 1, 0}));
  EXPECT_TRUE(std::isnan(e.x.at(1, 0)));
  EXPECT_EQ(e.x.at(2, 0), 1.0f);
  const Table v = table_of("plan,age,visits\nfree,30,1\npro,forty,2\n");
  EXPECT_CONTAINS(error_of([&] { encode({plan, age, visits}, v, "m.fcm"); }),
                  "leads.csv: line 3, column 'age': m.fcm reads it as a number, found 'forty'");
}

TEST(ScoringEncode, DatesWithoutTimesAndNumbersAsTextAreSaid) {
  // A model that learned the hour of the day meets a table of dates only: the hour is
  // unknown (NaN, counted), not midnight; the other date parts are read as they are.
  model::ScoreFeature month{"signup_month", "signup", "month", {}, 0, 0, 0};
  model::ScoreFeature hour{"signup_hour", "signup", "hour", {}, 0, 0, 0};
  const Table dates = table_of("signup\n2024-03-05\n2024-03-06\n");
  const Encoded d = encode({month, hour}, dates, "m.fcm");
  EXPECT_EQ(d.no_time, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(d.x.at(0, 0), 3.0f);
  EXPECT_TRUE(std::isnan(d.x.at(0, 1)));
  EXPECT_TRUE(std::isnan(d.x.at(1, 1)));
  // One time of day in the table: every hour is read, midnight as 0.
  const Table times = table_of("signup\n2024-03-05\n2024-03-06 14:30\n");
  const Encoded t = encode({month, hour}, times, "m.fcm");
  EXPECT_EQ(t.no_time, (std::vector<size_t>{0, 0}));
  EXPECT_EQ(t.x.at(0, 1), 0.0f);
  EXPECT_EQ(t.x.at(1, 1), 14.0f);
  // Numbers written as text are read as numbers and said so; a percentage as a fraction,
  // the largest as the example.
  model::ScoreFeature share{"share", "share", "number", {}, 0, 1, 0.5};
  const Table pct = table_of("share\n49%\n7%\n0.2\n");
  const Encoded p = encode({share}, pct, "m.fcm");
  EXPECT_FLOAT_EQ(p.x.at(0, 0), 0.49f);
  EXPECT_FLOAT_EQ(p.x.at(1, 0), 0.07f);
  EXPECT_EQ(p.as_text[0], "holds numbers written as text; read as numbers; percentages are read as fractions ('49%' as 0.49)");
  const Table plain = table_of("share\n0.49\n0.2\n");
  EXPECT_EQ(encode({share}, plain, "m.fcm").as_text[0], "");
}

// The demo leads: a hidden logistic process, 15% converting.
const Table& demo_table() {
  static const Table t = [] {
    demo::LeadsOptions o;
    o.rows = 5000;
    o.seed = 3;
    return table_of(demo::generate_leads(o).csv, "leads.csv");
  }();
  return t;
}

TrainOptions small_options() {
  TrainOptions o;
  o.columns.target = "converted";
  o.folds = 3;
  o.params.num_iterations = 120;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  return o;
}

const TrainOutput& demo_model() {
  static const TrainOutput out = train(demo_table(), small_options());
  return out;
}

TEST(ScoringTrain, LearnsTheDemoLeadsAndReportsHonestly) {
  const TrainOutput& out = demo_model();
  const auto& r = out.report;
  const model::ScoreSection& s = *out.model.header.score;
  EXPECT_EQ(s.positive, "yes");
  EXPECT_EQ(s.id_column, "lead_id");
  EXPECT_NEAR(s.positive_rate, 0.15, 0.02);
  // The hidden process is learnable: out-of-fold ROC-AUC well above chance, close to folds' mean.
  const double auc = r.at("cv").at("roc_auc").at("mean").get<double>();
  EXPECT_GT(auc, 0.74);
  EXPECT_NEAR(r.at("out_of_fold").at("roc_auc").get<double>(), auc, 0.02);
  for (const char* m : {"roc_auc", "pr_auc", "logloss", "brier", "accuracy"}) {
    EXPECT_TRUE(r.at("cv").at(m).at("mean").is_number()) << m;
    EXPECT_TRUE(r.at("cv").at(m).at("std").is_number()) << m;
  }
  // The threshold has the best F1 of all candidates: no point of the (thinned) stored curve
  // beats it, and the curve's best is close to it.
  double best_f1 = 0;
  for (const auto& p : s.curve) best_f1 = std::max(best_f1, p.f1);
  EXPECT_GE(r.at("at_threshold").at("f1").get<double>(), best_f1 - 1e-12);
  EXPECT_NEAR(r.at("at_threshold").at("f1").get<double>(), best_f1, 0.005);
  // Calibration: the out-of-fold probabilities average the positive rate (the trees are
  // unweighted here), bin by bin within a few points where bins are full.
  double predicted = 0, observed = 0, count = 0;
  for (const auto& b : s.calibration) {
    if (b.count == 0) continue;
    predicted += b.mean_predicted * static_cast<double>(b.count);
    observed += b.observed_rate * static_cast<double>(b.count);
    count += static_cast<double>(b.count);
    if (b.count >= 300) EXPECT_NEAR(b.mean_predicted, b.observed_rate, 0.05) << b.lower;
  }
  EXPECT_NEAR(predicted / count, observed / count, 0.01);
  // Lift: the top decile holds more than twice its share of conversions.
  EXPECT_NEAR(s.lift[0].share, 0.1, 1e-12);
  EXPECT_GT(s.lift[0].lift, 2.0);
  // The inputs that drive the hidden process come first.
  EXPECT_EQ(s.importance[0].feature, "last_activity");
  // The logistic baseline ran on the same folds.
  ASSERT_EQ(s.comparison.size(), 2u);
  EXPECT_EQ(s.comparison[1].first, "logistic");
  EXPECT_TRUE(s.warnings.empty());
}

TEST(ScoringTrain, SameDataAndSeedGiveTheSameBytesWithAnyThreadCount) {
  TrainOptions o = small_options();
  o.params.num_iterations = 40;
  const std::string a = model::save(train(demo_table(), o).model);
  o.threads = 2;
  EXPECT_EQ(a, model::save(train(demo_table(), o).model));
  o.params.seed = 7;
  EXPECT_NE(a, model::save(train(demo_table(), o).model));
}

// The page's training runs the folds in several workers and finishes in one: fold by fold,
// in any order, then train() with their results gives train()'s model bytes and report.
TEST(ScoringTrain, FoldsRunApartGiveTheSameModelAndReport) {
  TrainOptions o = small_options();
  o.params.num_iterations = 40;
  const TrainOutput whole = train(demo_table(), o);
  std::vector<FoldResult> folds;
  for (int k = o.folds - 1; k >= 0; --k) folds.push_back(train_fold(demo_table(), o, k));
  // The folds' validation rows split the 5,000 rows, each fold's own in order.
  size_t rows = 0;
  for (const FoldResult& f : folds) {
    rows += f.rows.size();
    EXPECT_TRUE(std::is_sorted(f.rows.begin(), f.rows.end()));
    EXPECT_EQ(f.oof.size(), f.rows.size());
    EXPECT_GE(f.best, 1);
  }
  EXPECT_EQ(rows, 5000u);
  std::vector<double> fractions;
  const TrainOutput joined = train(demo_table(), o, folds, [&](const std::string&, double f) { fractions.push_back(f); });
  EXPECT_EQ(model::save(whole.model), model::save(joined.model));
  EXPECT_EQ(whole.report.dump(), joined.report.dump());
  // Its progress starts where the folds left off: the final fit of folds + 2 stages.
  ASSERT_FALSE(fractions.empty());
  EXPECT_GE(fractions.front(), 3.0 / 5.0);
  EXPECT_EQ(fractions.back(), 1.0);
}

TEST(ScoringTrain, FoldResultsThatAreNotThisTrainingsAreRefused) {
  TrainOptions o = small_options();
  o.params.num_iterations = 30;
  std::vector<FoldResult> folds;
  for (int k = 0; k < o.folds; ++k) folds.push_back(train_fold(demo_table(), o, k));
  const std::string bad = "cross-validation results do not fit this table and options: ";
  // A fold missing, or given twice.
  std::vector<FoldResult> two(folds.begin(), folds.begin() + 2);
  EXPECT_EQ(error_of([&] { train(demo_table(), o, two); }), bad + "2 folds given, 3 expected");
  std::vector<FoldResult> twice = {folds[0], folds[1], folds[1]};
  EXPECT_EQ(error_of([&] { train(demo_table(), o, twice); }), bad + "fold 3 is missing or given twice");
  // Folds of another seed split the rows otherwise.
  TrainOptions other = o;
  other.params.seed = 9;
  std::vector<FoldResult> theirs;
  for (int k = 0; k < o.folds; ++k) theirs.push_back(train_fold(demo_table(), other, k));
  EXPECT_NE(error_of([&] { train(demo_table(), o, theirs); }).find("fold 1: "), std::string::npos);
  // A tree count out of range, a prediction that is not a number, rows cut short.
  std::vector<FoldResult> edited = folds;
  edited[1].best = 31;
  EXPECT_EQ(error_of([&] { train(demo_table(), o, edited); }), bad + "fold 2: a tree count of 31 (1 to 30)");
  edited = folds;
  edited[2].oof[5] = kNaN;
  EXPECT_EQ(error_of([&] { train(demo_table(), o, edited); }), bad + "fold 3: a prediction that is not a number");
  edited = folds;
  edited[0].oof.pop_back();
  EXPECT_NE(error_of([&] { train(demo_table(), o, edited); }).find("fold 1: "), std::string::npos);
  // No folds to run or to give.
  EXPECT_EQ(error_of([&] { train_fold(demo_table(), o, 3); }), "fold 3 does not exist: the folds are 0 to 2");
  TrainOptions none = o;
  none.folds = 0;
  EXPECT_NE(error_of([&] { train_fold(demo_table(), none, 0); }).find("no folds"), std::string::npos);
  EXPECT_NE(error_of([&] { train(demo_table(), none, folds); }).find("no folds"), std::string::npos);
}

TEST(ScoringTrain, ALeakingColumnIsFlagged) {
  // "duration" is the outcome in disguise.
  std::string text = demo::generate_leads({5, 3000, 1735689600, 180}).csv;
  std::istringstream in(text);
  std::ostringstream out;
  std::string line;
  std::getline(in, line);
  out << line << ",duration\n";
  int i = 0;
  while (std::getline(in, line)) {
    const bool yes = line.size() >= 3 && line.compare(line.size() - 3, 3, "yes") == 0;
    out << line << "," << (yes ? 300 + (i * 37) % 200 : 10 + (i * 53) % 250) << "\n";
    ++i;
  }
  TrainOptions o = small_options();
  o.params.num_iterations = 30;
  const TrainOutput r = train(table_of(out.str()), o);
  ASSERT_FALSE(r.model.header.score->warnings.empty());
  EXPECT_CONTAINS(r.model.header.score->warnings[0], "column 'duration' alone ranks the outcome with ROC-AUC");
  EXPECT_CONTAINS(r.model.header.score->warnings[0], "--drop 'duration'");
}

TEST(ScoringTrain, ThresholdRules) {
  TrainOptions o = small_options();
  o.params.num_iterations = 40;
  o.threshold_rule = "top_share";
  o.threshold_target = 0.1;
  const TrainOutput top = train(demo_table(), o);
  // Contacting p >= threshold reaches about a tenth of the leads out of fold.
  double share = 0;
  for (const auto& p : top.model.header.score->curve)
    if (p.threshold >= top.model.header.score->threshold) share = std::max(share, p.share);
  EXPECT_NEAR(share, 0.1, 0.02);
  o.threshold_rule = "precision";
  o.threshold_target = 0.5;
  const TrainOutput prec = train(demo_table(), o);
  EXPECT_GE(prec.report.at("at_threshold").at("precision").get<double>(), 0.5);
  o.folds = 0;
  o.threshold_rule = "f1";
  const TrainOutput once = train(demo_table(), o);
  EXPECT_EQ(once.model.header.score->threshold_rule, "fixed");
  EXPECT_EQ(once.model.header.score->threshold, 0.5);
  EXPECT_EQ(once.model.header.score->folds, 0u);
  EXPECT_CONTAINS(once.notices.back(), "without cross-validation the threshold cannot be chosen");
}

TEST(ScoringTrain, ARareOutcomeIsWeightedAndStaysCalibrated) {
  // Keep 4% of the positives' share by dropping most converted rows.
  std::istringstream in(demo::generate_leads({9, 12000, 1735689600, 180}).csv);
  std::ostringstream out;
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  int kept = 0, yes = 0, i = 0;
  while (std::getline(in, line)) {
    const bool positive = line.compare(line.size() - 3, 3, "yes") == 0;
    if (positive && (i++ % 5)) continue;
    out << line << "\n";
    ++kept;
    yes += positive;
  }
  const Table t = table_of(out.str());
  TrainOptions o = small_options();
  o.params.num_iterations = 60;
  const TrainOutput r = train(t, o);
  const double rate = static_cast<double>(yes) / kept;
  ASSERT_LT(rate, 0.05);
  EXPECT_NEAR(r.report.at("scale_pos_weight").get<double>(), std::sqrt((1 - rate) / rate), 1e-9);
  EXPECT_NEAR(r.model.header.score->prior_shift, math::log(std::sqrt((1 - rate) / rate)), 1e-12);
  // The shift keeps probabilities calibrated: they average the positive rate.
  ScoreOptions so;
  const Scores s = score(r.model, t, so);
  double mean = 0;
  for (double p : s.probability) mean += p;
  EXPECT_NEAR(mean / static_cast<double>(s.rows), rate, 0.01);
}

TEST(ScoringTrain, TablesThatCannotBeLearnedFrom) {
  TrainOptions o = small_options();
  EXPECT_CONTAINS(error_of([&] { train(table_of("a,converted\n1,yes\n2,no\n3,no\n"), o); }),
                  "only 1 rows have the outcome 'yes'; 3-fold cross-validation needs at least 6");
  o.folds = 0;
  EXPECT_CONTAINS(error_of([&] { train(table_of("same,converted\nx,yes\nx,no\n"), o); }),
                  "no column is left to learn from");
}

// Drift with a model whose training table is the reference: current leads that the
// reference holds too are in-sample, so the ROC-AUC is also given on the others, and the
// verdict uses it; the outcome rates of both tables are given. Worked out by hand: the
// overlap is known by construction, the rates counted from the lines, the ROC-AUC of the
// new rows computed from their scores.
TEST(ScoringMonitor, LeadsTheReferenceHoldsAreCountedAndJudgedApart) {
  demo::LeadsOptions lo;
  lo.rows = 4000;
  lo.seed = 21;
  const std::string csv = demo::generate_leads(lo).csv;
  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 4001u);
  auto rows = [&](size_t from, size_t to, const std::string& name) {
    std::string text = lines[0] + "\n";
    for (size_t i = from; i < to; ++i) text += lines[1 + i] + "\n";
    return table_of(text, name);
  };
  auto rate = [&](size_t from, size_t to) {
    double yes = 0;
    for (size_t i = from; i < to; ++i) yes += lines[1 + i].size() >= 4 && lines[1 + i].compare(lines[1 + i].size() - 4, 4, ",yes") == 0;
    return yes / static_cast<double>(to - from);
  };
  const Table ref = rows(0, 2500, "train.csv");
  TrainOptions o = small_options();
  o.params.num_iterations = 40;
  const model::Model m = train(ref, o).model;

  // Rows 2000-3499: the first 500 are in the training table.
  const Table cur = rows(2000, 3500, "recent.csv");
  const MonitorReport r = monitor(ref, cur, &m, "m.fcm");
  ASSERT_TRUE(r.has_model_check);
  EXPECT_EQ(r.labelled_rows, 1500u);
  EXPECT_EQ(r.shared_rows, 500u);
  EXPECT_EQ(r.new_rows, 1000u);
  EXPECT_TRUE(r.in_sample);
  EXPECT_NEAR(r.reference_rate, rate(0, 2500), 1e-12);
  EXPECT_NEAR(r.current_rate, rate(2000, 3500), 1e-12);
  const Table fresh = rows(2500, 3500, "fresh.csv");
  const Scores sf = score(m, fresh, {});
  std::vector<double> y, p;
  for (size_t i = 0; i < 1000; ++i) {
    y.push_back(rate(2500 + i, 2501 + i));
    p.push_back(sf.probability[i]);
  }
  EXPECT_NEAR(r.new_roc_auc, metrics::roc_auc(y, p), 1e-12);
  EXPECT_GT(r.roc_auc, r.new_roc_auc) << "the in-sample rows read higher";

  // Fresh leads only: nothing shared, not in-sample, the ROC-AUC is the new rows' one.
  const MonitorReport f = monitor(ref, fresh, &m, "m.fcm");
  EXPECT_EQ(f.shared_rows, 0u);
  EXPECT_FALSE(f.in_sample);
  EXPECT_EQ(f.new_rows, 1000u);
  EXPECT_NEAR(f.roc_auc, r.new_roc_auc, 1e-12);

  // The reference's own rows: all shared, no new rows and no ROC-AUC on them (not an error).
  const MonitorReport same = monitor(ref, ref, &m, "m.fcm");
  EXPECT_EQ(same.shared_rows, 2500u);
  EXPECT_EQ(same.new_rows, 0u);
  EXPECT_TRUE(std::isnan(same.new_roc_auc));
  EXPECT_TRUE(same.in_sample);
  EXPECT_FALSE(same.degraded);
}

// Predictions run on --threads threads natively, each its own share of the rows: any
// count gives the same margins, probabilities and decisions, row for row (45,000 rows, so
// the table is split: below 20,000 one thread does it all).
TEST(Scoring, AnyThreadCountGivesTheSameScores) {
  demo::LeadsOptions lo;
  lo.rows = 45001;  // not a multiple of the thread counts
  lo.seed = 11;
  const Table big = table_of(demo::generate_leads(lo).csv, "big.csv");
  const model::Model& m = demo_model().model;
  api::ScoreRequest one;
  one.threads = 1;
  const api::ScoreRun a = api::score(m, "leads.fcm", big, one);
  ASSERT_EQ(a.scores.rows, 45001u);
  for (int t : {2, 3, 7}) {
    api::ScoreRequest many = one;
    many.threads = t;
    const api::ScoreRun b = api::score(m, "leads.fcm", big, many);
    ASSERT_EQ(b.scores.rows, a.scores.rows);
    EXPECT_EQ(b.scores.margin, a.scores.margin) << t;
    EXPECT_EQ(b.scores.probability, a.scores.probability) << t;
    EXPECT_EQ(b.scores.decision, a.scores.decision) << t;
    EXPECT_EQ(b.scores.ids, a.scores.ids) << t;
  }
  // Spot-checked against the engine on single rows (the split misses no row).
  const scoring::Encoded enc = scoring::encode(m.header.score->features, big, "leads.fcm");
  const gbdt::FlatEnsemble engine(m.ensemble);
  for (size_t r : {size_t{0}, size_t{22500}, size_t{45000}}) {
    double margin = 0;
    engine.predict_raw(enc.x.row(r), 1, enc.x.cols, &margin);
    EXPECT_EQ(a.scores.margin[r], margin) << r;
  }
}

// The page explains the rows in view on demand: asked rows (any order, repeats allowed)
// get exactly the ids, scores, reasons and reason texts a whole-table run gives them.
TEST(Scoring, ChosenRowsGetWhatTheWholeTableRunGivesThem) {
  const model::Model& m = demo_model().model;
  api::ScoreRequest whole;
  whole.explain = 3;
  whole.threads = 1;
  const api::ScoreRun all = api::score(m, "leads.fcm", demo_table(), whole);
  api::ScoreRequest some = whole;
  some.rows = {4999, 0, 17, 17, 2500};
  const api::ScoreRun part = api::score(m, "leads.fcm", demo_table(), some);
  ASSERT_EQ(part.scores.rows, 5u);
  ASSERT_EQ(part.scores.explained, 3);
  EXPECT_EQ(part.scores.ids[1], "L0000001");
  for (size_t i = 0; i < some.rows.size(); ++i) {
    const size_t r = some.rows[i];
    EXPECT_EQ(part.scores.ids[i], all.scores.ids[r]);
    EXPECT_EQ(part.scores.probability[i], all.scores.probability[r]);
    EXPECT_EQ(part.scores.margin[i], all.scores.margin[r]);
    EXPECT_EQ(part.scores.decision[i], all.scores.decision[r]);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(part.scores.reason_feature[i * 3 + k], all.scores.reason_feature[r * 3 + k]) << r;
      EXPECT_EQ(part.scores.reason_value[i * 3 + k], all.scores.reason_value[r * 3 + k]) << r;
      EXPECT_EQ(part.reason_text[i * 3 + k], all.reason_text[r * 3 + k]) << r;
    }
  }
  EXPECT_EQ(part.scores.expected_value, all.scores.expected_value);
  EXPECT_EQ(part.scores.notices, all.scores.notices);  // the whole table's
  some.rows = {3, 5000};
  EXPECT_CONTAINS(error_of([&] { api::score(m, "leads.fcm", demo_table(), some); }),
                  "leads.csv: row 5000 was asked for, but the table has 5000 rows");
}

// A blank date (the page's one-lead form before a date is typed) is missing, not a type
// error; a number where the model reads a date still is.
// The one-lead form starts from the training medians, stored per number input; files
// written before the median was stored (no "median" key) still load, with none.
TEST(ScoringTrain, NumberInputsStoreTheTrainingMedianAndOlderHeadersLoadWithout) {
  const model::Header& h = demo_model().model.header;
  const Table& t = demo_table();
  bool checked = false;
  for (const auto& f : h.score->features) {
    if (f.kind != "number") continue;
    const Column& c = t.columns[static_cast<size_t>(t.find(f.column))];
    std::vector<double> v;
    for (size_t r = 0; r < t.rows; ++r)
      if (!c.is_missing(r)) v.push_back(c.numbers[r]);
    std::sort(v.begin(), v.end());
    const double want = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    EXPECT_EQ(f.median, want) << f.column;
    checked = true;
  }
  ASSERT_TRUE(checked);
  nlohmann::json j = h.to_json();
  for (auto& f : j["score"]["features"]) f.erase("median");
  const model::Header older = model::Header::from_json(j);
  for (const auto& f : older.score->features) EXPECT_TRUE(std::isnan(f.median)) << f.name;
}

TEST(Scoring, ABlankDateColumnIsMissingAndANumberIsRefused) {
  const model::Model& m = demo_model().model;
  ScoreOptions o;
  o.model_name = "leads.fcm";
  const std::string header =
      "lead_id,created_at,source,campaign,device,country,company_size,last_activity,time_on_site,page_views,"
      "email_opens,days_since_first_touch\n";
  const Scores blank = score(m, table_of(header + "L1,,google_ads,spring_promo,mobile,US,11-50,none,60,3,0,10\n", "lead"), o);
  ASSERT_EQ(blank.rows, 1u);
  EXPECT_TRUE(std::isfinite(blank.probability[0]));
  EXPECT_CONTAINS(error_of([&] { score(m, table_of(header + "L1,17,google_ads,spring_promo,mobile,US,11-50,none,60,3,0,10\n", "lead"), o); }),
                  "lead: column 'created_at' holds numbers, but leads.fcm reads it as a date");
}

TEST(Scoring, ProbabilitiesDecisionsAndReasonsThatAddUp) {
  const model::Model& m = demo_model().model;
  const model::Model loaded = model::load(model::save(m), "leads.fcm");
  ScoreOptions o;
  o.model_name = "leads.fcm";
  o.explain = -1;
  const Scores all = score(loaded, demo_table(), o);
  ASSERT_EQ(all.rows, demo_table().rows);
  EXPECT_EQ(all.ids[0], "L0000001");
  const size_t f = all.features;
  for (size_t r = 0; r < all.rows; ++r) {
    double sum = all.expected_value;
    for (size_t k = 0; k < f; ++k) sum += all.reason_value[r * f + k];
    ASSERT_NEAR(sum, all.margin[r], 1e-6) << r;
    ASSERT_NEAR(all.probability[r], 1 / (1 + std::exp(-all.margin[r])), 1e-12);
    ASSERT_EQ(all.decision[r], all.probability[r] >= all.threshold ? 1 : 0);
  }
  // The three strongest reasons are the three largest |contributions|, in order.
  o.explain = 3;
  const Scores top = score(loaded, demo_table(), o);
  for (size_t r = 0; r < 50; ++r) {
    std::vector<double> mags;
    for (size_t k = 0; k < f; ++k) mags.push_back(std::fabs(all.reason_value[r * f + k]));
    std::sort(mags.rbegin(), mags.rend());
    for (size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(std::fabs(top.reason_value[r * 3 + i]), mags[i]);
  }
  int32_t source = -1, weekday = -1;
  for (size_t k = 0; k < f; ++k) {
    if (all.feature_names[k] == "source") source = static_cast<int32_t>(k);
    if (all.feature_names[k] == "created_at_weekday") weekday = static_cast<int32_t>(k);
  }
  EXPECT_EQ(reason_text(loaded, demo_table(), 0, source), demo_table().columns[2].text(0));
  // The weekday by Zeller's congruence from the cell's own text.
  const std::string when = demo_table().columns[1].text(0);
  int y = std::stoi(when.substr(0, 4)), mo = std::stoi(when.substr(5, 2));
  const int d = std::stoi(when.substr(8, 2));
  if (mo < 3) {
    mo += 12;
    --y;
  }
  const int h = (d + 13 * (mo + 1) / 5 + y % 100 + (y % 100) / 4 + (y / 100) / 4 + 5 * (y / 100)) % 7;  // 0 = Saturday
  const char* names[] = {"Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
  EXPECT_EQ(reason_text(loaded, demo_table(), 0, weekday), names[h]) << when;
}

TEST(Scoring, RefusesForecastModelsAndSaysWhatIsIgnored) {
  model::Model forecast;
  forecast.header.kind = "forecast";
  EXPECT_CONTAINS(error_of([&] { score(forecast, demo_table(), ScoreOptions{}); }),
                  "the model is a forecast model, not a scoring model");
  const Table extra = table_of("lead_id,source,note\nX1,google_ads,hello\n");
  EXPECT_CONTAINS(error_of([&] { score(demo_model().model, extra, ScoreOptions{}); }),
                  "leads.csv lacks columns that the model needs: 'created_at', 'campaign', 'device'");
}

}  // namespace
}  // namespace fc::scoring
