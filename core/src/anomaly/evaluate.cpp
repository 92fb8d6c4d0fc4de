// Truth files and the two scoring rules. The window score follows NAB's sweeper
// (github.com/numenta/NAB, nab/sweeper.py) for a fixed threshold: windows and positions
// are counted in rows (intervals with data), as NAB counts rows of its files.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include "funnelcast/anomaly/evaluate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/json.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::anomaly {
namespace {

constexpr double kFpWeight = 0.11;  // NAB standard profile
constexpr double kTpWeight = 1.0;
constexpr double kFnWeight = 1.0;

int64_t stamp(const std::string& text, const std::string& source) {
  int64_t t = 0;
  if (!time::parse_timestamp(text, t)) throw Error(source + ": '" + text + "' is not a timestamp");
  return t;
}

void read_json_list(const nlohmann::json& list, const std::string& source, Truth& out) {
  if (!list.is_array())
    throw Error(source + ": expected a list of timestamps or of [start, end] pairs");
  for (const auto& e : list) {
    if (e.is_string()) {
      out.points.push_back(stamp(e.get<std::string>(), source));
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      Window w{stamp(e[0].get<std::string>(), source), stamp(e[1].get<std::string>(), source)};
      if (w.end < w.start) throw Error(source + ": a window ends before it starts: " + e.dump());
      out.windows.push_back(w);
    } else {
      throw Error(source + ": expected a timestamp or a [start, end] pair, found " + e.dump());
    }
  }
}

std::vector<std::string> path_parts(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/' || c == '\\') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// How many trailing path components two paths share.
size_t shared_suffix(const std::string& a, const std::string& b) {
  const auto pa = path_parts(a), pb = path_parts(b);
  size_t k = 0;
  while (k < pa.size() && k < pb.size() && pa[pa.size() - 1 - k] == pb[pb.size() - 1 - k]) ++k;
  return k;
}

// The scaled sigmoid of NAB: 2 / (1 + e^(5x)) - 1, and -1 well past a window.
double scaled_sigmoid(double x) {
  return x > 3 ? -1.0 : 2 / (1 + std::exp(5 * x)) - 1;
}

struct Range {
  size_t first, last;  // inclusive indices
};

}  // namespace

Truth read_truth(const std::string& bytes, const std::string& source,
                 const std::string& data_name) {
  Truth out;
  size_t i = 0;
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB && static_cast<unsigned char>(bytes[2]) == 0xBF)
    i = 3;  // BOM
  const size_t bom = i;
  while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i < bytes.size() && (bytes[i] == '{' || bytes[i] == '[')) {
    // Truth files are small; the limits keep a hostile one from exhausting memory or stack.
    json::Limits limits;
    limits.max_bytes = size_t{64} << 20;
    const nlohmann::json j = json::parse(std::string_view(bytes).substr(bom), source, limits);
    if (j.is_object()) {
      const nlohmann::json* best = nullptr;
      size_t best_k = 0;
      std::string keys;
      for (auto it = j.begin(); it != j.end(); ++it) {
        const size_t k = shared_suffix(it.key(), data_name);
        if (k > best_k) {
          best_k = k;
          best = &it.value();
        }
        if (keys.size() < 200) keys += (keys.empty() ? "" : ", ") + it.key();
      }
      if (!best)
        throw Error(source + " has no entry for " + data_name + " (entries: " + keys + ")");
      read_json_list(*best, source, out);
    } else {
      read_json_list(j, source, out);
    }
  } else {
    csv::Options o;
    o.source = source;
    const Table t = csv::read(bytes, o);
    const int s = t.find("start"), e = t.find("end");
    const int ch = t.find("channel");
    const Column* chc = ch >= 0 ? &t.columns[static_cast<size_t>(ch)] : nullptr;
    const auto channel_of = [&](size_t r) {
      std::string name = chc->is_missing(r) ? std::string() : chc->text(r);
      if (!name.empty() &&
          std::find(out.channels.begin(), out.channels.end(), name) == out.channels.end())
        out.channels.push_back(name);
      return name;
    };
    if (s >= 0 && e >= 0) {
      const Column& cs = t.columns[static_cast<size_t>(s)];
      const Column& ce = t.columns[static_cast<size_t>(e)];
      if (cs.type != ColumnType::kTimestamp || ce.type != ColumnType::kTimestamp)
        throw Error(source + ": columns 'start' and 'end' must hold timestamps");
      for (size_t r = 0; r < t.rows; ++r) {
        if (cs.times[r] == kMissingTime || ce.times[r] == kMissingTime)
          throw Error(source + ": line " + std::to_string(t.line(r)) +
                      ": a window needs a start and an end");
        if (ce.times[r] < cs.times[r])
          throw Error(source + ": line " + std::to_string(t.line(r)) +
                      ": the window ends before it starts");
        out.windows.push_back({cs.times[r], ce.times[r]});
        if (chc) out.window_channels.push_back(channel_of(r));
      }
    } else {
      const Column* tc = nullptr;
      for (const char* name : {"timestamp", "time"}) {
        const int k = t.find(name);
        if (k >= 0 && t.columns[static_cast<size_t>(k)].type == ColumnType::kTimestamp) {
          tc = &t.columns[static_cast<size_t>(k)];
          break;
        }
      }
      for (const auto& c : t.columns)
        if (!tc && c.type == ColumnType::kTimestamp) tc = &c;
      if (!tc)
        throw Error(
            source +
            ": no timestamp column (expected 'timestamp', or 'start' and 'end' for windows)");
      for (size_t r = 0; r < t.rows; ++r) {
        if (tc->times[r] == kMissingTime) continue;
        out.points.push_back(tc->times[r]);
        if (chc) out.point_channels.push_back(channel_of(r));
      }
    }
  }
  if (out.empty()) throw Error(source + ": no labelled anomalies in it");
  return out;
}

