// funnelcast drift: has the population of leads moved since the model was trained, and
// does the model still rank them as well? Exit code 3 when it has, for cron and CI.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/monitor.hpp"

namespace fc::cli {

namespace {

const char* kHelp =
    "usage: funnelcast drift --reference FILE --current FILE [--model MODEL] [--json]\n"
    "\n"
    "Compares each column of a new table of leads (--current) with the table the model was\n"
    "trained on (--reference): numeric columns by the two-sample Kolmogorov-Smirnov test and\n"
    "the population stability index (PSI, 10 bins at the reference's deciles), categorical\n"
    "columns by PSI over their values (new values share one bin). A column drifts\n"
    "  moderately  when PSI > 0.1 or (numbers) the KS p-value < 0.01\n"
    "  majorly     when PSI > 0.2\n"
    "With --model only the model's inputs are compared, and when the current file has the\n"
    "outcome column the model's ROC-AUC on it is compared with its cross-validated ROC-AUC:\n"
    "a drop of more than 0.05 means the model has degraded.\n"
    "\n"
    "exit code: 0 no major drift or degradation, 3 major drift or degradation (retrain), 2 bad input\n"
    "\n"
    "options:\n"
    "  --reference FILE   the table the model learned from (or any earlier period)\n"
    "  --current FILE     the new table\n"
    "  --model MODEL      a scoring model: compare its inputs, and its ROC-AUC when the outcome is there\n"
    "  --json             JSON instead of a table\n";

std::string fmt(double v, const char* f = "%.3f") {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

int run_drift(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"reference", "current", "model"}, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const Table ref = read_table(args.require("reference"));
  const Table cur = read_table(args.require("current"));
  print_notices(ref.notices);
  print_notices(cur.notices);
  std::optional<model::Model> m;
  std::string model_name = "the model";
  if (args.has("model")) {
    model_name = base_name(args.get("model"));
    m = model::load(read_file(args.get("model")), model_name);
  }
  const scoring::MonitorReport rep = scoring::monitor(ref, cur, m ? &*m : nullptr, model_name);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : rep.columns) {
    nlohmann::json j = {{"column", c.column}, {"severity", c.severity}, {"reason", c.reason}};
    if (c.compared) {
      j["type"] = c.type;
      j["psi"] = number_or_null(c.drift.psi.value);
      if (!c.drift.categorical) {
        j["ks"] = number_or_null(c.drift.ks.statistic);
        j["ks_p_value"] = number_or_null(c.drift.ks.p_value);
      }
      j["missing_reference"] = c.drift.missing_reference;
      j["missing_current"] = c.drift.missing_current;
    }
    list.push_back(j);
  }
  nlohmann::json model_json = nullptr;
  if (rep.has_model_check)
    model_json = {{"roc_auc", number_or_null(rep.roc_auc)}, {"cv_roc_auc", number_or_null(rep.cv_roc_auc)},
                  {"rows", rep.labelled_rows}, {"degraded", rep.degraded}};
  const bool alert = rep.alert, degraded = rep.degraded;
  const size_t major = rep.major, moderate = rep.moderate;
  if (args.has("json")) {
    std::cout << json_dump({{"reference", ref.source}, {"current", cur.source}, {"columns", list},
                            {"major", major}, {"moderate", moderate}, {"model", model_json}, {"alert", alert}});
  } else {
    std::printf("%-28s %-9s %8s %8s %10s  %s\n", "column", "type", "PSI", "KS", "KS p", "drift");
    for (const auto& j : list) {
      auto num = [&](const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<double>() : std::nan(""); };
      const std::string sev = j.at("severity").get<std::string>();
      std::printf("%-28s %-9s %8s %8s %10s  %s%s%s\n", j.at("column").get<std::string>().c_str(),
                  j.value("type", "").c_str(), fmt(num("psi")).c_str(), fmt(num("ks")).c_str(),
                  fmt(num("ks_p_value"), "%.2g").c_str(), sev.c_str(),
                  j.at("reason").get<std::string>().empty() ? "" : ": ", j.at("reason").get<std::string>().c_str());
    }
    if (!model_json.is_null())
      std::printf("\n%s on %s: ROC-AUC %s (cross-validated %s)%s\n", model_name.c_str(), cur.source.c_str(),
                  fmt(model_json["roc_auc"].is_number() ? model_json["roc_auc"].get<double>() : std::nan("")).c_str(),
                  fmt(model_json["cv_roc_auc"].is_number() ? model_json["cv_roc_auc"].get<double>() : std::nan("")).c_str(),
                  degraded ? ": degraded, retrain" : "");
    std::printf("\n%zu columns with major drift, %zu with moderate drift\n", major, moderate);
  }
  return alert ? 3 : 0;
}

}  // namespace fc::cli
