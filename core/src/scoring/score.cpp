// Scoring reads the table through the model's own feature list and dictionaries, so a
// lead is encoded exactly as the training rows were; what does not match is refused
// (missing columns, text for numbers) or counted and said (unseen categories).
#include "funnelcast/scoring/score.hpp"

#include "funnelcast/base/math.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/shap.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {

namespace {

// fc::Error when a row asked for is not in the table.
void check_rows(const Table& table, const std::vector<uint32_t>& pick) {
  for (uint32_t r : pick)
    if (r >= table.rows)
      throw Error(table.source + ": row " + std::to_string(r) + " was asked for, but the table has " +
                  std::to_string(table.rows) + " rows (0 to " + std::to_string(table.rows) + " - 1)");
}

// Keeps the asked rows' encoded values, in their order (all of them when none were asked for).
void keep_rows(features::Matrix& x, const std::vector<uint32_t>& pick) {
  if (pick.empty()) return;
  const size_t n = pick.size();
  std::vector<float> chosen(n * x.cols);
  for (size_t i = 0; i < n; ++i)
    std::copy_n(x.row(pick[i]), x.cols, chosen.begin() + static_cast<ptrdiff_t>(i * x.cols));
  x.values = std::move(chosen);
  x.rows = n;
}

// Per output row: the id column's text, or the row's line when there is no id column. fc::Error
// when the column asked for is not in the table.
std::vector<std::string> row_ids(const Table& table, const std::string& id,
                                 const ScoreOptions& options, size_t n) {
  const std::vector<uint32_t>& pick = options.rows;
  const int id_index = id.empty() ? -1 : table.find(id);
  if (!options.id_column.empty() && id_index < 0)
    throw Error(table.source + ": no column '" + options.id_column + "' for the id");
#ifndef __EMSCRIPTEN__
  // A million ids are a million strings to copy: natively in two halves side by side, each
  // writing only its own rows (the same ids either way).
  std::vector<std::string> ids(n);
  auto fill = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const size_t r = pick.empty() ? i : pick[i];
      ids[i] = id_index >= 0 ? table.columns[static_cast<size_t>(id_index)].text(r) : std::to_string(table.line(r));
    }
  };
  if (options.threads > 1 && n >= 100000) {
    std::thread other(fill, n / 2, n);
    fill(0, n / 2);
    other.join();
  } else {
    fill(0, n);
  }
#else
  std::vector<std::string> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t r = pick.empty() ? i : pick[i];
    ids.push_back(id_index >= 0 ? table.columns[static_cast<size_t>(id_index)].text(r)
                                : std::to_string(table.line(r)));
  }
#endif
  return ids;
}

// The margin of every row of x. Natively on up to `threads_wanted` threads, each its own
// contiguous share of the rows (a row's margin does not depend on the others: the output is the
// same for any count).
std::vector<double> margins(const gbdt::Ensemble& ensemble, const features::Matrix& x,
                            int threads_wanted) {
  const gbdt::FlatEnsemble engine(ensemble);
  const size_t n = x.rows;
  std::vector<double> margin(n);
  const size_t want = static_cast<size_t>(std::max(threads_wanted, 1));
  const size_t threads = n >= 20000 ? std::min<size_t>(want, n / 10000) : 1;
#ifndef __EMSCRIPTEN__
  auto part = [&](size_t t) {
    const size_t begin = n * t / threads, end = n * (t + 1) / threads;
    engine.predict_raw(x.row(begin), end - begin, x.cols, margin.data() + begin);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(part, t);
  part(0);
  for (auto& t : pool) t.join();
#else
  (void)threads;
  engine.predict_raw(x.values.data(), n, x.cols, margin.data());
#endif
  return margin;
}

// One row's k strongest contributions by |contribution| (ties: the lower feature first), into
// feature and value; order is scratch space of one entry per feature.
void strongest(const double* p, size_t k, std::vector<int32_t>& order, int32_t* feature,
               double* value) {
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(k), order.end(),
                    [&](int32_t x, int32_t y) {
                      const double fx = std::fabs(p[x]), fy = std::fabs(p[y]);
                      return fx != fy ? fx > fy : x < y;
                    });
  for (size_t i = 0; i < k; ++i) {
    feature[i] = order[i];
    value[i] = p[order[i]];
  }
}

// The reasons of every row of x (options.explain != 0): every feature's contribution, or the
// k strongest.
void explain_rows(const gbdt::Ensemble& ensemble, const features::Matrix& x,
                  const ScoreOptions& options, Scores& out) {
  const gbdt::TreeShap shap(ensemble);
  out.expected_value = shap.expected_value();
  const size_t width = x.cols, rows = x.rows;
  const size_t k =
      options.explain < 0 ? width : std::min<size_t>(static_cast<size_t>(options.explain), width);
  out.explained = options.explain < 0 ? -1 : static_cast<int>(k);
  out.reason_feature.assign(rows * k, 0);
  out.reason_value.assign(rows * k, 0.0);
  // Rows in blocks, so memory stays bounded on large tables; each block writes its own
  // rows of the output, so any number of threads gives the same result.
  constexpr size_t kBlock = 2048;
  const size_t blocks = (rows + kBlock - 1) / kBlock;
  auto explain_blocks = [&](size_t first, size_t step) {
    std::vector<double> phi(kBlock * width);
    std::vector<int32_t> order(width);
    for (size_t b = first; b < blocks; b += step) {
      const size_t begin = b * kBlock, count = std::min(kBlock, rows - begin);
      shap.explain(x.row(begin), count, width, phi.data());
      for (size_t r = 0; r < count; ++r) {
        const double* p = phi.data() + r * width;
        int32_t* feature = out.reason_feature.data() + (begin + r) * k;
        double* value = out.reason_value.data() + (begin + r) * k;
        if (options.explain < 0) {
          for (size_t f = 0; f < width; ++f) {
            feature[f] = static_cast<int32_t>(f);
            value[f] = p[f];
          }
          continue;
        }
        strongest(p, k, order, feature, value);
      }
    }
  };
  const size_t threads = std::min<size_t>(static_cast<size_t>(std::max(options.threads, 1)),
                                          std::max<size_t>(blocks, 1));
#ifndef __EMSCRIPTEN__
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(explain_blocks, t, threads);
  explain_blocks(0, threads);
  for (auto& t : pool) t.join();
#else
  (void)threads;
  explain_blocks(0, 1);  // the wasm build has no threads
#endif
}

