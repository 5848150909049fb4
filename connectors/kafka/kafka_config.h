#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/status.h"

namespace ledger {

//! Topic names and client settings shared by `ledger produce` and `ledger consume`.
struct KafkaSettings {
  std::string brokers = "127.0.0.1:9092";
  std::string events_topic = "ledger.events";
  std::string dlq_topic = "ledger.events.dlq";
  std::string notifications_topic = "ledger.notifications";
  std::string group_id = "ledger";
  //! librdkafka settings passed through (security.protocol, sasl.*, ssl.*, ...); these win
  //! over the defaults below, except the ones the engine's guarantees rest on.
  std::map<std::string, std::string> passthrough;

  //! Reads `kafka.<librdkafka-key>=value` lines (and `#` comments) from `path`.
  Status load_file(const std::string& path);
  //! Adds one `key=value` given on the command line.
  Status add_pair(const std::string& pair);
};

//! Which client a configuration is for: the settings the engine relies on differ.
enum class KafkaRole { kProducer, kConsumer, kReader };

//! Frees a librdkafka configuration that was not handed to rd_kafka_new.
struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

//! Destroys a client handle.
struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

//! The settings `role` relies on, each set explicitly: the pass-through ones first, then
//! these (which may not be overridden). Each is logged at info level.
std::vector<std::pair<std::string, std::string>> required_settings(KafkaRole role,
                                                                   const KafkaSettings& settings);

//! A configuration for `role`: bootstrap servers, pass-through settings, required settings.
Result<KafkaConf> make_conf(KafkaRole role, const KafkaSettings& settings);

//! Creates a client of `type` from `conf` (taken over in every case).
Result<KafkaHandle> make_handle(rd_kafka_type_t type, KafkaConf conf);

//! "Local: Broker transport failure (_TRANSPORT)".
std::string kafka_error_text(rd_kafka_resp_err_t error);

}  // namespace ledger
