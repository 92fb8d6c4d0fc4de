// The two training commands' requests: their field lists, the trainers' options built from
// them (defaults, named options, --param, in that order), and the result document.
#include "funnelcast/api/train.hpp"

#include <cstdlib>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/scoring/outcome.hpp"

namespace fc::api {
namespace {

using json = nlohmann::json;

std::string where(Edge edge, const std::string& name) {
  return edge == Edge::kJs ? "option '" + name + "'" : cli_flag(name);
}

// One field's description from plain values, built in one place rather than by chained
// option(...).or_else(...).within(...) copies at every entry; and every setter below is a
// plain function (+[]), so std::function is instantiated once per request type, not once per
// field. Both lists are in the page's bundle (its registry lists them): written the usual way
// they cost it about 70 KB.
[[gnu::noinline]] FieldInfo info(const char* name, FieldType type, const char* value_name, const char* help,
                                 const char* fallback = "", double min = 0, double max = 0, Edge edge = Edge::kBoth) {
  FieldInfo f;
  f.name = name;
  f.type = type;
  f.value_name = value_name;
  f.help = help;
  f.fallback = fallback;
  f.min = min;
  f.max = max;
  f.edge = edge;
  return f;
}

// "a,b,,c" -> a, b, "", c ("" -> none). No iostreams: this file is in the page's bundle.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// KEY=VALUE; the value is checked by the parameter rules when the options are built (not
// here: the rules reach the objectives, which the page's bundle, listing these fields in its
// registry, does not carry).
std::string checked_param(const std::string& kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--param: expected KEY=VALUE, found '" + kv + "'");
  return kv;
}

// A share or probability in (0, 1]: 0.1 or "10%" (the page gives numbers, the CLI text).
double share(const json& v, const std::string& at) {
  double x = 0;
  if (v.is_number()) {
    x = v.get<double>();
  } else {
    std::string text = v.get<std::string>();
    const bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    char* end = nullptr;
    x = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') throw Error(at + ": expected a number like 0.1 or 10%, found '" + v.get<std::string>() + "'");
    if (percent) x /= 100;
  }
  if (!(x > 0 && x <= 1))
    throw Error(at + ": expected a share from 0 to 1 (or 100%), found " +
                (v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump()));
  return x;
}

// The boosting options of a request R (R::boosting), with the trainer's default iterations.
template <class R>
std::vector<Field<R>> boosting_fields(const char* iterations, const char* learning_rate = "shrinkage of each tree") {
  return {
      {info("iterations", FieldType::kInteger, "N", "trees at most (early stopping on the folds picks the count)", iterations, 1, 100000),
       +[](R& r, const json& v) { r.boosting.iterations = v.get<int>(); }},
      {info("learning_rate", FieldType::kNumber, "X", learning_rate, "0.05"),
       +[](R& r, const json& v) {
         if (!(v.get<double>() > 0)) throw Error(where(r.edge, "learning_rate") + ": expected a number > 0, found " + v.dump());
         r.boosting.learning_rate = v.get<double>();
       }},
      {info("num_leaves", FieldType::kInteger, "N", "leaves per tree at most", "31", 2, 131072),
       +[](R& r, const json& v) { r.boosting.num_leaves = v.get<int>(); }},
      {info("seed", FieldType::kInteger, "N", "the seed of every random choice (same data and seed, same bytes)", "0", 0, 2147483647),
       +[](R& r, const json& v) { r.boosting.seed = v.get<int64_t>(); }},
      {info("param", FieldType::kText, "KEY=VALUE",
              "any other gradient boosting parameter, repeatable (LightGBM names): max_depth,\n"
              "min_data_in_leaf, lambda_l2, feature_fraction, bagging_fraction, bagging_freq,\n"
              "objective, cat_smooth, max_cat_to_onehot, ...", "", 0, 0, Edge::kCli),
       +[](R& r, const json& v) { r.boosting.params.push_back(checked_param(v.get<std::string>())); }},
  };
}

// What every training command writes and how it talks (the command line's own).
template <class R>
std::vector<Field<R>> output_fields() {
  const Edge cli = Edge::kCli;
  return {
      {info("threads", FieldType::kInteger, "N", "threads for tree building and, for a forecast, its candidates'\n"
              "cross-validation in parallel (the model is the same)", "2", 1, 256, cli),
       +[](R& r, const json& v) { r.threads = v.get<int>(); }},
      {info("out", FieldType::kText, "MODEL", "the model file to write (.fcm)", "", 0, 0, cli),
       +[](R& r, const json& v) { r.out = v.get<std::string>(); }},
      {info("report", FieldType::kText, "FILE.json", "the cross-validation report", "", 0, 0, cli),
       +[](R& r, const json& v) { r.report = v.get<std::string>(); }},
      {info("json", FieldType::kFlag, "", "print {report, notices} as JSON instead of the summary", "", 0, 0, cli),
       +[](R& r, const json& v) { r.json = v.get<bool>(); }},
      {info("no_log", FieldType::kFlag, "", "do not append this run to runs.jsonl beside the model", "", 0, 0, cli),
       +[](R& r, const json& v) { r.no_log = v.get<bool>(); }},
      {info("stamp", FieldType::kFlag, "",
              "record the training time in the model (created_at); without it the same\n"
              "data and seed give byte-identical files. SOURCE_DATE_EPOCH, when set, is\n"
              "used as that time (reproducible builds)", "", 0, 0, cli),
       +[](R& r, const json& v) { r.stamp = v.get<bool>(); }},
      {info("quiet", FieldType::kFlag, "", "no progress on stderr", "", 0, 0, cli),
       +[](R& r, const json& v) { r.quiet = v.get<bool>(); }},
  };
}

template <class R>
void append(std::vector<Field<R>>& to, std::vector<Field<R>> more) {
  for (auto& f : more) to.push_back(std::move(f));
}

// Defaults already in p; then the named options, then --param, which must not contradict them.
void apply_boosting(const BoostingRequest& b, Edge edge, gbdt::Params& p) {
  if (b.iterations) p.num_iterations = *b.iterations;
  if (b.learning_rate) p.learning_rate = *b.learning_rate;
  if (b.num_leaves) p.num_leaves = *b.num_leaves;
  if (b.seed) p.seed = static_cast<uint64_t>(*b.seed);
  for (const auto& kv : b.params) {
    const size_t eq = kv.find('=');
    try {
      p.set(kv.substr(0, eq), kv.substr(eq + 1));
    } catch (const Error& e) {
      throw Error("--param " + std::string(e.what()));
    }
  }
  const auto clash = [&](bool differs, const char* name, const char* param) {
    if (differs) throw Error(where(edge, name) + " and --param " + param + " give two values; give one of them");
  };
  clash(b.iterations && p.num_iterations != *b.iterations, "iterations", "num_iterations");
  clash(b.learning_rate && p.learning_rate != *b.learning_rate, "learning_rate", "learning_rate");
  clash(b.num_leaves && p.num_leaves != *b.num_leaves, "num_leaves", "num_leaves");
  clash(b.seed && p.seed != static_cast<uint64_t>(*b.seed), "seed", "seed");
}

}  // namespace

std::vector<int> int_list(const std::string& text, const std::string& at) {
  std::vector<int> out;
  const auto bad = [&] { return Error(at + ": expected numbers like 1-24,48,168, found '" + text + "'"); };
  const auto to_int = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) throw bad();
    return std::stoi(s);
  };
  for (const std::string& part : split(text)) {
    const size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(to_int(part));
    } else {
      const int a = to_int(part.substr(0, dash)), b = to_int(part.substr(dash + 1));
      if (b < a || b - a > 10000) throw bad();
      for (int i = a; i <= b; ++i) out.push_back(i);
    }
  }
  if (out.empty()) throw bad();
  return out;
}

