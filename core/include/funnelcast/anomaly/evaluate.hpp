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
  // With a channel column (CSV only): the channel of each window and point, parallel to
  // `windows` and `points` ("" = every channel); empty vectors without one.
  std::vector<std::string> window_channels, point_channels;
  std::vector<std::string> channels;  // the distinct channel names in the file, first seen first
  bool has_channels() const { return !window_channels.empty() || !point_channels.empty(); }
  bool empty() const { return windows.empty() && points.empty(); }
};

// Known anomalies from a file's bytes:
// - CSV with `start` and `end` columns: windows; otherwise the first timestamp column (or a
//   column named timestamp/time): labelled intervals. A `channel` column says which channel
//   each row is about (an empty cell: every channel); other columns (e.g. kind) are ignored.
// - JSON as in NAB's labels: an array whose items are timestamps or [start, end] pairs (both
//   may be mixed), or an object of such arrays keyed by data file, where the key that ends
//   with `data_name`'s last path components is used (combined_windows.json /
//   combined_labels.json). Read by the guarded JSON reader (depth 64, size limited).
// fc::Error naming `source` (and the line, column or item) on anything else, or when no key
// matches.
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
  // How the truth file was read for this evaluation (its channel column), one sentence each.
  std::vector<std::string> notes;
};

// Scored over the result's checked period (from checked_from).
// - Channel: when the truth has a channel column, `channel` (the series' channel, "" for
//   the total of all channels) picks its rows: with a channel only that channel's rows
//   (and rows without a channel) count; for the total every row counts, so incidents are
//   per interval across channels (one incident however many channels it hit), said in a
//   note.
// - Incidents: the given windows and the labelled points merged into runs of consecutive
//   intervals; incidents that overlap merge into one. An alert is true when it overlaps an
//   incident; an incident is detected when a flag falls inside it.
// - Window score: given windows are used as they are; around runs of labelled points, NAB's
//   windows are built (10% of the checked intervals divided by the number of incidents, centred
//   on the run; overlapping windows merge). Rows are the checked intervals with data; the
//   first 15% of them (at most 750) are a probation period whose flags are ignored. In a
//   window, the first flag earns sigma(-(right - i + 1) / width) / sigma(-1), with
//   sigma(x) = 2 / (1 + e^(5x)) - 1, and later flags in it nothing; a window without a
//   flag costs 1; a flag outside windows costs 0.11 sigma((i - right) / (width - 1)) after
//   a window (less right after it) or 0.11 before any.
Evaluation evaluate(const Result& result, const Input& input, const Truth& truth,
                    const std::string& channel = "");

}  // namespace fc::anomaly
