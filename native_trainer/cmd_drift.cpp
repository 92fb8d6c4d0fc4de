// funnelcast drift: has the population of leads moved since the model was trained, and
// does the model still rank them as well? Exit code 3 when it has, for cron and CI.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/table.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/api/drift.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/monitor.hpp"

namespace fc::cli {

namespace {

const char* kDriftHelp =
    "usage: funnelcast drift --reference FILE --current FILE [--model MODEL] [--json]\n"
    "\n"
    "Compares each column of a new table of leads (--current) with the table the model was\n"
    "trained on (--reference): numeric columns by the two-sample Kolmogorov-Smirnov test and\n"
    "the population stability index (PSI, bins at the reference's quantiles: one per 20 rows of\n"
    "the smaller side, 2 to 10), categorical columns by PSI over their values (new values\n"
    "share one bin). A column drifts\n"
    "  moderately  when PSI > 0.1 or (numbers) the KS p-value < 0.01\n"
    "  majorly     when PSI > 0.2\n"
    "Below 100 rows on either side the verdict is \"too few rows to judge\" (PSI on a small\n"
    "sample is large with no drift at all): the figures are shown, nothing is flagged.\n"
    "With --model only the model's inputs are compared, and when the current file has the\n"
    "outcome column the model's ROC-AUC on it is compared with its cross-validated ROC-AUC:\n"
    "a drop of more than 0.05 on 100 or more labelled rows means the model has degraded.\n"
    "\n"
    "exit code: 0 no major drift or degradation (or too few rows to judge), 3 major drift or\n"
    "degradation (retrain), 2 bad input\n"
    "\n"
    "options:\n"
    "%s";

std::string fmt(double v, const char* f = "%.3f") {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

double num(const nlohmann::json& j, const char* k) { return j.at(k).is_number() ? j.at(k).get<double>() : std::nan(""); }

}  // namespace

int run_drift(int argc, char** argv, int first) {
  const auto& fields = api::drift_fields();
  Args args(argc, argv, first, field_options(fields, false), field_options(fields, true));
  if (args.help()) {
    print_help(kDriftHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::DriftRequest request = read_args(args, fields);
  if (request.reference.empty()) throw UsageError{"--reference is required"};
  if (request.current.empty()) throw UsageError{"--current is required"};
  std::optional<model::Model> m;
  std::string model_name = "the model";
  if (!request.model.empty()) {
    model_name = base_name(request.model);
    m = model::load(read_file(request.model), model_name);
  }
  // Both tables read as the model reads its inputs (its categories stay text).
  const auto read = [&](const std::string& path) {
    csv::Options o;
    o.source = base_name(path);
    if (m && m->header.score) o.text_columns = scoring::text_columns(m->header.score->features);
    return csv::read(read_file(path), o);
  };
  const Table ref = read(request.reference);
  const Table cur = read(request.current);
  print_notices(ref.notices);
  print_notices(cur.notices);
  const scoring::MonitorReport rep = scoring::monitor(ref, cur, m ? &*m : nullptr, model_name);
  const nlohmann::json doc = api::drift_json(rep, ref, cur, m ? &*m : nullptr, model_name);
  if (request.json) {
    std::cout << json_dump(doc);
  } else {
    std::printf("%-28s %-9s %8s %8s %10s  %s\n", "column", "type", "PSI", "KS", "KS p", "drift");
    for (const auto& j : doc.at("columns")) {
      const std::string sev = j.at("severity").get<std::string>();
      const std::string reason = j.at("reason").get<std::string>();
      std::printf("%-28s %-9s %8s %8s %10s  %s%s%s\n", j.at("column").get<std::string>().c_str(),
                  j.at("type").is_string() ? j.at("type").get<std::string>().c_str() : "", fmt(num(j, "psi")).c_str(),
                  fmt(num(j, "ks")).c_str(), fmt(num(j, "ks_p_value"), "%.2g").c_str(), sev.c_str(),
                  reason.empty() ? "" : ": ", reason.c_str());
    }
    const auto& check = doc.at("model_check");
    if (!check.is_null())
      std::printf("\n%s on %s: ROC-AUC %s (cross-validated %s)%s\n", model_name.c_str(), cur.source.c_str(),
                  fmt(num(check, "roc_auc")).c_str(), fmt(num(check, "cv_roc_auc")).c_str(),
                  rep.degraded                                  ? ": degraded, retrain"
                  : rep.labelled_rows < scoring::kMinDriftRows ? " on too few labelled rows to judge"
                                                                : "");
    if (!check.is_null()) {
      if (rep.shared_rows > 0)
        std::printf("%zu of %zu labelled rows of %s are also in %s%s; on the %zu others: ROC-AUC %s\n",
                    rep.shared_rows, rep.labelled_rows, cur.source.c_str(), ref.source.c_str(),
                    rep.in_sample ? " (if the model was trained on it, the ROC-AUC above is in-sample: judged on the others)"
                                  : "",
                    rep.new_rows, fmt(num(check, "new_roc_auc")).c_str());
      if (std::isfinite(rep.current_rate) && std::isfinite(rep.reference_rate))
        std::printf("outcome rate %.1f%% in %s, %.1f%% in %s\n", 100 * rep.current_rate, cur.source.c_str(),
                    100 * rep.reference_rate, ref.source.c_str());
    }
    if (rep.too_few) std::printf("\n%s\n", rep.note.c_str());
    else std::printf("\n%zu columns with major drift, %zu with moderate drift\n", rep.major, rep.moderate);
  }
  if (rep.too_few) std::fprintf(stderr, "note: %s\n", rep.note.c_str());
  return rep.alert ? 3 : 0;
}

}  // namespace fc::cli
