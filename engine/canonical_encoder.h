#pragma once

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/status.h"

namespace ledger {

//! Re-encodes a verified event in its canonical form, walking the schema that FlatBuffers'
//! parser compiled, reading the input in place. The canonical form is what the object API
//! (UnPack, then Pack) writes, with one difference:
//!
//! - a table's children (strings, lists, tables) are written in the order their fields are
//!   declared, then the table with its fields by size (8, 4, 2, 1 bytes; offsets are 4), each
//!   size in reverse declaration order, as flatc's Create functions add them;
//! - a scalar equal to its default and an empty or absent string are left out;
//! - a list that is present is kept, even empty: `"taxes": []` on a Charge is an explicit
//!   list of no taxes, where an absent list means the operator's rates (BILLING.md section 1).
//!   The object API cannot tell the two apart and left both out.
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
  //! What the encoder needs of one field, read from the schema once.
  struct FieldPlan {
    const flatbuffers::FieldDef* field = nullptr;
    flatbuffers::voffset_t slot = 0;
    flatbuffers::BaseType type = flatbuffers::BASE_TYPE_NONE;
    uint8_t size_bytes = 0;     //!< in the table: the scalar's size, 4 for an offset
    uint64_t default_bits = 0;  //!< an integer's default
  };
  //! One field of the table being written: its scalar bits or the offset of its child.
  struct Slot {
    uint64_t bits = 0;
    flatbuffers::voffset_t slot = 0;
    uint8_t size_bytes = 0;
    bool is_offset = false;
  };

  Result<flatbuffers::uoffset_t> encode_table(const flatbuffers::Table& table,
                                              const flatbuffers::StructDef& def);
  //! The field's child written, or 0 when the field is left out.
  Result<flatbuffers::uoffset_t> encode_child(const flatbuffers::Table& table, const FieldPlan& plan);
  Result<flatbuffers::uoffset_t> encode_list(const flatbuffers::Table& table, const FieldPlan& plan);
  //! Adds `slot` to the table being built.
  void add_slot(const Slot& slot);

  const flatbuffers::Parser& schema_;
  //! Each table's fields in declaration order (deprecated ones left out).
  std::unordered_map<const flatbuffers::StructDef*, std::vector<FieldPlan>> plans_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::vector<Slot> slots_;  //!< a stack: each table's slots above its parent's
};

}  // namespace ledger
