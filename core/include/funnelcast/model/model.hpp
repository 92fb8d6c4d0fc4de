// The model file: magic "FCMODEL1", format version, a JSON header (kind,
// FeatureSpec, parameters, metrics, comparison, data summary, created-by), the
// trees as flat little-endian arrays, and a CRC-32 over everything before it.
// load() trusts nothing: every size, index and offset is checked before use.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "funnelcast/gbdt/tree.hpp"

namespace fc::model {

constexpr uint32_t kFormatVersion = 1;

struct Model {
  nlohmann::json header = nlohmann::json::object();  // must hold "kind"
  gbdt::Ensemble ensemble;  // may have no trees (e.g. a ridge or seasonal-naive forecaster)
};

std::string save(const Model& m);  // the file's bytes; deterministic
// fc::Error naming `source` and the problem: not a funnelcast model, unsupported
// version, truncated, checksum mismatch, bad sizes or indices, invalid JSON header.
Model load(std::string_view bytes, const std::string& source = "model");

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace fc::model
