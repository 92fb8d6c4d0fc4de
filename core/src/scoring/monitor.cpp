// Drift is judged per column and sized by PSI; KS only raises attention. The model check
// compares like with like: out-of-fold ROC-AUC at training against ROC-AUC on leads the
// model never saw.
#include "funnelcast/scoring/monitor.hpp"

#include <algorithm>
#include <cmath>

#include "funnelcast/base/error.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/scoring/score.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {
namespace {

bool identifier(const Column& c, size_t rows) {
  if (c.type != ColumnType::kCategory || rows < 50) return false;
  std::vector<uint8_t> seen(c.levels.size(), 0);
  size_t distinct = 0, present = 0;
  for (size_t r = 0; r < rows; ++r) {
    if (c.codes[r] == kMissingCode) continue;
    ++present;
    uint8_t& s = seen[static_cast<size_t>(c.codes[r])];
    if (!s) {
      s = 1;
      ++distinct;
    }
  }
  return present && static_cast<double>(distinct) >= 0.9 * static_cast<double>(present);
}

// Numeric PSI bins for the smaller side: one per kRowsPerBin non-missing values, 2 to 10.
size_t bins_for(const Column& a, const Column& b) {
  const auto present = [](const Column& c) {
    size_t n = 0;
    for (double v : c.numbers) n += std::isnan(v) ? 0 : 1;
    return n;
  };
  if (a.type != ColumnType::kNumber) return 10;
  return std::clamp<size_t>(std::min(present(a), present(b)) / kRowsPerBin, 2, 10);
}

// One hash per row over the given columns' text (FNV-1a, a separator between cells), so
// rows of two tables with the same values in those columns get the same hash.
std::vector<uint64_t> row_hashes(const Table& t, const std::vector<std::string>& names) {
  std::vector<const Column*> cols;
  for (const auto& n : names) cols.push_back(&t.columns[static_cast<size_t>(t.find(n))]);
  std::vector<uint64_t> out(t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    uint64_t h = 1469598103934665603ull;
    for (const Column* c : cols) {
      for (unsigned char ch : c->text(r)) h = (h ^ ch) * 1099511628211ull;
      h = (h ^ 0x1f) * 1099511628211ull;
    }
    out[r] = h;
  }
  return out;
}

double positive_rate(const std::vector<double>& y) {
  double pos = 0, n = 0;
  for (double v : y)
    if (!std::isnan(v)) {
      pos += v;
      ++n;
    }
  return n > 0 ? pos / n : std::nan("");
}

// The columns to compare: the model's inputs (fc::Error naming each one a table lacks), or
// without a model every column the two tables share.
std::vector<std::string> columns_to_compare(const Table& ref, const Table& cur,
                                            const model::Model* m, const std::string& model_name) {
  std::vector<std::string> columns;
  if (m) {
    for (const auto& f : m->header.score->features)
      if (std::find(columns.begin(), columns.end(), f.column) == columns.end()) columns.push_back(f.column);
    std::string absent;
    for (const auto& c : columns)
      for (const Table* t : {&ref, &cur})
        if (t->find(c) < 0) absent += (absent.empty() ? "" : "; ") + t->source + " has no column '" + c + "'";
    if (!absent.empty()) throw Error(absent + " (an input of " + model_name + ")");
  } else {
    for (const auto& c : ref.columns)
      if (cur.find(c.name) >= 0) columns.push_back(c.name);
    if (columns.empty()) throw Error(ref.source + " and " + cur.source + " share no column");
  }
  return columns;
}

// One column's drift and its severity: a changed type is major; timestamps and, without a
// model, identifiers are not compared; with too few rows nothing is a verdict.
ColumnReport compare_column(const std::string& name, const Table& ref, const Table& cur,
                            bool with_model, bool too_few) {
  const Column& a = ref.columns[static_cast<size_t>(ref.find(name))];
  const Column& b = cur.columns[static_cast<size_t>(cur.find(name))];
  ColumnReport c;
  c.column = name;
  c.severity = "none";
  if (a.type != b.type) {
    c.severity = "major";
    c.reason = std::string("was ") + to_string(a.type) + ", now " + to_string(b.type);
  } else if (a.type == ColumnType::kTimestamp) {
    c.reason = "timestamps are not compared";
  } else if (!with_model && identifier(a, ref.rows)) {
    c.reason = "an identifier (a distinct value on nearly every row): not compared";
  } else {
    c.drift = drift::column_drift(a, b, {}, bins_for(a, b));
    c.compared = true;
    c.type = c.drift.categorical ? "category" : "number";
    c.severity = drift::to_string(c.drift.severity);
    c.reason = c.drift.reason;
  }
  if (too_few && c.severity != "none") {
    // A type read from a handful of cells (a blank column reads as text) is no verdict either.
    c.severity = "none";
    c.reason = "too few rows to judge" + (c.compared ? std::string() : " (" + c.reason + ")");
  } else if (too_few && c.compared) {
    c.reason = "too few rows to judge";
  }
  return c;
}

// The reference's positive rate, and the ROC-AUC on the labelled current rows the reference
// does not hold (inputs and outcome alike); in_sample when many are shared.
void compare_with_reference(const Table& ref, const Table& cur, const model::ScoreSection& s,
                            std::vector<std::string> keys, const Target& t, const Scores& sc,
                            MonitorReport& out) {
  try {
    out.reference_rate = positive_rate(read_target(ref, s.target, s.positive).y);
  } catch (const Error&) {
    // the reference's outcome cannot be read the model's way: no rate, no overlap
  }
  // Current rows that the reference holds too, inputs and outcome alike.
  keys.push_back(s.target);
  std::vector<uint64_t> seen = row_hashes(ref, keys);
  std::sort(seen.begin(), seen.end());
  const std::vector<uint64_t> mine = row_hashes(cur, keys);
  std::vector<double> ny, np;
  for (size_t r = 0; r < cur.rows; ++r) {
    if (std::isnan(t.y[r])) continue;
    if (std::binary_search(seen.begin(), seen.end(), mine[r])) {
      ++out.shared_rows;
    } else {
      ny.push_back(t.y[r]);
      np.push_back(sc.probability[r]);
    }
  }
  out.new_rows = ny.size();
  const size_t new_positives = static_cast<size_t>(std::count(ny.begin(), ny.end(), 1.0));
  if (new_positives > 0 && new_positives < ny.size()) out.new_roc_auc = metrics::roc_auc(ny, np);
  out.in_sample = out.shared_rows * 10 > out.labelled_rows;
}

// The model check: the ROC-AUC on the labelled current rows against the out-of-fold ROC-AUC
// at training. false (with a note) when the outcome cannot be read and there are too few
// rows to judge anyway; fc::Error when it cannot be read otherwise.
bool check_model(const Table& ref, const Table& cur, const model::Model& m,
                 const std::string& model_name, const std::vector<std::string>& columns,
                 MonitorReport& out) {
  const auto& s = *m.header.score;
  Target t;
  try {
    t = read_target(cur, s.target, s.positive);
  } catch (const Error& e) {
    // One outcome only (a handful of rows, say): no ROC-AUC, said, not an error.
    if (!out.too_few) throw;
    out.no_model_check = e.what();
    out.note += "; no model check: " + out.no_model_check;
    return false;
  }
  ScoreOptions o;
  o.model_name = model_name;
  const Scores sc = score(m, cur, o);
  std::vector<double> y, p;
  for (size_t r = 0; r < cur.rows; ++r)
    if (!std::isnan(t.y[r])) {
      y.push_back(t.y[r]);
      p.push_back(sc.probability[r]);
    }
  out.has_model_check = true;
  out.labelled_rows = y.size();
  out.roc_auc = metrics::roc_auc(y, p);
  out.cv_roc_auc = s.folds > 0 ? s.cv.at("roc_auc").mean : std::nan("");
  out.current_rate = positive_rate(t.y);
  out.reference_rate = std::nan("");
  out.new_roc_auc = std::nan("");
  if (ref.find(s.target) >= 0) compare_with_reference(ref, cur, s, columns, t, sc, out);
  // Judged on the rows the reference does not hold when many are shared.
  const double judged = out.in_sample ? out.new_roc_auc : out.roc_auc;
  const size_t judged_rows = out.in_sample ? out.new_rows : out.labelled_rows;
  out.degraded = std::isfinite(out.cv_roc_auc) && std::isfinite(judged) &&
                 judged < out.cv_roc_auc - kDegradedAucDrop && judged_rows >= kMinDriftRows;
  return true;
}

}  // namespace

