// Small text helpers shared across layers.
#pragma once
#include <string>

namespace fc::text {

// ASCII letters lowered, every other byte kept (UTF-8 stays intact; no locale involved).
inline std::string ascii_lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

}  // namespace fc::text
