#include "connectors/http/api_error.h"

#include <cctype>

namespace ledger::http {

nlohmann::json ApiError::to_json() const {
  return {{"error", {{"code", code}, {"field", field}, {"message", message}}}};
}

ApiError bad_request(std::string field, std::string message) {
  return {400, "invalid_argument", std::move(field), std::move(message)};
}

ApiError not_found(std::string field, std::string message) {
  return {404, "not_found", std::move(field), std::move(message)};
}

std::string field_of_message(const std::string& message) {
  size_t start = message.rfind("--", 0) == 0 ? 2 : 0;
  size_t colon = message.find(':', start);
  if (colon == std::string::npos || colon == start) return "";
  std::string field;
  for (size_t i = start; i < colon; ++i) {
    const char c = message[i];
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '[' ||
                         c == ']' || c == '-';
    if (!allowed) return "";
    field.push_back(c == '-' ? '_' : c);
  }
  return field;
}

ApiError from_status(const Status& status) {
  const std::string field = field_of_message(status.message());
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
    case Status::Code::kOverflow:
      return {400, "invalid_argument", field, status.message()};
    case Status::Code::kNotFound:
      return {404, "not_found", field, status.message()};
    case Status::Code::kAlreadyExists:
      return {409, "conflict", field, status.message()};
    case Status::Code::kNoSpace:
      return {507, "no_space", "", status.to_string()};
    case Status::Code::kBusy:
      return {503, "busy", "", status.to_string()};
    default:
      return {500, "internal", "", status.to_string()};
  }
}

}  // namespace ledger::http
