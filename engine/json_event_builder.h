#pragma once

#include <flatbuffers/flatbuffers.h>
#include <flatbuffers/idl.h>

#include <memory>
#include <optional>
#include <string_view>

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
//! with its message naming the field. The bytes are not canonical: EventCodec re-encodes them,
//! so both paths give the same bytes for the same content.
class JsonEventBuilder {
 public:
  explicit JsonEventBuilder(const flatbuffers::Parser& schema);
  ~JsonEventBuilder();
  JsonEventBuilder(const JsonEventBuilder&) = delete;
  JsonEventBuilder& operator=(const JsonEventBuilder&) = delete;

  //! The event's buffer, valid until the next call; nullopt when the text is declined.
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

  const flatbuffers::Parser& schema_;
  std::unique_ptr<simdjson::dom::parser> json_;
  flatbuffers::FlatBufferBuilder builder_{1024};
};

}  // namespace ledger
