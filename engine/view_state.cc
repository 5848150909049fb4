#include "engine/view_state.h"

#include <rocksdb/iterator.h>

#include <memory>

namespace ledger {

ViewState::Row* ViewState::load(ColumnFamily cf, std::string_view key) {
  Key full(cf->GetID(), std::string(key));
  auto found = rows_.find(full);
  if (found != rows_.end()) return &found->second;
  families_.emplace(cf->GetID(), cf);
  Row row;
  if (status_) {
    auto stored = store_.get(cf, key);
    if (stored) {
      row.value = std::move(*stored);
    } else {
      status_ = stored.status();
    }
  }
  return &rows_.emplace(std::move(full), std::move(row)).first->second;
}

std::optional<std::string_view> ViewState::get(ColumnFamily cf, std::string_view key) {
  const Row* row = load(cf, key);
  if (!status_ || !row->value) return std::nullopt;
  return std::string_view(*row->value);
}

void ViewState::remember(const Key& key) {
  auto found = rows_.find(key);
  undo_.push_back({key, found == rows_.end() ? std::nullopt : std::optional<Row>(found->second)});
}

void ViewState::put(ColumnFamily cf, std::string_view key, std::string_view value) {
  Key full(cf->GetID(), std::string(key));
  remember(full);
  families_.emplace(cf->GetID(), cf);
  Row& row = rows_[full];
  row.value = std::string(value);
  row.dirty = true;
}

void ViewState::erase(ColumnFamily cf, std::string_view key) {
  Key full(cf->GetID(), std::string(key));
  remember(full);
  families_.emplace(cf->GetID(), cf);
  Row& row = rows_[full];
  row.value.reset();
  row.dirty = true;
}

void ViewState::scan(ColumnFamily cf, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& visit) {
  // This batch's rows under the prefix, copied first: the visitor may write to the map.
  std::vector<std::pair<std::string, std::optional<std::string>>> held;
  for (auto it = rows_.lower_bound(Key(cf->GetID(), std::string(prefix)));
       it != rows_.end() && it->first.first == cf->GetID() &&
       std::string_view(it->first.second).starts_with(prefix);
       ++it) {
    held.emplace_back(it->first.second, it->second.value);
  }
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> stored(store_.db()->NewIterator(options, cf));
  stored->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  auto stored_valid = [&] { return stored->Valid() && stored->key().ToStringView().starts_with(prefix); };
  size_t next_held = 0;
  bool go_on = true;
  while (go_on && (stored_valid() || next_held < held.size())) {
    const bool take_held =
        next_held < held.size() && (!stored_valid() || held[next_held].first <= stored->key().ToStringView());
    if (take_held) {
      const auto& [key, value] = held[next_held++];
      if (stored_valid() && key == stored->key().ToStringView()) stored->Next();  // this batch's row wins
      if (value) go_on = visit(key, *value);
      continue;
    }
    const std::string key = stored->key().ToString();
    const std::string value = stored->value().ToString();
    stored->Next();
    go_on = visit(key, value);
  }
  if (status_ && !stored->status().ok())
    status_ = from_rocksdb(stored->status(), "scanning " + cf->GetName());
}

void ViewState::merge(ColumnFamily cf, std::string_view key, std::string_view operand) {
  families_.emplace(cf->GetID(), cf);
  merges_.push_back({cf->GetID(), std::string(key), std::string(operand)});
}

void ViewState::rollback_event() {
  merges_.resize(merges_at_begin_);
  for (auto undo = undo_.rbegin(); undo != undo_.rend(); ++undo) {
    if (undo->previous) {
      rows_[undo->key] = std::move(*undo->previous);
    } else {
      rows_.erase(undo->key);
    }
  }
  undo_.clear();
}

void ViewState::flush_into(rocksdb::WriteBatch& batch) {
  for (const auto& [key, row] : rows_) {
    if (!row.dirty) continue;
    ColumnFamily cf = families_.at(key.first);
    if (row.value) {
      batch.Put(cf, key.second, *row.value);
    } else {
      batch.Delete(cf, key.second);
    }
  }
  for (const auto& merge : merges_) batch.Merge(families_.at(merge.cf_id), merge.key, merge.operand);
  rows_.clear();
  undo_.clear();
  merges_.clear();
  merges_at_begin_ = 0;
}

void ViewState::clear() {
  rows_.clear();
  undo_.clear();
  merges_.clear();
  merges_at_begin_ = 0;
  status_ = Status::ok();
}

}  // namespace ledger