namespace {

bool same_name(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(a[k])) !=
        std::tolower(static_cast<unsigned char>(b[k])))
      return false;
  return true;
}

// Whether the k-th window or point counts for `channel` ("" = the total: every row does).
bool counts(const std::vector<std::string>& channels, size_t k, const std::string& channel) {
  if (channels.empty() || channel.empty()) return true;
  return channels[k].empty() || same_name(channels[k], channel);
}

// Sorted by start; ranges that overlap become one.
std::vector<Range> merged(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.first != b.first ? a.first < b.first : a.last < b.last;
  });
  std::vector<Range> out;
  for (const Range& g : ranges) {
    if (!out.empty() && g.first <= out.back().last) {
      out.back().last = std::max(out.back().last, g.last);
    } else {
      out.push_back(g);
    }
  }
  return out;
}

// The labelled incidents inside the checked period [from, n), as index ranges: the given
// windows (the intervals overlapping them) and the labelled points merged into runs of
// consecutive intervals, each for `channel`.
struct Incidents {
  std::vector<Range> given;  // from windows
  std::vector<Range> runs;   // from points
  std::vector<Range> all;    // both, overlapping ones merged: what the events count
};

Incidents incidents_of(const Result& r, const Truth& truth, const std::string& channel) {
  const size_t n = r.size(), from = r.checked_from;
  const auto index_of = [&](int64_t t) -> int64_t { return time::floor_div(t - r.start, r.step); };
  Incidents out;
  for (size_t k = 0; k < truth.windows.size(); ++k) {
    if (!counts(truth.window_channels, k, channel)) continue;
    const Window& w = truth.windows[k];
    int64_t a = index_of(w.start), b = index_of(w.end);
    a = std::max<int64_t>(a, static_cast<int64_t>(from));
    b = std::min<int64_t>(b, static_cast<int64_t>(n) - 1);
    if (a > b) continue;
    out.given.push_back({static_cast<size_t>(a), static_cast<size_t>(b)});
  }
  out.given = merged(out.given);
  std::vector<int64_t> idx;
  for (size_t k = 0; k < truth.points.size(); ++k) {
    if (!counts(truth.point_channels, k, channel)) continue;
    const int64_t i = index_of(truth.points[k]);
    if (i >= static_cast<int64_t>(from) && i < static_cast<int64_t>(n)) idx.push_back(i);
  }
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  for (int64_t i : idx) {
    if (!out.runs.empty() && static_cast<int64_t>(out.runs.back().last) + 1 == i) {
      out.runs.back().last = static_cast<size_t>(i);
    } else {
      out.runs.push_back({static_cast<size_t>(i), static_cast<size_t>(i)});
    }
  }
  std::vector<Range> all = out.given;
  all.insert(all.end(), out.runs.begin(), out.runs.end());
  out.all = merged(all);
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& x : names) {
    if (s.size() > 200) return s + ", ...";
    s += (s.empty() ? "" : ", ") + x;
  }
  return s;
}

