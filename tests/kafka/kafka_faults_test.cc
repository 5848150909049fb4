// Faults on the Kafka path, injected into the dev broker (librdkafka's mock cluster): failing
// produce and fetch requests, a broker taken down (events produced meanwhile) and brought back,
// a consumer killed mid-stream.
// After recovery nothing is lost or applied twice: the digest equals the embedded log's.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/kafka/dev_broker.h"
#include "tests/kafka/kafka_cli.h"
#include "tests/kafka/kafka_scenario.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

std::string consume_command(const DevBroker& broker, const std::string& data, const std::string& extra) {
  return fmt::format("'{}' -v --data {} consume --brokers {} {}", ledger_binary(), quoted(data),
                     broker.bootstrap(), extra);
}

}  // namespace

TEST_CASE("failed produce requests are retried without loss or duplicates", "[kafka][faults]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(kafka_scenario_lines()));
  const std::string expected = embedded_digest(dir, lines);

  // Retriable errors and a dropped connection on the first produce requests; the idempotent
  // producer retries them and the broker drops what it already has.
  REQUIRE(
      broker
          .control("errors Produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT _TRANSPORT NOT_ENOUGH_REPLICAS")
          .rfind("ok", 0) == 0);
  REQUIRE(broker.control("errors Fetch NOT_LEADER_FOR_PARTITION _TRANSPORT").rfind("ok", 0) == 0);
  REQUIRE(broker.control("errors OffsetCommit REQUEST_TIMED_OUT").rfind("ok", 0) == 0);
  auto produced = produce(broker, quoted(lines));
  INFO(produced.err);
  REQUIRE(produced.exit_code == 0);
  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  CHECK(digest_of(data) == expected);
  check_published(broker, data);
}

TEST_CASE("after a fatal producer error the producer is rebuilt and every event is applied once",
          "[kafka][faults]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(kafka_scenario_lines()));
  embedded_digest(dir, lines);
  // A sequence desynchronization is fatal for an idempotent producer (rd_kafka_fatal_error).
  REQUIRE(broker.control("errors Produce OUT_OF_ORDER_SEQUENCE_NUMBER").rfind("ok", 0) == 0);
  auto produced = run_ledger("--format json produce --brokers " + broker.bootstrap() + " " + quoted(lines));
  INFO(produced.err);
  REQUIRE(produced.exit_code == 0);
  auto report = nlohmann::json::parse(produced.out);
  CHECK(report["producers_rebuilt"].get<int>() >= 1);
  CHECK(report["produced"].get<size_t>() == kafka_scenario_lines().size());
  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  // Messages purged in flight may be in the topic twice, which shifts offsets (so the digest,
  // which includes offsets, may differ), but every event counts once: balances and event counts
  // equal the embedded run's.
  CHECK(view_json(data, "accounts") == view_json(dir.sub("embedded"), "accounts"));
  CHECK(view_json(data, "rejections").size() == view_json(dir.sub("embedded"), "rejections").size());
}

TEST_CASE("a produce that times out after sending is reported as possibly persisted and resent",
          "[kafka][faults]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(kafka_scenario_lines()));
  embedded_digest(dir, lines);
  REQUIRE(broker.control("rtt 1 3000").rfind("ok", 0) == 0);  // answers later than the timeout
  BackgroundProcess producer(
      fmt::format("'{}' --format json produce --brokers {} --kafka-config message.timeout.ms=1500 {}",
                  ledger_binary(), broker.bootstrap(), quoted(lines)),
      dir.sub("out"), dir.sub("err"));
  CHECK(
      eventually([&] { return read_text(dir.sub("err")).find("possibly persisted") != std::string::npos; }));
  REQUIRE(broker.control("rtt 1 0").rfind("ok", 0) == 0);
  REQUIRE(eventually([&] { return producer.exited(); }, 120));
  int status = producer.stop(SIGKILL);
  INFO(read_text(dir.sub("err")));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto report = nlohmann::json::parse(read_text(dir.sub("out")));
  CHECK(report["possibly_persisted"].get<int>() >= 1);
  const std::string data = dir.sub("kafka");
  auto consumed = consume_until_end(broker, data);
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  CHECK(view_json(data, "accounts") == view_json(dir.sub("embedded"), "accounts"));
}

