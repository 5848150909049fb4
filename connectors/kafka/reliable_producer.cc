#include "connectors/kafka/reliable_producer.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace ledger {
namespace {

void on_delivery(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* outcome = static_cast<DeliveryOutcome*>(message->_private);
  if (!outcome) return;
  outcome->reported = true;
  outcome->error = message->err;
  outcome->persisted = rd_kafka_message_status(message);
  outcome->offset = message->offset;
}

std::string fatal_text(rd_kafka_t* handle) {
  char reason[512] = {0};
  rd_kafka_resp_err_t error = rd_kafka_fatal_error(handle, reason, sizeof reason);
  return kafka_error_text(error) + ": " + reason;
}

//! Says how each failed delivery is handled; returns whether it was a fatal error.
bool log_failure(const OutgoingMessage& message, const DeliveryOutcome& outcome, ProducerReport& report) {
  const std::string where =
      message.topic + "/" + std::to_string(message.partition) + " key '" + message.key + "'";
  if (outcome.persisted == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED) {
    // Typically _MSG_TIMED_OUT after the request went out, or purged in flight: the broker may
    // have written it. Resending may leave a second copy in the topic, which the projector
    // recognizes by id and payload and ignores.
    ++report.possibly_persisted;
    spdlog::warn("kafka: {}: {} after it was sent: possibly persisted; resending (ids dedup)", where,
                 kafka_error_text(outcome.error));
    return outcome.error == RD_KAFKA_RESP_ERR__FATAL;
  }
  if (outcome.error == RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::error(
        "kafka: {}: fatal producer error; the producer is rebuilt and unacknowledged messages resent", where);
    return true;
  }
  spdlog::warn("kafka: {}: not delivered ({}); resending", where, kafka_error_text(outcome.error));
  return false;
}

}  // namespace

Status ReliableProducer::ensure_handle() {
  if (handle_) return Status::ok();
  auto conf = make_conf(KafkaRole::kProducer, settings_);
  if (!conf) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  auto handle = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!handle) return handle.status();
  handle_ = std::move(*handle);
  return Status::ok();
}

Status ReliableProducer::run_round(const std::vector<OutgoingMessage>& messages, std::vector<size_t>& pending,
                                   std::vector<int64_t>* offsets) {
  std::vector<DeliveryOutcome> outcomes(pending.size());
  size_t enqueued = 0;
  bool fatal = false;
  for (; enqueued < pending.size() && !fatal; ++enqueued) {
    const OutgoingMessage& message = messages[pending[enqueued]];
    rd_kafka_headers_t* headers = rd_kafka_headers_new(message.headers.size());
    for (const auto& [name, value] : message.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    rd_kafka_resp_err_t error;
    while (true) {
      error = rd_kafka_producev(
          handle_.get(), RD_KAFKA_V_TOPIC(message.topic.c_str()), RD_KAFKA_V_PARTITION(message.partition),
          RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_OPAQUE(&outcomes[enqueued]), RD_KAFKA_V_END);
      if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      rd_kafka_poll(handle_.get(), 50);  // the local queue drains as the brokers acknowledge
    }
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);  // not taken over on failure
      if (error != RD_KAFKA_RESP_ERR__FATAL) {
        return Status::invalid_argument("kafka: cannot produce to " + message.topic + ": " +
                                        kafka_error_text(error));
      }
      fatal = true;
      break;
    }
  }
  auto all_reported = [&] {
    for (size_t i = 0; i < enqueued; ++i)
      if (!outcomes[i].reported) return false;
    return true;
  };
  while (!all_reported()) {
    if (rd_kafka_fatal_error(handle_.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::error("kafka: fatal producer error: {}", fatal_text(handle_.get()));
      rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      fatal = true;
    }
    rd_kafka_poll(handle_.get(), 100);
  }
  std::vector<size_t> failed;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (i < enqueued && outcomes[i].error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++report_.acknowledged;
      if (offsets) (*offsets)[pending[i]] = outcomes[i].offset;
      continue;
    }
    if (i < enqueued && log_failure(messages[pending[i]], outcomes[i], report_)) fatal = true;
    failed.push_back(pending[i]);
  }
  report_.resent += failed.size();
  pending = std::move(failed);
  if (fatal) {
    handle_.reset();
    ++report_.producers_rebuilt;
  }
  return Status::ok();
}

Status ReliableProducer::send(const std::vector<OutgoingMessage>& messages, std::vector<int64_t>* offsets) {
  if (offsets) offsets->assign(messages.size(), -1);
  std::vector<size_t> pending(messages.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (size_t round = 0; !pending.empty(); ++round) {
    if (round == max_rounds) {
      return Status::io_error("kafka: " + std::to_string(pending.size()) +
                              " messages not acknowledged after " + std::to_string(max_rounds) + " rounds");
    }
    if (Status ready = ensure_handle(); !ready) return ready;
    if (Status sent = run_round(messages, pending, offsets); !sent) return sent;
  }
  return Status::ok();
}

Result<uint32_t> ReliableProducer::partition_count(const std::string& topic) {
  if (Status ready = ensure_handle(); !ready) return ready;
  // The cluster may be unreachable for a while (a restart): wait for it, saying so.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(metadata_wait_s);
  while (true) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(handle_.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t error = rd_kafka_metadata(handle_.get(), 0, handle, &metadata, 5000);
    rd_kafka_topic_destroy(handle);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Result<uint32_t> count =
          Status::not_found("kafka: topic " + topic + " does not exist (create it: RUNBOOK.md)");
      if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          metadata->topics[0].partition_cnt > 0) {
        count = static_cast<uint32_t>(metadata->topics[0].partition_cnt);
      }
      rd_kafka_metadata_destroy(metadata);
      return count;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::io_error("kafka: metadata of " + topic + ": " + kafka_error_text(error));
    }
    spdlog::warn("kafka: metadata of {}: {} (retrying)", topic, kafka_error_text(error));
  }
}

}  // namespace ledger
