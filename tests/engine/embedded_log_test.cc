#include "engine/embedded_log.h"

#include <xxhash.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/key_encoding.h"
#include "engine/partitioner.h"
#include "tests/support/test_support.h"

namespace {

using Catch::Matchers::Contains;
using ledger::AppendRequest;
using ledger::EmbeddedLog;
using ledger::LogBatch;
using ledger::LogPosition;
using ledger::Store;

constexpr uint32_t kPartitions = 4;

// A store and its embedded log on a real RocksDB; can be closed and opened again.
struct Fixture {
  ledger::test::TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<EmbeddedLog> log;

  Fixture() { reopen(kPartitions); }

  void close() {
    log.reset();
    store.reset();
  }

  ledger::Status try_reopen(uint32_t partitions) {
    close();
    auto opened = Store::open(dir.path(), ledger::StoreOptions());
    if (!opened) return opened.status();
    store = std::move(*opened);
    auto log_opened = EmbeddedLog::open(*store, partitions);
    if (!log_opened) return log_opened.status();
    log = std::move(*log_opened);
    return ledger::Status::ok();
  }

  void reopen(uint32_t partitions) {
    ledger::Status status = try_reopen(partitions);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
  }

  uint64_t end(uint32_t partition) {
    auto offset = log->end_offset(partition);
    REQUIRE(offset.is_ok());
    return *offset;
  }

  // Every event of `partition` from `from` on, as strings, checking offsets are dense.
  std::vector<std::string> read_all(uint32_t partition, uint64_t from = 0) {
    LogBatch batch;
    ledger::Status status = log->read(partition, from, SIZE_MAX, batch);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    std::vector<std::string> events;
    for (size_t i = 0; i < batch.size(); ++i) {
      REQUIRE(batch.offset(i) == from + i);
      events.emplace_back(batch.bytes(i));
    }
    return events;
  }
};

// Payloads name their account and sequence so a read can be checked against what was sent.
struct Sent {
  std::string account;
  std::string bytes;
};

std::vector<Sent> make_events(int accounts, int per_account, const std::string& tag) {
  std::vector<Sent> events;
  for (int k = 0; k < per_account; ++k) {
    for (int a = 0; a < accounts; ++a) {
      std::string account = "acc-" + std::to_string(a);
      events.push_back({account, tag + ":" + account + "#" + std::to_string(k)});
    }
  }
  return events;
}

std::vector<AppendRequest> requests_of(const std::vector<Sent>& events) {
  std::vector<AppendRequest> requests;
  for (const auto& e : events) requests.push_back({e.account, e.bytes, false});
  return requests;
}

// What each partition must hold after `events` were appended to empty partitions, in order.
std::vector<std::vector<std::string>> expected_partitions(const std::vector<Sent>& events) {
  std::vector<std::vector<std::string>> expected(kPartitions);
  for (const auto& e : events) expected[ledger::partition_for(e.account, kPartitions)].push_back(e.bytes);
  return expected;
}

}  // namespace

