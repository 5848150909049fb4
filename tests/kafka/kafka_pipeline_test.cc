// The Kafka log end to end, each test against its own `ledger-dev-broker` on a free loopback
// port: `ledger produce` and `kcat` write the events topic, `ledger consume` projects it, and
// the views must equal those of the embedded log fed the same events (same digest).

#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/ingest/json_lines_ingester.h"
#include "connectors/kafka/kafka_config.h"
#include "connectors/kafka/kafka_log.h"
#include "engine/digest.h"
#include "engine/event_codec.h"
#include "engine/partitioner.h"
#include "tests/kafka/dev_broker.h"
#include "tests/kafka/kafka_cli.h"
#include "tests/kafka/kafka_scenario.h"
#include "tests/support/test_support.h"

namespace ledger::test {

TEST_CASE("the same scenario gives the same digest through Kafka as through the embedded log", "[kafka]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(kafka_scenario_lines()));
  const std::string expected = embedded_digest(dir, lines);

  auto produced = produce(broker, quoted(lines));
  INFO(produced.err);
  REQUIRE(produced.exit_code == 0);
  CHECK(produced.out.find(", 0 refused") != std::string::npos);
  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  CHECK(digest_of(data) == expected);

  auto report = nlohmann::json::parse(consumed.out);
  CHECK(report["rejected"].get<int>() >= 3);
  CHECK(report["notifications"].get<int>() >= 2);
  // Where the run's time went: the broker holds a new group's first assignment back (its
  // initial rebalance delay), then the records are read and projected.
  CHECK(report["assignment_wait_ms"].get<int64_t>() > 0);
  CHECK(report["assigned_ms"].get<int64_t>() > 0);

  SECTION("kcat reads the dead letters and notifications back, with reasons and deterministic keys") {
    auto letters = kcat_read(broker, "ledger.events.dlq", false);
    std::set<std::string> reasons;
    for (const auto& letter : letters) reasons.insert(header(letter, "ledger.reason"));
    CHECK(reasons.count("unknown_account") == 1);
    CHECK(reasons.count("duplicate_id_conflict") == 1);
    auto notices = kcat_read(broker, "ledger.notifications", true);
    REQUIRE(!notices.empty());
    bool suspended = false;
    for (const auto& notice : notices) {
      auto body = nlohmann::json::parse(notice.value);
      CHECK(body["id"] == notice.key);
      CHECK(header(notice, "ledger.notification_id") == body["notification_id"].get<std::string>());
      suspended |= body["notification_id"] == "suspended/pre-1/rating:pre-1:cdr-1";
    }
    CHECK(suspended);
    check_published(broker, data);
  }

  SECTION("a second consumer run is a no-op: same digest, nothing published again") {
    auto again = consume_until_end(broker, data);
    REQUIRE(again.exit_code == 0);
    auto report_again = nlohmann::json::parse(again.out);
    CHECK(report_again["applied"] == 0);
    CHECK(report_again["dead_letters"] == 0);
    CHECK(report_again["notifications"] == 0);
    CHECK(digest_of(data) == expected);
  }
}

TEST_CASE("kcat produces FlatBuffers events and the engine projects them like the embedded log",
          "[kafka][kcat]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string examples = std::string(LEDGER_SOURCE_DIR) + "/schemas/examples";
  // Every documented example, in file order (the order the contract tells them in).
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() >= 15);
  std::string json_lines;
  for (const auto& name : names) {
    const std::string source = examples + "/" + name + ".json";
    auto built = run_shell(fmt::format("'{}' -b -o {} '{}/schemas/events.fbs' {}", LEDGER_FLATC_PATH,
                                       quoted(dir.path()), LEDGER_SOURCE_DIR, quoted(source)));
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
    std::ifstream file(source);
    auto event = nlohmann::json::parse(file);
    json_lines += event.dump() + "\n";
    const std::string account = event["account"];
    // The partitioning rule: partition_for(account, N); broadcasts (no account) go to every partition.
    std::vector<uint32_t> targets;
    if (account.empty()) {
      for (uint32_t p = 0; p < kPartitions; ++p) targets.push_back(p);
    } else {
      targets.push_back(partition_for(account, kPartitions));
    }
    for (uint32_t partition : targets) {
      auto sent = run_shell(fmt::format("kcat -P -b {} -t ledger.events -p {} -k {} {}", broker.bootstrap(),
                                        partition, quoted(account), quoted(dir.sub(name + ".bin"))));
      INFO(sent.err);
      REQUIRE(sent.exit_code == 0);
    }
  }
  write_file(dir.sub("examples.jsonl"), json_lines);
  const std::string expected = embedded_digest(dir, dir.sub("examples.jsonl"));
  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  CHECK(digest_of(data) == expected);
  auto accounts = view_json(data, "accounts");
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0]["account"] == "acc-1001");
}

