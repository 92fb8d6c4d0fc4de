// funnelcast score: the probability that each lead converts, the decision at the model's
// threshold, and the reasons behind each score.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/score.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast score --model MODEL --data FILE [--out FILE.csv] [--explain K|all] [--log FILE.jsonl]\n"
    "\n"
    "Scores every row of FILE with a model from `funnelcast train score`: the probability of the\n"
    "outcome, the decision (1 when the probability reaches the model's threshold) and, with\n"
    "--explain, the reasons: each input's contribution to the score (exact TreeSHAP, on the\n"
    "log-odds scale), strongest first. FILE needs the columns the model was trained on (a\n"
    "missing one is an error that lists them all); extra columns are ignored and listed;\n"
    "categories the model never saw are read as missing and counted.\n"
    "\n"
    "output CSV columns:\n"
    "  id,probability,decision[,reason_1,value_1,contribution_1,...]   (--explain K)\n"
    "  id,probability,decision,margin,expected_value,<one column per input>   (--explain all:\n"
    "                  expected_value plus the contributions add up to the margin, the log-odds)\n"
    "  A model imported from an XGBoost regression predicts a number: its columns are\n"
    "  id,prediction[,...] with no decision, and the contributions add up to the prediction.\n"
    "\n"
    "options:\n"
    "  --model MODEL       the scoring model (.fcm)\n"
    "  --data FILE         the leads to score, one row each\n"
    "  --out FILE.csv      write the scores there instead of standard output\n"
    "  --explain K|all     the K strongest reasons per lead (default 0), or every input\n"
    "  --id COL            the column that names each lead (default: the model's id column, else\n"
    "                      the line number)\n"
    "  --log FILE.jsonl    append this run (time, model hash, input hash, probabilities) for monitoring\n"
    "  --threads N         threads for the explanations (default 2; the output is the same)\n";

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int run_score(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"model", "data", "out", "explain", "id", "log", "threads"}, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string model_path = args.require("model"), data_path = args.require("data");
  const std::string model_name = base_name(model_path);
  const std::string model_bytes = read_file(model_path);
  const model::Model m = model::load(model_bytes, model_name);
  scoring::ScoreOptions o;
  o.model_name = model_name;
  o.id_column = args.get("id");
  o.threads = args.get_int("threads", 2, 1, 256);
  const std::string explain = args.get("explain", "0");
  if (explain == "all") o.explain = -1;
  else o.explain = args.get_int("explain", 0, 0, 10000);

  const std::string data_bytes = read_file(data_path);
  csv::Options co;
  co.source = base_name(data_path);
  const Table table = csv::read(data_bytes, co);
  print_notices(table.notices);
  const scoring::Scores s = scoring::score(m, table, o);
  print_notices(s.notices);

  const bool value = s.output == "value";  // an imported regression: predictions, no decision
  std::string out;
  out.reserve(table.rows * 32);
  char num[64];
  if (o.explain < 0) {
    out += value ? "id,prediction,margin,expected_value" : "id,probability,decision,margin,expected_value";
    for (const auto& f : s.feature_names) out += "," + quoted(f);
    out += "\n";
  } else {
    out += value ? "id,prediction" : "id,probability,decision";
    for (int k = 1; k <= s.explained; ++k) {
      const std::string i = std::to_string(k);
      out += ",reason_" + i + ",value_" + i + ",contribution_" + i;
    }
    out += "\n";
  }
  const size_t k = o.explain < 0 ? s.features : static_cast<size_t>(s.explained);
  for (size_t r = 0; r < s.rows; ++r) {
    out += quoted(s.ids[r]);
    if (value) std::snprintf(num, sizeof num, ",%.9g", s.probability[r]);
    else std::snprintf(num, sizeof num, ",%.6f,%d", s.probability[r], s.decision[r]);
    out += num;
    if (o.explain < 0) {
      std::snprintf(num, sizeof num, ",%.9g,%.9g", s.margin[r], s.expected_value);
      out += num;
      for (size_t f = 0; f < k; ++f) {
        std::snprintf(num, sizeof num, ",%.9g", s.reason_value[r * k + f]);
        out += num;
      }
    } else {
      for (size_t i = 0; i < k; ++i) {
        const int32_t f = s.reason_feature[r * k + i];
        out += "," + quoted(s.feature_names[static_cast<size_t>(f)]) + "," + quoted(scoring::reason_text(m, table, r, f));
        std::snprintf(num, sizeof num, ",%.6f", s.reason_value[r * k + i]);
        out += num;
      }
    }
    out += "\n";
  }
  if (args.has("out")) {
    write_file(args.get("out"), out);
    size_t positive = 0;
    for (uint8_t d : s.decision) positive += d;
    if (value)
      std::fprintf(stderr, "wrote %s: %zu rows scored\n", args.get("out").c_str(), s.rows);
    else
      std::fprintf(stderr, "wrote %s: %zu leads scored, %zu at or above the threshold %.4f\n", args.get("out").c_str(),
                   s.rows, positive, s.threshold);
  } else {
    std::cout << out;
  }
  if (args.has("log")) {
    nlohmann::json probabilities = nlohmann::json::array();
    for (double p : s.probability) probabilities.push_back(value ? p : std::round(p * 1e6) / 1e6);
    nlohmann::json line = {{"time", static_cast<long long>(std::time(nullptr))},
                           {"model", model_name},
                           {"model_hash", hash_hex(model_bytes)},
                           {"data", base_name(data_path)},
                           {"data_hash", hash_hex(data_bytes)},
                           {"rows", s.rows},
                           {"threshold", value ? nlohmann::json(nullptr) : nlohmann::json(s.threshold)},
                           {value ? "predictions" : "probabilities", probabilities}};
    std::ofstream log(args.get("log"), std::ios::app);
    if (!log) throw Error(args.get("log") + ": cannot append");
    log << line.dump() << "\n";
  }
  return 0;
}

}  // namespace fc::cli
