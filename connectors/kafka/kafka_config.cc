#include "connectors/kafka/kafka_config.h"

#include <spdlog/spdlog.h>

#include <fstream>

namespace ledger {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

//! Settings whose values carry the engine's guarantees: a pass-through value is ignored.
bool is_pinned(KafkaRole role, const std::string& key) {
  static const char* const kProducer[] = {"enable.idempotence", "acks"};
  static const char* const kConsumer[] = {"enable.auto.commit", "enable.auto.offset.store"};
  if (role == KafkaRole::kProducer) {
    for (const char* pinned : kProducer)
      if (key == pinned) return true;
  } else {
    for (const char* pinned : kConsumer)
      if (key == pinned) return true;
  }
  return false;
}

Status set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
    return Status::invalid_argument("kafka config: " + key + ": " + error);
  }
  return Status::ok();
}

}  // namespace

Status KafkaSettings::add_pair(const std::string& pair) {
  const auto equals = pair.find('=');
  if (equals == std::string::npos || equals == 0) {
    return Status::invalid_argument("kafka config: '" + pair + "' is not key=value");
  }
  passthrough[trim(pair.substr(0, equals))] = trim(pair.substr(equals + 1));
  return Status::ok();
}

Status KafkaSettings::load_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::invalid_argument("config: cannot read " + path);
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    constexpr std::string_view kPrefix = "kafka.";
    if (line.rfind(kPrefix, 0) != 0) {
      return Status::invalid_argument(path + ":" + std::to_string(number) +
                                      ": only kafka.<librdkafka-key>=value lines are understood");
    }
    if (Status added = add_pair(line.substr(kPrefix.size())); !added) {
      return Status::invalid_argument(path + ":" + std::to_string(number) + ": " + added.message());
    }
  }
  return Status::ok();
}

std::vector<std::pair<std::string, std::string>> required_settings(KafkaRole role,
                                                                   const KafkaSettings& settings) {
  switch (role) {
    case KafkaRole::kProducer:
      // Idempotence keeps each partition's order and drops the broker's duplicates on retry:
      // the offsets, and so the digests, then match the embedded log's.
      return {{"enable.idempotence", "true"},
              {"acks", "all"},
              {"max.in.flight.requests.per.connection", "5"},
              {"message.timeout.ms", "300000"},
              {"retry.backoff.ms", "100"},
              {"linger.ms", "5"}};
    case KafkaRole::kConsumer:
      // Progress lives in the store; Kafka's committed offsets are only informational.
      return {{"group.id", settings.group_id},
              {"enable.auto.commit", "false"},
              {"enable.auto.offset.store", "false"},
              {"auto.offset.reset", "earliest"},
              {"isolation.level", "read_committed"},
              {"enable.partition.eof", "true"},
              {"partition.assignment.strategy", "range,roundrobin"},
              {"session.timeout.ms", "10000"},
              {"max.poll.interval.ms", "300000"}};
    case KafkaRole::kReader:
      return {{"group.id", settings.group_id + ".reader"}, {"enable.auto.commit", "false"},
              {"enable.auto.offset.store", "false"},       {"auto.offset.reset", "error"},
              {"isolation.level", "read_committed"},       {"enable.partition.eof", "true"}};
  }
  return {};
}

Result<KafkaConf> make_conf(KafkaRole role, const KafkaSettings& settings) {
  KafkaConf conf(rd_kafka_conf_new());
  if (Status status = set(conf.get(), "bootstrap.servers", settings.brokers); !status) return status;
  spdlog::info("kafka: bootstrap.servers={}", settings.brokers);
  for (const auto& [key, value] : settings.passthrough) {
    if (is_pinned(role, key)) {
      spdlog::warn("kafka: {} is fixed by the engine; the configured value '{}' is ignored", key, value);
      continue;
    }
    if (Status status = set(conf.get(), key, value); !status) return status;
    const bool secret = key.find("password") != std::string::npos || key.find("secret") != std::string::npos;
    spdlog::info("kafka: {}={} (configured)", key, secret ? "***" : value);
  }
  for (const auto& [key, value] : required_settings(role, settings)) {
    if (settings.passthrough.count(key) && !is_pinned(role, key)) continue;
    if (Status status = set(conf.get(), key, value); !status) return status;
    spdlog::info("kafka: {}={}", key, value);
  }
  return conf;
}

Result<KafkaHandle> make_handle(rd_kafka_type_t type, KafkaConf conf) {
  char error[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (!handle) return Status::invalid_argument(std::string("kafka: cannot create a client: ") + error);
  conf.release();  // rd_kafka_new owns it now
  return KafkaHandle(handle);
}

std::string kafka_error_text(rd_kafka_resp_err_t error) {
  return std::string(rd_kafka_err2str(error)) + " (" + rd_kafka_err2name(error) + ")";
}

}  // namespace ledger
