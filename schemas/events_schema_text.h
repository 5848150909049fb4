#pragma once

#include <string_view>

namespace ledger {

//! The text of schemas/events.fbs, embedded at build time, for FlatBuffers' JSON parser.
std::string_view events_schema_text();

}  // namespace ledger
