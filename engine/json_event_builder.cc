#include "engine/json_event_builder.h"

#include <flatbuffers/idl.h>
#include <simdjson.h>

#include <array>
#include <bitset>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace ledger {
namespace {

template <typename T>
bool fits(int64_t value) {
  return value >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
         (value < 0 || static_cast<uint64_t>(value) <= static_cast<uint64_t>(std::numeric_limits<T>::max()));
}

//! Calls `visit.template operator()<T>()` with T the C++ type of the integer `type`; false
//! when `type` is not an integer type.
template <typename Visit>
bool with_integer_type(flatbuffers::BaseType type, Visit&& visit) {
  switch (type) {
    case flatbuffers::BASE_TYPE_BOOL:
    case flatbuffers::BASE_TYPE_UTYPE:
    case flatbuffers::BASE_TYPE_UCHAR:
      visit.template operator()<uint8_t>();
      return true;
    case flatbuffers::BASE_TYPE_CHAR:
      visit.template operator()<int8_t>();
      return true;
    case flatbuffers::BASE_TYPE_SHORT:
      visit.template operator()<int16_t>();
      return true;
    case flatbuffers::BASE_TYPE_USHORT:
      visit.template operator()<uint16_t>();
      return true;
    case flatbuffers::BASE_TYPE_INT:
      visit.template operator()<int32_t>();
      return true;
    case flatbuffers::BASE_TYPE_UINT:
      visit.template operator()<uint32_t>();
      return true;
    case flatbuffers::BASE_TYPE_LONG:
      visit.template operator()<int64_t>();
      return true;
    case flatbuffers::BASE_TYPE_ULONG:
      visit.template operator()<uint64_t>();
      return true;
    default:
      return false;
  }
}

//! An integer JSON value within the range of `type`, as int64 bits; nullopt otherwise.
std::optional<int64_t> integer_of(const simdjson::dom::element& value, flatbuffers::BaseType type) {
  std::optional<int64_t> result;
  with_integer_type(type, [&]<typename T>() {
    if constexpr (std::is_same_v<T, uint64_t>) {
      uint64_t unsigned_value = 0;
      if (!value.get(unsigned_value)) result = static_cast<int64_t>(unsigned_value);
    } else {
      int64_t signed_value = 0;
      if (!value.get(signed_value) && fits<T>(signed_value)) result = signed_value;
    }
  });
  return result;
}

//! The value named by a JSON string in `def`, nullptr for anything else. A scan, as below: a
//! few dozen names, compared without making a std::string for the symbol table's lookup.
const flatbuffers::EnumVal* enum_value_of(const simdjson::dom::element& value,
                                          const flatbuffers::EnumDef& def) {
  std::string_view name;
  if (value.get(name)) return nullptr;
  for (const auto* candidate : def.Vals()) {
    if (candidate->name == name) return candidate;
  }
  return nullptr;
}

//! The position of the field called `name` among `fields`; nullopt when there is none.
std::optional<size_t> field_index(const std::vector<CanonicalField>& fields, std::string_view name) {
  for (size_t index = 0; index < fields.size(); ++index) {
    if (fields[index].field->name == name) return index;
  }
  return std::nullopt;
}

}  // namespace

JsonEventBuilder::JsonEventBuilder(const flatbuffers::Parser& schema)
    : schema_(schema), layout_(schema), json_(std::make_unique<simdjson::dom::parser>()) {
  slots_.reserve(64);
}

JsonEventBuilder::~JsonEventBuilder() = default;

std::optional<std::string_view> JsonEventBuilder::build(std::string_view json) {
  // \u escapes (surrogate pairs, NUL) are left to the reference parser and its rules.
  if (json.find("\\u") != std::string_view::npos || schema_.root_struct_def_ == nullptr) return std::nullopt;
  simdjson::dom::element root;
  if (json_->parse(json.data(), json.size()).get(root)) return std::nullopt;
  simdjson::dom::object object;
  if (root.get(object)) return std::nullopt;
  builder_.Clear();
  slots_.clear();
  auto table = build_table(object, *schema_.root_struct_def_);
  if (!table) return std::nullopt;
  const std::string& identifier = schema_.file_identifier_;
  builder_.Finish(flatbuffers::Offset<void>(*table), identifier.empty() ? nullptr : identifier.c_str());
  return std::string_view(reinterpret_cast<const char*>(builder_.GetBufferPointer()), builder_.GetSize());
}

std::optional<flatbuffers::uoffset_t> JsonEventBuilder::build_element(const simdjson::dom::element& value,
                                                                      flatbuffers::BaseType type,
                                                                      const flatbuffers::StructDef* def) {
  if (type == flatbuffers::BASE_TYPE_STRING) {
    std::string_view text;
    if (value.get(text)) return std::nullopt;
    return builder_.CreateString(text.data(), text.size()).o;
  }
  simdjson::dom::object nested;
  if (type != flatbuffers::BASE_TYPE_STRUCT || def == nullptr || value.get(nested)) return std::nullopt;
  return build_table(nested, *def);
}

