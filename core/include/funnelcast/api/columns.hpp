// Per-interval columns of a command's result. They travel beside its JSON document: as
// typed arrays into JS (one bulk copy each), as CSV from the CLI, never as JSON numbers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fc::api {

struct Column {
  std::vector<std::string> path;  // where it lands in the document: {"parts", "0", "value"}
  std::vector<double> f64;        // numbers (NaN = missing), or
  std::vector<uint8_t> u8;        // flags and codes
  std::vector<int32_t> i32;       // indices
  enum class Kind { kF64, kU8, kI32 } kind = Kind::kF64;
  bool bytes = false;             // u8 is the column (kind kU8)
};
using Columns = std::vector<Column>;

// The columns written into the document as JSON arrays (NaN as null): what the CLI's --json
// prints where the page gets typed arrays.
nlohmann::json with_columns(nlohmann::json doc, const Columns& columns);

// Appends one CSV field, quoted when it holds a delimiter, a quote or a line break.
void append_csv_field(std::string& out, const std::string& s);

}  // namespace fc::api
