// ledger produce [FILE...] | consume: the events topic of a Kafka cluster as the log.

#include "connectors/kafka/kafka_commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "connectors/cli/cli_context.h"
#include "connectors/ingest/json_lines_ingester.h"
#include "connectors/kafka/event_consumer.h"
#include "connectors/kafka/kafka_log.h"
#include "connectors/kafka/kafka_outbox.h"
#include "connectors/kafka/partition_guard_view.h"
#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "projections/all_views.h"

namespace ledger {
namespace {

struct KafkaArgs {
  KafkaSettings settings;
  std::vector<std::string> pairs;
  std::string config_file;
};

struct ProduceArgs {
  std::vector<std::string> files;
};

struct ConsumeArgs {
  bool until_end = false;
  size_t batch_events = ConsumeOptions().batch_events_max;
};

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

void add_kafka_options(CLI::App* command, KafkaArgs& args) {
  command->add_option("--brokers", args.settings.brokers, "Bootstrap servers (host:port,...)")
      ->capture_default_str();
  command->add_option("--topic", args.settings.events_topic, "The events topic")->capture_default_str();
  command->add_option("--dlq-topic", args.settings.dlq_topic, "Where rejected events are copied")
      ->capture_default_str();
  command
      ->add_option("--notifications-topic", args.settings.notifications_topic,
                   "Where suspension, re-enable and invoice notifications go")
      ->capture_default_str();
  command->add_option("--group", args.settings.group_id, "Consumer group id")->capture_default_str();
  command->add_option("--kafka-config", args.pairs, "A librdkafka setting, key=value (repeatable)")
      ->allow_extra_args(false);  // one pair per flag, so positional files may follow
  command->add_option("--config", args.config_file, "A file of kafka.<librdkafka-key>=value lines");
}

//! The settings after the config file and the --kafka-config pairs, or the error.
Status resolve_settings(KafkaArgs& args) {
  if (!args.config_file.empty()) {
    if (Status loaded = args.settings.load_file(args.config_file); !loaded) return loaded;
  }
  for (const auto& pair : args.pairs) {
    if (Status added = args.settings.add_pair(pair); !added) return added;
  }
  return Status::ok();
}

bool is_flatbuffer_event(const std::string& bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, schema::EventIdentifier(), 4) == 0;
}

//! Produces one file: JSON lines through the ingester, or one binary event.
Result<IngestReport> produce_file(KafkaLog& log, const std::string& name, std::istream& input) {
  std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  if (is_flatbuffer_event(bytes)) {
    IngestReport report;
    report.lines_read = 1;
    auto canonical = canonicalize_event(bytes);
    if (!canonical) {
      std::cerr << name << ": " << canonical.status().message() << "\n";
      report.refused = 1;
      return report;
    }
    const schema::Event* event = schema::GetEvent(canonical->data());
    const std::string account = event->account() ? event->account()->str() : "";
    AppendRequest request{account, *canonical, is_broadcast(event->body_type())};
    if (Status appended = log.append({&request, 1}, nullptr); !appended) return appended;
    report.appended = 1;
    return report;
  }
  std::istringstream lines(bytes);
  JsonLinesIngester ingester(log);
  return ingester.ingest(
      lines,
      [&](const LineError& error) {
        std::cerr << name << ": line " << error.line << ": " << error.message << "\n";
      },
      nullptr);
}

void run_produce(CliContext& context, KafkaArgs& kafka, const ProduceArgs& args) {
  if (Status resolved = resolve_settings(kafka); !resolved) return context.fail(resolved.message());
  auto log = KafkaLog::open(kafka.settings);
  if (!log) return context.fail(log.status().to_string());
  std::vector<std::string> files = args.files.empty() ? std::vector<std::string>{"-"} : args.files;
  IngestReport total;
  for (const auto& name : files) {
    std::ifstream file;
    if (name != "-") {
      file.open(name, std::ios::binary);
      if (!file) return context.fail("cannot read " + name);
    }
    auto report = produce_file(**log, name == "-" ? "stdin" : name, name == "-" ? std::cin : file);
    if (!report) return context.fail("produce failed: " + report.status().to_string());
    total.lines_read += report->lines_read;
    total.appended += report->appended;
    total.refused += report->refused;
  }
  const ProducerReport& producer = (*log)->producer().report();
  if (context.json()) {
    std::cout << fmt::format(
        R"({{"read":{},"produced":{},"refused":{},"resent":{},"possibly_persisted":{},"producers_rebuilt":{}}})"
        "\n",
        total.lines_read, total.appended, total.refused, producer.resent, producer.possibly_persisted,
        producer.producers_rebuilt);
  } else {
    std::cout << fmt::format("produce: {} read, {} produced to {}, {} refused\n", total.lines_read,
                             total.appended, kafka.settings.events_topic, total.refused);
    if (producer.resent > 0) {
      std::cout << fmt::format(
          "produce: {} resent ({} possibly persisted, {} producer rebuilds); ids dedup\n", producer.resent,
          producer.possibly_persisted, producer.producers_rebuilt);
    }
  }
  if (total.refused > 0) context.exit_code = 1;
}

void print_consume(const CliContext& context, const ConsumeReport& report) {
  if (context.json()) {
    std::cout << fmt::format(
        R"({{"applied":{},"rejected":{},"duplicates":{},"batches":{},"dead_letters":{},"notifications":{},)"
        R"("assignment_wait_ms":{},"assigned_ms":{}}})"
        "\n",
        report.stats.applied, report.stats.rejected, report.stats.duplicates, report.stats.batches,
        report.dead_letters, report.notifications, report.assignment_wait_ms, report.assigned_ms);
    return;
  }
  std::cout << fmt::format("consume: {} applied, {} rejected, {} duplicates ignored, {} batches\n",
                           report.stats.applied, report.stats.rejected, report.stats.duplicates,
                           report.stats.batches);
  std::cout << fmt::format(
      "time: {:.2f} s waiting for the group's assignment, then {:.2f} s reading and projecting\n",
      report.assignment_wait_ms / 1000.0, report.assigned_ms / 1000.0);
  std::cout << fmt::format("publish: {} dead letters, {} notifications\n", report.dead_letters,
                           report.notifications);
}

void run_consume(CliContext& context, KafkaArgs& kafka, const ConsumeArgs& args) {
  if (Status resolved = resolve_settings(kafka); !resolved) return context.fail(resolved.message());
  auto log = KafkaLog::open(kafka.settings);
  if (!log) return context.fail(log.status().to_string());
  auto views = std::make_unique<ViewRegistry>();
  views->add(std::make_unique<PartitionGuardView>());
  register_all_views(*views);
  EngineOptions options;
  options.data_dir = context.data_dir;
  options.partitions = (*log)->partition_count();
  auto engine = Engine::open(options, std::move(views));
  if (!engine) return context.fail("cannot open the store: " + engine.status().to_string());
  spdlog::info("consume: {} partitions of {} into {}", options.partitions, kafka.settings.events_topic,
               context.data_dir);
  Projector projector(**log, (*engine)->store(), (*engine)->views(), options.projector);
  KafkaOutbox outbox((*engine)->store(), (*log)->producer(), kafka.settings.dlq_topic,
                     kafka.settings.notifications_topic);
  if (Status connected = outbox.connect(); !connected) return context.fail(connected.to_string());
  EventConsumer consumer(kafka.settings, **log, projector, outbox, options.projector.threads);
  g_stop.store(false);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  ConsumeOptions consume_options;
  consume_options.until_end = args.until_end;
  consume_options.batch_events_max = args.batch_events;
  auto report = consumer.run(consume_options, g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!report) return context.fail("consume failed: " + report.status().to_string());
  print_consume(context, *report);
}

}  // namespace

