// The model file: magic "FCMODEL1", format version, the typed JSON header
// (model/header.hpp), the trees as flat little-endian arrays, and a CRC-32 over
// everything before it. load() trusts nothing: every size, index and offset is
// checked before use, the header is read field by field, and the header and the
// trees must agree (feature count, objective) before a model is handed out.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "funnelcast/gbdt/tree.hpp"
#include "funnelcast/model/header.hpp"

namespace fc::model {

struct Model {
  Header header;
  gbdt::Ensemble ensemble;  // may have no trees (e.g. a ridge or seasonal-naive forecaster)
};

// The file's bytes; deterministic. fc::Error for a model load() would refuse.
std::string save(const Model& m);
// fc::Error naming `source` and the problem: not a funnelcast model, a file from an older
// or newer funnelcast, truncated, checksum mismatch, bad sizes or indices, an invalid or
// incomplete header, a header that does not match the trees.
Model load(std::string_view bytes, const std::string& source = "model");
// The header and the trees agree: a gbdt forecaster has trees over exactly its features
// with its objective; other predictors have none. fc::Error saying what differs.
void check(const Model& m);

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace fc::model
