#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "connectors/kafka/kafka_config.h"
#include "connectors/kafka/kafka_log.h"
#include "connectors/kafka/kafka_outbox.h"
#include "engine/projector.h"

namespace ledger {

struct ConsumeOptions {
  //! Stop once every assigned partition is projected and published up to its end.
  bool until_end = false;
  //! Records read (all partitions together) before they are projected, each partition's in
  //! one WriteBatch: with 8 partitions, about 8,192 a partition.
  size_t batch_events_max = 65536;
  //! And at most this many bytes of records (events are up to 64 KiB each).
  size_t batch_bytes_max = 64 << 20;
  //! How long one poll waits for a record before the pending batches are committed.
  int poll_ms = 200;
};

struct ConsumeReport {
  ProjectionStats stats;
  uint64_t dead_letters = 0;
  uint64_t notifications = 0;
  //! From the subscription to the group's first assignment: the broker's initial rebalance
  //! delay (group.initial.rebalance.delay.ms, 3 s by default in Kafka and in the dev broker).
  int64_t assignment_wait_ms = 0;
  //! From the first assignment to the end of the run: reading, projecting and publishing.
  int64_t assigned_ms = 0;
};

//! Projects the events topic into the store as a member of a consumer group.
//!
//! The store is the source of truth for progress: an assigned partition is read from the
//! offset the store says it projected up to (Projector::stored_offset), never from the group's
//! committed offset, which is written only for monitoring (lag). When the group takes a
//! partition away, the rebalance callback first projects and publishes what was read of it.
//! After each committed batch the outbox publishes the batch's dead letters and notifications.
class EventConsumer {
 public:
  //! `threads`: partitions projected at once (ProjectorOptions::threads).
  EventConsumer(const KafkaSettings& settings, KafkaLog& log, Projector& projector, KafkaOutbox& outbox,
                size_t threads = 1)
      : settings_(settings), log_(log), projector_(projector), outbox_(outbox), threads_(threads) {}

  //! Runs until `stop` is set (or, with until_end, until caught up), or an error.
  Result<ConsumeReport> run(const ConsumeOptions& options, const std::atomic<bool>& stop);

 private:
  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t event,
                           rd_kafka_topic_partition_list_t* list, void* opaque);
  Status assign(rd_kafka_topic_partition_list_t* list);
  Status revoke(rd_kafka_topic_partition_list_t* list);
  Status take(const rd_kafka_message_t& message);
  //! Projects what was read of `partition` beyond the store's offset; the next offset, or
  //! nullopt when there was nothing new. Safe on several partitions at once.
  Result<std::optional<uint64_t>> project_pending(uint32_t partition, ProjectionStats& stats);
  //! Publishes the outbox of `partition` up to `next` (when set), records the position, and
  //! forgets the partition's pending records.
  Status publish_projected(uint32_t partition, std::optional<uint64_t> next);
  //! Projects and publishes one partition's pending records.
  Status flush(uint32_t partition);
  //! flush() of every partition, projecting up to `threads_` of them at once.
  Status flush_all();
  Result<bool> caught_up();
  Result<std::string> raw_record(uint32_t partition, uint64_t offset);
  void commit_position(uint32_t partition, uint64_t next_offset);
  Status loop(const ConsumeOptions& options, const std::atomic<bool>& stop);

  KafkaSettings settings_;
  KafkaLog& log_;
  Projector& projector_;
  KafkaOutbox& outbox_;
  size_t threads_;
  KafkaHandle handle_;
  std::set<uint32_t> assigned_;
  std::set<uint32_t> at_end_;  //!< partitions whose last fetch event was "end of partition"
  std::map<uint32_t, std::vector<RawRecord>> pending_;
  size_t pending_count_ = 0;
  size_t pending_bytes_ = 0;  //!< of the pending records' values
  Status callback_failure_;   //!< an error inside the rebalance callback, reported by run()
  std::optional<std::chrono::steady_clock::time_point> first_assignment_;
  ProjectionStats stats_;
};

}  // namespace ledger