const std::vector<Field<TrainForecastRequest>>& train_forecast_fields() {
  using R = TrainForecastRequest;
  const Edge cli = Edge::kCli;
  static const std::vector<Field<R>> fields = [&] {
    std::vector<Field<R>> f = {
        {info("data", FieldType::kText, "FILE", "hourly, daily or weekly CSV (finer rows are summed to hours), or one row per lead", "", 0, 0, cli),
         +[](R& r, const json& v) { r.data = v.get<std::string>(); }},
        {info("channel", FieldType::kText, "NAME", "train on one channel's series instead of the total"),
         +[](R& r, const json& v) { r.channel = v.get<std::string>(); }},
        {info("by", FieldType::kChoice, "channel",
                "one model for every channel: each channel forecast at its own level\n"
                "from its own history, the total as their sum (they add up)").among({"channel"}),
         +[](R& r, const json&) { r.by_channel = true; }},
        {info("horizon", FieldType::kInteger, "N", "steps forecast from each fold's cut-off and validated: hours, or\n"
                "days for daily data (default 14 days), weeks for weekly (13 weeks)", "168", 1, 24 * 366),
         +[](R& r, const json& v) {
           r.horizon = v.get<int>();
           r.horizon_given = true;
         }},
        {info("folds", FieldType::kInteger, "N", "expanding-window time-series folds", "5", 2, 50),
         +[](R& r, const json& v) { r.folds = v.get<int>(); }},
        {info("gap", FieldType::kInteger, "N", "hours left out between training and validation", "0", 0, 24 * 366),
         +[](R& r, const json& v) { r.gap = v.get<int>(); }},
        {info("lags", FieldType::kText, "LIST", "lags of the target as features, in steps (daily data: 1-7,14,21,28;\n"
                "weekly: 1-4,8,13, and 26,52 with two years of history)",
              "1-24,48,72,168,336"),
         +[](R& r, const json& v) { r.lags = int_list(v.get<std::string>(), where(r.edge, "lags")); }},
        {info("windows", FieldType::kText, "LIST", "rolling windows in steps (daily data: 7,28; weekly: 4,13)", "24,168"),
         +[](R& r, const json& v) { r.windows = int_list(v.get<std::string>(), where(r.edge, "windows")); }},
        {info("no_cyclic", FieldType::kFlag, "", "leave out sin/cos of hour of day and day of week"),
         +[](R& r, const json& v) { r.no_cyclic = v.get<bool>(); }},
        {info("no_calendar", FieldType::kFlag, "", "no calendar features"),
         +[](R& r, const json& v) { r.no_calendar = v.get<bool>(); }},
        {info("exog", FieldType::kText, "COL:LAGS",
                "another column's lags as features, e.g. spend:168,336 (lags >= horizon);\n"
                "repeatable", "", 0, 0, cli),
         +[](R& r, const json& v) {
           const std::string e = v.get<std::string>();
           const size_t colon = e.find(':');
           if (colon == std::string::npos || colon == 0) throw Error("--exog: expected COL:LAGS like spend:168,336");
           r.exog.push_back({e.substr(0, colon), int_list(e.substr(colon + 1), "--exog")});
         }},
        {info("candidates", FieldType::kText, "LIST",
                "compare only these forecasters, comma-separated (e.g.\n"
                "seasonal_naive,holt_winters,theta); not with --by", "", 0, 0, cli),
         +[](R& r, const json& v) {
           r.candidates.clear();
           for (auto& name : split(v.get<std::string>())) {
             if (name.empty()) continue;
             bool known = false;
             std::string names;
             for (const auto& c : forecast::candidates()) {
               known = known || name == c.name;
               names += (names.empty() ? "" : ", ") + std::string(c.name);
             }
             if (!known) throw Error("--candidates: no forecaster '" + name + "' (there are " + names + ")");
             r.candidates.push_back(std::move(name));
           }
           if (r.candidates.empty()) throw Error("--candidates: name at least one forecaster");
         }},
    };
    append(f, boosting_fields<R>("600", "shrinkage of each tree (--by channel on 18 months of hours\n"
                                        "or more: 0.1 unless given)"));
    append(f, output_fields<R>());
    return f;
  }();
  return fields;
}

