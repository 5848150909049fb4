#include "connectors/kafka/kafka_outbox.h"

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>

#include "connectors/json/view_json.h"
#include "engine/key_encoding.h"
#include "projections/balances.h"
#include "projections/rejections.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

//! Calls `visit(key, value)` for each row of `cf` in [lower, upper).
template <typename Visit>
Status scan_range(const Store& store, ColumnFamily cf, const std::string& lower, const std::string& upper,
                  Visit visit) {
  rocksdb::ReadOptions options;
  rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(options, cf));
  std::string aligned;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    std::string_view value = it->value().ToStringView();
    // A value inside a table block may start anywhere; FlatBuffers reads want it 8-aligned.
    if (reinterpret_cast<uintptr_t>(value.data()) % 8 != 0) value = aligned.assign(value);
    if (Status visited = visit(it->key().ToStringView(), value); !visited) return visited;
  }
  return from_rocksdb(it->status(), "reading the outbox rows");
}

Status damaged(std::string_view what, uint32_t partition) {
  return Status::corruption(std::string(what) + ": a row of partition " + std::to_string(partition) +
                            " fails the verifier");
}

}  // namespace

std::string outbox_key(uint32_t partition) {
  std::string key = "kafka.outbox.";
  put_u32_be(key, partition);
  return key;
}

Status KafkaOutbox::connect() {
  auto dlq = producer_.partition_count(dlq_topic_);
  if (!dlq) return dlq.status();
  auto notifications = producer_.partition_count(notifications_topic_);
  if (!notifications) return notifications.status();
  dlq_partitions_ = *dlq;
  notifications_partitions_ = *notifications;
  return Status::ok();
}

Result<uint64_t> KafkaOutbox::published_offset(uint32_t partition) const {
  auto stored = store_.get(store_.meta(), outbox_key(partition));
  if (!stored) return stored.status();
  if (!stored->has_value()) return uint64_t{0};
  if ((*stored)->size() != 8)
    return Status::corruption("meta: outbox position of partition " + std::to_string(partition));
  return get_be<uint64_t>(**stored, 0);
}

Status KafkaOutbox::collect_rejections(uint32_t partition, uint64_t from, uint64_t to, const RawSource& raw,
                                       std::vector<OutgoingMessage>& out) {
  ColumnFamily cf = store_.column_family(RejectionsView::kColumnFamily);
  return scan_range(
      store_, cf, rejection_key(partition, from), rejection_key(partition, to),
      [&](std::string_view, std::string_view value) -> Status {
        const auto* row = decode_row<view::RejectionRow>(value);
        if (!row) return damaged("rejections", partition);
        auto payload = raw(partition, row->offset());
        if (!payload) return payload.status();
        OutgoingMessage message;
        message.topic = dlq_topic_;
        message.partition = static_cast<int32_t>(partition % dlq_partitions_);
        message.key = std::to_string(partition) + "/" + std::to_string(row->offset());
        message.value = std::move(*payload);
        if (message.value.size() > kDeadLetterBytesMax) {
          message.value.resize(kDeadLetterBytesMax);
          message.headers.emplace_back("ledger.truncated", "true");
        }
        message.headers.emplace_back("ledger.reason", row->reason() ? row->reason()->str() : "");
        message.headers.emplace_back("ledger.message", row->message() ? row->message()->str() : "");
        message.headers.emplace_back("ledger.event_id", row->event_id() ? row->event_id()->str() : "");
        message.headers.emplace_back("ledger.account", row->account() ? row->account()->str() : "");
        message.headers.emplace_back("ledger.partition", std::to_string(partition));
        message.headers.emplace_back("ledger.offset", std::to_string(row->offset()));
        out.push_back(std::move(message));
        return Status::ok();
      });
}

Status KafkaOutbox::collect_notifications(uint32_t partition, uint64_t from, uint64_t to,
                                          std::vector<OutgoingMessage>& out) {
  ColumnFamily cf = store_.column_family(BalancesView::kNotificationsColumnFamily);
  return scan_range(store_, cf, notification_key(partition, from, 0), notification_key(partition, to, 0),
                    [&](std::string_view key, std::string_view value) -> Status {
                      auto row = unpack_row<view::NotificationRow>(value);
                      if (!row || key.size() != 16) return damaged("notifications", partition);
                      const std::string id = std::to_string(partition) + "/" + std::to_string(row->offset) +
                                             "/" + std::to_string(get_be<uint32_t>(key, 12));
                      nlohmann::json body = notification_json(*row);
                      body["id"] = id;
                      OutgoingMessage message;
                      message.topic = notifications_topic_;
                      message.partition = static_cast<int32_t>(partition % notifications_partitions_);
                      message.key = id;
                      message.value = body.dump();
                      message.headers.emplace_back("ledger.notification_id", row->notification_id);
                      message.headers.emplace_back("ledger.kind", view::EnumNameNotificationKind(row->kind));
                      message.headers.emplace_back("ledger.account", row->account);
                      out.push_back(std::move(message));
                      return Status::ok();
                    });
}

Status KafkaOutbox::publish(uint32_t partition, uint64_t end_offset, const RawSource& raw) {
  auto from = published_offset(partition);
  if (!from) return from.status();
  if (*from >= end_offset) return Status::ok();
  std::vector<OutgoingMessage> messages;
  if (Status collected = collect_rejections(partition, *from, end_offset, raw, messages); !collected)
    return collected;
  const size_t rejected = messages.size();
  if (Status collected = collect_notifications(partition, *from, end_offset, messages); !collected)
    return collected;
  if (!messages.empty()) {
    if (Status sent = producer_.send(messages); !sent) return sent;
  }
  dead_letters_ += rejected;
  notifications_ += messages.size() - rejected;
  rocksdb::WriteBatch batch;
  std::string value;
  put_u64_be(value, end_offset);
  batch.Put(store_.meta(), outbox_key(partition), value);
  return store_.write(batch, /*sync=*/true);
}

}  // namespace ledger