TEST_CASE("EmbeddedLog appends a batch and reads each partition back", "[embedded_log]") {
  Fixture f;
  const auto events = make_events(20, 10, "a");
  const auto requests = requests_of(events);
  std::vector<LogPosition> positions;
  REQUIRE(f.log->append(requests, &positions).is_ok());
  REQUIRE(positions.size() == events.size());

  const auto expected = expected_partitions(events);
  size_t total = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    INFO("partition " << p);
    REQUIRE(f.read_all(p) == expected[p]);
    REQUIRE(f.end(p) == expected[p].size());
    total += expected[p].size();
  }
  REQUIRE(total == events.size());

  SECTION("positions count up densely from 0 in each partition") {
    std::vector<uint64_t> next(kPartitions, 0);
    for (size_t i = 0; i < events.size(); ++i) {
      const uint32_t p = ledger::partition_for(events[i].account, kPartitions);
      REQUIRE(positions[i].partition == p);
      REQUIRE(positions[i].offset == next[p]++);
    }
  }
  SECTION("reading from the middle gives the tail") {
    for (uint32_t p = 0; p < kPartitions; ++p) {
      const uint64_t middle = expected[p].size() / 2;
      std::vector<std::string> tail(expected[p].begin() + static_cast<std::ptrdiff_t>(middle),
                                    expected[p].end());
      REQUIRE(f.read_all(p, middle) == tail);
    }
  }
  SECTION("max_events bounds a read") {
    LogBatch batch;
    const uint32_t p = ledger::partition_for("acc-0", kPartitions);
    REQUIRE(f.log->read(p, 1, 3, batch).is_ok());
    REQUIRE(batch.size() == 3);
    REQUIRE(batch.offset(0) == 1);
    REQUIRE(batch.bytes(2) == expected[p][3]);
  }
  SECTION("reading at or past the end gives nothing") {
    LogBatch batch;
    REQUIRE(f.log->read(0, f.end(0), 100, batch).is_ok());
    REQUIRE(batch.empty());
    REQUIRE(f.log->read(0, f.end(0) + 1000, 100, batch).is_ok());
    REQUIRE(batch.empty());
  }
  SECTION("a partition out of range is refused") {
    LogBatch batch;
    REQUIRE(f.log->read(kPartitions, 0, 10, batch).is_invalid_argument());
    REQUIRE_FALSE(f.log->end_offset(kPartitions).is_ok());
  }
}

TEST_CASE("EmbeddedLog keeps an account in one partition", "[embedded_log]") {
  Fixture f;
  // Two separate appends: the second must land each account where the first did.
  const auto first = make_events(30, 2, "first");
  const auto second = make_events(30, 2, "second");
  REQUIRE(f.log->append(requests_of(first), nullptr).is_ok());
  REQUIRE(f.log->append(requests_of(second), nullptr).is_ok());

  std::map<std::string, std::set<uint32_t>> partitions_of;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    for (const auto& bytes : f.read_all(p)) {
      const auto begin = bytes.find(':') + 1;
      partitions_of[bytes.substr(begin, bytes.find('#') - begin)].insert(p);
    }
  }
  REQUIRE(partitions_of.size() == 30);
  std::set<uint32_t> used;
  for (const auto& [account, partitions] : partitions_of) {
    INFO(account);
    REQUIRE(partitions.size() == 1);
    REQUIRE(*partitions.begin() == ledger::partition_for(account, kPartitions));
    used.insert(*partitions.begin());
  }
  REQUIRE(used.size() > 1);  // 30 accounts do not all hash to one partition

  SECTION("partition_for is XXH3-64 modulo the count, stable across runs and machines") {
    for (std::string_view account : {"acc-1", "acc-1001", "", "x"}) {
      for (uint32_t count : {1u, 4u, 8u, 1024u}) {
        const uint64_t hash = XXH3_64bits(account.data(), account.size());
        REQUIRE(ledger::partition_for(account, count) == static_cast<uint32_t>(hash % count));
      }
    }
  }
}

TEST_CASE("EmbeddedLog appends a broadcast once to every partition", "[embedded_log]") {
  Fixture f;
  REQUIRE(f.log->append(requests_of(make_events(8, 1, "before")), nullptr).is_ok());
  std::vector<uint64_t> ends_before;
  for (uint32_t p = 0; p < kPartitions; ++p) ends_before.push_back(f.end(p));

  std::vector<AppendRequest> requests = {{"", "broadcast:config", true}, {"acc-3", "after:acc-3", false}};
  std::vector<LogPosition> positions;
  REQUIRE(f.log->append(requests, &positions).is_ok());
  REQUIRE(positions.size() == 2);
  REQUIRE(positions[0].partition == 0);
  REQUIRE(positions[0].offset == ends_before[0]);

  const uint32_t acc3 = ledger::partition_for("acc-3", kPartitions);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    INFO("partition " << p);
    const auto events = f.read_all(p);
    REQUIRE(std::count(events.begin(), events.end(), "broadcast:config") == 1);
    REQUIRE(events[ends_before[p]] == "broadcast:config");
    REQUIRE(f.end(p) == ends_before[p] + 1 + (p == acc3 ? 1 : 0));
  }
  REQUIRE(positions[1].partition == acc3);
  REQUIRE(positions[1].offset == ends_before[acc3] + 1);
}

