#pragma once

#include <string>
#include <string_view>

namespace flatbuffers {
class Parser;
}

namespace ledger {

//! Explains why FlatBuffers' JSON parser refused `json`, naming the field and the reason
//! ("body.amount_minor: expected an integer, got string"). FlatBuffers' own messages say what
//! token it met but not where in the event; this walks the JSON against the schema the parser
//! holds. Falls back to `parser_error` when it finds nothing more precise.
std::string explain_json_refusal(const flatbuffers::Parser& parser, std::string_view json,
                                 const std::string& parser_error);

}  // namespace ledger
