#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "engine/status.h"

namespace ledger::http {

//! A refused request: the HTTP status, a stable code for programs, the field at fault (a query
//! parameter, a body field such as "body.amount_minor", or "events[3].id") and the reason.
struct ApiError {
  int http_status = 400;
  std::string code;
  std::string field;
  std::string message;

  //! {"error": {"code": ..., "field": ..., "message": ...}}
  nlohmann::json to_json() const;
};

//! What a handler returns: nothing when the response is written, or why it was refused.
using ApiOutcome = std::optional<ApiError>;

ApiError bad_request(std::string field, std::string message);
ApiError not_found(std::string field, std::string message);

//! An engine Status as an ApiError: InvalidArgument is the caller's (400), NotFound 404,
//! AlreadyExists 409, NoSpace 507, Busy 503, anything else the server's (500). The field is
//! the message's leading "name:" when it has one ("from: 2026-13-01 is not a day").
ApiError from_status(const Status& status);

//! The leading field name of an engine message ("--as-of: ..." gives "as_of"); empty if none.
std::string field_of_message(const std::string& message);

}  // namespace ledger::http
