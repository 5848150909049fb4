// Damaged stores: corruption must be detected and reported, never projected or fingerprinted.
// Each test builds a real store, closes it, damages its files the way a disk or an operator
// would, and checks what the engine and the `ledger` binary say when they open it again.

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "engine/digest.h"
#include "engine/engine.h"
#include "engine/key_encoding.h"
#include "engine/partitioner.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/all_views.h"
#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using ledger::Status;

constexpr int kAccounts = 60;
constexpr int kPaymentsPerAccount = 4;
constexpr uint32_t kPartitions = 4;

std::string account_id(int a) {
  return fmt::format("acc-{:04}", a);
}
int64_t payment_minor(int a, int k) {
  return 100 + 37 * a + 1000 * k;
}

// One operator, kAccounts accounts and kPaymentsPerAccount payments each: 301 events.
std::vector<std::string> sample_events() {
  std::vector<std::string> lines;
  lines.push_back(
      R"({"id":"op:acme","account":"","time_us":1704067200000000,"body_type":"OperatorConfigured",)"
      R"("body":{"operator":"acme","name":"Acme","currency":"USD","payment_terms_days":14}})");
  for (int a = 0; a < kAccounts; ++a) {
    lines.push_back(fmt::format(
        R"({{"id":"open:{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened",)"
        R"("body":{{"operator":"acme","name":"Customer {2}","currency":"USD","credit_limit_minor":50000,)"
        R"("invoice_day":1}}}})",
        account_id(a), 1704067300000000 + a, a));
  }
  for (int k = 0; k < kPaymentsPerAccount; ++k) {
    for (int a = 0; a < kAccounts; ++a) {
      lines.push_back(fmt::format(
          R"({{"id":"pay:{0}:{1}","account":"{0}","time_us":{2},"body_type":"Payment",)"
          R"("body":{{"payment_id":"p-{0}-{1}","amount_minor":{3},"method":"card","reference":"ref {1}"}}}})",
          account_id(a), k, 1704153600000000 + k * 86400000000LL + a, payment_minor(a, k)));
    }
  }
  return lines;
}

// Balances computed from the sample, without the engine: payments lower what a customer owes.
std::map<std::string, int64_t> expected_balances() {
  std::map<std::string, int64_t> balances;
  for (int a = 0; a < kAccounts; ++a) {
    int64_t balance_minor = 0;
    for (int k = 0; k < kPaymentsPerAccount; ++k) balance_minor -= payment_minor(a, k);
    balances[account_id(a)] = balance_minor;
  }
  return balances;
}

// Every column family of the store: the engine's own and the views'.
std::vector<rocksdb::ColumnFamilyHandle*> all_column_families(ledger::Store& store) {
  std::vector<rocksdb::ColumnFamilyHandle*> handles = {store.column_family(rocksdb::kDefaultColumnFamilyName),
                                                       store.meta(), store.events(), store.dedup()};
  for (auto* cf : store.view_column_families()) handles.push_back(cf);
  return handles;
}

struct SstFile {
  std::string path;
  std::string file_name;  //!< "000012.sst", as RocksDB names it in messages
  std::string column_family;
  uint64_t size_bytes = 0;
};

// What a store looked like when it was built, before any damage.
struct BuiltStore {
  std::string digest_hex;
  std::vector<SstFile> sst_files;  //!< every live table file, largest first
};

// Builds a store in `dir` from the sample and moves everything out of the memtables and the WAL
// into compacted .sst files, so damaging table files damages the data itself.
BuiltStore build_flushed_store(const std::string& dir) {
  auto engine = ledger::test::open_engine(dir, kPartitions);
  ledger::test::ingest_json_lines(*engine, sample_events());
  REQUIRE(ledger::test::balances_by_account(*engine) == expected_balances());
  auto digest = ledger::compute_digest(engine->store(), engine->views());
  REQUIRE(digest.is_ok());

  rocksdb::DB* db = engine->store().db();
  auto handles = all_column_families(engine->store());
  REQUIRE(db->Flush(rocksdb::FlushOptions(), handles).ok());
  // Forcing the bottommost level to be rewritten as well leaves every file at rest: a file that
  // kept sequence numbers (a trivial move, or one written under a snapshot) is otherwise marked
  // for compaction, and the next process to open the store rewrites it under a new number.
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* cf : handles) REQUIRE(db->CompactRange(compact, cf, nullptr, nullptr).ok());

  std::vector<rocksdb::LiveFileMetaData> live;
  db->GetLiveFilesMetaData(&live);
  BuiltStore built{digest->hex, {}};
  for (const auto& file : live) {
    std::string name = fs::path(file.name).filename().string();
    built.sst_files.push_back({file.db_path + "/" + name, name, file.column_family_name, file.size});
  }
  std::sort(built.sst_files.begin(), built.sst_files.end(),
            [](const SstFile& a, const SstFile& b) { return a.size_bytes > b.size_bytes; });
  REQUIRE_FALSE(built.sst_files.empty());
  return built;
}

