// funnelcast train score: learn which leads convert from a table of past leads.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/train.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast train score --data FILE --target COL --out MODEL [options]\n"
    "\n"
    "Learns the probability that a lead (or customer) reaches an outcome - converts,\n"
    "subscribes, buys - from a table of past leads with a yes/no column. Every column but the\n"
    "outcome is a candidate input: numbers (also written as text: 1,234  $12  15%), categories\n"
    "(learned natively by the trees), yes/no and TRUE/FALSE values, dates (as month, weekday,\n"
    "day and hour). Left out, and said: constant and empty columns, identifiers (a distinct\n"
    "value on nearly every row: ids, emails, names) and the columns you --drop.\n"
    "\n"
    "Quality is measured honestly: stratified k-fold cross-validation (each row predicted\n"
    "by a model that never saw it), our gradient-boosted trees beside a logistic regression on\n"
    "the same folds. The report gives ROC-AUC, PR-AUC, log-loss, Brier and accuracy (mean +-\n"
    "std over folds), precision / recall / F1 at the decision threshold, a calibration table,\n"
    "lift and gain (deciles and the top 5/10/20/30/50%), and the inputs that matter most\n"
    "(mean |SHAP| and gain). A column that alone predicts the outcome suspiciously well is\n"
    "flagged: if it is known only after the outcome (a call's duration), --drop it.\n"
    "\n"
    "options:\n"
    "  --data FILE          CSV of past leads, one row each\n"
    "  --target COL         the outcome column: 0/1, yes/no, true/false or any two labels\n"
    "  --positive LABEL     the label that counts as the outcome (detected for 1, yes, true,\n"
    "                       converted, won, purchased, subscribed...)\n"
    "  --id COL             an id column to carry into the scores (detected by name: id, lead_id...)\n"
    "  --drop COL,...       columns to leave out (repeatable)\n"
    "  --folds N            stratified folds (default 5); 0 fits once on every row, no report metrics\n"
    "  --fold-column COL    take each row's fold from COL instead (e.g. to compare with another tool)\n"
    "decision threshold (one of):\n"
    "  (default)            the best F1 on the cross-validation predictions\n"
    "  --precision P        the lowest threshold whose precision reaches P (e.g. 0.6)\n"
    "  --top SHARE          contact the top SHARE of leads (e.g. 10% or 0.1): a contact budget\n"
    "  --threshold P        a fixed probability\n"
    "model options:\n"
    "  --param KEY=VALUE    gradient boosting parameter, repeatable (LightGBM names): num_iterations\n"
    "                       (default 1000, early stopping on a stratified 15% of each fold picks the\n"
    "                       count), learning_rate 0.05, num_leaves 31, min_data_in_leaf 20, lambda_l2 1,\n"
    "                       feature_fraction 0.9, bagging_fraction 0.8, bagging_freq 1, seed 0,\n"
    "                       cat_smooth, max_cat_to_onehot, ...\n"
    "  --scale-pos-weight W weight of positive rows, or auto (default): sqrt(negatives/positives)\n"
    "                       when fewer than 5% of rows are positive, else 1. The model's\n"
    "                       probabilities are shifted back so they stay calibrated.\n"
    "  --threads N          threads for tree building (default 2; the model is the same)\n"
    "output:\n"
    "  --out MODEL          the model file (.fcm)\n"
    "  --report FILE.json   the cross-validation report\n"
    "  --no-log             do not append this run to runs.jsonl beside the model\n"
    "  --stamp              record the training time in the model\n"
    "  --quiet              no progress on stderr\n"
    "\n"
    "example:\n"
    "  funnelcast train score --data leads.csv --target converted --out leads.fcm --report cv.json\n";

double parse_share(const std::string& option, std::string text) {
  bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw UsageError{"--" + option + ": expected a number like 0.1 or 10%, found '" + text + "'"};
  if (percent) v /= 100;
  if (!(v > 0 && v <= 1)) throw UsageError{"--" + option + ": expected a share from 0 to 1 (or 100%), found '" + text + "'"};
  return v;
}

std::string cell(const nlohmann::json& v, const char* format = "%.3f") {
  if (!v.is_number()) return "n/a";
  char b[32];
  std::snprintf(b, sizeof b, format, v.get<double>());
  return b;
}

