#include "engine/view_state.h"

#include <rocksdb/write_batch.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/counters_merge.h"
#include "engine/key_encoding.h"
#include "tests/support/test_support.h"

namespace {

using ledger::ColumnFamily;
using ledger::Store;
using ledger::ViewState;

// A store with two view column families, on a real RocksDB in a temporary folder.
struct Fixture {
  ledger::test::TempDir dir;
  std::unique_ptr<Store> store;
  ColumnFamily rows = nullptr;
  ColumnFamily totals = nullptr;

  Fixture() {
    ledger::StoreOptions options;
    options.view_column_families = {"test_rows", "test_totals"};
    options.log_options = false;
    auto opened = Store::open(dir.path(), options);
    INFO(opened.status().to_string());
    REQUIRE(opened.is_ok());
    store = std::move(*opened);
    rows = store->column_family("test_rows");
    totals = store->column_family("test_totals");
    REQUIRE(rows != nullptr);
    REQUIRE(totals != nullptr);
  }

  void put_in_store(ColumnFamily cf, std::string_view key, std::string_view value) {
    rocksdb::WriteBatch batch;
    batch.Put(cf, rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
    REQUIRE(store->write(batch, false).is_ok());
  }

  std::optional<std::string> stored(ColumnFamily cf, std::string_view key) {
    auto value = store->get(cf, key);
    REQUIRE(value.is_ok());
    return *value;
  }
};

// The row as an owned string, or nullopt; copies because the view dies with the next write.
std::optional<std::string> read(ViewState& state, ColumnFamily cf, std::string_view key) {
  auto value = state.get(cf, key);
  if (!value) return std::nullopt;
  return std::string(*value);
}

// What a WriteBatch holds, decoded into (column family id, key) -> value or nullopt (delete).
class BatchContents : public rocksdb::WriteBatch::Handler {
 public:
  std::map<std::pair<uint32_t, std::string>, std::optional<std::string>> ops;
  std::vector<std::pair<uint32_t, std::string>> order;

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    record(cf, key, value.ToString());
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    record(cf, key, std::nullopt);
    return rocksdb::Status::OK();
  }

 private:
  void record(uint32_t cf, const rocksdb::Slice& key, std::optional<std::string> value) {
    auto full = std::make_pair(cf, key.ToString());
    REQUIRE(ops.count(full) == 0);  // one operation per row
    ops[full] = std::move(value);
    order.push_back(full);
  }
};

}  // namespace

TEST_CASE("ViewState reads fall through to the store", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "alice", "10");
  ViewState state(*f.store);
  REQUIRE(read(state, f.rows, "alice") == "10");
  REQUIRE(read(state, f.rows, "bob") == std::nullopt);
  // Column families are separate spaces: the same key elsewhere is absent.
  REQUIRE(read(state, f.totals, "alice") == std::nullopt);
  REQUIRE(state.status().is_ok());
  REQUIRE(state.size() == 3);  // read rows are held, present or not
}

TEST_CASE("ViewState put and erase are visible to later gets", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "alice", "10");
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "bob", "20");
  REQUIRE(read(state, f.rows, "bob") == "20");
  state.put(f.rows, "alice", "11");
  REQUIRE(read(state, f.rows, "alice") == "11");
  state.erase(f.rows, "alice");
  REQUIRE(read(state, f.rows, "alice") == std::nullopt);
  // Nothing reaches the store before flush_into.
  REQUIRE(f.stored(f.rows, "alice") == "10");
  REQUIRE(f.stored(f.rows, "bob") == std::nullopt);
}