MonitorReport monitor(const Table& ref, const Table& cur, const model::Model* m,
                      const std::string& model_name) {
  if (m && (m->header.kind != "score" || !m->header.score))
    throw Error(model_name + " is a " + m->header.kind +
                " model; drift compares the inputs of a scoring model");
  const std::vector<std::string> columns = columns_to_compare(ref, cur, m, model_name);
  MonitorReport out;
  if (ref.rows < kMinDriftRows || cur.rows < kMinDriftRows) {
    out.too_few = true;
    const Table& small = cur.rows < kMinDriftRows ? cur : ref;
    out.note = "too few rows to judge: " + small.source + " has " + std::to_string(small.rows) +
               (small.rows == 1 ? " row" : " rows") + "; drift needs at least " + std::to_string(kMinDriftRows) +
               " on each side (fewer give a large PSI with no drift at all)";
  }
  for (const auto& name : columns) {
    ColumnReport c = compare_column(name, ref, cur, m != nullptr, out.too_few);
    out.major += c.severity == "major";
    out.moderate += c.severity == "moderate";
    out.columns.push_back(std::move(c));
  }
  if (m && m->header.score->output == "probability" && cur.find(m->header.score->target) >= 0) {
    if (!check_model(ref, cur, *m, model_name, columns, out)) {
      out.alert = false;
      return out;
    }
  }
  out.alert = !out.too_few && (out.major > 0 || out.degraded);
  return out;
}

}  // namespace fc::scoring