TEST_CASE("EmbeddedLog end offsets survive closing and reopening the store", "[embedded_log]") {
  Fixture f;
  const auto events = make_events(12, 5, "a");
  REQUIRE(f.log->append(requests_of(events), nullptr).is_ok());
  std::vector<uint64_t> ends;
  for (uint32_t p = 0; p < kPartitions; ++p) ends.push_back(f.end(p));

  SECTION("reopened with the same count") {
    f.reopen(kPartitions);
  }
  SECTION("reopened with 0: the stored count") {
    f.reopen(0);
  }

  REQUIRE(f.log->partition_count() == kPartitions);
  const auto expected = expected_partitions(events);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    REQUIRE(f.end(p) == ends[p]);
    REQUIRE(f.read_all(p) == expected[p]);
  }
  // The next append continues after the recovered ends, leaving no gap and overwriting nothing.
  const uint32_t p = ledger::partition_for("acc-0", kPartitions);
  std::vector<LogPosition> positions;
  std::vector<AppendRequest> more = {{"acc-0", "more", false}};
  REQUIRE(f.log->append(more, &positions).is_ok());
  REQUIRE(positions[0].offset == ends[p]);
  auto all = f.read_all(p);
  REQUIRE(all.size() == ends[p] + 1);
  REQUIRE(all.back() == "more");
}

TEST_CASE("EmbeddedLog refuses to reopen with another partition count", "[embedded_log]") {
  Fixture f;
  REQUIRE(f.log->append(requests_of(make_events(4, 1, "a")), nullptr).is_ok());
  ledger::Status status = f.try_reopen(kPartitions + 1);
  REQUIRE(status.is_invalid_argument());
  REQUIRE_THAT(status.message(), Contains("partitions") && Contains("4") && Contains("5"));
  // The refusal changed nothing: the original count still opens.
  f.reopen(kPartitions);
  REQUIRE(f.log->partition_count() == kPartitions);
}

TEST_CASE("EmbeddedLog refuses a new store with too many partitions", "[embedded_log]") {
  ledger::test::TempDir dir;
  auto store = Store::open(dir.path(), ledger::StoreOptions());
  REQUIRE(store.is_ok());
  auto log = EmbeddedLog::open(**store, ledger::kMaxPartitionCount + 1);
  REQUIRE_FALSE(log.is_ok());
  REQUIRE_THAT(log.status().message(), Contains("partitions"));
}

TEST_CASE("EmbeddedLog refuses an oversized event and appends nothing of its batch", "[embedded_log]") {
  Fixture f;
  REQUIRE(f.log->append(requests_of(make_events(6, 1, "a")), nullptr).is_ok());
  std::vector<uint64_t> ends;
  for (uint32_t p = 0; p < kPartitions; ++p) ends.push_back(f.end(p));

  const std::string big(EmbeddedLog::kMaxEventBytes + 1, 'b');
  std::vector<AppendRequest> requests = {
      {"acc-0", "small-before", false}, {"acc-1", big, false}, {"", "broadcast-after", true}};
  std::vector<LogPosition> positions;
  ledger::Status status = f.log->append(requests, &positions);
  REQUIRE(status.is_invalid_argument());
  REQUIRE_THAT(status.message(), Contains(std::to_string(EmbeddedLog::kMaxEventBytes + 1)));
  for (uint32_t p = 0; p < kPartitions; ++p) {
    REQUIRE(f.end(p) == ends[p]);
    REQUIRE(f.read_all(p).size() == ends[p]);
  }
  // Nothing half-written survives a reopen either.
  f.reopen(kPartitions);
  for (uint32_t p = 0; p < kPartitions; ++p) REQUIRE(f.read_all(p).size() == ends[p]);

  SECTION("an event of exactly the limit is accepted") {
    const std::string largest(EmbeddedLog::kMaxEventBytes, 'l');
    std::vector<AppendRequest> fits = {{"acc-1", largest, false}};
    REQUIRE(f.log->append(fits, &positions).is_ok());
    const uint32_t p = ledger::partition_for("acc-1", kPartitions);
    REQUIRE(positions[0].offset == ends[p]);
    REQUIRE(f.read_all(p).back() == largest);
  }
}

