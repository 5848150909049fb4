// Every fault point of the commit path (engine/fault_point.h), with both actions:
//  - `error` in process: the call fails cleanly with an IoError naming the point, the store is
//    consistent (BILLING.md section 8 holds, before and after reopening), and a retry of the
//    same input succeeds and applies each event exactly once;
//  - `abort` in the `ledger` binary: the process dies at the point as in a crash, and a restart
//    with the same input recovers with no loss, no double application and a digest equal to a
//    clean replay.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "engine/fault_point.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr uint32_t kPartitions = 4;

//! Arms a point and disarms every point when it goes away, whatever the test's outcome.
class ArmedFault {
 public:
  ArmedFault(std::string_view name, FaultAction action, uint64_t hit) {
    REQUIRE(arm_fault_point(name, action, hit).is_ok());
  }
  ~ArmedFault() { disarm_fault_points(); }
  ArmedFault(const ArmedFault&) = delete;
  ArmedFault& operator=(const ArmedFault&) = delete;
};

//! Sets LEDGER_FAULT for the processes this test spawns, and unsets it when it goes away.
class FaultEnvironment {
 public:
  explicit FaultEnvironment(const std::string& spec) {
    disarm_fault_points();  // this process has read its own environment before it changes
    REQUIRE(setenv("LEDGER_FAULT", spec.c_str(), 1) == 0);
  }
  ~FaultEnvironment() { unsetenv("LEDGER_FAULT"); }
  FaultEnvironment(const FaultEnvironment&) = delete;
  FaultEnvironment& operator=(const FaultEnvironment&) = delete;
};

std::vector<std::string> slice(const std::vector<std::string>& lines, size_t first, size_t end) {
  return {lines.begin() + static_cast<std::ptrdiff_t>(first),
          lines.begin() + static_cast<std::ptrdiff_t>(end)};
}

void require_consistent(Engine& engine) {
  auto violations = check_invariants(engine);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  REQUIRE(violations.empty());
}

//! Ingests then projects `lines`; the first failure, or OK.
Status ingest_and_project(Engine& engine, const std::vector<std::string>& lines) {
  auto report = ingest_lines(engine, lines, /*batch_events=*/64);
  if (!report) return report.status();
  auto projected = engine.projector().catch_up();
  return projected.status();
}

//! Events in the log: the lines of a prefix of small_workload, whose first line (the operator)
//! is broadcast to every partition.
uint64_t events_of_lines(uint64_t lines) {
  return lines == 0 ? 0 : lines + kPartitions - 1;
}

uint64_t log_events(Engine& engine) {
  uint64_t events = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto end = engine.log().end_offset(p);
    REQUIRE(end.is_ok());
    events += *end;
  }
  return events;
}

//! A fault in the middle of an append or between its write and the visibility of its offsets,
//! and what must be in the log afterwards.
struct AppendFault {
  std::string_view point;
  uint64_t hit = 0;
  uint64_t acked_lines = 0;   //!< lines acknowledged before the fault
  uint64_t logged_lines = 0;  //!< lines in the log after it (acknowledged or not, never a part)
};

//! After a fault described by `fault` (the process that hit it gone or not): the log holds
//! exactly `logged_lines` whole lines, every acknowledged one among them, and projecting gives
//! the balances of exactly those lines, each once. A reopened store agrees.
void require_whole_prefix(const std::string& data, const std::vector<std::string>& lines,
                          const AppendFault& fault) {
  const std::vector<std::string> logged = slice(lines, 0, fault.logged_lines);
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto engine = open_engine(data, kPartitions);
    REQUIRE(log_events(*engine) == events_of_lines(fault.logged_lines));
    auto projected = engine->projector().catch_up();
    INFO(projected.status().to_string());
    REQUIRE(projected.is_ok());
    require_consistent(*engine);
    REQUIRE(balances_by_account(*engine) == clean_balances(logged, kPartitions));
  }
}

}  // namespace

