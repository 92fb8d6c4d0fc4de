// Scoring a detector against known anomalies: event-level precision, recall, F1 and
// detection delay, and a window score in the style of the Numenta Anomaly Benchmark
// (NAB, standard profile); evaluate() states both rules.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"

namespace fc::anomaly {

struct Window {
  int64_t start = 0, end = 0;  // epoch seconds, both inclusive
};

struct Truth {
  std::vector<Window> windows;  // labelled incidents (start/end given)
  std::vector<int64_t> points;  // labelled timestamps (runs of consecutive intervals merge)
  bool empty() const { return windows.empty() && points.empty(); }
};

// Known anomalies from a file's bytes:
// - CSV with `start` and `end` columns: windows; otherwise the first timestamp column (or a
//   column named timestamp/time): labelled intervals (other columns, e.g. channel, ignored).
// - JSON as in NAB's labels: an array of timestamps, an array of [start, end] pairs, or an
//   object of such arrays keyed by data file, where the key that ends with `data_name`'s
//   last path components is used (combined_windows.json / combined_labels.json).
// fc::Error naming `source` on anything else, or when no key matches.
Truth read_truth(const std::string& bytes, const std::string& source, const std::string& data_name);

struct Evaluation {
  size_t events = 0;                         // labelled incidents inside the checked period
  size_t detected = 0;                       // incidents with a flag inside them
  size_t alerts = 0;                         // runs of consecutive flagged intervals
  size_t true_alerts = 0;                    // alerts that overlap an incident
  double precision = 0, recall = 0, f1 = 0;  // NaN when undefined (no alerts; no events)
  double delay = 0;  // mean steps from an incident's start to its first flag (NaN if none)
  double delay_seconds = 0;
  // NAB standard profile (A_TP 1, A_FP 0.11, A_FN 1): raw score, the never-flagging
  // detector's (-incidents) and the perfect one's (+incidents), and
  // window_score = 100 (raw - null) / (perfect - null).
  double window_score = 0, window_raw = 0, window_null = 0, window_perfect = 0;
  size_t window_false_positives = 0;
  std::vector<Window> incidents;    // as scored (event windows)
  std::vector<Window> nab_windows;  // as used by the window score
};

// Scored over the result's checked period (from checked_from).
// - Incidents: the given windows; labelled points merged into runs of consecutive
//   intervals. An alert is true when it overlaps an incident; an incident is detected
//   when a flag falls inside it.
// - Window score: given windows are used as they are; around labelled runs, NAB's windows
//   are built (10% of the checked intervals divided by the number of incidents, centred
//   on the run; overlapping windows merge). Rows are the checked intervals with data; the
//   first 15% of them (at most 750) are a probation period whose flags are ignored. In a
//   window, the first flag earns sigma(-(right - i + 1) / width) / sigma(-1), with
//   sigma(x) = 2 / (1 + e^(5x)) - 1, and later flags in it nothing; a window without a
//   flag costs 1; a flag outside windows costs 0.11 sigma((i - right) / (width - 1)) after
//   a window (less right after it) or 0.11 before any.
Evaluation evaluate(const Result& result, const Input& input, const Truth& truth);

}  // namespace fc::anomaly