TEST_CASE("ViewState rollback_event undoes the event's writes only", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "stored", "s0");
  f.put_in_store(f.rows, "gone", "g0");
  ViewState state(*f.store);

  // Event 1 is kept: it writes rows the rejected event 2 will overwrite.
  state.begin_event();
  state.put(f.rows, "batch", "b1");
  state.put(f.totals, "sum", "100");

  state.begin_event();
  SECTION("a put over a row written earlier in the batch comes back to its earlier value") {
    state.put(f.rows, "batch", "b2");
    state.put(f.rows, "batch", "b3");  // twice: the undo must go back past both
    REQUIRE(read(state, f.rows, "batch") == "b3");
    state.rollback_event();
    REQUIRE(read(state, f.rows, "batch") == "b1");
  }
  SECTION("a row read from the store comes back to the stored value") {
    REQUIRE(read(state, f.rows, "stored") == "s0");
    state.put(f.rows, "stored", "s1");
    state.rollback_event();
    REQUIRE(read(state, f.rows, "stored") == "s0");
  }
  SECTION("a row written without a read comes back to the stored value") {
    state.put(f.rows, "stored", "s1");
    state.rollback_event();
    REQUIRE(read(state, f.rows, "stored") == "s0");
  }
  SECTION("an erase comes undone, of a stored row and of a batch row") {
    state.erase(f.rows, "gone");
    state.erase(f.totals, "sum");
    REQUIRE(read(state, f.rows, "gone") == std::nullopt);
    REQUIRE(read(state, f.totals, "sum") == std::nullopt);
    state.rollback_event();
    REQUIRE(read(state, f.rows, "gone") == "g0");
    REQUIRE(read(state, f.totals, "sum") == "100");
  }
  SECTION("a new row disappears") {
    state.put(f.rows, "new", "n2");
    state.rollback_event();
    REQUIRE(read(state, f.rows, "new") == std::nullopt);
  }
  // Whatever event 2 did, event 1's writes stand and event 2 leaves nothing to flush.
  REQUIRE(read(state, f.rows, "batch") == "b1");
  REQUIRE(read(state, f.totals, "sum") == "100");
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  BatchContents contents;
  REQUIRE(batch.Iterate(&contents).ok());
  REQUIRE(contents.ops.size() == 2);
  REQUIRE(contents.ops.at({f.rows->GetID(), "batch"}) == "b1");
  REQUIRE(contents.ops.at({f.totals->GetID(), "sum"}) == "100");
}

TEST_CASE("ViewState rollback_event after a second begin_event keeps the first event", "[view_state]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "k", "first");
  state.begin_event();
  state.rollback_event();  // nothing written since begin_event: nothing to undo
  REQUIRE(read(state, f.rows, "k") == "first");
  state.rollback_event();  // a second rollback must not reach back into the first event
  REQUIRE(read(state, f.rows, "k") == "first");
}

TEST_CASE("ViewState flush_into writes only dirty rows, in key order", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "read-only", "r0");
  f.put_in_store(f.rows, "to-erase", "e0");
  f.put_in_store(f.rows, "to-update", "u0");
  ViewState state(*f.store);
  state.begin_event();
  REQUIRE(read(state, f.rows, "read-only") == "r0");
  REQUIRE(read(state, f.rows, "missing") == std::nullopt);
  state.put(f.rows, "to-update", "u1");
  state.erase(f.rows, "to-erase");
  state.put(f.totals, "z-total", "7");
  state.put(f.rows, "a-new", "n1");

  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  // The row read stays as a clean cache; the rows only written, or found absent, go.
  REQUIRE(state.size() == 1);
  BatchContents contents;
  REQUIRE(batch.Iterate(&contents).ok());
  const uint32_t rows_id = f.rows->GetID();
  const uint32_t totals_id = f.totals->GetID();
  REQUIRE(contents.ops.size() == 4);
  REQUIRE(contents.ops.count({rows_id, "read-only"}) == 0);
  REQUIRE(contents.ops.count({rows_id, "missing"}) == 0);
  REQUIRE(contents.ops.at({rows_id, "to-update"}) == "u1");
  REQUIRE(contents.ops.at({rows_id, "to-erase"}) == std::nullopt);
  REQUIRE(contents.ops.at({rows_id, "a-new"}) == "n1");
  REQUIRE(contents.ops.at({totals_id, "z-total"}) == "7");
  // Deterministic order: by column family, then key.
  auto sorted = contents.order;
  std::sort(sorted.begin(), sorted.end());
  REQUIRE(contents.order == sorted);

  SECTION("after writing the batch the store holds the values") {
    REQUIRE(f.store->write(batch, true).is_ok());
    REQUIRE(f.stored(f.rows, "to-update") == "u1");
    REQUIRE(f.stored(f.rows, "to-erase") == std::nullopt);
    REQUIRE(f.stored(f.rows, "a-new") == "n1");
    REQUIRE(f.stored(f.rows, "read-only") == "r0");
    REQUIRE(f.stored(f.totals, "z-total") == "7");
    // A new ViewState sees the flushed values through the store.
    ViewState next(*f.store);
    REQUIRE(read(next, f.rows, "to-update") == "u1");
    REQUIRE(read(next, f.rows, "to-erase") == std::nullopt);
  }
  SECTION("a flush forgets the batch: the next flush is empty") {
    rocksdb::WriteBatch second;
    state.flush_into(second);
    REQUIRE(second.Count() == 0);
  }
}