TEST_CASE("the consumer waits while the broker is down and carries on after it is back", "[kafka][faults]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  const auto scenario = kafka_scenario_lines();
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(scenario));
  const std::string expected = embedded_digest(dir, lines);
  const size_t half = scenario.size() / 2;
  const std::vector<std::string> first(scenario.begin(), scenario.begin() + half);
  write_file(dir.sub("first.jsonl"), join_lines(first));
  write_file(dir.sub("second.jsonl"), join_lines({scenario.begin() + half, scenario.end()}));
  REQUIRE(produce(broker, quoted(dir.sub("first.jsonl"))).exit_code == 0);

  const std::string data = dir.sub("kafka");
  const std::string consumer_err = dir.sub("err");
  BackgroundProcess consumer(consume_command(broker, data, ""), dir.sub("out"), consumer_err);
  REQUIRE(eventually([&] { return logged_projected(read_text(consumer_err)) == record_ends(first); }));
  const size_t before_outage = read_text(consumer_err).size();
  REQUIRE(broker.control("down 1").rfind("ok", 0) == 0);
  // The consumer notices the broker is gone and keeps running.
  CHECK(eventually(
      [&] { return read_text(consumer_err).find("retrying", before_outage) != std::string::npos; }));
  // The second half is produced during the outage: the producer waits for the cluster as well.
  BackgroundProcess producer(fmt::format("'{}' produce --brokers {} {}", ledger_binary(), broker.bootstrap(),
                                         quoted(dir.sub("second.jsonl"))),
                             dir.sub("produce.out"), dir.sub("produce.err"));
  CHECK(eventually([&] { return read_text(dir.sub("produce.err")).find("retrying") != std::string::npos; }));
  CHECK(!producer.exited());
  CHECK(!consumer.exited());
  REQUIRE(broker.control("up 1").rfind("ok", 0) == 0);
  REQUIRE(eventually([&] { return producer.exited(); }, 120));
  const int produced = producer.stop(SIGKILL);
  INFO(read_text(dir.sub("produce.err")));
  REQUIRE(WIFEXITED(produced));
  REQUIRE(WEXITSTATUS(produced) == 0);

  // The consumer that waited through the outage projects the whole topic itself.
  const std::vector<uint64_t> ends = record_ends(scenario);
  CHECK(eventually([&] { return logged_projected(read_text(consumer_err)) == ends; }, 120));
  CHECK(!consumer.exited());
  int status = consumer.stop(SIGTERM);
  INFO(read_text(consumer_err));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(stored_offsets(data) == ends);
  CHECK(digest_of(data) == expected);
  check_published(broker, data);
  auto again = consume_until_end(broker, data);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(nlohmann::json::parse(again.out)["applied"] == 0);
}

TEST_CASE("a consumer killed mid-stream resumes from the stored offsets", "[kafka][restart]") {
  TempDir dir;
  DevBroker broker(kPartitions);
  // Long enough that a consumer projecting one record a batch is far from the end when killed.
  const auto scenario = kafka_long_scenario_lines(2000);
  const std::string lines = dir.sub("scenario.jsonl");
  write_file(lines, join_lines(scenario));
  const std::string expected = embedded_digest(dir, lines);
  REQUIRE(produce(broker, quoted(lines)).exit_code == 0);
  const std::vector<uint64_t> ends = record_ends(scenario);

  const std::string data = dir.sub("kafka");
  {
    // A clean stop first: the consumer closes the store, which writes its projection to disk.
    BackgroundProcess consumer(consume_command(broker, data, "--batch-events 1"), dir.sub("out0"),
                               dir.sub("err0"));
    REQUIRE(eventually([&] { return total(logged_projected(read_text(dir.sub("err0")))) >= 10; }));
    int status = consumer.stop(SIGTERM);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  const std::vector<uint64_t> stopped = stored_offsets(data);
  REQUIRE(total(stopped) >= 10);
  const std::string killed_err = dir.sub("err1");
  {
    BackgroundProcess consumer(consume_command(broker, data, "--batch-events 1"), dir.sub("out1"),
                               killed_err);
    // Killed without warning once more records are projected.
    REQUIRE(
        eventually([&] { return total(logged_projected(read_text(killed_err))) >= total(stopped) + 20; }));
    consumer.stop(SIGKILL);
  }
  // What the killed consumer projected may be lost with it (projection writes reach the disk
  // at the next flush, and are made again from the topic); what the clean stop stored is not.
  const std::vector<uint64_t> stored = stored_offsets(data);
  INFO("stored offsets after the kill: " << fmt::format("{}", fmt::join(stored, ",")) << " of "
                                         << fmt::format("{}", fmt::join(ends, ",")));
  for (uint32_t p = 0; p < kPartitions; ++p) {
    CHECK(stored[p] >= stopped[p]);
    CHECK(stored[p] <= ends[p]);
  }
  REQUIRE(total(stored) < total(ends));  // the kill left work to do

  auto resumed = consume_until_end(broker, data);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  auto report = nlohmann::json::parse(resumed.out);
  CHECK(report["applied"].get<uint64_t>() > 0);
  // The resumed run took up exactly the records the store had not projected: none twice.
  CHECK(report["applied"].get<uint64_t>() + report["rejected"].get<uint64_t>() +
            report["duplicates"].get<uint64_t>() ==
        total(ends) - total(stored));
  CHECK(stored_offsets(data) == ends);
  CHECK(digest_of(data) == expected);
  check_published(broker, data);

  SECTION("a clean stop (SIGTERM) finishes the batch and a later run has nothing to do") {
    BackgroundProcess consumer(consume_command(broker, data, ""), dir.sub("out2"), dir.sub("err2"));
    CHECK(eventually([&] { return read_text(dir.sub("err2")).find("assigned") != std::string::npos; }, 60));
    int status = consumer.stop(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    auto again = consume_until_end(broker, data);
    REQUIRE(again.exit_code == 0);
    CHECK(nlohmann::json::parse(again.out)["applied"] == 0);
    CHECK(digest_of(data) == expected);
  }
}

}  // namespace ledger::test
