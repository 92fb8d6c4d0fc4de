// funnelcast score: the probability that each lead converts, the decision at the model's
// threshold, and the reasons behind each score.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "funnelcast/scoring/table.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/api/score.hpp"
#include "funnelcast/scoring/score.hpp"

namespace fc::cli {

namespace {
const char* kScoreHelp =
    "usage: funnelcast score --model MODEL --data FILE [--out FILE.csv] [--explain K|all] [--threshold P]\n"
    "                        [--json] [--log FILE.jsonl]\n"
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
    "%s";

}  // namespace

int run_score(int argc, char** argv, int first) {
  const auto& fields = api::score_fields();
  Args args(argc, argv, first, field_options(fields, false), field_options(fields, true));
  if (args.help()) {
    print_help(kScoreHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::ScoreRequest request = read_args(args, fields);
  if (request.model.empty()) throw UsageError{"--model is required"};
  if (request.data.empty()) throw UsageError{"--data is required"};
  if (request.json && !request.out.empty()) throw UsageError{"--json and --out: choose one"};
  const std::string model_name = base_name(request.model);
  const std::string model_bytes = read_file(request.model);
  const model::Model m = model::load(model_bytes, model_name);
  const FileBytes data_file(request.data);  // mapped, not copied
  const std::string_view data_bytes = data_file.view();
  csv::Options co;
  co.source = base_name(request.data);
  co.threads = request.threads;  // the same table for any count
  if (m.header.score) co.text_columns = scoring::text_columns(m.header.score->features);  // types from the model
  const Table table = csv::read(data_bytes, co);
  print_notices(table.notices);
  const api::ScoreRun run = api::score(m, model_name, table, request);
  const scoring::Scores& s = run.scores;
  print_notices(s.notices);
  const bool value = s.output == "value";  // an imported regression: predictions, no decision
  if (request.json) {
    std::cout << json_dump(api::with_columns(api::score_json(run, request), api::score_columns(run)));
  } else if (!request.out.empty()) {
    write_file(request.out, api::scores_csv(run));
    size_t positive = 0;
    for (uint8_t d : s.decision) positive += d;
    if (value)
      std::fprintf(stderr, "wrote %s: %zu rows scored\n", request.out.c_str(), s.rows);
    else
      std::fprintf(stderr, "wrote %s: %zu leads scored, %zu at or above the threshold %.4f\n", request.out.c_str(),
                   s.rows, positive, run.threshold);
  } else {
    std::cout << api::scores_csv(run);
  }
  if (!request.log.empty()) {
    nlohmann::json probabilities = nlohmann::json::array();
    for (double p : s.probability) probabilities.push_back(value ? p : std::round(p * 1e6) / 1e6);
    nlohmann::json line = {{"time", static_cast<long long>(std::time(nullptr))},
                           {"model", model_name},
                           {"model_hash", hash_hex(model_bytes)},
                           {"data", base_name(request.data)},
                           {"data_hash", hash_hex(data_bytes)},
                           {"rows", s.rows},
                           {"threshold", value ? nlohmann::json(nullptr) : nlohmann::json(run.threshold)},
                           {value ? "predictions" : "probabilities", probabilities}};
    std::ofstream log(request.log, std::ios::app);
    if (!log) throw Error(request.log + ": cannot append");
    log << line.dump() << "\n";
  }
  return 0;
}

}  // namespace fc::cli