TEST_CASE("bad records through Kafka go to the dead-letter topic and processing continues", "[kafka][dlq]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const auto scenario = kafka_scenario_lines();
  write_file(dir.sub("head.jsonl"), scenario[0] + "\n" + scenario[2] + "\n");
  REQUIRE(produce(broker, quoted(dir.sub("head.jsonl"))).exit_code == 0);  // acme-isp, acc-0

  write_file(dir.sub("garbage.bin"), "this is not a FlatBuffer at all");
  const uint32_t home = partition_for("acc-0", kPartitions);
  const uint32_t elsewhere = (home + 1) % kPartitions;
  const std::string charge =
      R"({"id":"billing:acc-0:misplaced","account":"acc-0","time_us":1704412800000000,"body_type":"Charge","body":{"charge_id":"misplaced","description":"Fiber","service_type":"internet","quantity_milli":1000,"unit_price_micro":1000000}})";
  write_file(dir.sub("charge.json"), charge);
  // A valid charge of its own, made larger than the event limit by bytes after the buffer: it
  // carries the LEV1 identifier and passes the FlatBuffers verifier, so only the size check
  // keeps it out of the views.
  const std::string oversized =
      R"({"id":"billing:acc-0:oversized","account":"acc-0","time_us":1704412800000000,"body_type":"Charge","body":{"charge_id":"oversized","description":"Fiber","service_type":"internet","quantity_milli":1000,"unit_price_micro":7000000}})";
  write_file(dir.sub("oversized.json"), oversized);
  auto built = run_shell(fmt::format("cd {} && '{}' -b '{}/schemas/events.fbs' charge.json oversized.json",
                                     quoted(dir.path()), LEDGER_FLATC_PATH, LEDGER_SOURCE_DIR));
  REQUIRE(built.exit_code == 0);
  std::string large = read_text(dir.sub("oversized.bin"));
  REQUIRE(canonicalize_event(large).is_ok());
  large.resize(VerifierLimits::kMaxEventBytes + 512, '\0');
  const auto* large_data = reinterpret_cast<const uint8_t*>(large.data());
  flatbuffers::Verifier verifier(large_data, large.size(), VerifierLimits::kMaxDepth,
                                 VerifierLimits::kMaxTables);
  REQUIRE(schema::EventBufferHasIdentifier(large_data));
  REQUIRE(schema::VerifyEventBuffer(verifier));
  write_file(dir.sub("large.bin"), large);
  // Offsets so far: the operator (broadcast) at 0 everywhere, acc-0's opening at 1 of its home.
  std::vector<uint64_t> next(kPartitions, 1);
  ++next[home];
  std::map<std::string, std::string> key_of;
  for (const auto& [file, partition] : std::vector<std::pair<std::string, uint32_t>>{
           {"garbage.bin", 0}, {"large.bin", home}, {"charge.bin", elsewhere}, {"charge.bin", home}}) {
    auto sent = run_shell(fmt::format("kcat -P -b {} -t ledger.events -p {} {}", broker.bootstrap(),
                                      partition, quoted(dir.sub(file))));
    REQUIRE(sent.exit_code == 0);
    const std::string key = fmt::format("{}/{}", partition, next[partition]++);
    if (!key_of.count(file)) key_of[file] = key;
  }

  SECTION("ledger produce refuses a bad line with its number, field and reason, and sends the rest") {
    write_file(
        dir.sub("mixed.jsonl"),
        scenario[3] + "\n" +
            R"({"id":"x","account":"acc-0","time_us":1,"body_type":"Charge","body":{"charge_id":"c","description":"d","service_type":"internet","quantity_milli":-5,"unit_price_micro":1}})" +
            "\n");
    auto refused = produce(broker, quoted(dir.sub("mixed.jsonl")));
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("line 2:") != std::string::npos);
    CHECK(refused.err.find("quantity_milli") != std::string::npos);
    CHECK(refused.out.find("1 produced") != std::string::npos);
  }

  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);

  auto letters = kcat_read(broker, "ledger.events.dlq", false);
  std::map<std::string, std::string> reason_by_key;
  for (const auto& letter : letters) reason_by_key[letter.key] = header(letter, "ledger.reason");
  CHECK(reason_by_key[key_of["garbage.bin"]] == "malformed");
  CHECK(reason_by_key[key_of["large.bin"]] == "malformed");
  const std::string misplaced_key = key_of["charge.bin"];
  CHECK(reason_by_key[misplaced_key] == "wrong_partition");
  std::map<std::string, std::string> message_by_key;
  for (const auto& letter : letters) message_by_key[letter.key] = header(letter, "ledger.message");
  CHECK_THAT(message_by_key[key_of["large.bin"]],
             Catch::Contains(fmt::format("{} bytes is more than the limit {}", large.size(),
                                         VerifierLimits::kMaxEventBytes)));
  CHECK_THAT(message_by_key[misplaced_key], Catch::Contains("partition " + std::to_string(home)));
  // The same event in its own partition is applied: processing went on past the bad records.
  auto account =
      nlohmann::json::parse(run_ledger("--data " + quoted(data) + " --format json account acc-0").out);
  CHECK(account["balance_minor"].get<int64_t>() > 0);
  check_published(broker, data);
}

