// Realistic synthetic hourly marketing data, deterministic by seed: daily and
// weekly seasonality, trend, holidays, spend that drives leads with diminishing
// returns, revenue per lead, several channels and injected incidents of four kinds.
// Holidays are quiet (budgets throttled, fewer forms) but are not incidents: a good
// detector does not flag them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fc::demo {

struct Options {
  uint64_t seed = 1;
  int days = 730;
  int64_t start = 1672531200;  // 2023-01-01 00:00 UTC; rounded down to midnight UTC
  int anomalies = 8;           // incidents spread over the last 60 days (at most one a day)
};

// One hour of one channel hit by an incident. The kinds take turns, so any four incidents
// in a row hold one of each:
//   spend_spike      search spend x3-5 for 2-4 hours, its leads x1-1.3 (a runaway bid)
//   leads_collapse   every channel's leads x0.1-0.3 for 3-6 hours (a broken form)
//   leads_burst      40-80 extra social leads an hour for 2-4 hours, without revenue (bots)
//   tracking_outage  every channel records 0 leads for 4-8 hours while spend and revenue go
//                    on (a conversion tag removed in a deploy)
struct AnomalyTruth {
  int64_t time;         // hour start, epoch seconds
  std::string channel;
  std::string kind;
};

struct Data {
  std::string hourly_csv;  // timestamp,channel,leads,spend,revenue (one row per hour and channel)
  std::vector<AnomalyTruth> anomalies;
  std::string anomalies_csv;  // timestamp,channel,kind
};

// Byte-identical for the same options on every platform (native and wasm). Incidents
// start between 08:00 and 18:00 UTC, never on a holiday. fc::Error for days outside
// 1..3660 or more anomalies than days in the anomaly window.
Data generate(const Options& options);

}  // namespace fc::demo