void print_summary(const nlohmann::json& r) {
  const auto& t = r.at("target");
  std::printf("\noutcome '%s' = '%s' (%.1f%% of %s rows)\n", t.at("column").get<std::string>().c_str(),
              t.at("positive").get<std::string>().c_str(), 100 * t.at("positive_rate").get<double>(),
              std::to_string(r.at("data").at("rows_used").get<uint64_t>()).c_str());
  if (r.at("folds").get<int>() > 0) {
    std::printf("\n%-10s %9s %9s %9s %9s %9s %9s\n", "model", "ROC-AUC", "PR-AUC", "log-loss", "Brier", "F1", "precision");
    for (const auto& c : r.at("comparison"))
      std::printf("%-10s %9s %9s %9s %9s %9s %9s\n", c.at("name").get<std::string>().c_str(), cell(c.at("roc_auc")).c_str(),
                  cell(c.at("pr_auc")).c_str(), cell(c.at("logloss")).c_str(), cell(c.at("brier")).c_str(),
                  cell(c.at("f1")).c_str(), cell(c.at("precision")).c_str());
    const auto& cv = r.at("cv");
    std::printf("\ncross-validation (%d folds): ROC-AUC %s +- %s, PR-AUC %s +- %s\n", r.at("folds").get<int>(),
                cell(cv.at("roc_auc").at("mean")).c_str(), cell(cv.at("roc_auc").at("std")).c_str(),
                cell(cv.at("pr_auc").at("mean")).c_str(), cell(cv.at("pr_auc").at("std")).c_str());
    const auto& at = r.at("at_threshold");
    std::printf("threshold %s (%s): precision %s, recall %s, F1 %s\n", cell(r.at("threshold"), "%.4f").c_str(),
                r.at("threshold_rule").get<std::string>().c_str(), cell(at.at("precision")).c_str(),
                cell(at.at("recall")).c_str(), cell(at.at("f1")).c_str());
    for (const auto& l : r.at("lift"))
      if (std::fabs(l.at("share").get<double>() - 0.1) < 1e-9) {
        std::printf("top 10%% of leads: %s%% of all conversions, lift %s\n", cell(nlohmann::json(100 * l.at("gain").get<double>()), "%.1f").c_str(),
                    cell(l.at("lift"), "%.2f").c_str());
        break;
      }
  }
  std::printf("\ninputs that matter most (mean |SHAP| on the log-odds scale):\n");
  int shown = 0;
  for (const auto& i : r.at("importance")) {
    if (shown++ == 8) break;
    std::printf("  %-28s %.4f\n", i.at("feature").get<std::string>().c_str(), i.at("mean_abs_shap").get<double>());
  }
  for (const auto& w : r.at("warnings")) std::printf("\nwarning: %s\n", w.get<std::string>().c_str());
}

}  // namespace

int run_train_score(int argc, char** argv, int first) {
  Args args(argc, argv, first,
            {"data", "target", "out", "positive", "id", "drop", "folds", "report", "param", "threads", "threshold",
             "precision", "top", "scale-pos-weight", "fold-column"},
            {"quiet", "stamp", "no-log"}, {"param", "drop"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string data_path = args.require("data"), out_path = args.require("out");
  scoring::TrainOptions o;
  o.columns.target = args.require("target");
  o.columns.positive = args.get("positive");
  o.columns.id = args.get("id");
  for (const auto& list : args.all("drop")) {
    std::stringstream ss(list);
    std::string col;
    while (std::getline(ss, col, ','))
      if (!col.empty()) o.columns.drop.push_back(col);
  }
  o.folds = args.get_int("folds", 5, 0, 50);
  o.columns.fold = args.get("fold-column");
  if (o.folds == 1) throw UsageError{"--folds: 1 fold cannot cross-validate; use 0 (no cross-validation) or 2 to 50"};
  o.threads = args.get_int("threads", 2, 1, 256);
  const int rules = args.has("threshold") + args.has("precision") + args.has("top");
  if (rules > 1) throw UsageError{"give one of --threshold, --precision and --top"};
  if (args.has("threshold")) {
    o.threshold_rule = "fixed";
    o.threshold_target = parse_share("threshold", args.get("threshold"));
  } else if (args.has("precision")) {
    o.threshold_rule = "precision";
    o.threshold_target = parse_share("precision", args.get("precision"));
  } else if (args.has("top")) {
    o.threshold_rule = "top_share";
    o.threshold_target = parse_share("top", args.get("top"));
  }
  if (args.has("scale-pos-weight") && args.get("scale-pos-weight") != "auto") {
    char* end = nullptr;
    const std::string v = args.get("scale-pos-weight");
    o.scale_pos_weight = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(o.scale_pos_weight > 0) || o.scale_pos_weight > 1e6)
      throw UsageError{"--scale-pos-weight: expected auto or a positive number, found '" + v + "'"};
  }
  set_params(args, o.params);
  if (o.params.objective != gbdt::Objective::kBinary) throw UsageError{"--param objective: scoring models are binary"};
  o.params.validate();

  const Table table = read_table(data_path);
  print_notices(table.notices);
  std::fprintf(stderr, "%s: %zu rows, %zu columns\n", base_name(data_path).c_str(), table.rows, table.columns.size());
  ProgressLine progress(args.has("quiet"));
  const scoring::TrainOutput out =
      scoring::train(table, o, [&](const std::string& stage, double f) { progress.update(stage, f); });
  progress.finish();
  print_notices(out.notices);

  model::Model m = out.model;
  stamp(m, args);
  const std::string bytes = model::save(m);
  write_file(out_path, bytes);
  if (args.has("report")) write_file(args.get("report"), json_dump(out.report));
  if (!args.has("no-log")) {
    const auto& s = *m.header.score;
    nlohmann::json metrics = {{"folds", s.folds}, {"threshold", s.threshold}};
    if (s.folds > 0) {
      metrics["roc_auc"] = number_or_null(s.cv.at("roc_auc").mean);
      metrics["pr_auc"] = number_or_null(s.cv.at("pr_auc").mean);
      metrics["logloss"] = number_or_null(s.cv.at("logloss").mean);
      metrics["f1"] = number_or_null(s.out_of_fold.f1);
    }
    log_run(out_path, bytes, data_path, "score", s.params->to_json(), metrics);
  }
  print_summary(out.report);
  std::printf("\nsaved %s (%zu bytes, %zu trees)%s%s\n", out_path.c_str(), bytes.size(), m.ensemble.trees.size(),
              args.has("report") ? ", report " : "", args.get("report").c_str());
  return 0;
}

}  // namespace fc::cli
