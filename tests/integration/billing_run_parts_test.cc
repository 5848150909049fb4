// A billing run closes a bill on every account of a partition in one event. With a projector
// cache too small for all of them, the run is committed in parts (ViewState::suspend): the
// views must come out the same as in one commit, and a projection stopped between two parts
// must resume at the cursor without closing any bill twice or missing one.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/digest.h"
#include "engine/fault_point.h"
#include "engine/meta_keys.h"
#include "engine/read_snapshot.h"
#include "projections/all_views.h"
#include "projections/reports.h"
#include "tests/support/invoice_invariants.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kOct1Us = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;
constexpr int kAccounts = 1200;
constexpr int64_t kChargeMinor = 1234;

//! Every account opened and charged in October; one run on 2 November closes every October
//! bill; then a payment from each of a few accounts, projected after the run.
std::vector<std::string> october_lines() {
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      R"({{"id":"op","time_us":{},"body_type":"OperatorConfigured","body":{{"operator":"acme","currency":"USD",)"
      R"("payment_terms_days":10}}}})",
      kOct1Us));
  for (int a = 0; a < kAccounts; ++a) {
    lines.push_back(fmt::format(
        R"({{"id":"open-{0}","account":"acct-{0:04}","time_us":{1},"body_type":"AccountOpened","body":{{)"
        R"("operator":"acme","currency":"USD","credit_limit_minor":1000000,"invoice_day":1}}}})",
        a, kOct1Us + 1 + a));
  }
  for (int a = 0; a < kAccounts; ++a) {
    lines.push_back(fmt::format(
        R"({{"id":"charge-{0}","account":"acct-{0:04}","time_us":{1},"body_type":"Charge","body":{{)"
        R"("charge_id":"charge-{0}","service_type":"internet","quantity_milli":1000,"unit_price_micro":{2}}}}})",
        a, kOct1Us + 4 * kDayUs + a, kChargeMinor * 10'000));
  }
  return lines;
}

std::vector<std::string> run_and_after_lines() {
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      R"({{"id":"run-1","time_us":{},"body_type":"BillingRun","body":{{"run_number":1,"as_of_day":20261102}}}})",
      kOct1Us + 32 * kDayUs));
  for (int a = 0; a < kAccounts; a += 100) {
    lines.push_back(fmt::format(
        R"({{"id":"pay-{0}","account":"acct-{0:04}","time_us":{1},"body_type":"Payment","body":{{)"
        R"("payment_id":"pay-{0}","amount_minor":{2}}}}})",
        a, kOct1Us + 35 * kDayUs + a, kChargeMinor));
  }
  return lines;
}

std::unique_ptr<Engine> open_with_cache(const std::string& dir, size_t cached_bytes_max) {
  EngineOptions options;
  options.data_dir = dir;
  options.partitions = 1;  // one partition: the run closes every account in one event
  options.projector.cached_bytes_max = cached_bytes_max;
  auto views = std::make_unique<ViewRegistry>();
  register_all_views(*views);
  auto engine = Engine::open(options, std::move(views));
  INFO(engine.status().to_string());
  REQUIRE(engine.is_ok());
  return std::move(*engine);
}

ProjectionStats project(Engine& engine) {
  auto stats = engine.projector().catch_up();
  INFO(stats.status().to_string());
  REQUIRE(stats.is_ok());
  return *stats;
}

std::string digest_of(Engine& engine) {
  auto digest = compute_digest(engine.store(), engine.views());
  REQUIRE(digest.is_ok());
  return digest->hex;
}

bool resume_row_stored(Engine& engine) {
  auto stored = engine.store().get(engine.store().meta(), meta_keys::resume(0));
  REQUIRE(stored.is_ok());
  return stored->has_value();
}

//! The November billing summary's bill count and total billed for the one operator.
std::pair<int64_t, int64_t> november_bills(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  ReportRequest request;
  request.report = "summary";
  request.from_day = 20261101;
  request.to_day = 20261130;
  auto table = run_report(engine.store(), snapshot, request);
  INFO(table.status().to_string());
  REQUIRE(table.is_ok());
  size_t bills = table->columns.size(), billed = table->columns.size();
  for (size_t i = 0; i < table->columns.size(); ++i) {
    if (table->columns[i].name == "bills") bills = i;
    if (table->columns[i].name == "total_billed") billed = i;
  }
  REQUIRE(bills < table->columns.size());
  REQUIRE(billed < table->columns.size());
  for (size_t r = 0; r < table->rows.size(); ++r) {
    if (!table->is_total[r]) return {table->rows[r][bills].value, table->rows[r][billed].value};
  }
  FAIL("the summary has no operator row");
  return {};
}

//! The views after projecting everything with a roomy cache: the run in one commit.
struct Reference {
  std::string digest;
  ProjectionStats stats;
};

