#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/kafka/kafka_config.h"
#include "connectors/kafka/reliable_producer.h"
#include "engine/log.h"

namespace ledger {

//! One record as Kafka holds it, before the engine looked at it.
struct RawRecord {
  uint64_t offset = 0;
  std::string value;
};

//! The events topic as a Log: append produces each event to the partition partition_for()
//! names (broadcasts to every partition) and waits for the acknowledgements; read assigns one
//! partition at an offset and fetches. What read returns is canonicalized (event_codec) so
//! that dedup by payload hash holds whatever encoder the producer used; bytes that are not a
//! valid event are passed through unchanged, for the projector to record as rejected.
class KafkaLog final : public Log {
 public:
  //! Connects and reads the partition count of the events topic.
  static Result<std::unique_ptr<KafkaLog>> open(const KafkaSettings& settings);
  ~KafkaLog() override;

  uint32_t partition_count() const override { return partition_count_; }
  Status append(std::span<const AppendRequest> requests, std::vector<LogPosition>* positions) override;
  Status read(uint32_t partition, uint64_t from_offset, size_t max_events, LogBatch& out) override;
  Result<uint64_t> end_offset(uint32_t partition) override;

  //! Reads records as they are in Kafka, without canonicalizing.
  Status read_raw(uint32_t partition, uint64_t from_offset, size_t max_events, std::vector<RawRecord>& out);
  ReliableProducer& producer() { return producer_; }

  //! How long a read waits for records it knows exist before it gives up.
  static constexpr int kReadTimeoutMs = 60'000;

 private:
  explicit KafkaLog(const KafkaSettings& settings) : settings_(settings), producer_(settings) {}
  Status ensure_reader();

  KafkaSettings settings_;
  ReliableProducer producer_;
  std::mutex reader_mutex_;  //!< one assignment at a time: catch_up() reads from several threads
  KafkaHandle reader_;       //!< guarded by reader_mutex_
  uint32_t partition_count_ = 0;
};

//! The bytes the projector gets for a record: its canonical form, or the record unchanged
//! when it is not a valid event (the projector then rejects it with the reason).
std::string prepare_record(std::string_view value);

}  // namespace ledger
