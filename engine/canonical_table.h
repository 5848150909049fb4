#pragma once

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <unordered_map>
#include <vector>

namespace ledger {

//! The canonical layout of an event's tables, shared by the two writers of canonical bytes
//! (CanonicalEncoder from a verified buffer, JsonEventBuilder from JSON text), so that both
//! write the same bytes for the same content:
//!
//! - a table's children (strings, lists, tables) are written first, in the order their fields
//!   are declared;
//! - then the table, its fields added by size (8, 4, 2, 1 bytes; an offset is 4), each size in
//!   reverse declaration order, as flatc's generated Create functions add them;
//! - a scalar equal to its default and an empty or absent string are left out; a list that is
//!   present is kept, even empty.
//!
//! This is FlatBuffers' object API encoding (UnPack, then Pack), with which every event stored
//! before it was written, except for the empty list, which the object API left out.

//! What writing a field needs, read once from the compiled schema.
struct CanonicalField {
  const flatbuffers::FieldDef* field = nullptr;
  flatbuffers::voffset_t slot = 0;
  flatbuffers::BaseType type = flatbuffers::BASE_TYPE_NONE;
  uint8_t size_bytes = 0;     //!< in the table: the scalar's size, 4 for an offset
  uint64_t default_bits = 0;  //!< an integer's (or boolean's, or enum's) default, sign-extended
};

//! Every table's fields in declaration order, deprecated ones left out.
class CanonicalLayout {
 public:
  explicit CanonicalLayout(const flatbuffers::Parser& schema);

  //! The fields of `def`; nullptr for a table the schema does not hold.
  const std::vector<CanonicalField>* fields_of(const flatbuffers::StructDef& def) const;

 private:
  std::unordered_map<const flatbuffers::StructDef*, std::vector<CanonicalField>> fields_;
};

//! One field of the table being written: its scalar's bits, or the offset of its child.
struct CanonicalSlot {
  uint64_t bits = 0;
  flatbuffers::voffset_t slot = 0;
  uint8_t size_bytes = 0;
  bool is_offset = false;
};

//! Writes a table whose children are already written: its fields are `slots` from `first_slot`
//! on, in declaration order, defaults already left out. Removes them from `slots`.
flatbuffers::uoffset_t write_canonical_table(flatbuffers::FlatBufferBuilder& builder,
                                             std::vector<CanonicalSlot>& slots, size_t first_slot);

}  // namespace ledger
