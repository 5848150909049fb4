#include "engine/canonical_encoder.h"

namespace ledger {
namespace {

//! The bits of an integer field's value (sign-extended), or of `fallback` when it is absent.
uint64_t integer_bits(const flatbuffers::Table& table, flatbuffers::voffset_t slot,
                      flatbuffers::BaseType type, uint64_t fallback) {
  switch (type) {
    case flatbuffers::BASE_TYPE_BOOL:
    case flatbuffers::BASE_TYPE_UTYPE:
    case flatbuffers::BASE_TYPE_UCHAR:
      return table.GetField<uint8_t>(slot, static_cast<uint8_t>(fallback));
    case flatbuffers::BASE_TYPE_CHAR:
      return static_cast<uint64_t>(int64_t{table.GetField<int8_t>(slot, static_cast<int8_t>(fallback))});
    case flatbuffers::BASE_TYPE_SHORT:
      return static_cast<uint64_t>(int64_t{table.GetField<int16_t>(slot, static_cast<int16_t>(fallback))});
    case flatbuffers::BASE_TYPE_USHORT:
      return table.GetField<uint16_t>(slot, static_cast<uint16_t>(fallback));
    case flatbuffers::BASE_TYPE_INT:
      return static_cast<uint64_t>(int64_t{table.GetField<int32_t>(slot, static_cast<int32_t>(fallback))});
    case flatbuffers::BASE_TYPE_UINT:
      return table.GetField<uint32_t>(slot, static_cast<uint32_t>(fallback));
    case flatbuffers::BASE_TYPE_LONG:
      return static_cast<uint64_t>(table.GetField<int64_t>(slot, static_cast<int64_t>(fallback)));
    default:
      return table.GetField<uint64_t>(slot, fallback);
  }
}

Status unsupported(const flatbuffers::FieldDef& field, const char* what) {
  return Status::invalid_argument("schema: field " + field.name + " is " + what +
                                  ", which the canonical encoder does not write");
}

}  // namespace

CanonicalEncoder::CanonicalEncoder(const flatbuffers::Parser& schema) : schema_(schema), layout_(schema) {
  slots_.reserve(64);
}

Result<std::string> CanonicalEncoder::encode(const flatbuffers::Table& root) {
  if (schema_.root_struct_def_ == nullptr) return Status::invalid_argument("schema: no root type");
  builder_.Clear();
  slots_.clear();
  auto table = encode_table(root, *schema_.root_struct_def_);
  if (!table) return table.status();
  const std::string& identifier = schema_.file_identifier_;
  builder_.Finish(flatbuffers::Offset<void>(*table), identifier.empty() ? nullptr : identifier.c_str());
  return std::string(reinterpret_cast<const char*>(builder_.GetBufferPointer()), builder_.GetSize());
}

Result<flatbuffers::uoffset_t> CanonicalEncoder::encode_table(const flatbuffers::Table& table,
                                                              const flatbuffers::StructDef& def) {
  const std::vector<CanonicalField>* fields = layout_.fields_of(def);
  if (fields == nullptr)
    return Status::invalid_argument("schema: table " + def.name + " is not in the schema");
  const size_t first_slot = slots_.size();
  for (const CanonicalField& field : *fields) {
    if (flatbuffers::IsInteger(field.type)) {
      const uint64_t bits = integer_bits(table, field.slot, field.type, field.default_bits);
      if (bits != field.default_bits)
        slots_.push_back(CanonicalSlot{bits, field.slot, field.size_bytes, false});
      continue;
    }
    auto child = encode_child(table, field);
    if (!child) return child.status();
    if (*child != 0) slots_.push_back(CanonicalSlot{*child, field.slot, field.size_bytes, true});
  }
  return write_canonical_table(builder_, slots_, first_slot);
}

Result<flatbuffers::uoffset_t> CanonicalEncoder::encode_child(const flatbuffers::Table& table,
                                                              const CanonicalField& field) {
  const flatbuffers::Type& type = field.field->value.type;
  switch (field.type) {
    case flatbuffers::BASE_TYPE_STRING: {
      const auto* text = table.GetPointer<const flatbuffers::String*>(field.slot);
      if (text == nullptr || text->size() == 0) return flatbuffers::uoffset_t{0};
      return builder_.CreateString(text->c_str(), text->size()).o;
    }
    case flatbuffers::BASE_TYPE_VECTOR:
      return encode_list(table, field);
    case flatbuffers::BASE_TYPE_STRUCT: {
      if (type.struct_def == nullptr || type.struct_def->fixed) return unsupported(*field.field, "a struct");
      const auto* child = table.GetPointer<const flatbuffers::Table*>(field.slot);
      if (child == nullptr) return flatbuffers::uoffset_t{0};
      return encode_table(*child, *type.struct_def);
    }
    case flatbuffers::BASE_TYPE_UNION: {
      const auto kind = table.GetField<uint8_t>(
          static_cast<flatbuffers::voffset_t>(field.slot - sizeof(flatbuffers::voffset_t)), 0);
      const auto* child = table.GetPointer<const flatbuffers::Table*>(field.slot);
      const flatbuffers::EnumVal* member = type.enum_def ? type.enum_def->ReverseLookup(kind, true) : nullptr;
      // A member this schema does not know (a newer producer's) is left out, as Pack did.
      if (child == nullptr || member == nullptr ||
          member->union_type.base_type != flatbuffers::BASE_TYPE_STRUCT ||
          member->union_type.struct_def == nullptr) {
        return flatbuffers::uoffset_t{0};
      }
      return encode_table(*child, *member->union_type.struct_def);
    }
    default:
      return unsupported(*field.field, "neither an integer, a string, a list nor a table");
  }
}

Result<flatbuffers::uoffset_t> CanonicalEncoder::encode_list(const flatbuffers::Table& table,
                                                             const CanonicalField& field) {
  const flatbuffers::Type& type = field.field->value.type;
  using Offsets = flatbuffers::Vector<flatbuffers::Offset<void>>;
  const auto* list = table.GetPointer<const Offsets*>(field.slot);
  if (list == nullptr) return flatbuffers::uoffset_t{0};
  std::vector<flatbuffers::Offset<void>> offsets;
  offsets.reserve(list->size());
  if (type.element == flatbuffers::BASE_TYPE_STRING) {
    const auto* texts =
        reinterpret_cast<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>*>(list);
    for (const auto* text : *texts)
      offsets.emplace_back(builder_.CreateString(text->c_str(), text->size()).o);
  } else if (type.element == flatbuffers::BASE_TYPE_STRUCT && type.struct_def != nullptr &&
             !type.struct_def->fixed) {
    const auto* tables =
        reinterpret_cast<const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::Table>>*>(list);
    for (const auto* item : *tables) {
      auto written = encode_table(*item, *type.struct_def);
      if (!written) return written.status();
      offsets.emplace_back(*written);
    }
  } else {
    return unsupported(*field.field, "a list of neither strings nor tables");
  }
  return builder_.CreateVector(offsets).o;
}

}  // namespace ledger
