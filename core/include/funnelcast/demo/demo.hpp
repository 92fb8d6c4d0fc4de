// Realistic synthetic hourly marketing data, deterministic by seed: daily and
// weekly seasonality, trend, holidays, spend that drives leads with diminishing
// returns, revenue per lead, several channels and a few injected CPL anomalies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fc::demo {

struct Options {
  uint64_t seed = 1;
  int days = 730;
  int64_t start = 1672531200;  // 2023-01-01 00:00 UTC; rounded down to midnight UTC
  int anomalies = 6;           // spread over the last 60 days (at most one a day)
};

struct AnomalyTruth {
  int64_t time;         // hour start, epoch seconds
  std::string channel;
  std::string kind;     // "cpl_spike": search spend x4-6 and its leads x0.3 (a runaway bid);
                        // "leads_collapse": every channel's leads x0.15-0.3 (a broken form)
};

struct Data {
  std::string hourly_csv;  // timestamp,channel,leads,spend,revenue (one row per hour and channel)
  std::vector<AnomalyTruth> anomalies;
  std::string anomalies_csv;  // timestamp,channel,kind
};

// Byte-identical for the same options on every platform (native and wasm). Anomalies
// fall in business hours (09:00-18:00 UTC), 1-3 hours each. fc::Error for days outside
// 1..3660 or more anomalies than days in the anomaly window.
Data generate(const Options& options);

}  // namespace fc::demo