// The largest table file of the log (replay reads only the log).
const SstFile& largest_log_file(const BuiltStore& built) {
  for (const auto& file : built.sst_files) {
    if (file.column_family == "events") return file;
  }
  FAIL("the log has no table file");
  return built.sst_files.front();
}

// The largest table file of a view column family (the digest reads only views).
const SstFile& largest_view_file(const BuiltStore& built) {
  for (const auto& file : built.sst_files) {
    if (file.column_family != "events" && file.column_family != "dedup" && file.column_family != "meta" &&
        file.column_family != rocksdb::kDefaultColumnFamilyName) {
      return file;
    }
  }
  FAIL("no view column family has a table file");
  return built.sst_files.front();
}

// Inverts `count` bytes in the middle of the file: a bit rot no checksum can miss.
void flip_middle_bytes(const std::string& path, size_t count) {
  const auto size = fs::file_size(path);
  REQUIRE(size > count * 4);
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(file.good());
  std::string bytes(count, '\0');
  const auto at = static_cast<std::streamoff>(size / 2);
  file.seekg(at);
  file.read(bytes.data(), static_cast<std::streamsize>(count));
  for (auto& byte : bytes) byte = static_cast<char>(~byte);
  file.seekp(at);
  file.write(bytes.data(), static_cast<std::streamsize>(count));
  file.close();
  REQUIRE_FALSE(file.fail());
}

void append_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::app);
  file << bytes;
  file.close();
  REQUIRE_FALSE(file.fail());
}

// The newest write-ahead log file of the store ("000042.log").
std::string newest_wal(const std::string& dir) {
  std::string newest;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".log" && name > fs::path(newest).filename().string()) {
      newest = entry.path().string();
    }
  }
  REQUIRE_FALSE(newest.empty());
  return newest;
}

std::string the_manifest(const std::string& dir) {
  std::string manifest;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = entry.path().string();
  }
  REQUIRE_FALSE(manifest.empty());
  return manifest;
}

ledger::Result<std::unique_ptr<ledger::Engine>> try_open_engine(const std::string& dir) {
  ledger::EngineOptions options;
  options.data_dir = dir;
  auto views = std::make_unique<ledger::ViewRegistry>();
  ledger::register_all_views(*views);
  return ledger::Engine::open(options, std::move(views));
}

// Reads every partition of the log to its end; the first failure, or ok.
Status read_whole_log(ledger::Engine& engine) {
  ledger::LogBatch batch;
  for (uint32_t p = 0; p < engine.log().partition_count(); ++p) {
    auto end = engine.log().end_offset(p);
    if (!end) return end.status();
    for (uint64_t next = 0; next < *end; next += batch.size()) {
      if (Status read = engine.log().read(p, next, 1000, batch); !read) return read;
      if (batch.empty()) return Status::corruption("partition ends early");
    }
  }
  return Status::ok();
}

bool prints_a_digest(const std::string& out) {
  return std::regex_search(out, std::regex("[0-9a-f]{32}"));
}

bool names_damage(const std::string& message) {
  return message.find("Corruption") != std::string::npos || message.find("checksum") != std::string::npos;
}

// The status of opening the store and computing its digest in this process; ok only when both
// succeed.
Status open_and_digest(const std::string& dir, std::string* digest_hex) {
  auto engine = try_open_engine(dir);
  if (!engine) return engine.status();
  auto digest = ledger::compute_digest((*engine)->store(), (*engine)->views());
  if (!digest) return digest.status();
  *digest_hex = digest->hex;
  return Status::ok();
}

// Opening and fingerprinting the damaged store must fail, in process and through the binary.
void require_digest_refused(const std::string& dir, const std::string& damaged_file) {
  std::string digest_hex;
  Status status = open_and_digest(dir, &digest_hex);
  INFO("in process: " << status.to_string() << " digest '" << digest_hex << "'");
  CHECK_FALSE(status.is_ok());
  CHECK(status.is_corruption());
  CHECK(names_damage(status.to_string()));
  CHECK_THAT(status.to_string(), Contains(damaged_file));

  auto result = ledger::test::run_ledger(fmt::format("--data '{}' digest", dir));
  INFO("ledger digest: exit " << result.exit_code << "\nstdout: " << result.out
                              << "\nstderr: " << result.err);
  CHECK(result.exit_code != 0);
  CHECK_FALSE(prints_a_digest(result.out));
  CHECK(names_damage(result.err));
  CHECK_THAT(result.err, Contains(damaged_file));
}

}  // namespace

