#include "connectors/kafka/kafka_log.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "engine/event_codec.h"
#include "engine/partitioner.h"

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

}  // namespace

std::string prepare_record(std::string_view value) {
  auto canonical = canonicalize_event(value);
  if (canonical) return std::move(*canonical);
  return std::string(value);
}

Result<std::unique_ptr<KafkaLog>> KafkaLog::open(const KafkaSettings& settings) {
  std::unique_ptr<KafkaLog> log(new KafkaLog(settings));
  auto count = log->producer_.partition_count(settings.events_topic);
  if (!count) return count.status();
  log->partition_count_ = *count;
  return log;
}

KafkaLog::~KafkaLog() {
  if (reader_) rd_kafka_consumer_close(reader_.get());
}

Status KafkaLog::ensure_reader() {
  if (reader_) return Status::ok();
  auto conf = make_conf(KafkaRole::kReader, settings_);
  if (!conf) return conf.status();
  auto handle = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!handle) return handle.status();
  reader_ = std::move(*handle);
  rd_kafka_poll_set_consumer(reader_.get());
  return Status::ok();
}

Status KafkaLog::append(std::span<const AppendRequest> requests, std::vector<LogPosition>* positions) {
  std::vector<OutgoingMessage> messages;
  std::vector<size_t> first_message;  // per request, its first message
  for (const auto& request : requests) {
    const uint32_t first = request.broadcast ? 0 : partition_for(request.account, partition_count_);
    const uint32_t last = request.broadcast ? partition_count_ - 1 : first;
    first_message.push_back(messages.size());
    for (uint32_t partition = first; partition <= last; ++partition) {
      messages.push_back({settings_.events_topic,
                          static_cast<int32_t>(partition),
                          std::string(request.account),
                          std::string(request.bytes),
                          {}});
    }
  }
  std::vector<int64_t> offsets;
  if (Status sent = producer_.send(messages, &offsets); !sent) return sent;
  if (positions) {
    positions->clear();
    for (size_t index : first_message) {
      positions->push_back(
          {static_cast<uint32_t>(messages[index].partition), static_cast<uint64_t>(offsets[index])});
    }
  }
  return Status::ok();
}

Status KafkaLog::read_raw(uint32_t partition, uint64_t from_offset, size_t max_events,
                          std::vector<RawRecord>& out) {
  out.clear();
  if (partition >= partition_count_) {
    return Status::invalid_argument("partition: " + std::to_string(partition) + " is out of range");
  }
  std::lock_guard lock(reader_mutex_);
  if (Status ready = ensure_reader(); !ready) return ready;
  PartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), settings_.events_topic.c_str(),
                                    static_cast<int32_t>(partition))
      ->offset = static_cast<int64_t>(from_offset);
  if (rd_kafka_resp_err_t error = rd_kafka_assign(reader_.get(), list.get())) {
    return Status::io_error("kafka: assign: " + kafka_error_text(error));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadTimeoutMs);
  bool at_end = false;
  uint64_t expected = from_offset;
  while (out.size() < max_events && !at_end && std::chrono::steady_clock::now() < deadline) {
    Message message(rd_kafka_consumer_poll(reader_.get(), 200));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end = message->partition == static_cast<int32_t>(partition) &&
               message->offset >= static_cast<int64_t>(expected);
      continue;
    }
    if (message->err) {
      spdlog::warn("kafka: reading {}/{}: {}", settings_.events_topic, partition,
                   kafka_error_text(message->err));
      if (message->err == RD_KAFKA_RESP_ERR__FATAL)
        return Status::io_error("kafka: " + kafka_error_text(message->err));
      continue;
    }
    if (message->partition != static_cast<int32_t>(partition) ||
        message->offset < static_cast<int64_t>(expected)) {
      continue;  // left over from an earlier assignment
    }
    expected = static_cast<uint64_t>(message->offset) + 1;
    out.push_back({static_cast<uint64_t>(message->offset),
                   std::string(static_cast<const char*>(message->payload), message->len)});
  }
  rd_kafka_assign(reader_.get(), nullptr);
  if (out.empty() && !at_end) {
    return Status::io_error("kafka: no record of " + settings_.events_topic + "/" +
                            std::to_string(partition) + " at offset " + std::to_string(from_offset) +
                            " within " + std::to_string(kReadTimeoutMs / 1000) + " s");
  }
  return Status::ok();
}

Status KafkaLog::read(uint32_t partition, uint64_t from_offset, size_t max_events, LogBatch& out) {
  out.clear();
  std::vector<RawRecord> records;
  if (Status read = read_raw(partition, from_offset, max_events, records); !read) return read;
  for (const auto& record : records) out.add(record.offset, prepare_record(record.value));
  return Status::ok();
}

Result<uint64_t> KafkaLog::end_offset(uint32_t partition) {
  std::lock_guard lock(reader_mutex_);
  if (Status ready = ensure_reader(); !ready) return ready;
  int64_t low = 0;
  int64_t high = 0;
  rd_kafka_resp_err_t error = rd_kafka_query_watermark_offsets(
      reader_.get(), settings_.events_topic.c_str(), static_cast<int32_t>(partition), &low, &high, 10'000);
  if (error) {
    return Status::io_error("kafka: end offset of " + settings_.events_topic + "/" +
                            std::to_string(partition) + ": " + kafka_error_text(error));
  }
  return static_cast<uint64_t>(high);
}

}  // namespace ledger
