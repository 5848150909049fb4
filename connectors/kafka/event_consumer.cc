#include "connectors/kafka/event_consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "engine/parallel_for.h"

namespace ledger {
namespace {

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

void on_error(rd_kafka_t* /*handle*/, int error, const char* reason, void* /*opaque*/) {
  // Fatal errors also reach rd_kafka_consumer_poll, which stops the run; the rest pass.
  spdlog::warn("kafka: {}: {} (retrying)", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error)),
               reason);
}

}  // namespace

void EventConsumer::on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t event,
                                 rd_kafka_topic_partition_list_t* list, void* opaque) {
  auto* self = static_cast<EventConsumer*>(opaque);
  Status status = event == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? self->assign(list) : self->revoke(list);
  if (!status) {
    spdlog::error("kafka: rebalance: {}", status.to_string());
    if (self->callback_failure_) self->callback_failure_ = status;
    if (event != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) rd_kafka_assign(handle, nullptr);
  }
}

Status EventConsumer::assign(rd_kafka_topic_partition_list_t* list) {
  if (!first_assignment_) first_assignment_ = std::chrono::steady_clock::now();
  for (int i = 0; i < list->cnt; ++i) {
    const auto partition = static_cast<uint32_t>(list->elems[i].partition);
    auto stored = projector_.stored_offset(partition);
    if (!stored) return stored.status();
    // Rows committed before a crash but not yet published go out first.
    if (Status published =
            outbox_.publish(partition, *stored, [this](uint32_t p, uint64_t o) { return raw_record(p, o); });
        !published) {
      return published;
    }
    list->elems[i].offset = static_cast<int64_t>(*stored);
    assigned_.insert(partition);
    at_end_.erase(partition);
    spdlog::info("kafka: assigned {}/{} from stored offset {}", settings_.events_topic, partition, *stored);
  }
  if (rd_kafka_resp_err_t error = rd_kafka_assign(handle_.get(), list)) {
    return Status::io_error("kafka: assign: " + kafka_error_text(error));
  }
  return Status::ok();
}

Status EventConsumer::revoke(rd_kafka_topic_partition_list_t* list) {
  Status first_failure;
  for (int i = 0; i < list->cnt; ++i) {
    const auto partition = static_cast<uint32_t>(list->elems[i].partition);
    // The in-flight batch is finished before the partition goes to another member.
    if (Status flushed = flush(partition); !flushed && first_failure) first_failure = flushed;
    pending_.erase(partition);
    assigned_.erase(partition);
    at_end_.erase(partition);
    spdlog::info("kafka: revoked {}/{}", settings_.events_topic, partition);
  }
  rd_kafka_assign(handle_.get(), nullptr);
  return first_failure;
}

Result<std::string> EventConsumer::raw_record(uint32_t partition, uint64_t offset) {
  auto found = pending_.find(partition);
  if (found != pending_.end()) {
    const auto& records = found->second;
    auto it =
        std::lower_bound(records.begin(), records.end(), offset,
                         [](const RawRecord& record, uint64_t wanted) { return record.offset < wanted; });
    if (it != records.end() && it->offset == offset) return it->value;
  }
  std::vector<RawRecord> records;
  if (Status read = log_.read_raw(partition, offset, 1, records); !read) return read;
  if (records.empty() || records[0].offset != offset) {
    return Status::not_found("kafka: record " + std::to_string(partition) + "/" + std::to_string(offset) +
                             " is gone");
  }
  return std::move(records[0].value);
}

Status EventConsumer::take(const rd_kafka_message_t& message) {
  const auto partition = static_cast<uint32_t>(message.partition);
  if (!assigned_.count(partition)) return Status::ok();  // fetched before a revoke
  auto& records = pending_[partition];
  if (!records.empty() && static_cast<uint64_t>(message.offset) <= records.back().offset) return Status::ok();
  at_end_.erase(partition);
  records.push_back({static_cast<uint64_t>(message.offset),
                     std::string(static_cast<const char*>(message.payload), message.len)});
  ++pending_count_;
  pending_bytes_ += message.len;
  return Status::ok();
}

Result<std::optional<uint64_t>> EventConsumer::project_pending(uint32_t partition, ProjectionStats& stats) {
  auto found = pending_.find(partition);
  if (found == pending_.end() || found->second.empty()) return std::optional<uint64_t>();
  auto stored = projector_.stored_offset(partition);
  if (!stored) return stored.status();
  LogBatch batch;
  for (const auto& record : found->second) {
    if (record.offset >= *stored) batch.add(record.offset, prepare_record(record.value));
  }
  if (batch.empty()) return std::optional<uint64_t>();
  if (batch.offset(0) != *stored) {
    return Status::corruption("kafka: " + settings_.events_topic + "/" + std::to_string(partition) +
                              " resumes at offset " + std::to_string(batch.offset(0)) +
                              " but the store is at " + std::to_string(*stored) +
                              " (records deleted by retention?)");
  }
  if (Status projected = projector_.project(partition, batch, stats); !projected) return projected;
  return std::optional<uint64_t>(batch.offset(batch.size() - 1) + 1);
}