void add_kafka_commands(CLI::App& app, CliContext& context) {
  auto produce_kafka = std::make_shared<KafkaArgs>();
  auto produce_args = std::make_shared<ProduceArgs>();
  auto* produce = app.add_subcommand(
      "produce",
      "Validate events (JSON lines or FlatBuffers files) and produce them to the Kafka events topic");
  produce->add_option("files", produce_args->files, "JSON-lines or binary event files; - or none for stdin");
  add_kafka_options(produce, *produce_kafka);
  on_run(produce, context,
         [&context, produce_kafka, produce_args] { run_produce(context, *produce_kafka, *produce_args); });

  auto consume_kafka = std::make_shared<KafkaArgs>();
  auto consume_args = std::make_shared<ConsumeArgs>();
  auto* consume = app.add_subcommand(
      "consume", "Project the Kafka events topic into --data; publish dead letters and notifications");
  consume->add_flag("--until-end", consume_args->until_end,
                    "Exit once every assigned partition is projected up to its end");
  consume
      ->add_option(
          "--batch-events", consume_args->batch_events,
          "Records read, all partitions together, before they are projected (each partition's in one "
          "WriteBatch)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 16));
  add_kafka_options(consume, *consume_kafka);
  on_run(consume, context,
         [&context, consume_kafka, consume_args] { run_consume(context, *consume_kafka, *consume_args); });
}

}  // namespace ledger