const std::vector<Field<TrainScoreRequest>>& train_score_fields() {
  using R = TrainScoreRequest;
  const Edge cli = Edge::kCli;
  static const std::vector<Field<R>> fields = [&] {
    std::vector<Field<R>> f = {
        {info("data", FieldType::kText, "FILE", "CSV of past leads, one row each", "", 0, 0, cli),
         +[](R& r, const json& v) { r.data = v.get<std::string>(); }},
        {info("target", FieldType::kText, "COL",
                "the outcome column: 0/1, yes/no, true/false or any two labels. Without it\n"
                "the outcome is guessed when the guess is certain (and said), else the\n"
                "candidates are listed"),
         +[](R& r, const json& v) { r.target = v.get<std::string>(); }},
        {info("positive", FieldType::kText, "LABEL",
                "the label that counts as the outcome (detected for 1, yes, true,\n"
                "converted, won, purchased, subscribed...)"),
         +[](R& r, const json& v) { r.positive = v.get<std::string>(); }},
        {info("id", FieldType::kText, "COL", "an id column to carry into the scores (detected by name: id, lead_id...)"),
         +[](R& r, const json& v) { r.id = v.get<std::string>(); }},
        {info("drop", FieldType::kText, "COL,...", "columns to leave out, comma-separated (repeatable)"),
         +[](R& r, const json& v) {
           for (auto& col : split(v.get<std::string>()))
             if (!col.empty()) r.drop.push_back(std::move(col));
         }},
        {info("folds", FieldType::kInteger, "N", "stratified folds; 0 fits once on every row, no report metrics", "5", 0, 50),
         +[](R& r, const json& v) {
           if (v.get<int>() == 1)
             throw Error(where(r.edge, "folds") +
                         ": 1 fold cannot cross-validate; use 0 (no cross-validation) or 2 to 50");
           r.folds = v.get<int>();
         }},
        {info("fold_column", FieldType::kText, "COL",
                "take each row's fold from COL instead (e.g. to compare with another tool)"),
         +[](R& r, const json& v) { r.fold_column = v.get<std::string>(); }},
        {info("threshold", FieldType::kScore, "P",
                "the decision threshold, one of three rules (default: the best F1 on the\n"
                "cross-validation predictions): a fixed probability"),
         +[](R& r, const json& v) { r.threshold = share(v, where(r.edge, "threshold")); }},
        {info("precision", FieldType::kScore, "P", "the lowest threshold whose precision reaches P (e.g. 0.6)"),
         +[](R& r, const json& v) { r.precision = share(v, where(r.edge, "precision")); }},
        {info("top", FieldType::kScore, "SHARE", "contact the top SHARE of leads (e.g. 10% or 0.1): a contact budget"),
         +[](R& r, const json& v) { r.top = share(v, where(r.edge, "top")); }},
        {info("scale_pos_weight", FieldType::kNumber, "W",
                "weight of positive rows, or auto: sqrt(negatives/positives) when fewer\n"
                "than 5% of rows are positive, else 1. The model's probabilities are\n"
                "shifted back so they stay calibrated", "auto", 0, 1e6).word("auto", 0),
         +[](R& r, const json& v) { r.scale_pos_weight = v.get<double>(); }},
    };
    append(f, boosting_fields<R>("1000"));
    append(f, output_fields<R>());
    return f;
  }();
  return fields;
}

