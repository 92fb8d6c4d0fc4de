// funnelcast demo-data: synthetic hourly marketing data with known anomalies.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/demo/demo.hpp"
#include "funnelcast/demo/leads.hpp"
#include "funnelcast/base/error.hpp"

namespace fc::cli {

namespace {
const char* kDemoDataHelp =
    "usage: funnelcast demo-data --out DIR [--seed N] [--days 730] [--anomalies 8]\n"
    "\n"
    "Writes realistic synthetic hourly marketing data, the same bytes for the same seed:\n"
    "  DIR/hourly.csv           timestamp,channel,leads,spend,revenue (one row per hour and channel)\n"
    "  DIR/anomalies_truth.csv  the hours and channels of the injected incidents, with their kind\n"
    "  DIR/leads.csv            a table of leads with a yes/no outcome (converted), for train score\n"
    "The data has daily and weekly seasonality, a trend, holidays, spend that drives leads\n"
    "with diminishing returns, revenue per lead and three channels. The incidents take turns:\n"
    "spend_spike (a runaway search bid), leads_collapse (a broken form on every channel),\n"
    "leads_burst (bot leads on social) and tracking_outage (0 leads recorded while spend goes\n"
    "on). Holidays are quiet but are not incidents: anomaly detectors should not flag them.\n"
    "\n"
    "options:\n"
    "  --out DIR        folder to write (created if missing)\n"
    "  --seed N         random seed (default 1)\n"
    "  --days N         length in days (default 730)\n"
    "  --anomalies N    incidents to inject in the last 60 days (default 8)\n"
    "  --leads N        rows of the lead table (default 20000; 0 for none)\n";
}

int run_demo_data(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"out", "seed", "days", "anomalies", "leads"}, {});
  if (args.help()) {
    std::fputs(kDemoDataHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string dir = args.require("out");
  demo::Options o;
  o.seed = static_cast<uint64_t>(args.get_int("seed", 1, 0, 2147483647));
  o.days = args.get_int("days", 730, 14, 3660);
  o.anomalies = args.get_int("anomalies", 8, 0, 100);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create folder (" + ec.message() + ")");
  const demo::Data d = demo::generate(o);
  write_file(dir + "/hourly.csv", d.hourly_csv);
  write_file(dir + "/anomalies_truth.csv", d.anomalies_csv);
  const int lead_rows = args.get_int("leads", 20000, 0, 10'000'000);
  if (lead_rows > 0) {
    demo::LeadsOptions lo;
    lo.seed = o.seed;
    lo.rows = static_cast<size_t>(lead_rows);
    const demo::Leads leads = demo::generate_leads(lo);
    write_file(dir + "/leads.csv", leads.csv);
    std::fprintf(stderr, "wrote %s/leads.csv (%d leads, %.1f%% converted)\n", dir.c_str(), lead_rows,
                 100.0 * static_cast<double>(leads.positives) / lead_rows);
  }
  std::fprintf(stderr, "wrote %s/hourly.csv (%d days, seed %llu) and %s/anomalies_truth.csv (%zu rows)\n",
               dir.c_str(), o.days, static_cast<unsigned long long>(o.seed), dir.c_str(), d.anomalies.size());
  return 0;
}

}  // namespace fc::cli
