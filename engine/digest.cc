#include "engine/digest.h"

#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <xxhash.h>

#include <map>
#include <memory>

#include "engine/key_encoding.h"

namespace ledger {
namespace {

void hash_field(XXH3_state_t* state, std::string_view bytes) {
  std::string length;
  put_u64_be(length, bytes.size());
  XXH3_128bits_update(state, length.data(), length.size());
  XXH3_128bits_update(state, bytes.data(), bytes.size());
}

}  // namespace

Result<Digest> compute_digest(const Store& store, const ViewRegistry& views) {
  // The digest vouches for the store, so every block of every file is checked first, the log
  // included: RocksDB verifies a block's checksum only when something reads that block.
  if (Status verified = from_rocksdb(store.db()->VerifyChecksum(), "verifying the store's checksums");
      !verified) {
    return verified;
  }
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  const rocksdb::Snapshot* snapshot = store.db()->GetSnapshot();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  options.verify_checksums = true;
  std::map<std::string, const View*, std::less<>> owners;
  for (const auto& view : views.views()) {
    for (const auto& name : view->column_families()) owners.emplace(name, view.get());
  }
  Digest digest;
  Status status;
  auto hash_row = [&](std::string_view key, std::string_view value) {
    hash_field(state.get(), key);
    hash_field(state.get(), value);
    ++digest.rows;
  };
  for (ColumnFamily cf : store.view_column_families()) {
    hash_field(state.get(), cf->GetName());
    auto owner = owners.find(cf->GetName());
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(options, cf));
    for (it->SeekToFirst(); status && it->Valid(); it->Next()) {
      if (owner == owners.end()) {
        hash_row(it->key().ToStringView(), it->value().ToStringView());
      } else {
        status =
            owner->second->logical_rows(cf, it->key().ToStringView(), it->value().ToStringView(), hash_row);
      }
    }
    if (status) status = from_rocksdb(it->status(), "digest of " + cf->GetName());
    if (!status) break;
  }
  store.db()->ReleaseSnapshot(snapshot);
  if (!status) return status;
  XXH128_hash_t hash = XXH3_128bits_digest(state.get());
  digest.hex = fmt::format("{:016x}{:016x}", hash.high64, hash.low64);
  return digest;
}

}  // namespace ledger