forecast::TrainOptions train_forecast_options(const TrainForecastRequest& r) {
  forecast::TrainOptions o;
  o.horizon = r.horizon;
  o.horizon_given = r.horizon_given;
  o.lags_given = r.lags.has_value();
  o.windows_given = r.windows.has_value();
  o.folds = r.folds;
  o.gap = static_cast<size_t>(r.gap);
  o.threads = r.threads;
  o.channel = r.channel;
  o.by_channel = r.by_channel;
  o.candidates = r.candidates;
  if (r.by_channel && !r.candidates.empty())
    throw Error(where(r.edge, "candidates") + ": --by channel compares its own forecasters; leave it out");
  if (r.by_channel && !r.channel.empty())
    throw Error(where(r.edge, "by") + " channel forecasts every channel; leave out " + where(r.edge, "channel") +
                " (or --by, to train on channel '" + r.channel + "' alone)");
  if (r.lags) o.spec.lags = *r.lags;
  if (r.windows) o.spec.rolling_windows = *r.windows;
  o.spec.cyclic = !r.no_cyclic;
  o.spec.calendar = !r.no_calendar;
  o.spec.exog = r.exog;
  // Validates the spec the same way a model file's spec is validated.
  o.spec = features::FeatureSpec::from_json(o.spec.to_json());
  o.spec.target = "leads";
  o.params.num_iterations = 600;
  // 63 bins a feature, not 255: the split search scans every bin of every feature at
  // every leaf, which is most of the time on a few thousand hourly rows (half of
  // training a 960-hour series), and lag features of a count or a smooth series lose
  // nothing measurable (bench/forecast_accuracy.py: the same or better by series type).
  o.params.max_bin = 63;
  // No rate at first (0 is never a valid one): still 0 after the options only when none
  // was given, by --learning-rate or --param (under any of its names). --by channel on a
  // long hourly file then takes its own (forecast::TrainOptions::learning_rate_given).
  o.params.learning_rate = 0;
  o.params.lambda_l2 = 1.0;
  o.params.feature_fraction = 0.9;
  o.params.bagging_fraction = 0.8;
  o.params.bagging_freq = 1;
  apply_boosting(r.boosting, r.edge, o.params);
  o.learning_rate_given = o.params.learning_rate > 0;
  if (!o.learning_rate_given) o.params.learning_rate = 0.05;
  for (const auto& kv : r.boosting.params)
    if (kv.compare(0, 10, "objective=") == 0) o.pinned_objective = gbdt::to_string(o.params.objective);
  o.params.validate();
  return o;
}

