#include "engine/json_event_builder.h"

#include <flatbuffers/idl.h>
#include <simdjson.h>

#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace ledger {
namespace {

//! One field of the table being built, made before the table starts: a scalar's value or the
//! offset of what the field points to.
struct PendingField {
  flatbuffers::voffset_t slot = 0;
  flatbuffers::BaseType type = flatbuffers::BASE_TYPE_NONE;
  int64_t value = 0;  //!< a scalar (ULONG as its bits), or the uoffset
  bool is_offset = false;
};

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

const flatbuffers::FieldDef* field_named(const flatbuffers::StructDef& def, std::string_view name) {
  for (const auto* field : def.fields.vec) {
    if (field->name == name) return field;
  }
  return nullptr;
}

void add_scalar(flatbuffers::FlatBufferBuilder& builder, const PendingField& field) {
  with_integer_type(field.type,
                    [&]<typename T>() { builder.AddElement<T>(field.slot, static_cast<T>(field.value), 0); });
}

}  // namespace

JsonEventBuilder::JsonEventBuilder(const flatbuffers::Parser& schema)
    : schema_(schema), json_(std::make_unique<simdjson::dom::parser>()) {
  // Every field given is written, even at its default: presence is kept as the text had it, and
  // the canonical re-encoding decides what the stored bytes hold.
  builder_.ForceDefaults(true);
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
  if (def.fixed) return std::nullopt;
  std::vector<PendingField> fields;
  for (const auto member : object) {
    const flatbuffers::FieldDef* field = field_named(def, member.key);
    if (field == nullptr || field->deprecated) return std::nullopt;
    for (const auto& seen : fields) {
      if (seen.slot == field->value.offset) return std::nullopt;  // a key set twice
    }
    const flatbuffers::Type& type = field->value.type;
    PendingField pending{field->value.offset, type.base_type, 0, false};
    const simdjson::dom::element& value = member.value;
    switch (type.base_type) {
      case flatbuffers::BASE_TYPE_BOOL: {
        bool flag = false;
        if (value.get(flag)) return std::nullopt;
        pending.value = flag ? 1 : 0;
        break;
      }
      case flatbuffers::BASE_TYPE_STRING:
      case flatbuffers::BASE_TYPE_STRUCT: {
        auto offset = build_element(value, type.base_type, type.struct_def);
        if (!offset) return std::nullopt;
        pending.value = *offset;
        pending.is_offset = true;
        break;
      }
      case flatbuffers::BASE_TYPE_UNION: {
        // The table's type is the companion field's: "<name>_type", wherever it is in the text.
        simdjson::dom::element type_name;
        simdjson::dom::object body;
        if (type.enum_def == nullptr ||
            object[field->name + flatbuffers::UnionTypeFieldSuffix()].get(type_name) || value.get(body)) {
          return std::nullopt;
        }
        const flatbuffers::EnumVal* kind = enum_value_of(type_name, *type.enum_def);
        if (kind == nullptr || kind->union_type.base_type != flatbuffers::BASE_TYPE_STRUCT ||
            kind->union_type.struct_def == nullptr) {
          return std::nullopt;
        }
        auto offset = build_table(body, *kind->union_type.struct_def);
        if (!offset) return std::nullopt;
        pending.value = *offset;
        pending.is_offset = true;
        break;
      }
      case flatbuffers::BASE_TYPE_VECTOR: {
        simdjson::dom::array items;
        if (value.get(items)) return std::nullopt;
        std::vector<flatbuffers::Offset<void>> offsets;
        for (const auto item : items) {
          auto offset = build_element(item, type.element, type.struct_def);
          if (!offset) return std::nullopt;
          offsets.emplace_back(*offset);
        }
        pending.value = builder_.CreateVector(offsets).o;
        pending.is_offset = true;
        break;
      }
      default: {
        if (!flatbuffers::IsInteger(type.base_type)) return std::nullopt;
        if (type.enum_def != nullptr) {
          const flatbuffers::EnumVal* named = enum_value_of(value, *type.enum_def);
          if (named == nullptr) return std::nullopt;
          pending.value = named->GetAsInt64();
        } else {
          auto integer = integer_of(value, type.base_type);
          if (!integer) return std::nullopt;
          pending.value = *integer;
        }
        break;
      }
    }
    fields.push_back(pending);
  }
  for (const auto* field : def.fields.vec) {
    if (!field->IsRequired()) continue;
    bool given = false;
    for (const auto& seen : fields) given = given || seen.slot == field->value.offset;
    if (!given) return std::nullopt;
  }
  const flatbuffers::uoffset_t start = builder_.StartTable();
  for (const auto& field : fields) {
    if (field.is_offset) {
      builder_.AddOffset(field.slot,
                         flatbuffers::Offset<void>(static_cast<flatbuffers::uoffset_t>(field.value)));
    } else {
      add_scalar(builder_, field);
    }
  }
  return builder_.EndTable(start);
}

}  // namespace ledger
