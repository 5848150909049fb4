#pragma once

// Shared helpers of the test suites: temporary folders, engines on a real RocksDB, running the
// `ledger` binary, and the invariants of BILLING.md section 8.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace flatbuffers {
class Parser;
}

namespace ledger::test {

//! A fresh folder under $TMPDIR, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

//! The events schema compiled by FlatBuffers' parser, as EventCodec compiles it.
std::unique_ptr<flatbuffers::Parser> compiled_events_schema();

//! The demo data set's events for `accounts` accounts, one JSON line each.
std::vector<std::string> demo_event_lines(size_t accounts);

//! An engine with every view of the product, on a real RocksDB in `dir`.
std::unique_ptr<Engine> open_engine(const std::string& dir, uint32_t partitions = 4);

//! Parses JSON lines and appends them, without projecting; REQUIREs that every line is accepted.
void append_json_lines(Engine& engine, const std::vector<std::string>& lines);
//! Parses JSON lines, appends them and projects; REQUIREs that every line is accepted.
ProjectionStats ingest_json_lines(Engine& engine, const std::vector<std::string>& lines);

//! The path of the built `ledger` binary.
std::string ledger_binary();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
//! Runs `ledger <args>` with `input` on stdin (written to a file first); waits for it.
CommandResult run_ledger(const std::string& args, const std::string& input = "");

//! Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

//! Checks the invariants of BILLING.md section 8 that the views so far can show; returns a
//! description of each violation (empty when all hold):
//!  - every account's balance = its debits - its credits;
//!  - per currency, the sum of all balances = the sum of all debits - the sum of all credits;
//!  - every offset below each partition's stored offset was applied or rejected exactly once
//!    (the dedup ids account for every event in the projected log that is not a duplicate).
std::vector<std::string> check_invariants(Engine& engine);

//! Balance per account, read from the views.
std::map<std::string, int64_t> balances_by_account(Engine& engine);

}  // namespace ledger::test
