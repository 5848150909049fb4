#pragma once

// Helpers of the reliability tests: a small seeded workload, in-process ingestion that returns
// the failure instead of REQUIRE-ing success, and the recovery checks shared by the fault,
// disk-full and limits tests.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "connectors/ingest/json_lines_ingester.h"
#include "engine/engine.h"

namespace ledger::test {

//! `accounts` accounts of one operator (line 1), then `mixed` payments and charges on them.
//! Every line is accepted at the door and applied by the projector.
std::vector<std::string> small_workload(int accounts, int mixed, uint64_t seed);

//! The lines joined with newlines.
std::string join_lines(const std::vector<std::string>& lines);

//! Ingests `lines` through the JSON-lines ingester, `batch_events` per append; the failure of
//! the append, if any. REQUIREs every line to pass the door.
Result<IngestReport> ingest_lines(Engine& engine, const std::vector<std::string>& lines,
                                  size_t batch_events = 4096);

//! The balances a store that ingested `lines` once, with no fault, shows.
std::map<std::string, int64_t> clean_balances(const std::vector<std::string>& lines, uint32_t partitions);

//! Whether `ledger digest` of `data` and of `ledger replay` of it into `replay_dir` agree;
//! REQUIREs both to succeed.
void require_digest_equals_replay(const std::string& data, const std::string& replay_dir);

}  // namespace ledger::test
