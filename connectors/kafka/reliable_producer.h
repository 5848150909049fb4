#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "connectors/kafka/kafka_config.h"
#include "engine/status.h"

namespace ledger {

//! One record to produce to an explicit partition.
struct OutgoingMessage {
  std::string topic;
  int32_t partition = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

//! What a send() went through, for logs and tests.
struct ProducerReport {
  uint64_t acknowledged = 0;
  uint64_t resent = 0;              //!< messages produced again after a failed delivery
  uint64_t possibly_persisted = 0;  //!< timed out after being sent: maybe written, resent
  uint64_t producers_rebuilt = 0;   //!< after a fatal error
};

//! An idempotent producer (enable.idempotence=true, acks=all) that returns from send() only
//! once the brokers acknowledged every message, or it gave up.
//!
//! Errors by class: retriable ones are retried by librdkafka itself, then by send() in a new
//! round; a fatal error (rd_kafka_fatal_error) rebuilds the producer and resends what was not
//! acknowledged; a message that timed out after it was sent (POSSIBLY_PERSISTED) is reported
//! and resent, which is safe because event ids dedup in the projector.
class ReliableProducer {
 public:
  explicit ReliableProducer(KafkaSettings settings) : settings_(std::move(settings)) {}

  //! Delivers every message of `messages` (in order within each partition), or fails after
  //! `max_rounds` rounds of resending. `offsets`, when given, gets each message's offset.
  Status send(const std::vector<OutgoingMessage>& messages, std::vector<int64_t>* offsets = nullptr);
  //! The partition count of `topic` from the cluster's metadata.
  Result<uint32_t> partition_count(const std::string& topic);
  const ProducerReport& report() const { return report_; }

  size_t max_rounds = 20;
  //! How long partition_count() waits for an unreachable cluster.
  int metadata_wait_s = 120;

 private:
  Status ensure_handle();
  Status run_round(const std::vector<OutgoingMessage>& messages, std::vector<size_t>& pending,
                   std::vector<int64_t>* offsets);

  KafkaSettings settings_;
  KafkaHandle handle_;
  ProducerReport report_;
};

//! Delivery outcome of one message, filled by the delivery report callback.
struct DeliveryOutcome {
  bool reported = false;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_msg_status_t persisted = RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
  int64_t offset = -1;
};

}  // namespace ledger
