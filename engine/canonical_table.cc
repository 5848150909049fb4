#include "engine/canonical_table.h"

#include <cstdlib>
#include <string>

namespace ledger {
namespace {

//! A field's default from the schema's text: a number (the parser stores an enum's default by
//! value), or a boolean's name.
uint64_t default_bits(const flatbuffers::FieldDef& field) {
  const std::string& text = field.value.constant;
  if (text == "true") return 1;
  if (text == "false" || text.empty()) return 0;
  if (field.value.type.base_type == flatbuffers::BASE_TYPE_ULONG) {
    uint64_t value = 0;
    if (!flatbuffers::StringToNumber(text.c_str(), &value)) std::abort();  // a build defect
    return value;
  }
  int64_t value = 0;
  if (!flatbuffers::StringToNumber(text.c_str(), &value)) std::abort();  // a build defect
  return static_cast<uint64_t>(value);
}

}  // namespace

CanonicalLayout::CanonicalLayout(const flatbuffers::Parser& schema) {
  for (const auto* def : schema.structs_.vec) {
    std::vector<CanonicalField>& fields = fields_[def];
    for (const auto* field : def->fields.vec) {
      if (field->deprecated) continue;
      const flatbuffers::BaseType type = field->value.type.base_type;
      const bool integer = flatbuffers::IsInteger(type);
      const size_t size_bytes = integer ? flatbuffers::SizeOf(type) : sizeof(flatbuffers::uoffset_t);
      fields.push_back(CanonicalField{field, field->value.offset, type, static_cast<uint8_t>(size_bytes),
                                      integer ? default_bits(*field) : 0});
      if (type != flatbuffers::BASE_TYPE_UNION) continue;
      // Both writers find a union's type one slot below it, in the field declared just before.
      const auto* type_field = def->fields.Lookup(field->name + flatbuffers::UnionTypeFieldSuffix());
      if (type_field == nullptr ||
          type_field->value.offset + sizeof(flatbuffers::voffset_t) != field->value.offset ||
          fields.size() < 2 || fields[fields.size() - 2].field != type_field) {
        std::abort();  // a build defect: the schema compiled in is tested
      }
    }
  }
}

const std::vector<CanonicalField>* CanonicalLayout::fields_of(const flatbuffers::StructDef& def) const {
  const auto found = fields_.find(&def);
  return found == fields_.end() ? nullptr : &found->second;
}

flatbuffers::uoffset_t write_canonical_table(flatbuffers::FlatBufferBuilder& builder,
                                             std::vector<CanonicalSlot>& slots, size_t first_slot) {
  const flatbuffers::uoffset_t start = builder.StartTable();
  for (uint8_t size_bytes = sizeof(uint64_t); size_bytes > 0; size_bytes /= 2) {
    for (size_t index = slots.size(); index-- > first_slot;) {
      const CanonicalSlot& slot = slots[index];
      if (slot.size_bytes != size_bytes) continue;
      if (slot.is_offset) {
        builder.AddOffset(slot.slot,
                          flatbuffers::Offset<void>(static_cast<flatbuffers::uoffset_t>(slot.bits)));
      } else if (size_bytes == 8) {
        builder.AddElement<uint64_t>(slot.slot, slot.bits);
      } else if (size_bytes == 4) {
        builder.AddElement<uint32_t>(slot.slot, static_cast<uint32_t>(slot.bits));
      } else if (size_bytes == 2) {
        builder.AddElement<uint16_t>(slot.slot, static_cast<uint16_t>(slot.bits));
      } else {
        builder.AddElement<uint8_t>(slot.slot, static_cast<uint8_t>(slot.bits));
      }
    }
  }
  slots.resize(first_slot);
  return builder.EndTable(start);
}

}  // namespace ledger
