#include "funnelcast/api/columns.hpp"

#include <cmath>

namespace fc::api {

nlohmann::json with_columns(nlohmann::json doc, const Columns& columns) {
  for (const auto& c : columns) {
    nlohmann::json* at = &doc;
    for (size_t k = 0; k + 1 < c.path.size(); ++k) {
      nlohmann::json& next = at->is_array() ? (*at)[std::stoul(c.path[k])] : (*at)[c.path[k]];
      if (next.is_null()) next = nlohmann::json::object();
      at = &next;
    }
    nlohmann::json values = nlohmann::json::array();
    if (c.bytes || c.kind == Column::Kind::kU8) {
      for (uint8_t v : c.u8) values.push_back(v);
    } else if (c.kind == Column::Kind::kI32) {
      for (int32_t v : c.i32) values.push_back(v);
    } else {
      for (double v : c.f64) values.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    }
    (*at)[c.path.back()] = std::move(values);
  }
  return doc;
}

void append_csv_field(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace fc::api