TEST_CASE("fault points: an error inside an append or before its offsets show loses no acknowledged event",
          "[fault]") {
  // 64 lines an append; the first append puts the operator into 4 partitions, then 63 lines:
  // 67 hits of log.append.mid_batch.
  const AppendFault fault = GENERATE(AppendFault{"log.append.mid_batch", 2, 0, 0},  // inside the broadcast
                                     AppendFault{"log.append.mid_batch", 67 + 10, 64, 64},
                                     AppendFault{"log.append.before_visible", 1, 0, 64},
                                     AppendFault{"log.append.before_visible", 2, 64, 128});
  const std::string point(fault.point);
  CAPTURE(point, fault.hit);
  const std::vector<std::string> lines = small_workload(8, 400, 0x3a1d);
  TempDir dir;
  {
    auto engine = open_engine(dir.sub("data"), kPartitions);
    ArmedFault armed(fault.point, FaultAction::kError, fault.hit);
    std::istringstream input(join_lines(lines));
    JsonLinesIngester ingester(engine->log(), /*batch_events=*/64);
    uint64_t acked_lines = 0;
    auto report = ingester.ingest(input, nullptr,
                                  [&](uint64_t /*last_line*/, uint64_t appended) { acked_lines = appended; });
    INFO(report.status().to_string());
    REQUIRE(fault_point_fired(fault.point) == 1);
    REQUIRE(report.status().code() == Status::Code::kIoError);
    REQUIRE(report.status().message().find(point) != std::string::npos);
    REQUIRE(acked_lines == fault.acked_lines);
    // The engine that saw the error goes on from a whole log: the failed append is all there
    // (written before the point) or not at all.
    REQUIRE(log_events(*engine) == events_of_lines(fault.logged_lines));
  }
  require_whole_prefix(dir.sub("data"), lines, fault);
  // The same input again completes the log, each event once.
  {
    auto engine = open_engine(dir.sub("data"), kPartitions);
    REQUIRE(ingest_and_project(*engine, lines).is_ok());
    require_consistent(*engine);
    REQUIRE(log_events(*engine) == events_of_lines(lines.size()) + events_of_lines(fault.logged_lines));
    REQUIRE(balances_by_account(*engine) == clean_balances(lines, kPartitions));
  }
  require_digest_equals_replay(dir.sub("data"), dir.sub("replayed"));
}

TEST_CASE("fault points: an abort inside an append or before its offsets show loses no acknowledged event",
          "[fault]") {
  // Appends of 4096 lines in the binary; the first puts the operator into 4 partitions, then
  // 4095 lines: 4099 hits of log.append.mid_batch.
  static const std::vector<std::string> lines = small_workload(8, 4600, 0x5e1f);
  const AppendFault fault = GENERATE(AppendFault{"log.append.mid_batch", 2, 0, 0},  // inside the broadcast
                                     AppendFault{"log.append.mid_batch", 4099 + 100, 4096, 4096},
                                     AppendFault{"log.append.before_visible", 1, 0, 4096},
                                     AppendFault{"log.append.before_visible", 2, 4096, lines.size()});
  const std::string point(fault.point);
  CAPTURE(point, fault.hit);
  TempDir dir;
  write_file(dir.sub("events.jsonl"), join_lines(lines));
  {
    FaultEnvironment environment(fmt::format("{}:abort:{}", point, fault.hit));
    CommandResult aborted =
        run_ledger(fmt::format("--data '{}' --partitions {} ingest --progress --no-project '{}'",
                               dir.sub("data"), kPartitions, dir.sub("events.jsonl")));
    INFO(aborted.out << aborted.err);
    REQUIRE(aborted.exit_code == kFaultAbortExitCode);
    REQUIRE(aborted.err.find("fault point " + point + ": abort") != std::string::npos);
    const std::string last_ack =
        fault.acked_lines == 0 ? "" : fmt::format("acked {0} {0}\n", fault.acked_lines);
    REQUIRE(aborted.out == last_ack);
  }
  require_whole_prefix(dir.sub("data"), lines, fault);
  CommandResult restarted = run_ledger(fmt::format("--data '{}' --partitions {} ingest '{}'", dir.sub("data"),
                                                   kPartitions, dir.sub("events.jsonl")));
  INFO(restarted.out << restarted.err);
  REQUIRE(restarted.exit_code == 0);
  {
    auto engine = open_engine(dir.sub("data"), kPartitions);
    require_consistent(*engine);
    REQUIRE(balances_by_account(*engine) == clean_balances(lines, kPartitions));
  }
  require_digest_equals_replay(dir.sub("data"), dir.sub("replayed"));
}