TEST_CASE("KafkaLog is a Log: the projector's own catch_up() projects the topic", "[kafka][log]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const auto lines = kafka_scenario_lines();
  write_file(dir.sub("scenario.jsonl"), join_lines(lines));
  const std::string expected = embedded_digest(dir, dir.sub("scenario.jsonl"));
  KafkaSettings settings;
  settings.brokers = broker.bootstrap();
  auto log = KafkaLog::open(settings);
  REQUIRE(log.is_ok());
  REQUIRE((*log)->partition_count() == kPartitions);
  std::istringstream input(join_lines(lines));
  JsonLinesIngester ingester(**log);
  auto ingested = ingester.ingest(input, nullptr, nullptr);
  REQUIRE(ingested.is_ok());
  CHECK(ingested->appended == lines.size());
  auto engine = open_engine(dir.sub("kafka"), kPartitions);
  Projector projector(**log, engine->store(), engine->views());
  auto stats = projector.catch_up();
  INFO(stats.status().to_string());
  REQUIRE(stats.is_ok());
  CHECK(stats->rejected >= 3);
  auto digest = compute_digest(engine->store(), engine->views());
  REQUIRE(digest.is_ok());
  CHECK(digest->hex == expected);
  CHECK(check_invariants(*engine).empty());
  // A second catch_up() finds nothing new.
  auto again = projector.catch_up();
  REQUIRE(again.is_ok());
  CHECK(again->applied + again->rejected + again->duplicates == 0);
}

TEST_CASE("librdkafka settings come from --config files and --kafka-config pairs", "[kafka][config]") {
  TempDir dir;
  KafkaSettings settings;
  write_file(dir.sub("good.conf"),
             "# security\nkafka.client.id = ledger-test\n\nkafka.socket.timeout.ms=20000\n");
  REQUIRE(settings.load_file(dir.sub("good.conf")).is_ok());
  CHECK(settings.passthrough.at("client.id") == "ledger-test");
  CHECK(settings.passthrough.at("socket.timeout.ms") == "20000");
  REQUIRE(settings.add_pair("acks=1").is_ok());
  CHECK(make_conf(KafkaRole::kProducer, settings).is_ok());
  // The engine's guarantees are not configurable: acks stays "all".
  for (const auto& [key, value] : required_settings(KafkaRole::kProducer, settings)) {
    if (key == "acks") CHECK(value == "all");
    if (key == "enable.idempotence") CHECK(value == "true");
  }

  write_file(dir.sub("bad.conf"), "kafka.client.id=x\nbootstrap.servers=elsewhere\n");
  Status refused = settings.load_file(dir.sub("bad.conf"));
  CHECK(refused.is_invalid_argument());
  CHECK(refused.message().find("bad.conf:2") != std::string::npos);
  CHECK(settings.add_pair("no-equals-sign").is_invalid_argument());
  KafkaSettings unknown;
  REQUIRE(unknown.add_pair("no.such.setting=1").is_ok());
  auto conf = make_conf(KafkaRole::kConsumer, unknown);
  REQUIRE(!conf.is_ok());
  CHECK(conf.status().message().find("no.such.setting") != std::string::npos);
}

TEST_CASE("ledger produce sends FlatBuffers files made by flatc, with settings from --config",
          "[kafka][config]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string examples = std::string(LEDGER_SOURCE_DIR) + "/schemas/examples";
  std::string json_lines;
  std::string files;
  for (const std::string name : {"01-operator-configured", "02-account-opened", "04-charge", "08-payment"}) {
    auto built =
        run_shell(fmt::format("'{}' -b -o {} '{}/schemas/events.fbs' '{}/{}.json'", LEDGER_FLATC_PATH,
                              quoted(dir.path()), LEDGER_SOURCE_DIR, examples, name));
    REQUIRE(built.exit_code == 0);
    std::ifstream file(examples + "/" + name + ".json");
    json_lines += nlohmann::json::parse(file).dump() + "\n";
    files += " " + quoted(dir.sub(name + ".bin"));
  }
  write_file(dir.sub("examples.jsonl"), json_lines);
  const std::string expected = embedded_digest(dir, dir.sub("examples.jsonl"));
  write_file(dir.sub("ledger.conf"), "kafka.client.id=ledger-producer\n");
  auto produced = run_ledger("-v produce --brokers " + broker.bootstrap() + " --config " +
                             quoted(dir.sub("ledger.conf")) + files);
  INFO(produced.err);
  REQUIRE(produced.exit_code == 0);
  CHECK(produced.out.find("4 read, 4 produced") != std::string::npos);
  CHECK(produced.err.find("client.id=ledger-producer (configured)") != std::string::npos);
  CHECK(produced.err.find("enable.idempotence=true") != std::string::npos);
  const std::string data = dir.sub("kafka");
  REQUIRE(consume_until_end(broker, data).exit_code == 0);
  CHECK(digest_of(data) == expected);
}

}  // namespace ledger::test
