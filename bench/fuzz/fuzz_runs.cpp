// libFuzzer target for runs.jsonl as `funnelcast runs` reads it: json::read_lines with the
// field checks of native_trainer/cmd_runs.cpp. Built by the sanitizer build
// (scripts/sanitize.sh) and run by bench/fuzz/run.sh (target `runs`).
// The invariant: read_lines never throws; every non-blank line is either read (an object
// that passed the checks) or skipped with one note that names the file and its line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/json.hpp"

namespace {

void check_run(const fc::json::Json& r, const std::string& context) {
  using fc::json::Type;
  const fc::json::Json* m = fc::json::field(r, "metrics", Type::kObject, context, "", true);
  fc::json::field(r, "kind", Type::kString, context);
  fc::json::field(r, "model", Type::kString, context);
  fc::json::field(r, "time", Type::kNumber, context);
  fc::json::field(*m, "selected", Type::kString, context, "metrics");
}

size_t nonblank_lines(const std::string& text) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) ++n;
    pos = end + 1;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> skipped;
  const auto lines = fc::json::read_lines(text, "runs.jsonl", skipped, check_run);
  if (lines.size() + skipped.size() != nonblank_lines(text)) std::abort();
  for (const auto& line : lines)
    if (!line.value.is_object()) std::abort();
  for (const auto& note : skipped) {
    if (note.rfind("runs.jsonl: line ", 0) != 0) std::abort();
    for (unsigned char c : note)
      if (c < 0x20 || c >= 0x7F) std::abort();
    (void)note;
  }
  // What `runs --json` writes must be writable.
  for (const auto& line : lines)
    (void)line.value.dump(-1, ' ', false, fc::json::Json::error_handler_t::replace);
  return 0;
}