// What the evaluation did with the truth file's channel column.
void channel_notes(const Truth& truth, const std::string& channel, int64_t step, Evaluation& ev) {
  const std::string unit = step == 3600 ? "hour" : "interval";
  if (truth.has_channels() && channel.empty()) {
    ev.notes.push_back("the truth file has a channel column (" + joined(truth.channels) +
                       "): for the total, incidents are counted per " + unit +
                       " across channels (an " + unit +
                       " hit on several channels is one incident); "
                       "choose a channel to score its incidents only");
  } else if (truth.has_channels()) {
    const bool named = std::any_of(truth.channels.begin(), truth.channels.end(),
                                   [&](const std::string& c) { return same_name(c, channel); });
    if (named) {
      ev.notes.push_back("the truth file has a channel column: only the incidents of channel '" +
                         channel + "' (and rows without a channel) are counted");
    } else {
      ev.notes.push_back("the truth file names no incidents for channel '" + channel +
                         "' (its channels: " + joined(truth.channels) +
                         "); only rows without a channel are counted");
    }
  } else if (!channel.empty()) {
    ev.notes.push_back(
        "the truth file has no channel column: all of its incidents are counted for channel '" +
        channel + "'");
  }
}

// Event level: detected incidents and their delay, alerts (runs of flags) and true alerts,
// precision, recall, F1.
void score_events(const Result& r, const std::vector<Range>& incidents, Evaluation& ev) {
  const size_t n = r.size();
  ev.events = incidents.size();
  double delay_sum = 0;
  for (const Range& g : incidents) {
    for (size_t i = g.first; i <= g.last; ++i) {
      if (!r.flagged[i]) continue;
      ++ev.detected;
      delay_sum += static_cast<double>(i - g.first);
      break;
    }
  }
  for (size_t i = r.checked_from; i < n;) {
    if (!r.flagged[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && r.flagged[j + 1]) ++j;
    ++ev.alerts;
    for (const Range& g : incidents) {
      if (g.first <= j && i <= g.last) {
        ++ev.true_alerts;
        break;
      }
    }
    i = j + 1;
  }
  ev.precision =
      ev.alerts ? static_cast<double>(ev.true_alerts) / static_cast<double>(ev.alerts) : kNaN;
  ev.recall = ev.events ? static_cast<double>(ev.detected) / static_cast<double>(ev.events) : kNaN;
  if (ev.events == 0 && ev.alerts == 0) {
    ev.f1 = kNaN;
  } else {
    const double p = std::isnan(ev.precision) ? 0 : ev.precision,
                 q = std::isnan(ev.recall) ? 0 : ev.recall;
    ev.f1 = p + q > 0 ? 2 * p * q / (p + q) : 0;
  }
  ev.delay = ev.detected ? delay_sum / static_cast<double>(ev.detected) : kNaN;
  ev.delay_seconds = ev.delay * static_cast<double>(r.step);
}

// NAB's windows around labelled runs: 10% of the checked intervals divided by the number
// of incidents, centred on the run; overlapping windows merge.
// `count` is the number of incidents the width is shared between (with given windows
// beside the runs, all of them).
std::vector<Range> windows_around(const Result& r, const std::vector<Range>& incidents,
                                  size_t count) {
  const size_t n = r.size(), from = r.checked_from;
  std::vector<Range> windows;
  if (incidents.empty()) return windows;
  const size_t width = std::max<size_t>(
      1, static_cast<size_t>(0.1 * static_cast<double>(n - from) /
                             static_cast<double>(std::max(count, incidents.size()))));
  for (const Range& g : incidents) {
    const size_t len = std::max(width, g.last - g.first + 1);
    const size_t mid2 = g.first + g.last;  // twice the midpoint
    const int64_t a = std::max<int64_t>(
        static_cast<int64_t>(from), static_cast<int64_t>(mid2 / 2) - static_cast<int64_t>(len / 2));
    const int64_t b =
        std::min<int64_t>(static_cast<int64_t>(n) - 1, a + static_cast<int64_t>(len) - 1);
    Range w{static_cast<size_t>(a), static_cast<size_t>(std::max(a, b))};
    w.first = std::min(w.first, g.first);
    w.last = std::max(w.last, g.last);
    if (!windows.empty() && windows.back().last + 1 >= w.first) {
      windows.back().last = std::max(windows.back().last, w.last);
    } else {
      windows.push_back(w);
    }
  }
  return windows;
}

// Windows counted in rows (the checked intervals with data, `rows`), as NAB counts rows of
// its files; windows without a row are dropped.
std::vector<Range> in_rows(const Result& r, const std::vector<Range>& windows,
                           const std::vector<size_t>& row_of, const std::vector<size_t>& rows,
                           Evaluation& ev) {
  std::vector<Range> rw;
  for (const Range& w : windows) {
    size_t a = SIZE_MAX, b = 0;
    for (size_t i = w.first; i <= w.last; ++i) {
      if (row_of[i] == SIZE_MAX) continue;
      a = std::min(a, row_of[i]);
      b = std::max(b, row_of[i]);
    }
    if (a == SIZE_MAX) continue;
    rw.push_back({a, b});
    ev.nab_windows.push_back({r.time(rows[a]), r.time(rows[b])});
  }
  return rw;
}

// The window score (NAB standard profile) over the checked rows.
void score_windows(const Result& r, const Input& in, const std::vector<Range>& windows,
                   Evaluation& ev) {
  const size_t n = r.size();
  std::vector<size_t> row_of(n, SIZE_MAX);
  std::vector<size_t> rows;
  for (size_t i = r.checked_from; i < n; ++i) {
    if (!in.known(i)) continue;
    row_of[i] = rows.size();
    rows.push_back(i);
  }
  std::vector<Range> rw = in_rows(r, windows, row_of, rows, ev);
  const size_t probation = std::min(
      static_cast<size_t>(std::floor(0.15 * static_cast<double>(rows.size()))), size_t{750});
  // A window wholly inside the probationary period is not scored at all, neither missed
  // nor in the null and perfect scores: NAB gives its rows the window name "probationary"
  // and counts only the windows named by scorable rows (Sweeper.calcSweepScore and
  // _prepareScoreByThresholdParts in nab/sweeper.py). A window that reaches past it counts.
  for (size_t k = rw.size(); k-- > 0;) {
    if (rw[k].last >= probation) continue;
    rw.erase(rw.begin() + static_cast<std::ptrdiff_t>(k));
    ev.nab_windows.erase(ev.nab_windows.begin() + static_cast<std::ptrdiff_t>(k));
  }
  const double max_tp = scaled_sigmoid(-1.0);
  std::vector<double> best(rw.size(), kNaN);
  double fp = 0;
  size_t w = 0;       // the next window not yet passed
  int64_t prev = -1;  // the last window passed
  for (size_t k = 0; k < rows.size(); ++k) {
    while (w < rw.size() && rw[w].last < k) prev = static_cast<int64_t>(w++);
    if (!r.flagged[rows[k]] || k < probation) continue;
    if (w < rw.size() && rw[w].first <= k) {
      if (std::isnan(best[w])) {
        const double width = static_cast<double>(rw[w].last - rw[w].first + 1);
        const double pos = -static_cast<double>(rw[w].last - k + 1) / width;
        best[w] = scaled_sigmoid(pos) * kTpWeight / max_tp;
      }
      continue;
    }
    double unweighted = -1.0;
    if (prev >= 0) {
      const Range& pw = rw[static_cast<size_t>(prev)];
      const double width = static_cast<double>(pw.last - pw.first + 1);
      if (width > 1) unweighted = scaled_sigmoid(static_cast<double>(k - pw.last) / (width - 1));
    }
    fp += unweighted * kFpWeight;
    ++ev.window_false_positives;
  }
  double raw = fp;
  for (double b : best) raw += std::isnan(b) ? -kFnWeight : b;
  ev.window_raw = raw;
  ev.window_null = -kFnWeight * static_cast<double>(rw.size());
  ev.window_perfect = kTpWeight * static_cast<double>(rw.size());
  ev.window_score =
      rw.empty() ? kNaN : 100 * (raw - ev.window_null) / (ev.window_perfect - ev.window_null);
}

}  // namespace

Evaluation evaluate(const Result& r, const Input& in, const Truth& truth,
                    const std::string& channel) {
  Evaluation ev;
  channel_notes(truth, channel, r.step, ev);
  if (r.size() == 0 || r.checked_from >= r.size()) return ev;
  const Incidents inc = incidents_of(r, truth, channel);
  for (const Range& g : inc.all) ev.incidents.push_back({r.time(g.first), r.time(g.last)});
  score_events(r, inc.all, ev);
  // Given windows are scored as they are; runs of labelled points get NAB's windows.
  std::vector<Range> windows = windows_around(r, inc.runs, inc.all.size());
  windows.insert(windows.end(), inc.given.begin(), inc.given.end());
  score_windows(r, in, merged(windows), ev);
  return ev;
}

}  // namespace fc::anomaly

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
