// ledger-dev-broker: a Kafka cluster in one process (librdkafka's mock cluster) with the
// ledger's topics, for development and tests. Prints the bootstrap servers on the first line of
// stdout and runs until SIGTERM or SIGINT.
//
// Faults are injected with lines on stdin (each answered by "ok ..." or "error ..." on stdout):
//   down BROKER_ID | up BROKER_ID          take a broker off the network and back
//   rtt BROKER_ID MS                       delay a broker's responses
//   errors API ERROR [ERROR...]            fail the next requests of API (Produce, Fetch, ... or
//                                          its number) with these errors (name or number)
//   clear API                              drop the errors still queued for API

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

//! Kafka protocol request numbers by name, for the `errors` command.
int api_key(const std::string& name) {
  static const std::map<std::string, int> kKeys = {
      {"Produce", 0},      {"Fetch", 1},       {"ListOffsets", 2},      {"Metadata", 3},
      {"OffsetCommit", 8}, {"OffsetFetch", 9}, {"FindCoordinator", 10}, {"JoinGroup", 11},
      {"Heartbeat", 12},   {"LeaveGroup", 13}, {"SyncGroup", 14},       {"InitProducerId", 22}};
  auto found = kKeys.find(name);
  if (found != kKeys.end()) return found->second;
  try {
    return std::stoi(name);
  } catch (const std::exception&) {
    return -1;
  }
}

//! An error code from its name (NOT_LEADER_FOR_PARTITION, _TRANSPORT) or number.
bool error_code(const std::string& name, rd_kafka_resp_err_t* out) {
  const rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name && name == descs[i].name) {
      *out = descs[i].code;
      return true;
    }
  }
  try {
    *out = static_cast<rd_kafka_resp_err_t>(std::stoi(name));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string run_control(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream words(line);
  std::string command;
  words >> command;
  if (command == "down" || command == "up") {
    int broker = 0;
    if (!(words >> broker)) return "error " + command + ": expected a broker id";
    rd_kafka_resp_err_t error = command == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                                                  : rd_kafka_mock_broker_set_up(cluster, broker);
    return error ? "error " + std::string(rd_kafka_err2str(error)) : "ok " + line;
  }
  if (command == "rtt") {
    int broker = 0;
    int rtt_ms = 0;
    if (!(words >> broker >> rtt_ms)) return "error rtt: expected a broker id and milliseconds";
    rd_kafka_resp_err_t error = rd_kafka_mock_broker_set_rtt(cluster, broker, rtt_ms);
    return error ? "error " + std::string(rd_kafka_err2str(error)) : "ok " + line;
  }
  if (command == "errors" || command == "clear") {
    std::string api;
    words >> api;
    const int key = api_key(api);
    if (key < 0) return "error " + command + ": unknown API '" + api + "'";
    if (command == "clear") {
      rd_kafka_mock_clear_request_errors(cluster, static_cast<int16_t>(key));
      return "ok " + line;
    }
    std::vector<rd_kafka_resp_err_t> errors;
    for (std::string name; words >> name;) {
      rd_kafka_resp_err_t code;
      if (!error_code(name, &code)) return "error errors: unknown error '" + name + "'";
      errors.push_back(code);
    }
    if (errors.empty()) return "error errors: expected at least one error";
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(key), errors.size(), errors.data());
    return "ok " + line;
  }
  return "error unknown command '" + command + "'";
}

//! Answers control lines until a stop signal; stdin at its end just stops being read.
void serve(rd_kafka_mock_cluster_t* cluster) {
  std::string buffer;
  bool input_open = true;
  while (!g_stop.load()) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    if (!input_open || poll(&fd, 1, 200) <= 0) {
      if (!input_open) usleep(200'000);
      continue;
    }
    char chunk[4096];
    ssize_t got = read(STDIN_FILENO, chunk, sizeof chunk);
    if (got <= 0) {
      input_open = false;
      continue;
    }
    buffer.append(chunk, static_cast<size_t>(got));
    for (size_t end; (end = buffer.find('\n')) != std::string::npos; buffer.erase(0, end + 1)) {
      const std::string line = buffer.substr(0, end);
      if (!line.empty()) std::cout << run_control(cluster, line) << std::endl;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int partitions = 8;
  int brokers = 1;
  std::string events_topic = "ledger.events";
  std::string dlq_topic = "ledger.events.dlq";
  std::string notifications_topic = "ledger.notifications";
  CLI::App app{"ledger-dev-broker: an in-process Kafka cluster (librdkafka mock) for development and tests"};
  app.add_option("--partitions", partitions, "Partitions of the events topic")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--brokers", brokers, "Brokers in the cluster")
      ->capture_default_str()
      ->check(CLI::Range(1, 9));
  app.add_option("--topic", events_topic, "The events topic")->capture_default_str();
  app.add_option("--dlq-topic", dlq_topic, "The dead-letter topic")->capture_default_str();
  app.add_option("--notifications-topic", notifications_topic, "The notifications topic")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handle) {
    std::cerr << "ledger-dev-broker: " << error << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (!cluster) {
    std::cerr << "ledger-dev-broker: cannot start the mock cluster\n";
    rd_kafka_destroy(handle);
    return 1;
  }
  const int replicas = brokers < 3 ? brokers : 3;
  for (const auto& [topic, count] : {std::pair{events_topic, partitions}, std::pair{dlq_topic, partitions},
                                     std::pair{notifications_topic, partitions}}) {
    if (rd_kafka_resp_err_t failed = rd_kafka_mock_topic_create(cluster, topic.c_str(), count, replicas)) {
      std::cerr << "ledger-dev-broker: topic " << topic << ": " << rd_kafka_err2str(failed) << "\n";
      return 1;
    }
  }
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  std::cout << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;
  serve(cluster);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