TEST_CASE("ViewState clear drops unflushed writes", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "k", "stored");
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "k", "changed");
  state.clear();
  REQUIRE(read(state, f.rows, "k") == "stored");
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  REQUIRE(batch.Count() == 0);
}

TEST_CASE("ViewState merges add counters, and a rolled-back event's merges are dropped",
          "[view_state][merge]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  state.merge(f.totals, "day", ledger::encode_counters({100, -5}));
  state.begin_event();
  state.merge(f.totals, "day", ledger::encode_counters({7, 0}));
  state.rollback_event();  // the second event was rejected: its operand goes with it
  state.begin_event();
  state.merge(f.totals, "day", ledger::encode_counters({20, 1}));
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  REQUIRE(f.store->write(batch, false).is_ok());

  // Another batch (another partition's worker, say) adds to the same row.
  ViewState other(*f.store);
  other.begin_event();
  other.merge(f.totals, "day", ledger::encode_counters({-1, 4}));
  rocksdb::WriteBatch second;
  other.flush_into(second);
  REQUIRE(f.store->write(second, false).is_ok());

  auto value = f.stored(f.totals, "day");
  REQUIRE(value.has_value());
  CHECK(ledger::decode_counters(*value, 2) == std::vector<int64_t>{119, 0});
}

TEST_CASE("ViewState writes one merge a row for a batch's operands, summed", "[view_state][merge]") {
  Fixture f;
  ViewState state(*f.store);
  for (int64_t event = 1; event <= 1000; ++event) {
    state.begin_event();
    state.merge(f.totals, event % 2 ? "odd" : "even", ledger::encode_counters({event, 1}));
    if (event == 1000) state.merge(f.totals, "last", ledger::encode_counters({5}));
  }
  state.begin_event();
  state.merge(f.totals, "odd", ledger::encode_counters({1000000, 0, 3}));
  state.rollback_event();  // rejected after all: its operand is not in the sum
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  CHECK(batch.Count() == 3);
  REQUIRE(f.store->write(batch, false).is_ok());
  CHECK(ledger::decode_counters(*f.stored(f.totals, "odd"), 3) == std::vector<int64_t>{250000, 500, 0});
  CHECK(ledger::decode_counters(*f.stored(f.totals, "even"), 2) == std::vector<int64_t>{250500, 500});
  CHECK(ledger::decode_counters(*f.stored(f.totals, "last"), 2) == std::vector<int64_t>{5, 0});
}

TEST_CASE("ViewState keeps apart the operands whose sum would wrap around", "[view_state][merge]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  state.merge(f.totals, "day", ledger::encode_counters({INT64_MAX}));
  state.begin_event();
  state.merge(f.totals, "day", ledger::encode_counters({1}));
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  // Not summed in memory: the store refuses the wrap when it merges them, as it would have
  // without the sum.
  CHECK(batch.Count() == 2);
}

TEST_CASE("counters add field by field, the shorter padded with zeros", "[view_state][merge]") {
  std::string sum = ledger::encode_counters({1, 2});
  REQUIRE(ledger::add_counters(sum, ledger::encode_counters({10, 20, 30})));
  CHECK(ledger::decode_counters(sum, 3) == std::vector<int64_t>{11, 22, 30});
  CHECK_FALSE(ledger::add_counters(sum, "odd bytes"));
  CHECK_FALSE(ledger::add_counters(sum, ledger::encode_counters({INT64_MAX})));
  CHECK(ledger::decode_counters(sum, 3) == std::vector<int64_t>{11, 22, 30});  // unchanged
}

