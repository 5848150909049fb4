#include "engine/json_refusal.h"

#include <flatbuffers/idl.h>

#include <nlohmann/json.hpp>
#include <optional>

namespace ledger {
namespace {

using Json = nlohmann::json;
using Finding = std::optional<std::string>;

std::string join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string enum_names(const flatbuffers::EnumDef& def) {
  std::string names;
  for (const auto* val : def.Vals()) {
    if (val->name == "NONE") continue;
    names += (names.empty() ? "" : ", ") + val->name;
  }
  return names;
}

Finding mismatch(const std::string& path, const char* expected, const Json& value) {
  return path + ": expected " + expected + ", got " + value.type_name();
}

Finding check_object(const Json& object, const flatbuffers::StructDef& def, const std::string& path);

Finding check_enum(const Json& value, const flatbuffers::EnumDef& def, const std::string& path) {
  if (value.is_number_integer()) return std::nullopt;
  if (!value.is_string()) return mismatch(path, "a name", value);
  if (def.Lookup(value.get<std::string>())) return std::nullopt;
  return path + ": '" + value.get<std::string>() + "' is not one of " + enum_names(def);
}

Finding check_value(const Json& value, const flatbuffers::Type& type, const std::string& path) {
  using flatbuffers::BaseType;
  if (type.base_type == BaseType::BASE_TYPE_STRING) {
    return value.is_string() ? std::nullopt : mismatch(path, "a string", value);
  }
  if (type.enum_def && flatbuffers::IsInteger(type.base_type)) return check_enum(value, *type.enum_def, path);
  if (type.base_type == BaseType::BASE_TYPE_BOOL) {
    return value.is_boolean() || value.is_number_integer() ? std::nullopt
                                                           : mismatch(path, "true or false", value);
  }
  if (flatbuffers::IsInteger(type.base_type)) {
    if (value.is_number_integer()) return std::nullopt;
    return mismatch(path, "an integer", value);
  }
  if (flatbuffers::IsFloat(type.base_type))
    return value.is_number() ? std::nullopt : mismatch(path, "a number", value);
  if (type.base_type == BaseType::BASE_TYPE_VECTOR) {
    if (!value.is_array()) return mismatch(path, "an array", value);
    for (size_t i = 0; i < value.size(); ++i) {
      if (auto found = check_value(value[i], type.VectorType(), path + "[" + std::to_string(i) + "]"))
        return found;
    }
    return std::nullopt;
  }
  if (type.base_type == BaseType::BASE_TYPE_STRUCT && type.struct_def) {
    if (!value.is_object()) return mismatch(path, "an object", value);
    return check_object(value, *type.struct_def, path);
  }
  return std::nullopt;
}

Finding check_union(const Json& object, const flatbuffers::FieldDef& field, const std::string& path) {
  const std::string type_key = field.name + "_type";
  const std::string field_path = join(path, field.name);
  if (!object.contains(type_key)) return join(path, type_key) + ": is required with " + field_path;
  const Json& type_name = object[type_key];
  if (!type_name.is_string()) return mismatch(join(path, type_key), "a name", type_name);
  const auto* val = field.value.type.enum_def->Lookup(type_name.get<std::string>());
  if (!val || !val->union_type.struct_def) {
    return join(path, type_key) + ": '" + type_name.get<std::string>() + "' is not one of " +
           enum_names(*field.value.type.enum_def);
  }
  const Json& body = object[field.name];
  if (!body.is_object()) return mismatch(field_path, "an object", body);
  return check_object(body, *val->union_type.struct_def, field_path);
}

Finding check_object(const Json& object, const flatbuffers::StructDef& def, const std::string& path) {
  for (const auto& [key, value] : object.items()) {
    const auto* field = def.fields.Lookup(key);
    if (!field) return join(path, key) + ": is not a field of " + def.name;
    if (field->value.type.base_type == flatbuffers::BaseType::BASE_TYPE_UNION) {
      if (auto found = check_union(object, *field, path)) return found;
      continue;
    }
    if (auto found = check_value(value, field->value.type, join(path, key))) return found;
  }
  return std::nullopt;
}

}  // namespace

std::string explain_json_refusal(const flatbuffers::Parser& parser, std::string_view json,
                                 const std::string& parser_error) {
  Json document = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return "not JSON: " + parser_error;
  if (!document.is_object())
    return "expected a JSON object (one event), got " + std::string(document.type_name());
  if (!parser.root_struct_def_) return parser_error;
  if (auto found = check_object(document, *parser.root_struct_def_, "")) return *found;
  return parser_error;
}

}  // namespace ledger
