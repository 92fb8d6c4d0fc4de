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
  int64_t start = 1672531200;  // 2023-01-01 00:00 UTC
  int anomalies = 6;
};

struct AnomalyTruth {
  int64_t time;         // hour start, epoch seconds
  std::string channel;
  std::string kind;     // "cpl_spike" (spend up, leads down) or "cpl_drop"
};

struct Data {
  std::string hourly_csv;  // timestamp,channel,leads,spend,revenue (one row per hour and channel)
  std::vector<AnomalyTruth> anomalies;
  std::string anomalies_csv;  // timestamp,channel,kind
};

Data generate(const Options& options);

}  // namespace fc::demo
