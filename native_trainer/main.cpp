// funnelcast: the native trainer CLI. Exit codes: 0 success, 2 bad input or
// usage (message on stderr), 1 internal error.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"

namespace {

const char* kUsage =
    "funnelcast " FC_VERSION " - forecasts, KPIs and anomalies from marketing CSV exports\n"
    "\n"
    "usage: funnelcast COMMAND [options]     (funnelcast COMMAND --help for details)\n"
    "\n"
    "commands:\n"
    "  demo-data        write realistic synthetic marketing data (hourly series, a lead table)\n"
    "  kpi              leads, spend, revenue, CPL, ROI, conversion: the last window against the one before\n"
    "  anomalies        intervals whose CPL (or another KPI) is far from its trailing baseline\n"
    "  monitor          every KPI and channel at once: incidents, what moved and why\n"
    "  train forecast   cross-validate forecasters on an hourly CSV and save the best as a model file\n"
    "  forecast         forecast the next hours with a model file\n"
    "  train score      learn which leads convert from a table of past leads with a yes/no outcome\n"
    "  score            score new leads with a scoring model: probability, decision, reasons\n"
    "  drift            compare a new table of leads with the one a model was trained on\n"
    "  runs             the training runs logged beside the models, best first\n"
    "  import           an XGBoost model (JSON) as a funnelcast scoring model\n"
    "  inspect          print a model file's header as JSON\n"
    "\n"
    "a first run:\n"
    "  funnelcast demo-data --out demo\n"
    "  funnelcast train forecast --data demo/hourly.csv --out demo/forecast.fcm\n"
    "  funnelcast forecast --model demo/forecast.fcm --data demo/hourly.csv --out demo/forecast.csv\n"
    "  funnelcast train score --data demo/leads.csv --target converted --out demo/leads.fcm\n"
    "  funnelcast score --model demo/leads.fcm --data demo/leads.csv --explain 3 --out demo/scores.csv\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace fc::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::puts("funnelcast " FC_VERSION);
    return 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "demo-data") return run_demo_data(argc, argv, 2);
    if (command == "train") {
      const std::string kind = argc > 2 ? argv[2] : "";
      if (kind == "forecast") return run_train_forecast(argc, argv, 3);
      if (kind == "score") return run_train_score(argc, argv, 3);
      if (kind == "--help" || kind == "-h") {
        std::puts("usage: funnelcast train forecast ... | funnelcast train score ...\n"
                  "(funnelcast train forecast --help, funnelcast train score --help)");
        return 0;
      }
      throw UsageError{kind.empty() ? "what to train? funnelcast train forecast ... or funnelcast train score ..."
                                    : "unknown model kind '" + kind + "' (available: forecast, score)"};
    }
    if (command == "score") return run_score(argc, argv, 2);
    if (command == "drift") return run_drift(argc, argv, 2);
    if (command == "runs") return run_runs(argc, argv, 2);
    if (command == "forecast") return run_forecast(argc, argv, 2);
    if (command == "kpi") return run_kpi(argc, argv, 2);
    if (command == "anomalies") return run_anomalies(argc, argv, 2);
    if (command == "monitor") return run_monitor(argc, argv, 2);
    if (command == "inspect") return run_inspect(argc, argv, 2);
    if (command == "import") return run_import(argc, argv, 2);
    std::fprintf(stderr, "funnelcast: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "funnelcast %s: %s (see funnelcast %s --help)\n", command.c_str(),
                 e.message.c_str(), command.c_str());
    return 2;
  } catch (const fc::Error& e) {
    std::fprintf(stderr, "funnelcast %s: error: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "funnelcast %s: internal error: out of memory\n", command.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "funnelcast %s: internal error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