Reference reference() {
  TempDir dir;
  auto engine = open_with_cache(dir.sub("data"), 256 << 20);
  append_json_lines(*engine, october_lines());
  append_json_lines(*engine, run_and_after_lines());
  Reference result{"", project(*engine)};
  result.digest = digest_of(*engine);
  return result;
}

//! October projected, then the run and what follows appended: the run is the next event.
//! (Used by the fault-point tests only, which release builds leave out.)
[[maybe_unused]] void project_october_then_append_run(Engine& engine) {
  append_json_lines(engine, october_lines());
  project(engine);
  append_json_lines(engine, run_and_after_lines());
}

//! The run finished: no resume row, every bill closed, the invariants, the reference's views.
void check_run_finished(Engine& engine, const std::string& reference_digest) {
  CHECK_FALSE(resume_row_stored(engine));
  CHECK(november_bills(engine) == std::pair<int64_t, int64_t>{kAccounts, kAccounts * kChargeMinor});
  CHECK(check_invariants(engine).empty());
  CHECK(digest_of(engine) == reference_digest);
}

}  // namespace

TEST_CASE("a billing run over more accounts than a commit holds is committed in parts and projects the same",
          "[billing_run][cache]") {
  const Reference roomy = reference();
  CHECK(roomy.stats.partial_commits == 0);

  TempDir dir;
  auto engine = open_with_cache(dir.sub("data"), 0);  // a partition's least share: 256 KiB
  append_json_lines(*engine, october_lines());
  append_json_lines(*engine, run_and_after_lines());
  const ProjectionStats tight = project(*engine);
  CHECK(tight.partial_commits >= 3);
  CHECK(tight.applied == roomy.stats.applied);
  CHECK(tight.rejected == 0);
  check_run_finished(*engine, roomy.digest);
  CHECK(check_invoice_invariants(*engine).empty());
}

#ifdef LEDGER_FAULT_POINTS  // engine/fault_point.h: only test builds can stop a commit
TEST_CASE("a projection stopped between two parts of a billing run resumes at its cursor",
          "[billing_run][cache][fault]") {
  const Reference roomy = reference();
  TempDir dir;
  {
    auto engine = open_with_cache(dir.sub("data"), 0);
    project_october_then_append_run(*engine);
    // The run's first commits are its parts: stop right after the second one is written.
    REQUIRE(arm_fault_point("projector.after_write_batch", FaultAction::kError, 2).is_ok());
    auto stopped = engine->projector().catch_up();
    disarm_fault_points();
    REQUIRE_FALSE(stopped.is_ok());
    REQUIRE(resume_row_stored(*engine));
    // Between two parts a reader sees the bills closed so far, not yet all of them.
    const auto [bills_so_far, billed_so_far] = november_bills(*engine);
    CHECK(bills_so_far > 0);
    CHECK(bills_so_far < kAccounts);
    CHECK(billed_so_far == bills_so_far * kChargeMinor);
  }
  // A new process, as after a crash: it finds the resume row and goes on from the cursor.
  auto engine = open_with_cache(dir.sub("data"), 0);
  const ProjectionStats resumed = project(*engine);
  CHECK(resumed.partial_commits >= 1);
  CHECK(resumed.rejected == 0);
  check_run_finished(*engine, roomy.digest);
  CHECK(check_invoice_invariants(*engine).empty());
}

TEST_CASE("ledger project killed between two parts of a billing run finishes it when run again",
          "[billing_run][cache][fault][cli]") {
  const Reference roomy = reference();
  TempDir dir;
  const std::string data = dir.sub("data");
  uint64_t offset_before_run = 0;
  {
    auto engine = open_with_cache(data, 0);
    project_october_then_append_run(*engine);
    offset_before_run = *engine->projector().stored_offset(0);
  }
  const std::string project_command = "--data '" + data + "' --cache-mib 0 project";
  {
    // The binary reads LEDGER_FAULT at its first fault point; this process already read it.
    disarm_fault_points();
    REQUIRE(setenv("LEDGER_FAULT", "projector.after_write_batch:abort:2", 1) == 0);
    CommandResult killed = run_ledger(project_command);
    unsetenv("LEDGER_FAULT");
    INFO(killed.err);
    REQUIRE(killed.exit_code == kFaultAbortExitCode);  // ended as a crash would: no flush, no close
  }
  {
    // The parts were written without the WAL and never flushed: the crash took the store back
    // to its last flush, before the run, all column families together (no part, no resume row).
    auto engine = open_with_cache(data, 0);
    CHECK_FALSE(resume_row_stored(*engine));
    CHECK(*engine->projector().stored_offset(0) == offset_before_run);
    CHECK(check_invariants(*engine).empty());
  }
  CommandResult finished = run_ledger(project_command);
  INFO(finished.err);
  REQUIRE(finished.exit_code == 0);
  auto engine = open_with_cache(data, 0);
  check_run_finished(*engine, roomy.digest);
}
#endif

}  // namespace ledger::test
