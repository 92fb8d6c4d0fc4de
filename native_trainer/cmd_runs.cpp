// funnelcast runs: the training runs logged beside the models, side by side, best first.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast runs [DIR] [--json]\n"
    "\n"
    "Every `funnelcast train` appends a line to runs.jsonl beside the model it writes: the time,\n"
    "the model and data files with their hashes, the parameters and the cross-validation\n"
    "metrics. This prints them side by side, best first: scoring runs by cross-validated\n"
    "ROC-AUC (higher is better), forecast runs by recursive RMSE (lower is better). DIR is the\n"
    "folder of the models (default: the current folder).\n";

double num(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

std::string fmt(double v) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}

}  // namespace

int run_runs(int argc, char** argv, int first) {
  Args args(argc, argv, first, {}, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional().size() > 1) throw UsageError{"expected at most one folder"};
  const std::string dir = args.positional().empty() ? "." : args.positional()[0];
  const std::string path = dir + "/runs.jsonl";
  std::ifstream in(path);
  if (!in) throw Error(path + ": no runs logged here (train a model with --out in this folder first)");
  std::vector<nlohmann::json> runs;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      runs.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      throw Error(path + ": line " + std::to_string(number) + " is not a JSON object (the file was edited or cut)");
    }
  }
  if (args.has("json")) {
    std::printf("%s", json_dump(runs).c_str());
    return 0;
  }
  for (const char* kind : {"score", "forecast"}) {
    std::vector<nlohmann::json> these;
    for (const auto& r : runs)
      if (r.value("kind", "") == kind) these.push_back(r);
    if (these.empty()) continue;
    const bool score = std::string(kind) == "score";
    std::stable_sort(these.begin(), these.end(), [&](const auto& a, const auto& b) {
      const double x = num(a.at("metrics"), score ? "roc_auc" : "recursive_rmse");
      const double y = num(b.at("metrics"), score ? "roc_auc" : "recursive_rmse");
      if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
      return score ? x > y : x < y;
    });
    std::printf("%s runs (best first)\n", kind);
    if (score)
      std::printf("  %-19s %-18s %-20s %8s %8s %8s %8s\n", "time", "model", "data", "ROC-AUC", "PR-AUC", "log-loss", "F1");
    else
      std::printf("  %-19s %-18s %-20s %-15s %8s %8s\n", "time", "model", "data", "selected", "RMSE", "MAE");
    for (const auto& r : these) {
      const auto& m = r.at("metrics");
      const std::string when = time::format_timestamp(r.value("time", 0LL));
      if (score)
        std::printf("  %-19s %-18s %-20s %8s %8s %8s %8s\n", when.c_str(), r.value("model", "").c_str(),
                    r.value("data", "").c_str(), fmt(num(m, "roc_auc")).c_str(), fmt(num(m, "pr_auc")).c_str(),
                    fmt(num(m, "logloss")).c_str(), fmt(num(m, "f1")).c_str());
      else
        std::printf("  %-19s %-18s %-20s %-15s %8s %8s\n", when.c_str(), r.value("model", "").c_str(),
                    r.value("data", "").c_str(), m.value("selected", "").c_str(), fmt(num(m, "recursive_rmse")).c_str(),
                    fmt(num(m, "recursive_mae")).c_str());
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace fc::cli
