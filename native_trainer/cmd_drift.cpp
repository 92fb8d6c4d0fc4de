// funnelcast drift: has the population of leads moved since the model was trained, and
// does the model still rank them as well? Exit code 3 when it has, for cron and CI.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/drift/drift.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/score.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::cli {

namespace {
// A model whose ROC-AUC on new, labelled leads falls this far below its cross-validated
// ROC-AUC has degraded: retrain it.
constexpr double kAucDrop = 0.05;

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
  std::string model_name;
  if (args.has("model")) {
    model_name = base_name(args.get("model"));
    m = model::load(read_file(args.get("model")), model_name);
    if (m->header.kind != "score")
      throw Error(model_name + " is a " + m->header.kind + " model; drift compares the inputs of a scoring model");
  }
  // The columns to compare: the model's inputs, or every column the two files share.
  std::vector<std::string> columns;
  if (m) {
    for (const auto& f : m->header.score->features)
      if (std::find(columns.begin(), columns.end(), f.column) == columns.end()) columns.push_back(f.column);
    std::string absent;
    for (const auto& c : columns)
      for (const Table* t : {&ref, &cur})
        if (t->find(c) < 0) absent += (absent.empty() ? "" : "; ") + t->source + " has no column '" + c + "'";
    if (!absent.empty()) throw Error(absent + " (an input of " + model_name + ")");
  } else {
    for (const auto& c : ref.columns)
      if (cur.find(c.name) >= 0) columns.push_back(c.name);
    if (columns.empty()) throw Error(ref.source + " and " + cur.source + " share no column");
  }

  nlohmann::json list = nlohmann::json::array();
  size_t major = 0, moderate = 0;
  for (const auto& name : columns) {
    const Column& a = ref.columns[static_cast<size_t>(ref.find(name))];
    const Column& b = cur.columns[static_cast<size_t>(cur.find(name))];
    nlohmann::json j = {{"column", name}};
    if (a.type == ColumnType::kTimestamp || b.type == ColumnType::kTimestamp) {
      if (a.type != b.type) {
        j["severity"] = "major";
        j["reason"] = std::string("was ") + to_string(a.type) + ", now " + to_string(b.type);
        ++major;
      } else {
        j["severity"] = "none";
        j["reason"] = "timestamps are not compared";
      }
      list.push_back(j);
      continue;
    }
    if (a.type != b.type) {
      j["severity"] = "major";
      j["reason"] = std::string("was ") + to_string(a.type) + ", now " + to_string(b.type);
      ++major;
      list.push_back(j);
      continue;
    }
    if (!m && a.type == ColumnType::kCategory && ref.rows >= 50) {
      // Identifiers (a distinct value on nearly every row) always look new: not compared.
      std::vector<uint8_t> seen(a.levels.size(), 0);
      size_t distinct = 0, present = 0;
      for (size_t r = 0; r < ref.rows; ++r) {
        if (a.codes[r] == kMissingCode) continue;
        ++present;
        uint8_t& s = seen[static_cast<size_t>(a.codes[r])];
        if (!s) {
          s = 1;
          ++distinct;
        }
      }
      if (present && distinct >= 0.9 * static_cast<double>(present)) {
        j["severity"] = "none";
        j["reason"] = "an identifier (a distinct value on nearly every row): not compared";
        list.push_back(j);
        continue;
      }
    }
    const drift::ColumnDrift d = drift::column_drift(a, b);
    j["type"] = d.categorical ? "category" : "number";
    j["psi"] = number_or_null(d.psi.value);
    if (!d.categorical) {
      j["ks"] = number_or_null(d.ks.statistic);
      j["ks_p_value"] = number_or_null(d.ks.p_value);
    }
    j["missing_reference"] = d.missing_reference;
    j["missing_current"] = d.missing_current;
    j["severity"] = drift::to_string(d.severity);
    j["reason"] = d.reason;
    major += d.severity == drift::Severity::kMajor;
    moderate += d.severity == drift::Severity::kModerate;
    list.push_back(j);
  }

  nlohmann::json model_json = nullptr;
  bool degraded = false;
  if (m && cur.find(m->header.score->target) >= 0) {
    const auto& s = *m->header.score;
    const scoring::Target t = scoring::read_target(cur, s.target, s.positive);
    scoring::ScoreOptions o;
    o.model_name = model_name;
    const scoring::Scores sc = scoring::score(*m, cur, o);
    std::vector<double> y, p;
    for (size_t r = 0; r < cur.rows; ++r)
      if (!std::isnan(t.y[r])) {
        y.push_back(t.y[r]);
        p.push_back(sc.probability[r]);
      }
    const double auc = metrics::roc_auc(y, p);
    const double cv = s.folds > 0 ? s.cv.at("roc_auc").mean : std::nan("");
    degraded = std::isfinite(cv) && std::isfinite(auc) && auc < cv - kAucDrop;
    model_json = {{"roc_auc", number_or_null(auc)}, {"cv_roc_auc", number_or_null(cv)},
                  {"rows", y.size()}, {"degraded", degraded}};
  }
  const bool alert = major > 0 || degraded;
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