// What the user should know about the table: per feature, values never seen in training,
// numbers read from text, dates without a time of day and values beyond the training range;
// then the columns the model does not use (other than the id and the target).
void table_notices(const model::ScoreSection& s, const Encoded& enc, const Table& table,
                   const std::string& id, std::vector<std::string>& notices) {
  for (size_t f = 0; f < s.features.size(); ++f) {
    if (enc.unseen[f])
      notices.push_back(table.source + ": " + std::to_string(enc.unseen[f]) + " values of '" +
                        s.features[f].column +
                        "' were never seen in training and are read as missing");
    if (!enc.as_text[f].empty() && (f == 0 || s.features[f - 1].column != s.features[f].column))
      notices.push_back(table.source + ": column '" + s.features[f].column + "' " + enc.as_text[f]);
    if (enc.no_time[f])
      notices.push_back(table.source + ": '" + s.features[f].column +
                        "' has no time of day here (every value at " +
                        "00:00:00), but the model learned from the hour of the day: the hour of " +
                        std::to_string(enc.no_time[f]) +
                        (enc.no_time[f] == 1 ? " lead" : " leads") +
                        " is read as unknown, not midnight; give the times as in training");
    if (enc.out_of_range[f]) {
      const model::ScoreFeature& x = s.features[f];
      char buf[160];
      std::snprintf(buf, sizeof buf, " lie outside the training range [%.6g, %.6g] (the farthest: %.6g)", x.min, x.max,
                    enc.farthest[f]);
      notices.push_back(table.source + ": " + std::to_string(enc.out_of_range[f]) + " values of '" +
                        x.column + "'" + buf +
                        "; the model reads them as the nearest value it saw");
    }
  }
  std::string extra;
  for (const auto& c : table.columns) {
    const bool used = std::any_of(s.features.begin(), s.features.end(), [&](const auto& f) { return f.column == c.name; });
    if (!used && c.name != id && c.name != s.target) extra += (extra.empty() ? "'" : ", '") + c.name + "'";
  }
  if (!extra.empty())
    notices.push_back(table.source + ": columns the model does not use, ignored: " + extra);
}

}  // namespace

Scores score(const model::Model& m, const Table& table, const ScoreOptions& options) {
  const std::string& name = options.model_name;
  if (m.header.kind != "score" || !m.header.score)
    throw Error(name + " is a " + m.header.kind +
                " model, not a scoring model (train one with funnelcast train score)");
  const model::ScoreSection& s = *m.header.score;
  Encoded enc = encode(s.features, table, name);
  check_rows(table, options.rows);
  keep_rows(enc.x, options.rows);
  const size_t n = enc.x.rows;
  Scores out;
  out.rows = n;
  out.features = s.features.size();
  out.threshold = s.threshold;
  for (const auto& f : s.features) out.feature_names.push_back(f.name);

  // Ids: the asked column, else the model's id column when the table has it, else lines.
  const std::string id = !options.id_column.empty() ? options.id_column : s.id_column;
  out.ids = row_ids(table, id, options, n);

  out.margin = margins(m.ensemble, enc.x, options.threads);
  out.probability.resize(n);
  out.decision.resize(n);
  out.output = s.output;
  for (size_t r = 0; r < n && s.output == "value"; ++r) out.probability[r] = out.margin[r];
  for (size_t r = 0; r < n && s.output == "probability"; ++r) {
    out.probability[r] = math::sigmoid(out.margin[r]);
    out.decision[r] = decide(out.probability[r], s.threshold) ? 1 : 0;
  }

  if (options.explain != 0)
    explain_rows(m.ensemble, enc.x, options, out);
  else
    out.expected_value = std::nan("");
  table_notices(s, enc, table, id, out.notices);
  return out;
}

std::string reason_text(const model::Model& m, const Table& table, size_t row, int32_t feature) {
  const model::ScoreFeature& f = m.header.score->features[static_cast<size_t>(feature)];
  float code = std::nanf("");
  if (f.kind != "number" && f.kind != "category") {
    // Date parts: re-encode the one cell.
    const int i = table.find(f.column);
    if (i >= 0 && !table.columns[static_cast<size_t>(i)].is_missing(row)) {
      Table one;
      one.source = table.source;
      one.rows = 1;
      Column c = table.columns[static_cast<size_t>(i)];
      Column single;
      single.name = c.name;
      single.type = c.type;
      if (c.type == ColumnType::kTimestamp) single.times = {c.times[row]};
      else if (c.type == ColumnType::kCategory) {
        single.levels = {c.levels[static_cast<size_t>(c.codes[row])]};
        single.codes = {0};
      } else {
        single.numbers = {c.numbers[row]};
      }
      one.columns.push_back(std::move(single));
      one.line_of_row = {table.line(row)};
      code = encode({f}, one).x.values[0];
    }
  }
  return feature_value_text(f, table, row, code);
}

}  // namespace fc::scoring
