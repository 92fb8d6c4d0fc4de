// Per-interval columns of a command's result. They travel beside its JSON document: as
// typed arrays into JS (one bulk copy each), as CSV from the CLI, never as JSON numbers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fc::api {

struct Column {
  std::vector<std::string> path;  // where it lands in the document: {"parts", "0", "value"}
  std::vector<double> f64;        // numbers (NaN = missing), or
  std::vector<uint8_t> u8;        // flags and codes
  bool bytes = false;             // u8 is the column
};
using Columns = std::vector<Column>;

}  // namespace fc::api
