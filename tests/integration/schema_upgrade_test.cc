// A store whose views were written by an older schema version has them rebuilt from its log
// when it is opened; a store of a newer version is refused. Invoice lines are kept in pages
// since version 2: the digest hashes their lines apart, whatever the batches were.

#include <fmt/format.h>
#include <rocksdb/write_batch.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/digest.h"
#include "engine/key_encoding.h"
#include "engine/meta_keys.h"
#include "engine/read_snapshot.h"
#include "projections/all_views.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_line_pages.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kOct1Us = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z
constexpr int kCharges = 40;

std::vector<std::string> account_lines() {
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      R"({{"id":"op","time_us":{},"body_type":"OperatorConfigured","body":{{"operator":"acme","currency":"USD"}}}})",
      kOct1Us));
  lines.push_back(
      fmt::format(R"({{"id":"open","account":"acct-1","time_us":{},"body_type":"AccountOpened","body":{{)"
                  R"("operator":"acme","currency":"USD","credit_limit_minor":1000000,"invoice_day":1}}}})",
                  kOct1Us + 1));
  for (int c = 0; c < kCharges; ++c) {
    lines.push_back(fmt::format(
        R"({{"id":"charge-{0}","account":"acct-1","time_us":{1},"body_type":"Charge","body":{{)"
        R"("charge_id":"charge-{0}","service_type":"internet","quantity_milli":1000,"unit_price_micro":{2}}}}})",
        c, kOct1Us + 1000 + c, (100 + c) * 10'000));
  }
  return lines;
}

std::string digest_of(Engine& engine) {
  auto digest = compute_digest(engine.store(), engine.views());
  INFO(digest.status().to_string());
  REQUIRE(digest.is_ok());
  return digest->hex;
}

void put_meta_version(Engine& engine, uint32_t version) {
  std::string value;
  put_u32_be(value, version);
  rocksdb::WriteBatch batch;
  batch.Put(engine.store().meta(), meta_keys::kSchemaVersion, value);
  REQUIRE(engine.store().write(batch, true).is_ok());
}

//! The keys of the account's October invoice's pages, and how many lines each holds.
std::vector<std::pair<std::string, int>> october_pages(Engine& engine) {
  std::vector<std::pair<std::string, int>> pages;
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  Status scanned =
      snapshot.scan(engine.store().column_family(InvoiceFamilies::kLines), invoice_key("acct-1", 20261001),
                    [&](std::string_view key, std::string_view page) {
                      int lines = 0;
                      REQUIRE(for_each_page_line(key, page, [&](auto, auto&, auto) {
                                ++lines;
                                return true;
                              }).is_ok());
                      pages.emplace_back(std::string(key), lines);
                      return true;
                    });
  REQUIRE(scanned.is_ok());
  return pages;
}

}  // namespace

TEST_CASE("a batch keeps an invoice's new lines in one page, and the digest reads them apart",
          "[invoices][pages]") {
  TempDir one_dir;
  auto in_one_batch = open_engine(one_dir.sub("data"), 1);
  ingest_json_lines(*in_one_batch, account_lines());
  const auto one = october_pages(*in_one_batch);
  REQUIRE(one.size() == 1);
  CHECK(one[0].first == invoice_line_key("acct-1", 20261001, 1));
  CHECK(one[0].second == kCharges);

  // The same events in batches of five: a page each, and the same digest.
  TempDir five_dir;
  auto in_fives = open_engine(five_dir.sub("data"), 1);
  const auto lines = account_lines();
  for (size_t at = 0; at < lines.size(); at += 5) {
    ingest_json_lines(*in_fives,
                      std::vector<std::string>(
                          lines.begin() + static_cast<std::ptrdiff_t>(at),
                          lines.begin() + static_cast<std::ptrdiff_t>(std::min(at + 5, lines.size()))));
  }
  const auto fives = october_pages(*in_fives);
  CHECK(fives.size() > 1);
  int total = 0;
  for (const auto& [key, count] : fives) {
    CHECK(key == invoice_line_key("acct-1", 20261001, static_cast<uint32_t>(total + 1)));
    total += count;
  }
  CHECK(total == kCharges);
  CHECK(digest_of(*in_fives) == digest_of(*in_one_batch));
  auto digest = compute_digest(in_one_batch->store(), in_one_batch->views());
  REQUIRE(digest.is_ok());
  // Each line counts as a row of its own.
  auto other = compute_digest(in_fives->store(), in_fives->views());
  REQUIRE(other.is_ok());
  CHECK(digest->rows == other->rows);

  SECTION("a page that does not hold whole records fails the digest with Corruption") {
    auto page =
        in_one_batch->store().get(in_one_batch->store().column_family(InvoiceFamilies::kLines), one[0].first);
    REQUIRE(page.is_ok());
    REQUIRE(page->has_value());
    rocksdb::WriteBatch batch;
    batch.Put(in_one_batch->store().column_family(InvoiceFamilies::kLines), one[0].first,
              (*page)->substr(0, (*page)->size() - 3));
    REQUIRE(in_one_batch->store().write(batch, true).is_ok());
    auto damaged = compute_digest(in_one_batch->store(), in_one_batch->views());
    REQUIRE_FALSE(damaged.is_ok());
    CHECK(damaged.status().to_string().find("invoice_lines") != std::string::npos);
  }
}

TEST_CASE("views of an older schema version are rebuilt from the log when the store opens", "[schema]") {
  TempDir dir;
  std::string digest;
  ProjectionStats first;
  {
    auto engine = open_engine(dir.sub("data"), 2);
    first = ingest_json_lines(*engine, account_lines());
    digest = digest_of(*engine);
    // What an older build left: its version, and a row this build does not write.
    put_meta_version(*engine, 1);
    rocksdb::WriteBatch batch;
    batch.Put(engine->store().column_family(InvoiceFamilies::kLines), "a row of the old layout", "old");
    REQUIRE(engine->store().write(batch, true).is_ok());
  }
  auto engine = open_engine(dir.sub("data"), 2);
  auto version = engine->store().get(engine->store().meta(), meta_keys::kSchemaVersion);
  REQUIRE(version.is_ok());
  REQUIRE(version->has_value());
  CHECK(get_be<uint32_t>(**version, 0) == meta_keys::kCurrentSchemaVersion);
  auto offset = engine->store().get(engine->store().meta(), meta_keys::offset(0));
  REQUIRE(offset.is_ok());
  CHECK_FALSE(offset->has_value());  // the views start over from the log's first event
  auto stats = engine->projector().catch_up();
  REQUIRE(stats.is_ok());
  CHECK(stats->applied == first.applied);
  CHECK(stats->applied >= account_lines().size());
  CHECK(stats->duplicates == 0);
  CHECK(digest_of(*engine) == digest);  // the old row, no page, would fail the digest
  CHECK(check_invariants(*engine).empty());
}

TEST_CASE("a store written by a newer schema version is refused, by name", "[schema]") {
  TempDir dir;
  {
    auto engine = open_engine(dir.sub("data"), 1);
    put_meta_version(*engine, meta_keys::kCurrentSchemaVersion + 1);
  }
  EngineOptions options;
  options.data_dir = dir.sub("data");
  auto views = std::make_unique<ViewRegistry>();
  register_all_views(*views);
  auto engine = Engine::open(options, std::move(views));
  REQUIRE_FALSE(engine.is_ok());
  CHECK(engine.status().to_string().find("schema_version") != std::string::npos);
  CHECK(engine.status().to_string().find("newer build") != std::string::npos);
}

}  // namespace ledger::test
