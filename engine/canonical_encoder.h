#pragma once

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <string>
#include <vector>

#include "engine/canonical_table.h"
#include "engine/status.h"

namespace ledger {

//! Re-encodes a verified event in its canonical form (engine/canonical_table.h), walking the
//! schema that FlatBuffers' parser compiled and reading the input in place: what a binary
//! producer sends is stored in the same bytes as the same event read from JSON.
//!
//! The schema may hold only what events.fbs holds: tables, one union per table, strings,
//! integers, enums, booleans, and lists of strings or tables; anything else is refused with
//! its field's name, so a schema change that needs more fails its tests, not silently.
class CanonicalEncoder {
 public:
  explicit CanonicalEncoder(const flatbuffers::Parser& schema);
  CanonicalEncoder(const CanonicalEncoder&) = delete;
  CanonicalEncoder& operator=(const CanonicalEncoder&) = delete;

  //! The canonical bytes of `root`, a verified buffer of the schema's root type.
  Result<std::string> encode(const flatbuffers::Table& root);

 private:
  Result<flatbuffers::uoffset_t> encode_table(const flatbuffers::Table& table,
                                              const flatbuffers::StructDef& def);
  //! The field's child written, or 0 when the field is left out.
  Result<flatbuffers::uoffset_t> encode_child(const flatbuffers::Table& table, const CanonicalField& field);
  Result<flatbuffers::uoffset_t> encode_list(const flatbuffers::Table& table, const CanonicalField& field);

  const flatbuffers::Parser& schema_;
  CanonicalLayout layout_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::vector<CanonicalSlot> slots_;  //!< a stack: each table's slots above its parent's
};

}  // namespace ledger
