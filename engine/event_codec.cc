#include "engine/event_codec.h"

#include <flatbuffers/idl.h>

#include "engine/canonical_encoder.h"
#include "engine/event_validation.h"
#include "engine/json_event_builder.h"
#include "engine/json_refusal.h"
#include "schemas/events_schema_text.h"

namespace ledger {
namespace {

// FlatBuffers reports "line: column: error: message"; keep the message and the column.
std::string clean_parser_error(const std::string& error) {
  const std::string marker = ": error: ";
  const size_t at = error.find(marker);
  if (at == std::string::npos) return error;
  std::string text = error.substr(at + marker.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const size_t column_start = error.rfind(' ', at);
  if (column_start == std::string::npos) return text;
  return text + " (at column " + error.substr(column_start + 1, at - column_start - 1) + ")";
}

}  // namespace

Result<const schema::Event*> verify_event_buffer(std::string_view bytes) {
  if (bytes.size() > VerifierLimits::kMaxEventBytes) {
    return Status::invalid_argument("event: " + std::to_string(bytes.size()) +
                                    " bytes is more than the limit " +
                                    std::to_string(VerifierLimits::kMaxEventBytes));
  }
  if (bytes.size() < 8)
    return Status::invalid_argument("event: " + std::to_string(bytes.size()) + " bytes is too short");
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (!schema::EventBufferHasIdentifier(data)) {
    return Status::invalid_argument("event: the buffer does not carry the file identifier \"LEV1\"");
  }
  flatbuffers::Verifier verifier(data, bytes.size(), VerifierLimits::kMaxDepth, VerifierLimits::kMaxTables);
  if (!schema::VerifyEventBuffer(verifier)) {
    return Status::invalid_argument(
        "event: the FlatBuffers verifier refused the buffer (bad offsets or sizes)");
  }
  return schema::GetEvent(data);
}

namespace {

//! The event in `bytes`, verified (verify_event_buffer) and with every field valid
//! (validate_event): what any event must pass before its bytes are stored.
Result<const schema::Event*> verified_and_valid(std::string_view bytes) {
  auto event = verify_event_buffer(bytes);
  if (!event) return event.status();
  if (Status valid = validate_event(**event); !valid) return valid;
  return event;
}

}  // namespace

Result<std::string> canonicalize_event(std::string_view bytes) {
  thread_local EventCodec codec;
  return codec.canonicalize(bytes);
}

EventCodec::EventCodec() {
  reset_parser();
}
EventCodec::~EventCodec() = default;

void EventCodec::reset_parser() {
  flatbuffers::IDLOptions options;
  options.strict_json = true;
  options.skip_unexpected_fields_in_json = false;
  options.indent_step = -1;  // one line
  parser_ = std::make_unique<flatbuffers::Parser>(options);
  std::string schema(events_schema_text());
  // The schema is compiled into the binary and tested; failing here is a build defect.
  if (!parser_->Parse(schema.c_str())) std::abort();
  fast_ = std::make_unique<JsonEventBuilder>(*parser_);
  canonical_ = std::make_unique<CanonicalEncoder>(*parser_);
}

Result<std::string> EventCodec::canonicalize(std::string_view bytes) {
  auto event = verified_and_valid(bytes);
  if (!event) return event.status();
  return canonical_->encode(*reinterpret_cast<const flatbuffers::Table*>(*event));
}

Result<std::string> EventCodec::from_json(std::string_view json) {
  if (json.size() <= kMaxJsonBytes) {
    // Already canonical: checked as any event is, and kept as built.
    if (auto built = fast_->build(json)) {
      auto event = verified_and_valid(*built);
      if (!event) return event.status();
      return std::string(*built);
    }
  }
  return from_json_by_reference(json);
}

Result<std::string> EventCodec::from_json_by_reference(std::string_view json) {
  if (json.size() > kMaxJsonBytes) {
    return Status::invalid_argument("event: " + std::to_string(json.size()) +
                                    " bytes of JSON is more than the limit " + std::to_string(kMaxJsonBytes));
  }
  std::string text(json);
  if (!parser_->ParseJson(text.c_str())) {
    Status error =
        Status::invalid_argument(explain_json_refusal(*parser_, text, clean_parser_error(parser_->error_)));
    reset_parser();  // a failed parse may leave the parser's state half-built
    return error;
  }
  std::string_view built(reinterpret_cast<const char*>(parser_->builder_.GetBufferPointer()),
                         parser_->builder_.GetSize());
  return canonicalize(built);
}

Result<std::string> EventCodec::to_json(std::string_view bytes) {
  auto event = verify_event_buffer(bytes);
  if (!event) return event.status();
  std::string json;
  if (!flatbuffers::GenerateText(*parser_, bytes.data(), &json)) {
    return Status::invalid_argument("event: could not be rendered as JSON");
  }
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

}  // namespace ledger
