// funnelcast inspect: the model header as JSON, plus what the file holds.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/inspect.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::cli {

namespace {
const char* kInspectHelp =
    "usage: funnelcast inspect MODEL\n"
    "\n"
    "Prints the model file's header as JSON: its kind, the data schema it was trained on\n"
    "(columns and roles, channel, interval, how rows and gaps were read), and for a forecast\n"
    "model its features, predictor, parameters, cross-validation metrics, the comparison of\n"
    "candidates, intervals and their coverage. A key \"file\" adds the size and tree counts;\n"
    "the rest is what the page's Model.header() gives. A damaged or truncated file is refused\n"
    "(exit code 2).\n"
    "\n"
    "options:\n"
    "%s";
}

int run_inspect(int argc, char** argv, int first) {
  const auto& fields = api::inspect_fields();
  Args args(argc, argv, first, field_options(fields, false), field_options(fields, true));
  if (args.help()) {
    print_help(kInspectHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  api::InspectRequest r = read_args(args, fields);
  const auto& given = args.positional();
  if (given.size() > 1 || (given.size() == 1 && !r.model.empty())) throw UsageError{"expected one model file"};
  if (given.size() == 1) r.model = given[0];
  if (r.model.empty()) throw UsageError{"expected one model file"};
  const std::string bytes = read_file(r.model);
  const model::Model m = model::load(bytes, base_name(r.model));
  std::cout << json_dump(api::inspect_json(m, bytes.size()));
  return 0;
}

}  // namespace fc::cli