TEST_CASE("EmbeddedLog copy_from copies another store's log into an empty one", "[embedded_log]") {
  Fixture source;
  std::vector<AppendRequest> events;
  std::vector<std::string> payloads;
  for (int i = 0; i < 300; ++i)
    payloads.push_back("event-" + std::to_string(i) + std::string(i % 7 * 100, 'x'));
  for (int i = 0; i < 300; ++i) events.push_back({"acc-" + std::to_string(i % 11), payloads[i], i % 50 == 0});
  REQUIRE(source.log->append(events, nullptr).is_ok());

  Fixture target;
  SECTION("every partition arrives at its offsets, durably, and the import folder is gone") {
    ledger::Status copied = target.log->copy_from(*source.log);
    INFO(copied.to_string());
    REQUIRE(copied.is_ok());
    for (uint32_t p = 0; p < kPartitions; ++p) {
      REQUIRE(target.end(p) == source.end(p));
      REQUIRE(target.read_all(p) == source.read_all(p));
    }
    REQUIRE_FALSE(std::filesystem::exists(std::filesystem::path(target.dir.path()) / "log-import"));
    target.reopen(kPartitions);
    for (uint32_t p = 0; p < kPartitions; ++p) REQUIRE(target.read_all(p) == source.read_all(p));
    // The copy goes on like any log.
    std::vector<AppendRequest> more = {{"acc-1", "after-copy", false}};
    std::vector<LogPosition> positions;
    REQUIRE(target.log->append(more, &positions).is_ok());
    REQUIRE(positions[0].offset == source.end(positions[0].partition));
  }
  SECTION("an empty log copies to an empty log") {
    Fixture empty;
    REQUIRE(target.log->copy_from(*empty.log).is_ok());
    for (uint32_t p = 0; p < kPartitions; ++p) REQUIRE(target.end(p) == 0);
  }
  SECTION("a log that already holds events is refused, and keeps them") {
    std::vector<AppendRequest> one = {{"acc-0", "mine", false}};
    REQUIRE(target.log->append(one, nullptr).is_ok());
    ledger::Status status = target.log->copy_from(*source.log);
    REQUIRE(status.is_invalid_argument());
    REQUIRE_THAT(status.message(), Contains("already holds 1 events"));
    REQUIRE(target.read_all(ledger::partition_for("acc-0", kPartitions)) == std::vector<std::string>{"mine"});
  }
  SECTION("a different partition count is refused") {
    ledger::test::TempDir dir;
    auto store = Store::open(dir.path(), ledger::StoreOptions());
    REQUIRE(store.is_ok());
    auto log = EmbeddedLog::open(**store, kPartitions + 1);
    REQUIRE(log.is_ok());
    ledger::Status status = (*log)->copy_from(*source.log);
    REQUIRE(status.is_invalid_argument());
    REQUIRE_THAT(status.message(), Contains("partitions"));
  }
  SECTION("a gap in the source is reported and nothing is copied") {
    const uint32_t p = ledger::partition_for("acc-3", kPartitions);
    std::string key;
    ledger::put_u32_be(key, p);
    ledger::put_u64_be(key, 1);
    REQUIRE(source.store->db()->Delete(rocksdb::WriteOptions(), source.store->events(), key).ok());
    ledger::Status status = target.log->copy_from(*source.log);
    REQUIRE(status.is_corruption());
    REQUIRE_THAT(status.message(), Contains("partition " + std::to_string(p)) && Contains("offset 1"));
    for (uint32_t q = 0; q < kPartitions; ++q) REQUIRE(target.end(q) == 0);
    target.reopen(kPartitions);
    for (uint32_t q = 0; q < kPartitions; ++q) REQUIRE(target.end(q) == 0);
  }
}