Status EventConsumer::publish_projected(uint32_t partition, std::optional<uint64_t> next) {
  if (next) {
    auto raw = [this](uint32_t p, uint64_t o) { return raw_record(p, o); };
    if (Status published = outbox_.publish(partition, *next, raw); !published) return published;
    commit_position(partition, *next);
    spdlog::info("kafka: projected {}/{} up to offset {}", settings_.events_topic, partition, *next);
  }
  auto found = pending_.find(partition);
  if (found != pending_.end()) {
    pending_count_ -= found->second.size();
    for (const auto& record : found->second) pending_bytes_ -= record.value.size();
    found->second.clear();
  }
  return Status::ok();
}

Status EventConsumer::flush(uint32_t partition) {
  auto next = project_pending(partition, stats_);
  if (!next) return next.status();
  return publish_projected(partition, *next);
}

Status EventConsumer::flush_all() {
  std::vector<uint32_t> partitions;
  for (const auto& [partition, records] : pending_) {
    if (!records.empty()) partitions.push_back(partition);
  }
  // Each partition is projected on its own (parallel_for, as in Projector::catch_up), up to
  // `threads_` at once; the outbox then publishes each partition's notifications and dead
  // letters in partition order, from this thread (the outbox and the consumer handle are not
  // shared between threads).
  std::vector<Result<std::optional<uint64_t>>> outcomes(partitions.size(), std::optional<uint64_t>());
  std::vector<ProjectionStats> stats(partitions.size());
  parallel_for(partitions.size(), threads_,
               [&](size_t i) { outcomes[i] = project_pending(partitions[i], stats[i]); });
  for (const auto& partition_stats : stats) stats_.add(partition_stats);
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (!outcomes[i]) return outcomes[i].status();
    if (Status published = publish_projected(partitions[i], *outcomes[i]); !published) return published;
  }
  return Status::ok();
}

void EventConsumer::commit_position(uint32_t partition, uint64_t next_offset) {
  // Informational only (lag monitoring): the store's offset decides where reading resumes.
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), settings_.events_topic.c_str(),
                                    static_cast<int32_t>(partition))
      ->offset = static_cast<int64_t>(next_offset);
  rd_kafka_commit(handle_.get(), list.get(), /*async=*/1);
}

Result<bool> EventConsumer::caught_up() {
  if (assigned_.empty() || pending_count_ > 0) return false;
  for (uint32_t partition : assigned_) {
    // The end as of the last fetch (cached by librdkafka, no request): a partition is done when
    // the fetcher reported reaching it and the store got there.
    if (!at_end_.count(partition)) return false;
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_get_watermark_offsets(handle_.get(), settings_.events_topic.c_str(),
                                   static_cast<int32_t>(partition), &low, &high);
    auto stored = projector_.stored_offset(partition);
    if (!stored) return stored.status();
    if (high < 0 || *stored < static_cast<uint64_t>(high)) return false;
  }
  return true;
}

Status EventConsumer::loop(const ConsumeOptions& options, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Message message(rd_kafka_consumer_poll(handle_.get(), options.poll_ms));
    if (!callback_failure_) return callback_failure_;
    const bool idle = !message || message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (message && message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end_.insert(static_cast<uint32_t>(message->partition));
    }
    if (message && message->err && !idle) {
      if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
        return Status::io_error("kafka: fatal consumer error: " + kafka_error_text(message->err));
      }
      spdlog::warn("kafka: consumer: {} (retrying)", kafka_error_text(message->err));
      continue;
    }
    if (!idle) {
      if (Status taken = take(*message); !taken) return taken;
      if (pending_count_ < options.batch_events_max && pending_bytes_ < options.batch_bytes_max) continue;
    }
    if (Status flushed = flush_all(); !flushed) return flushed;
    if (idle && options.until_end) {
      auto done = caught_up();
      if (!done) return done.status();
      if (*done) return Status::ok();
    }
  }
  return flush_all();
}

Result<ConsumeReport> EventConsumer::run(const ConsumeOptions& options, const std::atomic<bool>& stop) {
  auto conf = make_conf(KafkaRole::kConsumer, settings_);
  if (!conf) return conf.status();
  rd_kafka_conf_set_rebalance_cb(conf->get(), on_rebalance);
  rd_kafka_conf_set_error_cb(conf->get(), on_error);
  rd_kafka_conf_set_opaque(conf->get(), this);
  auto handle = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!handle) return handle.status();
  handle_ = std::move(*handle);
  rd_kafka_poll_set_consumer(handle_.get());
  PartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), settings_.events_topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t error = rd_kafka_subscribe(handle_.get(), topics.get())) {
    return Status::io_error("kafka: subscribe to " + settings_.events_topic + ": " + kafka_error_text(error));
  }
  const auto subscribed = std::chrono::steady_clock::now();
  Status looped = loop(options, stop);
  rd_kafka_consumer_close(handle_.get());  // revokes (and so flushes) what is still assigned
  handle_.reset();
  if (!looped) return looped;
  if (!callback_failure_) return callback_failure_;
  ConsumeReport report{stats_, outbox_.dead_letters(), outbox_.notifications()};
  const auto ended = std::chrono::steady_clock::now();
  const auto assigned = first_assignment_.value_or(ended);
  auto ms = [](auto duration) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
  };
  report.assignment_wait_ms = ms(assigned - subscribed);
  report.assigned_ms = ms(ended - assigned);
  return report;
}

}  // namespace ledger
