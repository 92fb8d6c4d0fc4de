// Lead tables for scoring: which column is the outcome and which label counts as the
// positive one, which columns are model inputs (numbers, categories, dates as their
// parts) and which are left out and why, and the one encoder that turns a table into a
// float32 feature matrix for training and for scoring alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/features/features.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/header.hpp"

namespace fc::scoring {

struct ColumnOptions {
  std::string target;             // the outcome column (required)
  std::string positive;           // the positive label; "" = detect (1, yes, true, converted...)
  std::string id;                 // an id column to carry into the scores; "" = detect by name
  std::vector<std::string> drop;  // columns to leave out (e.g. known only after the outcome)
  std::string fold;               // a column whose values name each row's fold ("" = stratified)
};

struct Target {
  std::vector<double> y;  // per table row: 1 positive, 0 negative, NaN missing
  std::string positive, negative;
  size_t positives = 0, negatives = 0, missing = 0;
};

// fc::Error naming the file and column for: an unknown column, one label or more than two,
// two labels neither of which is a known positive (asks for --positive), a --positive label
// that is not in the column.
Target read_target(const Table& table, const std::string& column, const std::string& positive);

struct Inferred {
  model::TableSchema schema;                 // every column with its use
  std::vector<model::ScoreFeature> features;  // model inputs, dictionaries and ranges filled
  std::string id_column;                     // "" = none
  Target target;
  std::vector<std::string> notices;          // what was left out and why
};

// The model inputs of a table. Left out, and said: the target, the id column, columns asked
// to be dropped, constant and empty columns, and text columns with a distinct value on
// (nearly) every row (ids, emails, names). Text columns whose every value is a number
// ("1,234", "$12", "15%") become numbers; timestamps become their month, weekday, day of
// month and (when times vary) hour.
Inferred infer(const Table& table, const ColumnOptions& options);

// The encoded inputs: one float row per table row, in the features' order. Categories are
// their code in the feature's dictionary (NaN = missing or never seen in training).
struct Encoded {
  features::Matrix x;
  std::vector<uint32_t> category_counts;  // per feature: levels of a category, 0 for numbers
  std::vector<size_t> unseen;             // per feature: cells whose category was never seen
  std::vector<size_t> missing;            // per feature: missing cells
  // Numbers: cells beyond the training range by more than a tenth of its width (trees read
  // them as the nearest value they saw), and the farthest such value (NaN when none).
  std::vector<size_t> out_of_range;
  std::vector<double> farthest;
  // Hour features: cells read as unknown because the table's dates have no time of day.
  std::vector<size_t> no_time;
  // Number features written as text in this table ("1,234", "$12", "15%"): how they were read.
  std::vector<std::string> as_text;
};

// fc::Error listing every column the features need that the table lacks (one message), and
// naming the line and column of text where a number is expected.
Encoded encode(const std::vector<model::ScoreFeature>& features, const Table& table,
               const std::string& model_name = "the model");

// How a table to be scored must be read: every column the model takes as a category is
// text, whatever this batch holds (zip codes 02139 and 007 stay as written even when no
// cell of the batch has a letter in it). For csv::Options::text_columns.
std::vector<std::string> text_columns(const std::vector<model::ScoreFeature>& features);

// The cell behind a feature as the user wrote it (a date part as its number), for reasons.
std::string feature_value_text(const model::ScoreFeature& f, const Table& table, size_t row, float code);

}  // namespace fc::scoring