std::optional<flatbuffers::uoffset_t> JsonEventBuilder::build_table(const simdjson::dom::object& object,
                                                                    const flatbuffers::StructDef& def) {
  const std::vector<CanonicalField>* fields = layout_.fields_of(def);
  if (def.fixed || fields == nullptr || fields->size() > kFieldsMax) return std::nullopt;
  // Each member found its field first, so that the children are written in the order the
  // fields are declared, whatever the order of the keys.
  std::array<simdjson::dom::element, kFieldsMax> given;
  std::bitset<kFieldsMax> is_given;
  for (const auto member : object) {
    const std::optional<size_t> index = field_index(*fields, member.key);
    if (!index || is_given[*index]) return std::nullopt;  // an unknown field, or a key set twice
    given[*index] = member.value;
    is_given[*index] = true;
  }
  for (size_t index = 0; index < fields->size(); ++index) {
    if ((*fields)[index].field->IsRequired() && !is_given[index]) return std::nullopt;
  }
  const size_t first_slot = slots_.size();
  for (size_t index = 0; index < fields->size(); ++index) {
    if (!is_given[index]) continue;
    const CanonicalField& field = (*fields)[index];
    std::optional<CanonicalSlot> slot;
    if (field.type == flatbuffers::BASE_TYPE_UNION) {
      // The type is the field before: "<name>_type", wherever it was in the text.
      if (index == 0 || !is_given[index - 1]) return std::nullopt;
      slot = build_union(given[index - 1], given[index], field);
    } else {
      slot = build_field(given[index], field);
    }
    if (!slot) return std::nullopt;
    if (slot->size_bytes != 0) slots_.push_back(*slot);
  }
  return write_canonical_table(builder_, slots_, first_slot);
}

std::optional<CanonicalSlot> JsonEventBuilder::build_field(const simdjson::dom::element& value,
                                                           const CanonicalField& field) {
  const flatbuffers::Type& type = field.field->value.type;
  CanonicalSlot slot{0, field.slot, field.size_bytes, false};
  const CanonicalSlot left_out{};  // size 0: valid, and not written
  switch (field.type) {
    case flatbuffers::BASE_TYPE_BOOL: {
      bool flag = false;
      if (value.get(flag)) return std::nullopt;
      slot.bits = flag ? 1 : 0;
      break;
    }
    case flatbuffers::BASE_TYPE_STRING: {
      std::string_view text;
      if (value.get(text)) return std::nullopt;
      if (text.empty()) return left_out;
      slot.bits = builder_.CreateString(text.data(), text.size()).o;
      slot.is_offset = true;
      return slot;
    }
    case flatbuffers::BASE_TYPE_STRUCT:
    case flatbuffers::BASE_TYPE_VECTOR: {
      auto offset = field.type == flatbuffers::BASE_TYPE_STRUCT
                        ? build_element(value, field.type, type.struct_def)
                        : build_list(value, type);
      if (!offset) return std::nullopt;
      slot.bits = *offset;
      slot.is_offset = true;
      return slot;
    }
    default: {
      if (!flatbuffers::IsInteger(field.type)) return std::nullopt;
      std::optional<int64_t> integer;
      if (type.enum_def != nullptr) {
        const flatbuffers::EnumVal* named = enum_value_of(value, *type.enum_def);
        if (named != nullptr) integer = named->GetAsInt64();
      } else {
        integer = integer_of(value, field.type);
      }
      if (!integer) return std::nullopt;
      slot.bits = static_cast<uint64_t>(*integer);
      break;
    }
  }
  // A scalar at its default is left out, as if not given.
  return slot.bits == field.default_bits ? left_out : slot;
}

std::optional<CanonicalSlot> JsonEventBuilder::build_union(const simdjson::dom::element& type_name,
                                                           const simdjson::dom::element& value,
                                                           const CanonicalField& field) {
  const flatbuffers::Type& type = field.field->value.type;
  simdjson::dom::object body;
  if (type.enum_def == nullptr || value.get(body)) return std::nullopt;
  const flatbuffers::EnumVal* kind = enum_value_of(type_name, *type.enum_def);
  if (kind == nullptr || kind->union_type.base_type != flatbuffers::BASE_TYPE_STRUCT ||
      kind->union_type.struct_def == nullptr) {
    return std::nullopt;
  }
  auto offset = build_table(body, *kind->union_type.struct_def);
  if (!offset) return std::nullopt;
  return CanonicalSlot{*offset, field.slot, field.size_bytes, true};
}

std::optional<flatbuffers::uoffset_t> JsonEventBuilder::build_list(const simdjson::dom::element& value,
                                                                   const flatbuffers::Type& type) {
  simdjson::dom::array items;
  if (value.get(items)) return std::nullopt;
  std::vector<flatbuffers::Offset<void>> offsets;
  for (const auto item : items) {
    auto offset = build_element(item, type.element, type.struct_def);
    if (!offset) return std::nullopt;
    offsets.emplace_back(*offset);
  }
  return builder_.CreateVector(offsets).o;
}

}  // namespace ledger
