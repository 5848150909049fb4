#include "engine/read_snapshot.h"

#include <rocksdb/iterator.h>

#include <memory>

#include "engine/key_encoding.h"
#include "engine/meta_keys.h"

namespace ledger {

ReadSnapshot::ReadSnapshot(const Store& store, uint32_t partition_count)
    : store_(store), partition_count_(partition_count), snapshot_(store.db()->GetSnapshot()) {}

ReadSnapshot::~ReadSnapshot() {
  store_.db()->ReleaseSnapshot(snapshot_);
}

Result<std::optional<std::string>> ReadSnapshot::get(ColumnFamily cf, std::string_view key) const {
  return store_.get(cf, key, snapshot_);
}

Status ReadSnapshot::scan(ColumnFamily cf, std::string_view prefix,
                          const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // The first key past every key with the prefix: the iterator stops there instead of reading
  // on through deleted rows and later tables.
  std::string upper(prefix);
  while (!upper.empty() && static_cast<uint8_t>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(static_cast<uint8_t>(upper.back()) + 1);
  // A prefix of 0xff bytes only has no such key: the scan stops at the first key without it.
  return scan_between(cf, prefix, upper, [&](std::string_view key, std::string_view value) {
    return key.starts_with(prefix) && visit(key, value);
  });
}

Status ReadSnapshot::scan_from(ColumnFamily cf, std::string_view from,
                               const std::function<bool(std::string_view, std::string_view)>& visit) const {
  return scan_between(cf, from, std::string(), visit);
}

Status ReadSnapshot::scan_between(
    ColumnFamily cf, std::string_view from, const std::string& upper,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  options.verify_checksums = true;
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(options, cf));
  std::string aligned;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    std::string_view value = it->value().ToStringView();
    // A value inside a table block may start anywhere; FlatBuffers reads want it 8-aligned.
    if (reinterpret_cast<uintptr_t>(value.data()) % 8 != 0) value = aligned.assign(value);
    if (!visit(it->key().ToStringView(), value)) break;
  }
  return from_rocksdb(it->status(), "scanning " + cf->GetName());
}

Result<std::optional<std::string>> ReadSnapshot::last_key_at_or_before(ColumnFamily cf,
                                                                       std::string_view bound) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(options, cf));
  it->SeekForPrev(rocksdb::Slice(bound.data(), bound.size()));
  if (!it->Valid()) {
    if (Status failed = from_rocksdb(it->status(), "seeking in " + cf->GetName()); !failed) return failed;
    return std::optional<std::string>();
  }
  return std::optional<std::string>(it->key().ToString());
}

Result<std::vector<uint64_t>> ReadSnapshot::offsets() const {
  // One scan of the offsets (they sort by partition) instead of a point read per partition:
  // every HTTP response reports them, and eight reads were a third of a balance lookup's cost.
  std::vector<uint64_t> result(partition_count_, 0);
  constexpr std::string_view prefix = meta_keys::kOffsetPrefix;
  Status scanned = scan(store_.meta(), prefix, [&](std::string_view key, std::string_view value) {
    if (key.size() != prefix.size() + 4 || value.size() != 8) return true;
    const uint32_t partition = get_be<uint32_t>(key, prefix.size());
    if (partition < partition_count_) result[partition] = get_be<uint64_t>(value, 0);
    return true;
  });
  if (!scanned) return scanned;
  return result;
}

}  // namespace ledger
