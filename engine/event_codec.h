#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "schemas/events_generated.h"

namespace flatbuffers {
class Parser;
}

namespace ledger {

class CanonicalEncoder;
class JsonEventBuilder;

//! Explicit bounds for the FlatBuffers verifier: an event is a shallow table.
struct VerifierLimits {
  static constexpr flatbuffers::uoffset_t kMaxDepth = 8;
  static constexpr flatbuffers::uoffset_t kMaxTables = 20'000;
  static constexpr size_t kMaxEventBytes = 64 * 1024;
};

//! Checks that `bytes` is a well-formed event buffer (FlatBuffers verifier with the limits
//! above, file identifier "LEV1"). Returns the root to read in place, or InvalidArgument.
Result<const schema::Event*> verify_event_buffer(std::string_view bytes);

//! Verifies, validates every field (validate_event) and re-encodes an event in its canonical
//! form (CanonicalEncoder): the same content always gives the same bytes, whatever encoder
//! made the input. The log stores only canonical events, so a byte comparison is a payload
//! comparison. Uses one EventCodec per thread.
Result<std::string> canonicalize_event(std::string_view bytes);

//! Converts events between their JSON form (the FlatBuffers JSON of schemas/events.fbs) and
//! their canonical binary form. Holds a FlatBuffers parser: one codec per thread.
class EventCodec {
 public:
  EventCodec();
  ~EventCodec();
  EventCodec(const EventCodec&) = delete;
  EventCodec& operator=(const EventCodec&) = delete;

  //! One JSON event to canonical bytes; errors name the field and the reason. Plain JSON
  //! takes the fast path (JsonEventBuilder), anything else the reference: the same bytes.
  Result<std::string> from_json(std::string_view json);
  //! from_json() through FlatBuffers' own JSON parser only: the reference the fast path is
  //! tested against, and what decides (and explains) whatever the fast path declines.
  Result<std::string> from_json_by_reference(std::string_view json);
  //! canonicalize_event() with this codec's schema.
  Result<std::string> canonicalize(std::string_view bytes);
  //! A verified event's JSON text, on one line.
  Result<std::string> to_json(std::string_view bytes);

  //! The largest JSON text accepted for one event.
  static constexpr size_t kMaxJsonBytes = 256 * 1024;

 private:
  void reset_parser();

  std::unique_ptr<flatbuffers::Parser> parser_;
  std::unique_ptr<JsonEventBuilder> fast_;       //!< over parser_'s schema
  std::unique_ptr<CanonicalEncoder> canonical_;  //!< over parser_'s schema
};

}  // namespace ledger
