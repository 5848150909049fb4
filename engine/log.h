#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace ledger {

//! One event to append: its bytes (a verified, canonical FlatBuffer) and where it goes.
struct AppendRequest {
  std::string_view account;  //!< the partition key
  std::string_view bytes;
  bool broadcast = false;  //!< appended once to every partition, under the same id
};

//! Where an appended event landed (the first partition, for a broadcast).
struct LogPosition {
  uint32_t partition = 0;
  uint64_t offset = 0;
};

//! Events read from one partition, in offset order, held in one arena (no per-event allocation).
class LogBatch {
 public:
  void clear() {
    arena_.clear();
    entries_.clear();
  }
  void add(uint64_t offset, std::string_view bytes) {
    // Each event starts on an 8-byte boundary, as FlatBuffers' reads of 64-bit fields want.
    arena_.resize((arena_.size() + 7) & ~size_t{7});
    entries_.push_back({offset, arena_.size(), bytes.size()});
    arena_.append(bytes);
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  uint64_t offset(size_t i) const { return entries_[i].offset; }
  std::string_view bytes(size_t i) const {
    return std::string_view(arena_).substr(entries_[i].begin, entries_[i].length);
  }
  size_t arena_bytes() const { return arena_.size(); }

 private:
  struct Entry {
    uint64_t offset;
    size_t begin;
    size_t length;
  };
  std::string arena_;
  std::vector<Entry> entries_;
};

//! The log as the projector sees it: append a batch; read a partition from an offset. Two
//! backends implement it (the embedded log and Kafka); the projector cannot tell them apart.
class Log {
 public:
  virtual ~Log() = default;
  virtual uint32_t partition_count() const = 0;
  //! Appends every request durably, or none; `positions` gets one entry per request.
  virtual Status append(std::span<const AppendRequest> requests, std::vector<LogPosition>* positions) = 0;
  //! Reads up to `max_events` events of `partition` starting at `from_offset` into `out`.
  virtual Status read(uint32_t partition, uint64_t from_offset, size_t max_events, LogBatch& out) = 0;
  //! The offset the next appended event of `partition` will get.
  virtual Result<uint64_t> end_offset(uint32_t partition) = 0;
};

}  // namespace ledger