TEST_CASE("the counters merge operator refuses to wrap around", "[view_state][merge]") {
  ledger::CountersMergeOperator merge;
  std::string existing = ledger::encode_counters({INT64_MAX});
  std::string operand = ledger::encode_counters({1});
  rocksdb::Slice existing_slice(existing);
  std::string result;
  CHECK_FALSE(merge.Merge("k", &existing_slice, operand, &result, nullptr));
  std::string small = ledger::encode_counters({41});
  rocksdb::Slice small_slice(small);
  REQUIRE(merge.Merge("k", &small_slice, operand, &result, nullptr));
  CHECK(ledger::decode_counters(result, 1) == std::vector<int64_t>{42});
}

TEST_CASE("ViewState keeps flushed rows as a cache for the next batch", "[view_state][cache]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "hot", "h1");
  REQUIRE(read(state, f.rows, "hot") == "h1");  // a row read is worth keeping
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  REQUIRE(batch.Count() == 1);
  // The batch is not written, so only the cache can answer: the store has no such row.
  REQUIRE(f.stored(f.rows, "hot") == std::nullopt);
  state.begin_event();
  CHECK(read(state, f.rows, "hot") == "h1");
  rocksdb::WriteBatch second;
  state.flush_into(second);
  CHECK(second.Count() == 0);  // a cached row is clean: nothing to write again

  SECTION("clear() drops the cache, as after a batch that failed to reach the store") {
    state.clear();
    CHECK(read(state, f.rows, "hot") == std::nullopt);
  }
}

TEST_CASE("ViewState prefetch reads rows ahead in one store read and keeps the batch's writes",
          "[view_state][cache]") {
  Fixture f;
  f.put_in_store(f.rows, "a", "1");
  f.put_in_store(f.rows, "c", "3");
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "c", "batch");
  state.prefetch(f.rows, {"d", "a", "b", "c", "a"});  // any order, a key twice
  REQUIRE(state.status().is_ok());
  REQUIRE(state.size() == 4);
  // The store changes underneath: the gets answer what the prefetch read, without reading again.
  f.put_in_store(f.rows, "a", "changed");
  f.put_in_store(f.rows, "b", "new");
  CHECK(read(state, f.rows, "a") == "1");
  CHECK(read(state, f.rows, "b") == std::nullopt);
  CHECK(read(state, f.rows, "c") == "batch");  // the batch's write is not replaced by the store's
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  CHECK(batch.Count() == 1);  // only the put: prefetched rows are clean
  // As after get()s one by one: the row found and the row written stay; the row found absent
  // and the row never asked for are dropped.
  CHECK(state.size() == 2);
  CHECK(read(state, f.rows, "a") == "1");
  CHECK(read(state, f.rows, "d") == std::nullopt);
  CHECK(state.size() == 3);
}

TEST_CASE("ViewState over its bound keeps the rows read most since the last flush", "[view_state][cache]") {
  Fixture f;
  // Room for about two rows: the flush must evict, and the twice-read row is the one kept.
  ViewState state(*f.store, /*cached_bytes_max=*/2 * ViewState::kRowOverheadBytes);
  state.begin_event();
  state.put(f.rows, "account", "a1");
  REQUIRE(read(state, f.rows, "account") == "a1");
  REQUIRE(read(state, f.rows, "account") == "a1");
  REQUIRE(read(state, f.rows, "balance") == std::nullopt);  // read once
  for (const char* key : {"line-1", "line-2", "line-3"}) state.put(f.rows, key, "l");
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  REQUIRE(batch.Count() == 4);
  // The lines were written and never read; of the two rows read, the one read twice stays.
  REQUIRE(state.size() == 1);
  CHECK(state.bytes() == std::string("account").size() + 4 + 2 + ViewState::kRowOverheadBytes);
  // Nothing was written to the store, so what answers is the cache or nothing.
  CHECK(read(state, f.rows, "account") == "a1");
  CHECK(read(state, f.rows, "line-1") == std::nullopt);
}

