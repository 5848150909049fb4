#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ledger::bench {

//! A file of canonical event buffers: the 8-byte magic "LEDGEVB1", then per event a
//! little-endian u32 length and the bytes. Written by `ledger-workload --format fb`, read by the
//! append benchmark so that it measures the log, not JSON parsing.
class EventFileWriter {
 public:
  ~EventFileWriter();
  //! Creates (or truncates) `path` and writes the magic.
  static Result<std::unique_ptr<EventFileWriter>> open(const std::string& path);
  //! Appends one event's bytes with its length prefix.
  Status write(std::string_view bytes);
  //! Flushes and closes; an error here means the file is incomplete.
  Status close();

 private:
  explicit EventFileWriter(std::FILE* file) : file_(file) {}
  std::FILE* file_;  //!< owned; closed by close() or the destructor
};

//! Reads an event file written by EventFileWriter, one event at a time.
class EventFileReader {
 public:
  ~EventFileReader();
  //! Opens `path`; InvalidArgument when it does not start with the magic.
  static Result<std::unique_ptr<EventFileReader>> open(const std::string& path);
  //! The next event into `bytes`; false at the end of the file.
  Result<bool> next(std::string& bytes);

 private:
  explicit EventFileReader(std::FILE* file) : file_(file) {}
  std::FILE* file_;  //!< owned; closed by close() or the destructor
};

//! The first 8 bytes of every event file.
inline constexpr std::string_view kEventFileMagic = "LEDGEVB1";

}  // namespace ledger::bench
