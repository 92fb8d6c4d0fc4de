// The one error type of the core. Messages are written for the person who owns
// the file: they name the file, line, column or field and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace fc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fc
