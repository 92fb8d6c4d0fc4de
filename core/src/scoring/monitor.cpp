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

}  // namespace

MonitorReport monitor(const Table& ref, const Table& cur, const model::Model* m, const std::string& model_name) {
  if (m && (m->header.kind != "score" || !m->header.score))
    throw Error(model_name + " is a " + m->header.kind + " model; drift compares the inputs of a scoring model");
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
  MonitorReport out;
  for (const auto& name : columns) {
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
    } else if (!m && identifier(a, ref.rows)) {
      c.reason = "an identifier (a distinct value on nearly every row): not compared";
    } else {
      c.drift = drift::column_drift(a, b);
      c.compared = true;
      c.type = c.drift.categorical ? "category" : "number";
      c.severity = drift::to_string(c.drift.severity);
      c.reason = c.drift.reason;
    }
    out.major += c.severity == "major";
    out.moderate += c.severity == "moderate";
    out.columns.push_back(std::move(c));
  }
  if (m && m->header.score->output == "probability" && cur.find(m->header.score->target) >= 0) {
    const auto& s = *m->header.score;
    const Target t = read_target(cur, s.target, s.positive);
    ScoreOptions o;
    o.model_name = model_name;
    const Scores sc = score(*m, cur, o);
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
    out.degraded = std::isfinite(out.cv_roc_auc) && std::isfinite(out.roc_auc) && out.roc_auc < out.cv_roc_auc - kDegradedAucDrop;
  }
  out.alert = out.major > 0 || out.degraded;
  return out;
}

}  // namespace fc::scoring