scoring::TrainOptions train_score_options(const TrainScoreRequest& r) {
  if (r.target.empty()) throw Error(where(r.edge, "target") + " is required: the outcome column");
  scoring::TrainOptions o;
  o.columns.target = r.target;
  o.columns.positive = r.positive;
  o.columns.id = r.id;
  o.columns.drop = r.drop;
  o.columns.fold = r.fold_column;
  o.folds = r.folds;
  o.threads = r.threads;
  const int rules = r.threshold.has_value() + r.precision.has_value() + r.top.has_value();
  if (rules > 1)
    throw Error("give one of " + where(r.edge, "threshold") + ", " + where(r.edge, "precision") + " and " +
                where(r.edge, "top"));
  if (r.threshold) {
    o.threshold_rule = "fixed";
    o.threshold_target = *r.threshold;
  } else if (r.precision) {
    o.threshold_rule = "precision";
    o.threshold_target = *r.precision;
  } else if (r.top) {
    o.threshold_rule = "top_share";
    o.threshold_target = *r.top;
  }
  o.scale_pos_weight = r.scale_pos_weight;
  apply_boosting(r.boosting, r.edge, o.params);
  if (o.params.objective != gbdt::Objective::kBinary) throw Error("--param objective: scoring models are binary");
  o.params.validate();
  return o;
}

forecast::TrainOutput train_forecast(const series::BuildResult& data, const TrainForecastRequest& r,
                                     const forecast::Progress& progress) {
  const forecast::TrainOptions o = train_forecast_options(r);
  if (!o.channel.empty()) series::select(data, o.channel);  // names the channels when absent
  return forecast::train(data, o, progress);
}

std::vector<std::string> train_forecast_candidates(const series::BuildResult& data, const TrainForecastRequest& r) {
  const forecast::TrainOptions o = train_forecast_options(r);
  if (!o.channel.empty()) series::select(data, o.channel);
  return forecast::candidate_names(data, o);
}

forecast::CandidateRun train_forecast_candidate(const series::BuildResult& data, const TrainForecastRequest& r,
                                                size_t k, const forecast::Progress& progress) {
  const forecast::TrainOptions o = train_forecast_options(r);
  if (!o.channel.empty()) series::select(data, o.channel);
  return forecast::train_candidate(data, o, k, progress);
}

forecast::TrainOutput train_forecast(const series::BuildResult& data, const TrainForecastRequest& r,
                                     const std::vector<std::string>& candidates, const forecast::Progress& progress) {
  const forecast::TrainOptions o = train_forecast_options(r);
  if (!o.channel.empty()) series::select(data, o.channel);
  return forecast::train(data, o, candidates, progress);
}

// No target given: the outcome guess decides when it is certain (and says so in the
// notices); otherwise the error lists the candidates. Never an uncertain guess, silently.
namespace {
TrainScoreRequest with_target(const Table& table, const TrainScoreRequest& r, std::string* note) {
  if (!r.target.empty()) return r;
  TrainScoreRequest guessed = r;
  const scoring::OutcomeChoice choice = scoring::choose_outcome(table, where(r.edge, "target"));
  guessed.target = choice.column;
  if (note) *note = choice.note;
  return guessed;
}

scoring::TrainOutput noted(scoring::TrainOutput out, const std::string& note) {
  if (!note.empty()) out.notices.insert(out.notices.begin(), note);
  return out;
}
}  // namespace

scoring::TrainOutput train_score(const Table& table, const TrainScoreRequest& r, const scoring::Progress& progress) {
  std::string note;
  const TrainScoreRequest t = with_target(table, r, &note);
  return noted(scoring::train(table, train_score_options(t), progress), note);
}

scoring::FoldResult train_score_fold(const Table& table, const TrainScoreRequest& r, int fold,
                                     const scoring::Progress& progress) {
  return scoring::train_fold(table, train_score_options(with_target(table, r, nullptr)), fold, progress);
}

scoring::TrainOutput train_score(const Table& table, const TrainScoreRequest& r,
                                 const std::vector<scoring::FoldResult>& folds, const scoring::Progress& progress) {
  std::string note;
  const TrainScoreRequest t = with_target(table, r, &note);
  return noted(scoring::train(table, train_score_options(t), folds, progress), note);
}

nlohmann::json training_commands() {
  return {{"train_forecast", describe(infos(train_forecast_fields()))},
          {"train_score", describe(infos(train_score_fields()))}};
}

nlohmann::json train_json(const nlohmann::json& report, const std::vector<std::string>& notices) {
  return {{"report", report}, {"notices", notices}};
}

}  // namespace fc::api
