#pragma once

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/canonical_table.h"

namespace simdjson::dom {
class element;
class object;
class parser;
}  // namespace simdjson::dom

namespace ledger {

//! Builds an event's FlatBuffer from its JSON text with simdjson, walking the schema that
//! FlatBuffers' own parser compiled (its StructDefs and FieldDefs): the same tables, fields,
//! enums and union as schemas/events.fbs, at a tenth of the reference parser's instructions
//! (which formats every string's offset through a std::stringstream).
//!
//! It takes only the plain case: every key a field of the schema and set once, integers within
//! their field's type, enums and the union's type by name, booleans, strings without \u
//! escapes, arrays of strings or tables. Anything else (null, a number in quotes, a float, an
//! unknown field, bad JSON) it declines, and the reference parser decides, accepts or refuses
//! with its message naming the field. The bytes are canonical (engine/canonical_table.h): the
//! children in the order the fields are declared, whatever the order of the keys, and defaults
//! left out, so they are what the reference path's re-encoding gives for the same content.
class JsonEventBuilder {
 public:
  explicit JsonEventBuilder(const flatbuffers::Parser& schema);
  ~JsonEventBuilder();
  JsonEventBuilder(const JsonEventBuilder&) = delete;
  JsonEventBuilder& operator=(const JsonEventBuilder&) = delete;

  //! The event's canonical buffer, valid until the next call; nullopt when the text is declined.
  std::optional<std::string_view> build(std::string_view json);

 private:
  //! A string (`type` STRING) or a table of `def` (`type` STRUCT) from `value`, as the offset
  //! of what was built; nullopt when declined.
  std::optional<flatbuffers::uoffset_t> build_element(const simdjson::dom::element& value,
                                                      flatbuffers::BaseType type,
                                                      const flatbuffers::StructDef* def);
  //! The table of `def` from `object`, or nullopt when declined.
  std::optional<flatbuffers::uoffset_t> build_table(const simdjson::dom::object& object,
                                                    const flatbuffers::StructDef& def);
  //! A field other than a union from its JSON value: the slot to write, a slot of size 0 when
  //! the field is left out (a default, an empty string), nullopt when declined.
  std::optional<CanonicalSlot> build_field(const simdjson::dom::element& value, const CanonicalField& field);
  //! A union field from its type's name and its table.
  std::optional<CanonicalSlot> build_union(const simdjson::dom::element& type_name,
                                           const simdjson::dom::element& value, const CanonicalField& field);
  //! A list of strings or tables, kept even when empty.
  std::optional<flatbuffers::uoffset_t> build_list(const simdjson::dom::element& value,
                                                   const flatbuffers::Type& type);

  //! The most fields a table may have here (events.fbs: 16 at most).
  static constexpr size_t kFieldsMax = 32;

  const flatbuffers::Parser& schema_;
  CanonicalLayout layout_;
  std::unique_ptr<simdjson::dom::parser> json_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::vector<CanonicalSlot> slots_;  //!< a stack: each table's slots above its parent's
};

}  // namespace ledger
