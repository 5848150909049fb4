#include "engine/view_state.h"

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

void ViewState::rollback_event() {
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
  rows_.clear();
  undo_.clear();
}

void ViewState::clear() {
  rows_.clear();
  undo_.clear();
  status_ = Status::ok();
}

}  // namespace ledger
