#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/projector.h"
#include "engine/status.h"

namespace ledger::bench {

//! What one throughput phase measured.
struct PhaseResult {
  std::string phase;
  uint64_t events = 0;   //!< events through the phase (log entries for append and replay)
  double seconds = 0;    //!< wall time of the measured part
  uint64_t bytes = 0;    //!< event bytes through the phase (append), 0 if not measured
  uint64_t applied = 0;  //!< projection outcomes, when the phase projects
  uint64_t rejected = 0;
  uint64_t duplicates = 0;
  uint64_t commits = 0;     //!< projection WriteBatches
  uint64_t disk_bytes = 0;  //!< size of the store directory after the phase, 0 if not measured
  std::string note;         //!< anything else worth a line (the replay digest check)
};

struct PhaseOptions {
  std::string input;     //!< event file (append) or JSON lines (e2e)
  std::string dir;       //!< the store the phase writes or reads
  std::string from_dir;  //!< replay: the finished store to copy the log from
  uint32_t partitions = 8;
  size_t append_batch = 4096;                                    //!< events per durable append
  size_t project_batch = 16384;                                  //!< ProjectorOptions::batch_events_max
  size_t project_threads = 2;                                    //!< ProjectorOptions::threads
  size_t cache_mib = ProjectorOptions().cached_bytes_max >> 20;  //!< ProjectorOptions::cached_bytes_max
  size_t query_samples = 20'000;                                 //!< upper bound per query kind
  double query_seconds = 10;                                     //!< time budget per query kind
  uint64_t seed = 7;
  std::string only_query;  //!< query: run only the query kind of this name (empty: all)
};

//! (1) Appends an event file to the embedded log with durable group commit.
Result<PhaseResult> run_append(const PhaseOptions& options);
//! (2) Projects every view from the log already in options.dir.
Result<PhaseResult> run_project(const PhaseOptions& options);
//! (3) Ingests JSON lines (parse, canonicalise, durable append) while a projector thread keeps
//! the views caught up, as a live engine does; timed until the last event is projected.
Result<PhaseResult> run_end_to_end(const PhaseOptions& options);
//! (4) Copies the log of options.from_dir into a new store at options.dir and projects it, as
//! `ledger replay --into` does; checks the digest equals the source's.
Result<PhaseResult> run_replay(const PhaseOptions& options);

//! One query kind's latencies.
struct QueryResult {
  std::string query;
  size_t samples = 0;
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
  std::string note;  //!< what it was asked (the month, the number of accounts)
};

//! (5) Latencies of the in-process queries on the store at options.dir, each with its own
//! read snapshot as a server request would take.
Result<std::vector<QueryResult>> run_queries(const PhaseOptions& options);

//! The peak resident set of this process so far, in bytes (getrusage).
uint64_t peak_rss_bytes();
//! The total size of the files under `dir`.
uint64_t directory_bytes(const std::string& dir);

}  // namespace ledger::bench
