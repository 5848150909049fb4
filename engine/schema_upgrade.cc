#include "engine/schema_upgrade.h"

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/key_encoding.h"
#include "engine/meta_keys.h"

namespace ledger {
namespace {

//! Deletes per WriteBatch, so that a store of any size is emptied in bounded memory.
constexpr size_t kDeletesPerBatch = 65536;

//! Deletes every row of `cf` whose key starts with `prefix`; counts them in `deleted`.
Status delete_rows(Store& store, ColumnFamily cf, std::string_view prefix, uint64_t& deleted) {
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), cf));
  rocksdb::WriteBatch batch;
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().ToStringView().starts_with(prefix); it->Next()) {
    batch.Delete(cf, it->key());
    ++deleted;
    if (batch.Count() == kDeletesPerBatch) {
      if (Status written = store.write(batch, true); !written) return written;
      batch.Clear();
    }
  }
  if (Status iterated = from_rocksdb(it->status(), "upgrading " + cf->GetName()); !iterated) return iterated;
  return store.write(batch, true);
}

}  // namespace

Status upgrade_schema(Store& store) {
  auto stored = store.get(store.meta(), meta_keys::kSchemaVersion);
  if (!stored) return stored.status();
  uint32_t version = 1;  // a store without the key is of the first version
  if (stored->has_value()) {
    if ((*stored)->size() != 4) return Status::corruption("meta: 'schema_version' is not 4 bytes");
    version = get_be<uint32_t>(**stored, 0);
  }
  if (version == meta_keys::kCurrentSchemaVersion) return Status::ok();
  if (version > meta_keys::kCurrentSchemaVersion) {
    return Status::invalid_argument("schema_version: the store at " + store.dir() +
                                    " was written by a newer build (version " + std::to_string(version) +
                                    "); this build reads version " +
                                    std::to_string(meta_keys::kCurrentSchemaVersion));
  }
  spdlog::warn(
      "store {}: views of schema version {} are rebuilt from the log for version {}; a store fed by Kafka "
      "reads its topic again from the start (a topic that lost its first events stops the consumer)",
      store.dir(), version, meta_keys::kCurrentSchemaVersion);
  uint64_t deleted = 0;
  std::vector<ColumnFamily> families = store.view_column_families();
  families.push_back(store.dedup());
  for (ColumnFamily cf : families) {
    if (Status emptied = delete_rows(store, cf, "", deleted); !emptied) return emptied;
  }
  for (std::string_view prefix : {meta_keys::kOffsetPrefix, meta_keys::kResumePrefix}) {
    if (Status emptied = delete_rows(store, store.meta(), prefix, deleted); !emptied) return emptied;
  }
  std::string value;
  put_u32_be(value, meta_keys::kCurrentSchemaVersion);
  rocksdb::WriteBatch batch;
  batch.Put(store.meta(), meta_keys::kSchemaVersion, value);
  if (Status written = store.write(batch, true); !written) return written;
  spdlog::warn("store {}: {} rows of the old views deleted; the projector projects the log from its start",
               store.dir(), deleted);
  return Status::ok();
}

}  // namespace ledger
