#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/kafka/reliable_producer.h"
#include "engine/store.h"

namespace ledger {

//! Publishes what projection wrote for the outside world: each rejected event, copied to the
//! dead-letter topic with the reason in headers, and each notification (suspension, re-enable,
//! closed invoice) as JSON to the notifications topic. Both views key their rows by
//! (partition, offset[, index]), so the outbox walks them in key order from where it stopped,
//! and records how far it got in the store's `meta` column family only after the producer
//! acknowledged:
//!
//!   "kafka.outbox." u32be(partition)  -> u64be(log offset below which everything is published)
//!
//! A crash between the acknowledgement and that write publishes the same rows again with the
//! same keys and ids: consumers dedup by key.
//!
//! Message keys: dead letters "<partition>/<offset>", notifications "<partition>/<offset>/<index>";
//! both go to partition (source partition mod the topic's partitions), so one account's
//! messages keep their order.
class KafkaOutbox {
 public:
  //! The record at (partition, offset) as Kafka holds it: the dead letter's payload.
  using RawSource = std::function<Result<std::string>(uint32_t partition, uint64_t offset)>;

  KafkaOutbox(Store& store, ReliableProducer& producer, std::string dlq_topic,
              std::string notifications_topic)
      : store_(store),
        producer_(producer),
        dlq_topic_(std::move(dlq_topic)),
        notifications_topic_(std::move(notifications_topic)) {}

  //! Reads the partition counts of both topics.
  Status connect();
  //! Publishes every row of `partition` below `end_offset` not yet published.
  Status publish(uint32_t partition, uint64_t end_offset, const RawSource& raw);
  //! Where publishing of `partition` stands.
  Result<uint64_t> published_offset(uint32_t partition) const;

  uint64_t dead_letters() const { return dead_letters_; }
  uint64_t notifications() const { return notifications_; }

  //! Dead-letter payloads above this size are cut to it (header ledger.truncated=true).
  static constexpr size_t kDeadLetterBytesMax = 512 * 1024;

 private:
  Status collect_rejections(uint32_t partition, uint64_t from, uint64_t to, const RawSource& raw,
                            std::vector<OutgoingMessage>& out);
  Status collect_notifications(uint32_t partition, uint64_t from, uint64_t to,
                               std::vector<OutgoingMessage>& out);

  Store& store_;
  ReliableProducer& producer_;
  std::string dlq_topic_;
  std::string notifications_topic_;
  uint32_t dlq_partitions_ = 1;
  uint32_t notifications_partitions_ = 1;
  uint64_t dead_letters_ = 0;
  uint64_t notifications_ = 0;
};

//! The meta key of the outbox position of `partition`.
std::string outbox_key(uint32_t partition);

}  // namespace ledger
