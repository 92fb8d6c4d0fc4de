// Shared plumbing of the funnelcast commands: argument parsing, file I/O,
// turning a CSV file into an hourly series, JSON output and progress lines.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/fields.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::cli {

// A mistake in how the command was called: printed with the command's usage, exit code 2.
struct UsageError {
  std::string message;
};

class Args {
 public:
  // `flags` are options without a value; every other --name takes one value.
  // `repeatable` options may be given several times.
  Args(int argc, char** argv, int first, const std::vector<std::string>& known_options,
       const std::vector<std::string>& flags, const std::vector<std::string>& repeatable = {});
  bool has(const std::string& name) const;
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::string require(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  int get_int(const std::string& name, int fallback, int min, int max) const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool help() const { return has("help"); }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// The command-line names of a command's fields (without "--"): those that take a value,
// and the flags. Role and series options are added by the command.
template <class R>
std::vector<std::string> field_options(const std::vector<api::Field<R>>& fields, bool flags) {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.info.edge != api::Edge::kJs && (f.info.type == api::FieldType::kFlag) == flags)
      out.push_back(api::cli_flag(f.info.name).substr(2));
  return out;
}
// The arguments of a command that reads a series: its fields' flags plus the role and
// series options (defined below).
template <class R>
Args series_args(int argc, char** argv, int first, const std::vector<api::Field<R>>& fields,
                 const std::vector<std::string>& repeatable = {});

// A command's request from its flags: the field list checks every value; a bad one is a
// usage error naming the flag. A repeatable option's later values are read one at a time
// after the rest, each as its field reads one (such fields append).
template <class R>
R read_args(const Args& args, const std::vector<api::Field<R>>& fields, R r = R{}) {
  try {
    nlohmann::json given = nlohmann::json::object();
    std::vector<std::pair<const api::FieldInfo*, std::string>> later;
    for (const auto& f : fields) {
      if (f.info.edge == api::Edge::kJs) continue;
      const std::string flag = api::cli_flag(f.info.name);
      const std::vector<std::string> values = args.all(flag.substr(2));
      if (values.empty()) continue;
      given[f.info.name] = api::value_from_text(f.info, values[0], flag);
      for (size_t k = 1; k < values.size(); ++k) later.emplace_back(&f.info, values[k]);
    }
    r = api::read_request(fields, given, api::Edge::kCli, std::move(r));
    for (const auto& [info, text] : later) {
      const nlohmann::json one = {{info->name, api::value_from_text(*info, text, api::cli_flag(info->name))}};
      r = api::read_request(fields, one, api::Edge::kCli, std::move(r));
    }
    return r;
  } catch (const Error& e) {
    throw UsageError{e.what()};
  }
}

std::string read_file(const std::string& path);
// A file's bytes read in one call into a buffer that is not zero-filled first (a regular
// file); anything else (a pipe, /dev/stdin, an empty file) is read with read_file. The
// bytes live as long as this.
class FileBytes {
 public:
  explicit FileBytes(const std::string& path);
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::unique_ptr<char[]> buffer_;
  std::string read_;
  std::string_view view_;
};
void write_file(const std::string& path, const std::string& bytes);
Table read_table(const std::string& path);
std::string base_name(const std::string& path);

// Options shared by every command that reads a series: one per registry role (the channel
// role is --channel-column, since --channel picks a channel), plus --events, --gaps and
// --duplicates. kRoleHelp documents them, generated from the registry.
const std::vector<std::string>& role_options();
const std::vector<std::string>& series_flags();  // options without a value (--events)
std::string role_help();
// The roles named on the command line ("" = not given; --target is --leads).
schema::Roles roles_from(const Args& args);
series::Options series_options(const Args& args);
series::BuildResult load_series(const std::string& path, const Args& args);
// A line on stderr describing what was read (rows, intervals, span), then the notices.
// How to read new data for a forecast model: what the command line pins (roles, duplicates,
// --gaps, --channel); the rest comes from the model. A model trained with --tz reads
// times without an offset in its zone (said in a note on stderr); --tz naming another
// zone is a usage error naming both.
forecast::Request forecast_request(const Args& args, const std::string& model_name, const model::Model& m);
void describe_series(const series::BuildResult& data, const std::string& path);

template <class R>
Args series_args(int argc, char** argv, int first, const std::vector<api::Field<R>>& fields,
                 const std::vector<std::string>& repeatable) {
  std::vector<std::string> options = field_options(fields, false);
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = field_options(fields, true);
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  return Args(argc, argv, first, options, flags, repeatable);
}
void print_notices(const std::vector<std::string>& notices);

// Prints a command's help with each "%s" replaced by the next of `parts` (e.g. role_help()).
void print_help(const char* help, const std::vector<std::string>& parts);

// created_at from SOURCE_DATE_EPOCH, or now with --stamp; otherwise none (byte-identical files).
void stamp(model::Model& m, const Args& args);
// A trained model stamped, saved to out_path, and its report written to --report when asked;
// returns the model file's bytes.
std::string save_trained(model::Model& m, const Args& args, const std::string& out_path, const nlohmann::json& report);
// Appends one line to runs.jsonl beside the model: time, kind, model and data hashes,
// parameters, cross-validation metrics. `funnelcast runs` reads them.
void log_run(const std::string& model_path, const std::string& model_bytes, const std::string& data_path,
             const std::string& kind, const nlohmann::json& params, const nlohmann::json& metrics);
std::string hash_hex(std::string_view bytes);  // 64-bit FNV-1a, 16 hex digits

std::string json_dump(const nlohmann::json& j);  // pretty, NaN as null
nlohmann::json number_or_null(double v);

// Progress on stderr: rewrites one line on a terminal, prints every 10% otherwise.
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet);
  void update(const std::string& stage, double fraction);
  void finish();

 private:
  bool quiet_, tty_;
  int last_percent_ = -1;
  std::string last_stage_;
};

}  // namespace fc::cli
