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
#include "funnelcast/io/json.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kRunsHelp =
    "usage: funnelcast runs [DIR] [--json]\n"
    "\n"
    "Every `funnelcast train` appends a line to runs.jsonl beside the model it writes: the time,\n"
    "the model and data files with their hashes, the parameters and the cross-validation\n"
    "metrics. This prints them side by side, best first: scoring runs by cross-validated\n"
    "ROC-AUC (higher is better), forecast runs by recursive RMSE (lower is better). DIR is the\n"
    "folder of the models (default: the current folder).\n";

double num(const json::Json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

// The fields the table reads, checked before anything is printed: a line that fails is
// skipped with a note, never half a table and an internal error.
void check_run(const json::Json& r, const std::string& context) {
  using json::Type;
  const json::Json* m = json::field(r, "metrics", Type::kObject, context, "", true);
  json::field(r, "kind", Type::kString, context);
  json::field(r, "model", Type::kString, context);
  json::field(r, "data", Type::kString, context);
  json::field(*m, "selected", Type::kString, context, "metrics");
  if (const json::Json* t = json::field(r, "time", Type::kNumber, context)) {
    const double v = t->get<double>();
    if (!(v >= 0 && v <= 253402300799.0))  // 1970 to the end of year 9999
      throw Error(context + ": field 'time' must be seconds since 1970, found " + t->dump());
  }
}

std::string text_of(const json::Json& r, const char* key) {
  const auto it = r.find(key);
  return it != r.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string when_of(const json::Json& r) {
  const auto it = r.find("time");
  if (it == r.end() || !it->is_number()) return "-";
  return time::format_timestamp(static_cast<int64_t>(it->get<double>()));
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
    std::fputs(kRunsHelp, stdout);
    return 0;
  }
  if (args.positional().size() > 1) throw UsageError{"expected at most one folder"};
  const std::string dir = args.positional().empty() ? "." : args.positional()[0];
  const std::string path = dir + "/runs.jsonl";
  std::ifstream probe(path);
  if (!probe)
    throw Error(path + ": no runs logged here (train a model with --out in this folder first)");
  probe.close();
  std::vector<std::string> skipped;
  std::vector<json::Json> runs;
  for (auto& line : json::read_lines(read_file(path), path, skipped, check_run))
    runs.push_back(std::move(line.value));
  for (const auto& note : skipped)
    std::fprintf(stderr, "note: %s; the line is skipped\n", note.c_str());
  if (args.has("json")) {
    std::printf("%s", json_dump(runs).c_str());
    return 0;
  }
  for (const char* kind : {"score", "forecast"}) {
    std::vector<json::Json> these;
    for (const auto& r : runs)
      if (text_of(r, "kind") == kind) these.push_back(r);
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
      const std::string when = when_of(r);
      if (score)
        std::printf("  %-19s %-18s %-20s %8s %8s %8s %8s\n", when.c_str(),
                    text_of(r, "model").c_str(), text_of(r, "data").c_str(),
                    fmt(num(m, "roc_auc")).c_str(), fmt(num(m, "pr_auc")).c_str(),
                    fmt(num(m, "logloss")).c_str(), fmt(num(m, "f1")).c_str());
      else
        std::printf("  %-19s %-18s %-20s %-15s %8s %8s\n", when.c_str(),
                    text_of(r, "model").c_str(), text_of(r, "data").c_str(),
                    text_of(m, "selected").c_str(), fmt(num(m, "recursive_rmse")).c_str(),
                    fmt(num(m, "recursive_mae")).c_str());
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace fc::cli