TEST_CASE("fault points: an injected error fails cleanly and a retry applies each event once", "[fault]") {
  const std::string point(GENERATE(from_range(std::begin(kFaultPointNames), std::end(kFaultPointNames))));
  const uint64_t hit = GENERATE(1, 2);  // the projector points: one hit per busy partition
  CAPTURE(point, hit);
  const std::vector<std::string> lines = small_workload(8, 400, 0xfa17);
  const auto first_half = slice(lines, 0, 200);
  const auto second_half = slice(lines, 200, lines.size());
  TempDir dir;
  {
    auto engine = open_engine(dir.sub("data"), kPartitions);
    REQUIRE(ingest_and_project(*engine, first_half).is_ok());
    const auto balances_before = balances_by_account(*engine);
    {
      ArmedFault fault(point, FaultAction::kError, hit);
      Status failed = ingest_and_project(*engine, second_half);
      INFO(failed.to_string());
      REQUIRE(fault_point_fired(point) == 1);
      REQUIRE(failed.code() == Status::Code::kIoError);
      REQUIRE(failed.message().find(point) != std::string::npos);
    }
    require_consistent(*engine);
    const bool before_any_write = point == "log.append.mid_batch" || point == "log.append.before_write";
    if (before_any_write && hit == 1) REQUIRE(balances_by_account(*engine) == balances_before);
  }
  // A fresh process sees a consistent store, and the same input sent again completes it.
  auto engine = open_engine(dir.sub("data"), kPartitions);
  require_consistent(*engine);
  REQUIRE(ingest_and_project(*engine, second_half).is_ok());
  require_consistent(*engine);
  REQUIRE(balances_by_account(*engine) == clean_balances(lines, kPartitions));
  engine.reset();
  require_digest_equals_replay(dir.sub("data"), dir.sub("replayed"));
}

TEST_CASE("fault points: an abort in the binary is recovered by a restart with no loss", "[fault]") {
  // More lines than one durable append (4096), so that the log points are hit more than once.
  static const std::vector<std::string> lines = small_workload(8, 4600, 0xab07);
  static const std::map<std::string, int64_t> expected = clean_balances(lines, kPartitions);
  const std::string point(GENERATE(from_range(std::begin(kFaultPointNames), std::end(kFaultPointNames))));
  const uint64_t hit = GENERATE(1, 2);
  CAPTURE(point, hit);
  TempDir dir;
  write_file(dir.sub("events.jsonl"), join_lines(lines));
  const std::string ingest = fmt::format("--data '{}' --partitions {} ingest '{}'", dir.sub("data"),
                                         kPartitions, dir.sub("events.jsonl"));
  {
    FaultEnvironment fault(fmt::format("{}:abort:{}", point, hit));
    CommandResult aborted = run_ledger(ingest);
    INFO(aborted.out << aborted.err);
    REQUIRE(aborted.exit_code == kFaultAbortExitCode);
    REQUIRE(aborted.err.find("fault point " + point + ": abort") != std::string::npos);
  }
  CommandResult restarted = run_ledger(ingest);
  INFO(restarted.out << restarted.err);
  REQUIRE(restarted.exit_code == 0);
  {
    auto engine = open_engine(dir.sub("data"), kPartitions);
    require_consistent(*engine);
    REQUIRE(balances_by_account(*engine) == expected);
  }
  require_digest_equals_replay(dir.sub("data"), dir.sub("replayed"));
}

TEST_CASE("fault points: a malformed LEDGER_FAULT stops the binary instead of injecting nothing", "[fault]") {
  TempDir dir;
  FaultEnvironment fault("projector.before_write_batch:explode:1");
  // One event, so that the first append reaches a point and reads the environment.
  CommandResult result =
      run_ledger(fmt::format("--data '{}' ingest -", dir.sub("data")), join_lines(small_workload(1, 0, 1)));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code != 0);
  REQUIRE(result.err.find("neither 'abort' nor 'error'") != std::string::npos);
}

TEST_CASE("fault points: arming rejects unknown points and a hit of zero", "[fault]") {
  REQUIRE(arm_fault_point("no.such.point", FaultAction::kError, 1).is_invalid_argument());
  REQUIRE(arm_fault_point("projector.before_write_batch", FaultAction::kError, 0).is_invalid_argument());
  REQUIRE(arm_fault_points("log.append.before_write:error").is_invalid_argument());
  disarm_fault_points();
}

}  // namespace ledger::test