TEST_CASE("a flipped block in a view's table file is detected, never fingerprinted", "[corruption]") {
  ledger::test::TempDir dir;
  const BuiltStore built = build_flushed_store(dir.path());
  const SstFile& victim = largest_view_file(built);
  INFO("damaging " << victim.file_name << " of " << victim.column_family << ", " << victim.size_bytes
                   << " bytes");
  // Sanity: before the damage the binary agrees with the in-process digest.
  auto clean = ledger::test::run_ledger(fmt::format("--data '{}' digest", dir.path()));
  REQUIRE(clean.exit_code == 0);
  REQUIRE_THAT(clean.out, Contains(built.digest_hex));
  // The store was left at rest: opening it again rewrote no table file.
  for (const auto& file : built.sst_files) REQUIRE(fs::exists(file.path));

  flip_middle_bytes(victim.path, 16);
  require_digest_refused(dir.path(), victim.file_name);
}

TEST_CASE("a flipped block in the log's largest table file is detected, never fingerprinted",
          "[corruption]") {
  ledger::test::TempDir dir;
  const BuiltStore built = build_flushed_store(dir.path());
  const SstFile& victim = largest_log_file(built);
  INFO("damaging " << victim.file_name << " of " << victim.column_family << ", " << victim.size_bytes
                   << " bytes");
  flip_middle_bytes(victim.path, 16);

  SECTION("reading the damaged data reports the damage") {
    auto engine = try_open_engine(dir.path());
    if (!engine) {
      INFO(engine.status().to_string());
      REQUIRE(engine.status().is_corruption());
    } else {
      Status read = read_whole_log(**engine);
      INFO(read.to_string());
      REQUIRE(read.is_corruption());
      REQUIRE(names_damage(read.to_string()));
      CHECK_THAT(read.to_string(), Contains(victim.file_name));
    }
  }
  SECTION("replaying the damaged log fails without a digest") {
    ledger::test::TempDir target;
    auto result = ledger::test::run_ledger(
        fmt::format("--data '{}' replay --into '{}'", dir.path(), target.sub("new")));
    INFO("exit " << result.exit_code << "\nstdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.exit_code != 0);
    REQUIRE_FALSE(prints_a_digest(result.out));
    REQUIRE(names_damage(result.err));
    CHECK_THAT(result.err, Contains(victim.file_name));
  }
  SECTION("digest refuses to fingerprint a store whose data is damaged") {
    require_digest_refused(dir.path(), victim.file_name);
  }
}

TEST_CASE("a store missing a table file does not open", "[corruption]") {
  ledger::test::TempDir dir;
  const BuiltStore built = build_flushed_store(dir.path());
  const bool view_file = GENERATE(true, false);
  const SstFile& victim = view_file ? largest_view_file(built) : largest_log_file(built);
  INFO("deleting " << victim.file_name << " of " << victim.column_family);
  REQUIRE(fs::remove(victim.path));

  auto engine = try_open_engine(dir.path());
  REQUIRE_FALSE(engine.is_ok());
  INFO(engine.status().to_string());
  REQUIRE(engine.status().is_corruption());
  // RocksDB names the table by its number; having looked for the legacy name last, it may
  // print "000045.ldb" for a missing "000045.sst".
  const std::string file_number = fs::path(victim.file_name).stem().string();
  CHECK_THAT(engine.status().to_string(), Contains(file_number));

  auto result = ledger::test::run_ledger(fmt::format("--data '{}' digest", dir.path()));
  INFO("exit " << result.exit_code << "\nstdout: " << result.out << "\nstderr: " << result.err);
  REQUIRE(result.exit_code != 0);
  REQUIRE_FALSE(prints_a_digest(result.out));
  REQUIRE_THAT(result.err, Contains("cannot open the store"));
  CHECK_THAT(result.err, Contains(file_number));
}

TEST_CASE("a store with a truncated MANIFEST does not open", "[corruption]") {
  ledger::test::TempDir dir;
  const BuiltStore built = build_flushed_store(dir.path());
  const std::string manifest = the_manifest(dir.path());
  const auto size = fs::file_size(manifest);
  fs::resize_file(manifest, size / 2);
  const std::string manifest_name = fs::path(manifest).filename().string();
  INFO("truncated " << manifest_name << " from " << size << " to " << size / 2 << " bytes");

  {
    auto engine = try_open_engine(dir.path());
    if (engine.is_ok()) {
      // Say what the store lost: the MANIFEST edits after the cut are gone, and with them
      // the table files they added.
      auto digest = ledger::compute_digest((*engine)->store(), (*engine)->views());
      FAIL_CHECK("the store opened; digest " << (digest ? digest->hex : digest.status().to_string())
                                             << " over " << (digest ? digest->rows : 0)
                                             << " view rows, before the damage " << built.digest_hex);
    } else {
      INFO(engine.status().to_string());
      CHECK(engine.status().is_corruption());
      // Either the MANIFEST itself or the write-ahead log it still expects.
      CHECK_THAT(engine.status().to_string(), Contains(manifest_name) || Contains("WAL"));
    }
  }
  auto result = ledger::test::run_ledger(fmt::format("--data '{}' digest", dir.path()));
  INFO("exit " << result.exit_code << "\nstdout: " << result.out << "\nstderr: " << result.err);
  CHECK(result.exit_code != 0);
  CHECK_FALSE(prints_a_digest(result.out));
  CHECK_THAT(result.err, Contains(manifest_name) || Contains("WAL"));
}

TEST_CASE("a torn tail on the newest WAL is dropped and nothing before it is lost", "[corruption]") {
  ledger::test::TempDir dir;
  std::string digest_before;
  {
    // No flush at close, as after a crash: the appends live in the write-ahead log, and the
    // projection (written without it) is lost, to be made again from the log.
    auto engine = ledger::test::open_engine(dir.path(), kPartitions);
    engine->store().keep_wal_at_close();
    ledger::test::ingest_json_lines(*engine, sample_events());
    auto digest = ledger::compute_digest(engine->store(), engine->views());
    REQUIRE(digest.is_ok());
    digest_before = digest->hex;
  }
  const std::string wal = newest_wal(dir.path());
  const auto size_before = fs::file_size(wal);
  REQUIRE(size_before > 0);
  // A header whose length runs past the block, then noise: what a write cut short leaves.
  append_bytes(wal, std::string(40, '\xa5') + "torn write");
  REQUIRE(fs::file_size(wal) > size_before);

  SECTION("in process") {
    auto engine = try_open_engine(dir.path());
    INFO(engine.status().to_string());
    REQUIRE(engine.is_ok());
    auto projected = (*engine)->projector().catch_up();
    REQUIRE(projected.is_ok());
    CHECK(projected->applied == kPartitions + kAccounts * (1 + kPaymentsPerAccount));
    auto digest = ledger::compute_digest((*engine)->store(), (*engine)->views());
    REQUIRE(digest.is_ok());
    REQUIRE(digest->hex == digest_before);
    REQUIRE(ledger::test::balances_by_account(**engine) == expected_balances());
    REQUIRE(ledger::test::check_invariants(**engine).empty());
    REQUIRE(read_whole_log(**engine).is_ok());
    // Every event is still in the log: the operator once per partition, then the accounts.
    uint64_t logged = 0;
    for (uint32_t p = 0; p < kPartitions; ++p) logged += *(*engine)->log().end_offset(p);
    REQUIRE(logged == kPartitions + kAccounts * (1 + kPaymentsPerAccount));
  }
  SECTION("through the binary") {
    auto projected = ledger::test::run_ledger(fmt::format("--data '{}' project", dir.path()));
    INFO("exit " << projected.exit_code << "\nstderr: " << projected.err);
    REQUIRE(projected.exit_code == 0);
    auto result = ledger::test::run_ledger(fmt::format("--data '{}' digest", dir.path()));
    INFO("exit " << result.exit_code << "\nstdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    REQUIRE_THAT(result.out, Contains(digest_before));
  }
}

namespace {

// The sample appended in `batches` separate durable appends, each projected at once: the WAL
// then holds batch after batch of log records, each followed by the projection that used it.
void ingest_in_batches(ledger::Engine& engine, const std::vector<std::string>& lines, size_t batches) {
  const size_t per_batch = (lines.size() + batches - 1) / batches;
  for (size_t first = 0; first < lines.size(); first += per_batch) {
    const size_t end = std::min(lines.size(), first + per_batch);
    ledger::test::ingest_json_lines(engine, {lines.begin() + static_cast<std::ptrdiff_t>(first),
                                             lines.begin() + static_cast<std::ptrdiff_t>(end)});
  }
}

uint64_t logged_events(ledger::Engine& engine) {
  uint64_t logged = 0;
  for (uint32_t p = 0; p < engine.log().partition_count(); ++p) logged += *engine.log().end_offset(p);
  return logged;
}

}  // namespace

TEST_CASE("flipped bytes in a WAL record in the middle: recovery keeps a consistent prefix", "[corruption]") {
  // kPointInTimeRecovery replays the WAL up to the first record that fails its checksum and
  // drops everything after it: the store opens at the state of a moment before the damage.
  // Log appends and the projections that follow them are in the WAL in commit order, so that
  // state is consistent (nothing half-applied); the events after the damage are gone from this
  // store and come back when their producer sends them again (ops/LIMITS.md, WAL recovery).
  ledger::test::TempDir dir;
  const auto lines = sample_events();
  {
    auto engine = ledger::test::open_engine(dir.path(), kPartitions);
    engine->store().keep_wal_at_close();  // as after a crash: the writes are in the WAL only
    ingest_in_batches(*engine, lines, 8);
  }
  const std::string wal = newest_wal(dir.path());
  REQUIRE(fs::file_size(wal) > 4096);
  flip_middle_bytes(wal, 8);

  auto opened = try_open_engine(dir.path());
  INFO(opened.status().to_string());
  REQUIRE(opened.is_ok());
  auto& engine = **opened;
  const uint64_t all_events = kPartitions + kAccounts * (1 + kPaymentsPerAccount);
  const uint64_t kept = logged_events(engine);
  CAPTURE(kept, all_events);
  CHECK(kept < all_events);  // the damage dropped the tail of the WAL
  REQUIRE(read_whole_log(engine).is_ok());
  auto violations = ledger::test::check_invariants(engine);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  REQUIRE(violations.empty());
  for (uint32_t p = 0; p < kPartitions; ++p) {
    REQUIRE(*engine.projector().stored_offset(p) <= *engine.log().end_offset(p));
  }
  // The producer sends the file again: everything is back, each event applied once.
  ledger::test::ingest_json_lines(engine, lines);
  REQUIRE(ledger::test::balances_by_account(engine) == expected_balances());
  REQUIRE(ledger::test::check_invariants(engine).empty());
}

TEST_CASE("a corrupt event in the log is rejected as malformed, never projected", "[corruption]") {
  ledger::test::TempDir dir;
  const auto lines = sample_events();
  const std::string garbage = "LEV1 this is not a FlatBuffer \x01\x02\xff\xff\xff\x7f";
  uint32_t partition = 0;
  {
    auto engine = ledger::test::open_engine(dir.path(), kPartitions);
    ledger::test::ingest_json_lines(*engine, lines);
    // Bytes that bypassed the door (a bad disk block, a foreign writer) at the end of a partition.
    partition = ledger::partition_for(account_id(0), kPartitions);
    std::string key;
    ledger::put_u32_be(key, partition);
    ledger::put_u64_be(key, *engine->log().end_offset(partition));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    REQUIRE(engine->store().db()->Put(sync, engine->store().events(), key, garbage).ok());
  }
  auto engine = ledger::test::open_engine(dir.path(), kPartitions);
  auto projected = engine->projector().catch_up();
  INFO(projected.status().to_string());
  REQUIRE(projected.is_ok());
  CHECK(projected->rejected == 1);
  CHECK(projected->applied == 0);
  REQUIRE(ledger::test::balances_by_account(*engine) == expected_balances());
  ledger::ReadSnapshot snapshot(engine->store(), kPartitions);
  auto rejections = ledger::query_rejections(engine->store(), snapshot, SIZE_MAX);
  REQUIRE(rejections.is_ok());
  REQUIRE(rejections->size() == 1);
  CHECK(rejections->front().reason == "malformed");
  CHECK(rejections->front().partition == partition);
  CHECK_THAT(rejections->front().message, Contains("verifier") || Contains("identifier"));
  REQUIRE(ledger::test::check_invariants(*engine).empty());
  // Events after it are still applied.
  auto more = ledger::test::ingest_json_lines(
      *engine,
      {fmt::format(R"({{"id":"pay:late","account":"{}","time_us":1704999999000000,"body_type":"Payment",)"
                   R"("body":{{"payment_id":"late","amount_minor":5}}}})",
                   account_id(0))});
  REQUIRE(more.applied == 1);
  REQUIRE(ledger::test::balances_by_account(*engine).at(account_id(0)) ==
          expected_balances().at(account_id(0)) - 5);
}
