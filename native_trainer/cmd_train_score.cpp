// funnelcast train score: learn which leads convert from a table of past leads.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/train.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/outcome.hpp"
#include "funnelcast/scoring/train.hpp"

namespace fc::cli {

namespace {
const char* kTrainScoreHelp =
    "usage: funnelcast train score --data FILE [--target COL] --out MODEL [options]\n"
    "\n"
    "Learns the probability that a lead (or customer) reaches an outcome - converts,\n"
    "subscribes, buys - from a table of past leads with a yes/no column. Every column but the\n"
    "outcome is a candidate input: numbers (also written as text: 1,234  $12  15%), categories\n"
    "(learned natively by the trees), yes/no and TRUE/FALSE values, dates (as month, weekday,\n"
    "day and hour). Left out, and said: constant and empty columns, identifiers (a distinct\n"
    "value on nearly every row: ids, emails, names) and the columns you --drop.\n"
    "\n"
    "Without --target the outcome is guessed: a two-valued column named like an outcome\n"
    "(converted, status, response, target, y, won...), then yes/no-like ones. A certain guess\n"
    "is used and said; otherwise the candidates are listed with their share of positives and\n"
    "nothing is trained (exit 2): give --target.\n"
    "\n"
    "Quality is measured honestly: stratified k-fold cross-validation (each row predicted\n"
    "by a model that never saw it), our gradient-boosted trees beside a logistic regression on\n"
    "the same folds. The report gives ROC-AUC, PR-AUC, log-loss, Brier and accuracy (mean +-\n"
    "std over folds), precision / recall / F1 at the decision threshold, a calibration table,\n"
    "lift and gain (deciles and the top 5/10/20/30/50%), and the inputs that matter most\n"
    "(mean |SHAP| and gain). A column that alone predicts the outcome suspiciously well is\n"
    "flagged: if it is known only after the outcome (a call's duration), --drop it.\n"
    "\n"
    "The page's Module.trainScore takes the same options (its keys are the names with _\n"
    "for -) and gives the same bytes as --threads 1.\n"
    "\n"
    "options:\n"
    "%s"
    "\n"
    "example:\n"
    "  funnelcast train score --data leads.csv --target converted --out leads.fcm --report cv.json\n";

std::string cell(const nlohmann::json& v, const char* format = "%.3f") {
  if (!v.is_number()) return "n/a";
  char b[32];
  std::snprintf(b, sizeof b, format, v.get<double>());
  return b;
}

void print_scoring_summary(const nlohmann::json& r) {
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
  const auto& fields = api::train_score_fields();
  Args args(argc, argv, first, field_options(fields, false), field_options(fields, true), {"param", "drop"});
  if (args.help()) {
    print_help(kTrainScoreHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  api::TrainScoreRequest r = read_args(args, fields);
  if (r.data.empty()) throw UsageError{"--data is required"};
  if (r.out.empty()) throw UsageError{"--out is required"};
  try {
    // A mistake in the options is named before the data is read (without --target, the
    // outcome is guessed from the data below: checked with a stand-in until then).
    api::TrainScoreRequest probe = r;
    if (probe.target.empty()) probe.target = "?";
    api::train_score_options(probe);
  } catch (const Error& e) {
    throw UsageError{e.what()};
  }

  const Table table = read_table(r.data);
  print_notices(table.notices);
  std::fprintf(stderr, "%s: %zu rows, %zu columns\n", base_name(r.data).c_str(), table.rows, table.columns.size());
  std::string guessed;  // the note on a guessed outcome, also among the --json notices
  if (r.target.empty()) {
    // The guess when it is certain, said before the work starts; else the candidates (exit 2).
    const scoring::OutcomeChoice choice = scoring::choose_outcome(table, "--target");
    std::fprintf(stderr, "%s\n", choice.note.c_str());
    r.target = choice.column;
    guessed = choice.note;
  }
  ProgressLine progress(r.quiet);
  const scoring::TrainOutput out =
      api::train_score(table, r, [&](const std::string& stage, double f) { progress.update(stage, f); });
  progress.finish();
  print_notices(out.notices);

  model::Model m = out.model;
  const std::string bytes = save_trained(m, args, r.out, out.report);
  if (!r.no_log) {
    const auto& s = *m.header.score;
    nlohmann::json metrics = {{"folds", s.folds}, {"threshold", s.threshold}};
    if (s.folds > 0) {
      metrics["roc_auc"] = number_or_null(s.cv.at("roc_auc").mean);
      metrics["pr_auc"] = number_or_null(s.cv.at("pr_auc").mean);
      metrics["logloss"] = number_or_null(s.cv.at("logloss").mean);
      metrics["f1"] = number_or_null(s.out_of_fold.f1);
    }
    log_run(r.out, bytes, r.data, "score", s.params->to_json(), metrics);
  }
  if (r.json) {
    std::vector<std::string> notices = out.notices;
    if (!guessed.empty()) notices.insert(notices.begin(), guessed);
    std::cout << json_dump(api::train_json(out.report, notices));
  } else {
    print_scoring_summary(out.report);
  }
  std::fprintf(r.json ? stderr : stdout, "\nsaved %s (%zu bytes, %zu trees)%s%s\n", r.out.c_str(), bytes.size(),
               m.ensemble.trees.size(), r.report.empty() ? "" : ", report ", r.report.c_str());
  return 0;
}

}  // namespace fc::cli
