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
    "  demo-data        write realistic synthetic hourly marketing data to a folder\n"
    "  train forecast   cross-validate forecasters on an hourly CSV and save the best as a model file\n"
    "  forecast         forecast the next hours (default 168) with a model file\n"
    "  kpi              leads, spend, revenue, CPL and ROI: the last window against the one before\n"
    "  anomalies        hours whose CPL (or another KPI) is far from its trailing baseline\n"
    "  inspect          print a model file's header as JSON\n"
    "\n"
    "a first run:\n"
    "  funnelcast demo-data --out demo\n"
    "  funnelcast train forecast --data demo/hourly.csv --out demo/forecast.fcm\n"
    "  funnelcast forecast --model demo/forecast.fcm --data demo/hourly.csv --out demo/forecast.csv\n";

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
    if (command == "train") return run_train(argc, argv, 2);
    if (command == "forecast") return run_forecast(argc, argv, 2);
    if (command == "kpi") return run_kpi(argc, argv, 2);
    if (command == "anomalies") return run_anomalies(argc, argv, 2);
    if (command == "inspect") return run_inspect(argc, argv, 2);
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
