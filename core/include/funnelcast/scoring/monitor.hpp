// Monitoring a scoring model: has the population of leads moved since the reference
// table (column by column: KS and PSI for numbers, PSI for categories), and does the model
// still rank labelled new leads as well as cross-validation said it would.
#pragma once
#include <string>
#include <vector>

#include "funnelcast/drift/drift.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::scoring {

// A model whose ROC-AUC on new, labelled leads falls this far below its cross-validated
// ROC-AUC has degraded.
constexpr double kDegradedAucDrop = 0.05;

// Drift needs enough rows on both sides to mean anything. PSI between two samples of one
// population (n and m rows, B bins) is about (B - 1) (1/n + 1/m) (a chi-square over the
// rows), more when bins hold few rows: 50 current rows in 10 bins average 0.23
// (tests/core/drift_sample_test.cpp), above the 0.2 "major" line with no drift at all. Below kMinDriftRows rows on either side the verdict is "too
// few rows to judge": the statistics are shown, no column is flagged, no alert. From there
// on the numeric bins adapt to the smaller side, one bin per kRowsPerBin rows (2 to 10),
// which keeps that no-drift PSI near (B - 1) / (20 B) < 0.05, well below 0.1. A model
// check on fewer labelled rows says its ROC-AUC but never "degraded".
constexpr size_t kMinDriftRows = 100;
constexpr size_t kRowsPerBin = 20;

struct ColumnReport {
  std::string column;
  std::string type;       // "number", "category", or "" when not compared
  drift::ColumnDrift drift;  // valid when compared
  bool compared = false;
  std::string severity;   // "none", "moderate", "major"
  std::string reason;
};

struct MonitorReport {
  std::vector<ColumnReport> columns;
  size_t major = 0, moderate = 0;
  bool has_model_check = false;  // the current table has the model's outcome column
  double roc_auc = 0, cv_roc_auc = 0;
  size_t labelled_rows = 0;
  // Labelled current rows that are also in the reference table (the same values in every
  // input column and the outcome): when the model was trained on the reference, its
  // ROC-AUC on them is in-sample. new_roc_auc is the ROC-AUC on the other labelled rows
  // (NaN when there are none or they hold one outcome); the verdict uses it when shared
  // rows are more than a tenth of the labelled ones.
  size_t shared_rows = 0, new_rows = 0;
  double new_roc_auc = 0;
  bool in_sample = false;
  // The outcome's positive rate in each table (NaN when a table has no outcome column).
  double reference_rate = 0, current_rate = 0;
  bool degraded = false;
  bool too_few = false;          // fewer than kMinDriftRows rows on a side: no verdict
  std::string note;              // why there is no verdict ("" when there is one)
  // Why the current table's outcome column gave no ROC-AUC ("" when it gave one or is absent):
  // too few rows of one outcome only, say.
  std::string no_model_check;
  bool alert = false;            // major drift or degradation
};

// With a model: its input columns (fc::Error naming each that a table lacks) and, when the
// current table has the outcome, the model's ROC-AUC on it. Without: every column the two
// tables share, identifiers (a distinct value on nearly every row) left out.
MonitorReport monitor(const Table& reference, const Table& current, const model::Model* model = nullptr,
                      const std::string& model_name = "the model");

}  // namespace fc::scoring
