// libFuzzer target for truth files (anomalies --truth): anomaly::read_truth on CSV and JSON
// bytes, then evaluate() for the total and for two channels. Built by the sanitizer build
// (scripts/sanitize.sh) and run by bench/fuzz/run.sh (target `truth`).
// The invariant: read_truth returns labels or throws fc::Error; evaluate() then counts at
// most as many detected incidents as incidents and true alerts as alerts, and its
// incidents are in time order without overlaps. Anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "funnelcast/anomaly/evaluate.hpp"
#include "funnelcast/base/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fc::anomaly::Truth truth;
  try {
    truth = fc::anomaly::read_truth(bytes, "truth", "/data/nab/hourly.csv");
  } catch (const fc::Error&) {
    return 0;
  }
  constexpr size_t kHours = 72;
  fc::anomaly::Result r;
  r.start = 1704067200;  // 2024-01-01
  r.step = 3600;
  r.value.assign(kHours, 1.0);
  r.score.assign(kHours, 0.5);
  r.flagged.assign(kHours, 0);
  for (size_t i = 0; i < kHours; i += 5) r.flagged[i] = 1;
  fc::anomaly::Input in;
  in.start = r.start;
  in.value.assign(kHours, 1.0);
  for (const char* channel : {"", "search", "email"}) {
    const fc::anomaly::Evaluation e = fc::anomaly::evaluate(r, in, truth, channel);
    if (e.detected > e.events || e.true_alerts > e.alerts || e.incidents.size() != e.events)
      std::abort();
    for (size_t k = 1; k < e.incidents.size(); ++k)
      if (e.incidents[k - 1].end >= e.incidents[k].start) std::abort();
  }
  return 0;
}
