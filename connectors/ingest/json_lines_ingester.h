#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "engine/event_codec.h"
#include "engine/log.h"
#include "engine/status.h"

namespace ledger {

//! A line that was refused at the door, and why.
struct LineError {
  uint64_t line = 0;
  std::string message;  //!< names the field and the reason
};

struct IngestReport {
  uint64_t lines_read = 0;  //!< non-blank lines
  uint64_t appended = 0;    //!< events durably appended to the log
  uint64_t refused = 0;     //!< lines refused (not JSON, not the schema, out of range)
};

//! Reads events as JSON lines (the FlatBuffers JSON of schemas/events.fbs, one per line) and
//! appends them to a log in durable batches. A bad line is refused with its number, the field
//! and the reason; the good lines around it are still appended. Blank lines are skipped.
class JsonLinesIngester {
 public:
  using ErrorSink = std::function<void(const LineError&)>;
  //! Called after each durable append with the last line it covered.
  using AckSink = std::function<void(uint64_t last_line, uint64_t appended_total)>;

  explicit JsonLinesIngester(Log& log, size_t batch_events = 4096) : log_(log), batch_events_(batch_events) {}

  //! Ingests `input` to its end. Fails only when the log cannot append (disk full, I/O).
  Result<IngestReport> ingest(std::istream& input, const ErrorSink& on_error, const AckSink& on_ack);

 private:
  Log& log_;
  size_t batch_events_;
  EventCodec codec_;
};

}  // namespace ledger
