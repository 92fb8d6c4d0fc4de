#include "funnelcast/api/score.hpp"

#include <charconv>
#include <cstdio>

#include "funnelcast/base/error.hpp"

namespace fc::api {
namespace {

using json = nlohmann::json;



// How a number is written: printf's %.<precision>f or %.<precision>g.
enum class Style { kFixed, kGeneral };

// Appends ",<v>" in that style. Natively through std::to_chars, specified as printf with the
// same conversion and precision (so the same bytes), without snprintf's format parsing and
// locale per number; emscripten 3.1.6's libc++ has no floating-point to_chars.
void append_number(std::string& out, double v, Style style, int precision) {
  char buf[352];  // %.6f of the largest double: 309 digits, the point and 6 decimals
  buf[0] = ',';
#ifndef __EMSCRIPTEN__
  const auto format = style == Style::kFixed ? std::chars_format::fixed : std::chars_format::general;
  out.append(buf, std::to_chars(buf + 1, buf + sizeof buf, v, format, precision).ptr);
#else
  const int n = std::snprintf(buf + 1, sizeof buf - 1, style == Style::kFixed ? "%.*f" : "%.*g", precision, v);
  out.append(buf, static_cast<size_t>(n) + 1);
#endif
}

bool predicts_value(const ScoreRun& run) { return run.scores.output == "value"; }

}  // namespace

const std::vector<Field<ScoreRequest>>& score_fields() {
  using R = ScoreRequest;
  const Edge cli = Edge::kCli, js = Edge::kJs;
  static const std::vector<Field<R>> fields = {
      {option("model", FieldType::kText, "MODEL", "the scoring model (.fcm)").only(cli),
       [](R& r, const json& v) { r.model = v.get<std::string>(); }},
      {option("data", FieldType::kText, "FILE", "the leads to score, one row each").only(cli),
       [](R& r, const json& v) { r.data = v.get<std::string>(); }},
      {option("explain", FieldType::kInteger, "K|all", "the K strongest reasons per lead, or every input ('all', -1)")
           .or_else("0")
           .within(-1, 10000)
           .word("all", -1),
       [](R& r, const json& v) { r.explain = v.get<int>(); }},
      {option("id", FieldType::kText, "COL",
              "the column that names each lead (default: the model's id column, else\nthe line number)"),
       [](R& r, const json& v) { r.id = v.get<std::string>(); }},
      {option("threshold", FieldType::kNumber, "P", "the decision: contact the leads whose probability reaches P")
           .or_else("the model's")
           .within(0, 1),
       [](R& r, const json& v) { r.threshold = v.get<double>(); }},
      {option("csv", FieldType::kFlag, "", "the scores CSV too (what the CLI writes)").only(js),
       [](R& r, const json& v) { r.csv = v.get<bool>(); }},
      {option("rows", FieldType::kIndexes, "ROWS",
              "only these rows of the table (from 0), in this order: ids, scores and reasons\nas a whole-table run gives them")
           .only(js),
       [](R& r, const json& v) { r.rows = v.get<std::vector<uint32_t>>(); }},
      {option("out", FieldType::kText, "FILE.csv", "write the scores there instead of standard output").only(cli),
       [](R& r, const json& v) { r.out = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "JSON (the page's result: every lead's scores and reasons) instead of CSV")
           .only(cli),
       [](R& r, const json& v) { r.json = v.get<bool>(); }},
      {option("log", FieldType::kText, "FILE.jsonl",
              "append this run (time, model hash, input hash, probabilities) for monitoring")
           .only(cli),
       [](R& r, const json& v) { r.log = v.get<std::string>(); }},
      {option("threads", FieldType::kInteger, "N", "threads for the predictions and explanations (the output is the same)")
           .or_else("2")
           .within(1, 256)
           .only(cli),
       [](R& r, const json& v) { r.threads = v.get<int>(); }},
  };
  return fields;
}

ScoreRun score(const model::Model& m, const std::string& model_name, const Table& table, const ScoreRequest& r) {
  scoring::ScoreOptions o;
  o.model_name = model_name;
  o.explain = r.explain;
  o.id_column = r.id;
  o.threads = r.threads;
  o.rows = r.rows;
  ScoreRun run;
  run.model = model_name;
  run.scores = scoring::score(m, table, o);
  scoring::Scores& s = run.scores;
  run.threshold = s.threshold;
  if (!std::isnan(r.threshold)) {
    if (s.output != "probability")
      throw Error(model_name + " predicts a number, not a probability: it has no threshold to move");
    run.threshold = r.threshold;
    for (size_t i = 0; i < s.rows; ++i) s.decision[i] = scoring::decide(s.probability[i], run.threshold) ? 1 : 0;
  }
  if (s.explained > 0) {
    const size_t k = static_cast<size_t>(s.explained);
    run.reason_text.reserve(s.rows * k);
    for (size_t row = 0; row < s.rows; ++row)
      for (size_t i = 0; i < k; ++i)
        run.reason_text.push_back(
            scoring::reason_text(m, table, r.rows.empty() ? row : r.rows[row], s.reason_feature[row * k + i]));
  }
  return run;
}

json score_json(const ScoreRun& run, const ScoreRequest& r) {
  const scoring::Scores& s = run.scores;
  json j = {{"model", run.model},
            {"output", s.output},
            {"rows", s.rows},
            {"threshold", predicts_value(run) ? json(nullptr) : json(run.threshold)},
            {"expected_value", number_or_null(s.expected_value)},
            {"explained", s.explained},
            {"feature_names", s.feature_names},
            {"notices", s.notices},
            {"ids", s.ids},
            {"reason_text", run.reason_text}};
  if (r.csv) j["csv"] = scores_csv(run);
  return j;
}

Columns score_columns(const ScoreRun& run) {
  const scoring::Scores& s = run.scores;
  Columns out(5);
  out[0].path = {"probability"};
  out[0].f64 = s.probability;
  out[1].path = {"decision"};
  out[1].u8 = s.decision;
  out[1].kind = Column::Kind::kU8;
  out[1].bytes = true;
  out[2].path = {"margin"};
  out[2].f64 = s.margin;
  out[3].path = {"reason_feature"};
  out[3].i32 = s.reason_feature;
  out[3].kind = Column::Kind::kI32;
  out[4].path = {"reason_value"};
  out[4].f64 = s.reason_value;
  return out;
}

std::string scores_csv(const ScoreRun& run) {
  const scoring::Scores& s = run.scores;
  const bool value = predicts_value(run);
  const bool all = s.explained < 0;
  std::string out;
  out.reserve(s.rows * 32);
  constexpr Style kFixed = Style::kFixed, kGeneral = Style::kGeneral;
  if (all) {
    out += value ? "id,prediction,margin,expected_value" : "id,probability,decision,margin,expected_value";
    for (const auto& f : s.feature_names) {
      out += ',';
      append_csv_field(out, f);
    }
  } else {
    out += value ? "id,prediction" : "id,probability,decision";
    for (int k = 1; k <= s.explained; ++k) {
      const std::string i = std::to_string(k);
      out += ",reason_" + i + ",value_" + i + ",contribution_" + i;
    }
  }
  out += "\n";
  const size_t k = all ? s.features : static_cast<size_t>(s.explained);
  for (size_t r = 0; r < s.rows; ++r) {
    append_csv_field(out, s.ids[r]);
    if (value) {
      append_number(out, s.probability[r], kGeneral, 9);
    } else {
      append_number(out, s.probability[r], kFixed, 6);
      out += s.decision[r] ? ",1" : ",0";
    }
    if (all) {
      append_number(out, s.margin[r], kGeneral, 9);
      append_number(out, s.expected_value, kGeneral, 9);
      for (size_t f = 0; f < k; ++f) append_number(out, s.reason_value[r * k + f], kGeneral, 9);
    } else {
      for (size_t i = 0; i < k; ++i) {
        const int32_t f = s.reason_feature[r * k + i];
        out += ',';
        append_csv_field(out, s.feature_names[static_cast<size_t>(f)]);
        out += ',';
        append_csv_field(out, run.reason_text[r * k + i]);
        append_number(out, s.reason_value[r * k + i], kFixed, 6);
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace fc::api