TEST_CASE("ViewState under its bound keeps every row read between batches", "[view_state][cache]") {
  Fixture f;
  ViewState state(*f.store, /*cached_bytes_max=*/100 * ViewState::kRowOverheadBytes);
  state.begin_event();
  for (int i = 0; i < 50; ++i) {
    state.put(f.rows, "row-" + std::to_string(i), "v");
    REQUIRE(read(state, f.rows, "row-" + std::to_string(i)) == "v");
  }
  state.put(f.rows, "written-only", "w");
  CHECK_FALSE(state.over_budget());
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  CHECK(batch.Count() == 51);
  CHECK(state.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(read(state, f.rows, "row-" + std::to_string(i)) == "v");
}

TEST_CASE("ViewState is over budget when a batch's rows pass twice its bound", "[view_state][cache]") {
  Fixture f;
  ViewState state(*f.store, /*cached_bytes_max=*/10 * ViewState::kRowOverheadBytes);
  state.begin_event();
  int written = 0;
  while (!state.over_budget()) state.put(f.rows, "row-" + std::to_string(written++), "v");
  // Each row costs a little more than kRowOverheadBytes, so about 20 fit under twice the bound.
  CHECK(written > 15);
  CHECK(written <= 20);
  rocksdb::WriteBatch batch;
  state.flush_into(batch);
  CHECK_FALSE(state.over_budget());
}

namespace {
int g_encodes = 0;
std::string encode_int(const int& value) {
  ++g_encodes;
  return std::to_string(value);
}
}  // namespace

TEST_CASE("ViewState decodes a row once per change", "[view_state][cache]") {
  Fixture f;
  f.put_in_store(f.rows, "n", "41");
  ViewState state(*f.store);
  int decodes = 0;
  auto decode = [&decodes](std::string_view bytes) -> std::optional<int> {
    ++decodes;
    return std::stoi(std::string(bytes));
  };
  state.begin_event();
  const int* first = state.decoded<int>(f.rows, "n", decode);
  REQUIRE(first != nullptr);
  CHECK(*first == 41);
  CHECK(*state.decoded<int>(f.rows, "n", decode) == 41);
  CHECK(decodes == 1);

  state.put(f.rows, "n", "42");
  CHECK(*first == 41);  // the old decoded value lives until the end of the event
  CHECK(*state.decoded<int>(f.rows, "n", decode) == 42);
  CHECK(decodes == 2);

  state.put_encoded_later<int, &encode_int>(f.rows, "n", 43);
  CHECK(*state.decoded<int>(f.rows, "n", decode) == 43);
  CHECK(decodes == 2);  // put_encoded_later handed over the decoded form

  SECTION("a rollback restores the bytes and their decoded form together") {
    state.begin_event();
    state.put(f.rows, "n", "99");
    state.rollback_event();
    CHECK(read(state, f.rows, "n") == "43");
    CHECK(*state.decoded<int>(f.rows, "n", decode) == 43);
    CHECK(decodes == 2);
  }
  SECTION("an absent row or one the decoder refuses decodes to nullptr") {
    CHECK(state.decoded<int>(f.rows, "absent", decode) == nullptr);
    state.put(f.rows, "bad", "x");
    CHECK(state.decoded<int>(f.rows, "bad", [](std::string_view) { return std::optional<int>(); }) ==
          nullptr);
  }
}

TEST_CASE("ViewState encodes a row written in decoded form once, when its bytes are asked for",
          "[view_state][cache]") {
  Fixture f;
  ViewState state(*f.store);
  auto decode = [](std::string_view bytes) -> std::optional<int> { return std::stoi(std::string(bytes)); };
  g_encodes = 0;
  for (int event = 1; event <= 100; ++event) {
    state.begin_event();
    const int* previous = state.decoded<int>(f.rows, "counter", decode);
    state.put_encoded_later<int, &encode_int>(f.rows, "counter", (previous ? *previous : 0) + 1);
  }
  CHECK(g_encodes == 0);  // a hundred rewrites, no encoding yet
  CHECK(*state.decoded<int>(f.rows, "counter", decode) == 100);

  SECTION("the flush encodes it once and writes the bytes") {
    rocksdb::WriteBatch batch;
    state.flush_into(batch);
    CHECK(g_encodes == 1);
    BatchContents contents;
    REQUIRE(batch.Iterate(&contents).ok());
    CHECK(contents.ops.at({f.rows->GetID(), "counter"}) == "100");
  }
  SECTION("get() encodes it on demand, and a rollback brings back the earlier decoded value") {
    CHECK(read(state, f.rows, "counter") == "100");
    CHECK(g_encodes == 1);
    state.begin_event();
    state.put_encoded_later<int, &encode_int>(f.rows, "counter", 7);
    state.rollback_event();
    CHECK(read(state, f.rows, "counter") == "100");
    CHECK(*state.decoded<int>(f.rows, "counter", decode) == 100);
    CHECK(g_encodes == 1);
  }
  SECTION("a scan sees the encoded bytes") {
    std::vector<std::string> seen;
    state.scan(f.rows, "count", [&](std::string_view, std::string_view value) {
      seen.emplace_back(value);
      return true;
    });
    CHECK(seen == std::vector<std::string>{"100"});
  }
}

namespace ledger::test {

TEST_CASE("ViewState scan after a key visits only the keys that sort after it", "[view_state]") {
  Fixture f;
  f.put_in_store(f.rows, "p/a", "stored-a");
  f.put_in_store(f.rows, "p/c", "stored-c");
  f.put_in_store(f.rows, "p/e", "stored-e");
  f.put_in_store(f.rows, "q/a", "other prefix");
  ViewState state(*f.store);
  state.begin_event();
  state.put(f.rows, "p/b", "held-b");
  state.put(f.rows, "p/d", "held-d");
  auto keys_after = [&](std::string_view after) {
    std::vector<std::string> seen;
    state.scan(
        f.rows, "p/",
        [&](std::string_view key, std::string_view) {
          seen.emplace_back(key);
          return true;
        },
        after);
    return seen;
  };
  CHECK(keys_after("") == std::vector<std::string>{"p/a", "p/b", "p/c", "p/d", "p/e"});
  // The key itself is not visited again, whether the store or the batch holds it.
  CHECK(keys_after("p/b") == std::vector<std::string>{"p/c", "p/d", "p/e"});
  CHECK(keys_after("p/c") == std::vector<std::string>{"p/d", "p/e"});
  CHECK(keys_after("p/cc") == std::vector<std::string>{"p/d", "p/e"});
  CHECK(keys_after("p/e").empty());
}

TEST_CASE("ViewState keeps a suspension until it is taken or the event is undone", "[view_state]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  CHECK_FALSE(state.take_suspension().has_value());
  state.suspend("cursor-1");
  auto taken = state.take_suspension();
  REQUIRE(taken.has_value());
  CHECK(*taken == "cursor-1");
  CHECK_FALSE(state.take_suspension().has_value());
  state.suspend("cursor-2");
  state.rollback_event();
  CHECK_FALSE(state.take_suspension().has_value());
  state.suspend("cursor-3");
  state.begin_event();
  CHECK_FALSE(state.take_suspension().has_value());
}

}  // namespace ledger::test

namespace {

std::string page_key(std::string_view group, uint32_t number) {
  std::string key(group);
  ledger::put_u32_be(key, number);
  return key;
}

//! Flushes `state` into `batch`, and what the batch then holds.
std::map<std::pair<uint32_t, std::string>, std::optional<std::string>> flushed(ViewState& state,
                                                                               rocksdb::WriteBatch& batch) {
  state.flush_into(batch);
  BatchContents contents;
  REQUIRE(batch.Iterate(&contents).ok());
  return contents.ops;
}

}  // namespace

TEST_CASE("ViewState append gathers a batch's records of a group in one row", "[view_state][pages]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  state.append(f.rows, "inv-a", 1, "r1;");
  state.append(f.rows, "inv-b", 7, "b7;");
  state.begin_event();
  state.append(f.rows, "inv-a", 2, "r2;");
  state.append(f.rows, "inv-a", 3, "r3;");
  // Seen by get() and scan() before the flush, under the key of the page's first record.
  REQUIRE(read(state, f.rows, page_key("inv-a", 1)) == "r1;r2;r3;");
  REQUIRE(read(state, f.rows, page_key("inv-a", 2)) == std::nullopt);
  std::vector<std::pair<std::string, std::string>> scanned;
  state.scan(f.rows, "inv-", [&](std::string_view key, std::string_view value) {
    scanned.emplace_back(key, value);
    return true;
  });
  REQUIRE(scanned == std::vector<std::pair<std::string, std::string>>{{page_key("inv-a", 1), "r1;r2;r3;"},
                                                                      {page_key("inv-b", 7), "b7;"}});

  SECTION("a rejected event's records are undone, and the next record takes their place") {
    state.begin_event();
    state.append(f.rows, "inv-a", 4, "bad;");
    state.append(f.rows, "inv-c", 1, "bad;");
    state.rollback_event();
    REQUIRE(read(state, f.rows, page_key("inv-c", 1)) == std::nullopt);
    state.begin_event();
    state.append(f.rows, "inv-a", 4, "r4;");
    rocksdb::WriteBatch batch;
    const auto ops = flushed(state, batch);
    REQUIRE(ops.size() == 2);
    REQUIRE(ops.at({f.rows->GetID(), page_key("inv-a", 1)}) == "r1;r2;r3;r4;");
    REQUIRE(ops.at({f.rows->GetID(), page_key("inv-b", 7)}) == "b7;");
  }
  SECTION("the next batch starts a new page instead of rewriting the flushed one") {
    rocksdb::WriteBatch first;
    REQUIRE(flushed(state, first).size() == 2);
    REQUIRE(f.store->write(first, true).is_ok());
    state.begin_event();
    state.append(f.rows, "inv-a", 4, "r4;");
    rocksdb::WriteBatch second;
    const auto ops = flushed(state, second);
    REQUIRE(ops.size() == 1);
    REQUIRE(ops.at({f.rows->GetID(), page_key("inv-a", 4)}) == "r4;");
  }
  SECTION("a record that does not follow the page's last starts a new page") {
    state.append(f.rows, "inv-a", 9, "r9;");
    REQUIRE(read(state, f.rows, page_key("inv-a", 1)) == "r1;r2;r3;");
    REQUIRE(read(state, f.rows, page_key("inv-a", 9)) == "r9;");
  }
  SECTION("an erased page is not appended to") {
    state.erase(f.rows, page_key("inv-a", 1));
    state.append(f.rows, "inv-a", 1, "n1;");
    state.append(f.rows, "inv-a", 2, "n2;");
    REQUIRE(read(state, f.rows, page_key("inv-a", 1)) == "n1;n2;");
  }
  SECTION("a page read between two appends goes on from what was read") {
    state.begin_event();
    state.append(f.rows, "inv-a", 4, "r4;");
    state.rollback_event();
    REQUIRE(read(state, f.rows, page_key("inv-a", 1)) == "r1;r2;r3;");
    state.begin_event();
    state.append(f.rows, "inv-a", 4, "x4;");
    REQUIRE(read(state, f.rows, page_key("inv-a", 1)) == "r1;r2;r3;x4;");
  }
}

TEST_CASE("ViewState append starts a new page once a page holds kPageBytesMax bytes", "[view_state][pages]") {
  Fixture f;
  ViewState state(*f.store);
  state.begin_event();
  const std::string record(ViewState::kPageBytesMax / 4, 'x');
  for (uint32_t number = 1; number <= 6; ++number) state.append(f.rows, "busy", number, record);
  // Four records fill the first page exactly; the fifth starts the next.
  REQUIRE(read(state, f.rows, page_key("busy", 1))->size() == 4 * record.size());
  REQUIRE(read(state, f.rows, page_key("busy", 5))->size() == 2 * record.size());
  // One record bigger than a page still goes in, alone.
  const std::string big(ViewState::kPageBytesMax + 1, 'y');
  state.append(f.rows, "busy", 7, big);
  state.append(f.rows, "busy", 8, "z");
  REQUIRE(read(state, f.rows, page_key("busy", 7)) == big);
  REQUIRE(read(state, f.rows, page_key("busy", 8)) == "z");
}
