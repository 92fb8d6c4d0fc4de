// funnelcast inspect: the model header as JSON, plus what the file holds.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast inspect MODEL\n"
    "\n"
    "Prints the model file's header as JSON: its kind, the data schema it was trained on\n"
    "(columns and roles, channel, interval, how rows and gaps were read), and for a forecast\n"
    "model its features, predictor, parameters, cross-validation metrics, the comparison of\n"
    "candidates, intervals and their coverage. A key \"file\" adds the size and tree counts.\n"
    "A damaged or truncated file is refused (exit code 2).\n";
}

int run_inspect(int argc, char** argv, int first) {
  Args args(argc, argv, first, {}, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError{"expected one model file"};
  const std::string path = args.positional()[0];
  const std::string bytes = read_file(path);
  const model::Model m = model::load(bytes, base_name(path));
  nlohmann::json out = m.header.to_json();
  size_t internal = 0, leaves = 0;
  for (const auto& t : m.ensemble.trees) {
    internal += t.internal_count();
    leaves += t.leaf_count();
  }
  out["file"] = {{"bytes", bytes.size()}, {"format_version", model::kFormatVersion},
                 {"trees", m.ensemble.trees.size()}, {"internal_nodes", internal}, {"leaves", leaves}};
  std::cout << json_dump(out);
  return 0;
}

}  // namespace fc::cli
