// The field lists that describe a command's options (core/include/funnelcast/api/fields.hpp),
// and the recipe "add a command option" (docs/recipes/option.md) followed with a dummy
// command: one entry in a field list gives a CLI flag, a JS option, a --help line and a
// registry entry, each checked by hand here.
#include <gtest/gtest.h>

#include <string>

#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/api/fields.hpp"
#include "funnelcast/api/kpi.hpp"
#include "funnelcast/api/registry.hpp"
#include "funnelcast/api/train.hpp"
#include "funnelcast/base/error.hpp"

namespace fc::api {
namespace {

// The dummy command of the recipe: a request struct and its one field list.
struct EchoRequest {
  int repeat = 1;
  std::string word = "hello";
  bool loud = false;
  std::string style = "plain";
};

const std::vector<Field<EchoRequest>>& echo_fields() {
  static const std::vector<Field<EchoRequest>> fields = {
      {option("repeat", FieldType::kInteger, "N", "how many times").or_else("1").within(1, 10),
       [](EchoRequest& r, const nlohmann::json& v) { r.repeat = v.get<int>(); }},
      {option("word", FieldType::kText, "TEXT", "what to say").or_else("hello"),
       [](EchoRequest& r, const nlohmann::json& v) { r.word = v.get<std::string>(); }},
      {option("loud", FieldType::kFlag, "", "in capitals").only(Edge::kCli),
       [](EchoRequest& r, const nlohmann::json& v) { r.loud = v.get<bool>(); }},
      {option("text_style", FieldType::kChoice, "S", "plain or fancy").among({"plain", "fancy"}),
       [](EchoRequest& r, const nlohmann::json& v) { r.style = v.get<std::string>(); }},
  };
  return fields;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ApiFields, ARequestFromJsOptionsUsesDefaultsForWhatIsNotGiven) {
  const EchoRequest r = read_request(echo_fields(), {{"repeat", 3}, {"text_style", "fancy"}}, Edge::kJs);
  EXPECT_EQ(r.repeat, 3);
  EXPECT_EQ(r.word, "hello");
  EXPECT_EQ(r.style, "fancy");
  EXPECT_FALSE(r.loud);
  // null is "not given"
  EXPECT_EQ(read_request(echo_fields(), {{"repeat", nullptr}}, Edge::kJs).repeat, 1);
}

TEST(ApiFields, CommandLineTextIsCheckedAgainstTheSameList) {
  const FieldInfo& repeat = echo_fields()[0].info;
  EXPECT_EQ(value_from_text(repeat, "7", "--repeat"), nlohmann::json(7));
  EXPECT_EQ(error_of([&] { value_from_text(repeat, "7.5", "--repeat"); }),
            "--repeat: expected a whole number from 1 to 10, found 7.5");
  EXPECT_EQ(error_of([&] { value_from_text(repeat, "lots", "--repeat"); }),
            "--repeat: expected a whole number from 1 to 10, found 'lots'");
  EXPECT_EQ(error_of([&] { value_from_text(repeat, "11", "--repeat"); }),
            "--repeat: expected a whole number from 1 to 10, found 11");
  EXPECT_EQ(value_from_text(echo_fields()[2].info, "", "--loud"), nlohmann::json(true));
}

TEST(ApiFields, MistakesAreNamedTheWayEachEdgeSpellsThem) {
  EXPECT_EQ(error_of([] { read_request(echo_fields(), {{"repeat", "3"}}, Edge::kJs); }),
            "option 'repeat': expected a whole number from 1 to 10, found '3'");
  EXPECT_EQ(error_of([] { read_request(echo_fields(), {{"text_style", "bold"}}, Edge::kCli); }),
            "--text-style: unknown text_style 'bold'; choose one of plain, fancy");
  EXPECT_EQ(error_of([] { read_request(echo_fields(), {{"volume", 3}}, Edge::kJs); }),
            "unknown option 'volume' (options: repeat, word, text_style)");
  // A CLI-only field is not an option of the JS API.
  EXPECT_EQ(error_of([] { read_request(echo_fields(), {{"loud", true}}, Edge::kJs); }),
            "unknown option 'loud' (options: repeat, word, text_style)");
  EXPECT_EQ(error_of([] { read_request(echo_fields(), nlohmann::json::array(), Edge::kJs); }),
            "options must be an object of option names and values");
}

TEST(ApiFields, HelpAndRegistryComeFromTheList) {
  const std::string help = options_help(infos(echo_fields()));
  EXPECT_EQ(help,
            // each help text starts at column 20
            "  --repeat N       how many times (default 1)\n"
            "  --word TEXT      what to say (default hello)\n"
            "  --loud           in capitals\n"
            "  --text-style S   plain or fancy\n");
  const nlohmann::json d = describe(infos(echo_fields()));
  ASSERT_EQ(d.size(), 3u);  // the CLI-only flag is not offered to the page
  EXPECT_EQ(d[0], (nlohmann::json{{"name", "repeat"}, {"type", "integer"}, {"help", "how many times"},
                                  {"default", "1"}, {"min", 1.0}, {"max", 10.0}}));
  EXPECT_EQ(d[2].at("choices"), (nlohmann::json{"plain", "fancy"}));
}

TEST(ApiFields, TheRegistryListsEveryCommandsOptionsAndTheDetectors) {
  const nlohmann::json r = registry();
  std::vector<std::string> kpi, methods;
  for (const auto& f : r.at("commands").at("kpi")) kpi.push_back(f.at("name"));
  EXPECT_EQ(kpi, (std::vector<std::string>{"window", "channel"}));  // --data and --json are the CLI's
  for (const auto& m : r.at("methods")) methods.push_back(m.at("name"));
  std::vector<std::string> detectors;  // the core's one list of detectors, in its order
  for (const auto& m : anomaly::methods()) detectors.push_back(m.name);
  EXPECT_EQ(methods, detectors);
  EXPECT_GE(methods.size(), 6u);
  // The anomalies command offers the page its options, never the CLI's files.
  for (const auto& f : r.at("commands").at("anomalies")) {
    EXPECT_NE(f.at("name"), "data");
    EXPECT_NE(f.at("name"), "out");
  }
}

TEST(ApiFields, AnomalyThresholdsReadTheSameFromTextAndNumbers) {
  const auto& fields = anomalies_fields();
  const auto z = read_request(fields, {{"threshold", "2.5z"}}, Edge::kJs);
  const auto n = read_request(fields, {{"threshold", 2.5}}, Edge::kJs);
  EXPECT_NEAR(z.options.threshold, 0.98758067, 1e-8);  // two-sided Gaussian tail of 2.5
  EXPECT_EQ(z.options.threshold, n.options.threshold);
  EXPECT_EQ(read_request(fields, {{"threshold", 0.999}}, Edge::kJs).options.threshold, 0.999);
  EXPECT_NE(error_of([&] { read_request(fields, {{"threshold", "high"}}, Edge::kJs); }), "");
  // Durations: text from the CLI, hours from the page's sliders.
  const auto a = read_request(fields, {{"lookback", "36h"}, {"baseline", 48}}, Edge::kJs);
  EXPECT_EQ(a.options.lookback.count, 36 * 3600);
  EXPECT_EQ(a.options.baseline.count, 48 * 3600);
  EXPECT_FALSE(a.options.baseline.steps);
}


// ---- The training commands on the same lists ----

TEST(ApiFields, TrainScoreOptionsReadTheSameFromTheCommandLineAndFromJs) {
  const auto& fields = train_score_fields();
  TrainScoreRequest js;
  js.edge = Edge::kJs;
  const TrainScoreRequest a = read_request(
      fields, {{"target", "won"}, {"drop", "email,phone"}, {"top", 0.1}, {"learning_rate", 0.2}, {"scale_pos_weight", "auto"}},
      Edge::kJs, js);
  EXPECT_EQ(a.target, "won");
  EXPECT_EQ(a.drop, (std::vector<std::string>{"email", "phone"}));
  ASSERT_TRUE(a.top.has_value());
  EXPECT_EQ(*a.top, 0.1);
  EXPECT_EQ(a.scale_pos_weight, 0);
  // "10%" as the command line writes it is the same share.
  const TrainScoreRequest b = read_request(fields, {{"target", "won"}, {"top", "10%"}}, Edge::kCli);
  EXPECT_EQ(*b.top, 0.1);
  const scoring::TrainOptions o = train_score_options(a);
  EXPECT_EQ(o.threshold_rule, "top_share");
  EXPECT_EQ(o.threshold_target, 0.1);
  EXPECT_EQ(o.params.learning_rate, 0.2);
  // Unchanged from the scoring defaults: 1,000 trees at most, 31 leaves.
  EXPECT_EQ(o.params.num_iterations, scoring::TrainOptions::default_params().num_iterations);
  EXPECT_EQ(o.params.num_leaves, 31);
  EXPECT_EQ(o.threads, 2);  // the CLI's default; the bindings start from 1
  // Mistakes, named as each edge spells the option.
  EXPECT_EQ(error_of([&] { read_request(fields, {{"folds", 1}}, Edge::kJs, js); }),
            "option 'folds': 1 fold cannot cross-validate; use 0 (no cross-validation) or 2 to 50");
  EXPECT_EQ(error_of([&] { read_request(fields, {{"top", "150%"}}, Edge::kCli); }),
            "--top: expected a share from 0 to 1 (or 100%), found '150%'");
  EXPECT_EQ(error_of([&] { train_score_options(read_request(fields, {{"target", "won"}, {"top", 0.1}, {"threshold", 0.5}}, Edge::kJs, js)); }),
            "give one of option 'threshold', option 'precision' and option 'top'");
  EXPECT_EQ(error_of([&] { train_score_options(js); }), "option 'target' is required: the outcome column");
  EXPECT_EQ(error_of([&] { read_request(fields, {{"param", "seed=1"}}, Edge::kJs, js); }).substr(0, 24),
            "unknown option 'param' (");
}

TEST(ApiFields, TrainForecastOptionsApplyDefaultsThenNamesThenParams) {
  const auto& fields = train_forecast_fields();
  // No options: the CLI's documented defaults (600 trees, learning rate 0.05, lambda_l2 1).
  const forecast::TrainOptions d = train_forecast_options(TrainForecastRequest{});
  EXPECT_EQ(d.horizon, 168);
  EXPECT_EQ(d.folds, 5);
  EXPECT_EQ(d.params.num_iterations, 600);
  EXPECT_EQ(d.params.learning_rate, 0.05);
  EXPECT_EQ(d.params.lambda_l2, 1.0);
  EXPECT_EQ(d.spec.lags.size(), 28u);  // 1..24, 48, 72, 168, 336
  EXPECT_TRUE(d.pinned_objective.empty());
  // No rate given: --by channel on a long hourly file takes its own (train_by_channel).
  EXPECT_FALSE(d.learning_rate_given);
  const auto given = [&](const std::string& key, const nlohmann::json& value) {
    return train_forecast_options(read_request(fields, {{key, value}}, Edge::kCli)).learning_rate_given;
  };
  EXPECT_TRUE(given("learning_rate", 0.05));  // given, even at the default value
  EXPECT_TRUE(given("param", "eta=0.05"));
  EXPECT_FALSE(given("param", "lambda_l2=2"));
  TrainForecastRequest r = read_request(fields, {{"iterations", 50}, {"lags", "1-3,24"}, {"no_cyclic", true}}, Edge::kCli);
  r = read_request(fields, {{"param", "lambda_l2=3"}}, Edge::kCli, r);
  r = read_request(fields, {{"param", "objective=poisson"}}, Edge::kCli, r);  // a repeated --param appends
  const forecast::TrainOptions o = train_forecast_options(r);
  EXPECT_EQ(o.params.num_iterations, 50);
  EXPECT_EQ(o.params.lambda_l2, 3.0);
  EXPECT_EQ(o.pinned_objective, "poisson");
  EXPECT_EQ(o.spec.lags, (std::vector<int>{1, 2, 3, 24}));
  EXPECT_FALSE(o.spec.cyclic);
  // A value given by name and as --param must agree.
  TrainForecastRequest clash = read_request(fields, {{"learning_rate", 0.1}, {"param", "eta=0.2"}}, Edge::kCli);
  EXPECT_EQ(error_of([&] { train_forecast_options(clash); }),
            "--learning-rate and --param learning_rate give two values; give one of them");
  EXPECT_EQ(error_of([&] { train_forecast_options(read_request(fields, {{"param", "num_leaves=1"}}, Edge::kCli)); }),
            "--param num_leaves: expected a whole number from 2 to 131072, found '1'");
  EXPECT_EQ(error_of([&] { read_request(fields, {{"param", "num_leaves"}}, Edge::kCli); }),
            "--param: expected KEY=VALUE, found 'num_leaves'");
  EXPECT_EQ(error_of([&] { read_request(fields, {{"exog", "spend"}}, Edge::kCli); }),
            "--exog: expected COL:LAGS like spend:168,336");
}

TEST(ApiFields, TheRegistryOffersTheTrainingOptionsThePageHas) {
  // Where the trainers are linked (the CLI, the training bundle) registry() lists their
  // commands through a weak reference; this use links them into the test program too,
  // whatever the linker's order of the archive's objects.
  ASSERT_FALSE(train_forecast_fields().empty());
  const nlohmann::json r = registry();
  std::vector<std::string> forecast, score;
  for (const auto& f : r.at("commands").at("train_forecast")) forecast.push_back(f.at("name"));
  for (const auto& f : r.at("commands").at("train_score")) score.push_back(f.at("name"));
  EXPECT_EQ(forecast, (std::vector<std::string>{"channel", "by", "horizon", "folds", "gap", "lags", "windows", "no_cyclic",
                                                "no_calendar", "iterations", "learning_rate", "num_leaves", "seed"}));
  EXPECT_EQ(score, (std::vector<std::string>{"target", "positive", "id", "drop", "folds", "fold_column", "threshold",
                                             "precision", "top", "scale_pos_weight", "iterations", "learning_rate",
                                             "num_leaves", "seed"}));
}

}  // namespace
}  // namespace fc::api
