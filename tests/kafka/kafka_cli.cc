#include "tests/kafka/kafka_cli.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/partitioner.h"

namespace ledger::test {

std::string quoted(const std::string& path) {
  return "'" + path + "'";
}

namespace {

std::string first_word(const std::string& text) {
  return text.substr(0, text.find(' '));
}

}  // namespace

std::string digest_of(const std::string& data) {
  auto result = run_ledger("--data " + quoted(data) + " digest");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return first_word(result.out);
}

//! The digest of the same lines ingested into the embedded log.
std::string embedded_digest(const TempDir& dir, const std::string& lines_file) {
  const std::string data = dir.sub("embedded");
  auto ingested = run_ledger(
      fmt::format("--data {} --partitions {} ingest {}", quoted(data), kPartitions, quoted(lines_file)));
  INFO(ingested.err);
  REQUIRE(ingested.exit_code == 0);
  return digest_of(data);
}

CommandResult produce(const DevBroker& broker, const std::string& files) {
  return run_ledger("produce --brokers " + broker.bootstrap() + " " + files);
}

CommandResult consume_until_end(const DevBroker& broker, const std::string& data) {
  return run_ledger("--data " + quoted(data) + " --format json consume --until-end --brokers " +
                    broker.bootstrap());
}

//! Every record of `topic` (payloads only when `payloads`: dead letters may be binary).
std::vector<KcatRecord> kcat_read(const DevBroker& broker, const std::string& topic, bool payloads) {
  const std::string format = payloads ? "%p\\t%o\\t%k\\t%h\\t%s\\n" : "%p\\t%o\\t%k\\t%h\\n";
  auto result =
      run_shell(fmt::format("kcat -b {} -C -t {} -e -q -f '{}'", broker.bootstrap(), topic, format));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<KcatRecord> records;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string field; std::getline(parts, field, '\t');) fields.push_back(field);
    REQUIRE(fields.size() >= 4);
    records.push_back({std::stoi(fields[0]), std::stoll(fields[1]), fields[2], fields[3],
                       fields.size() > 4 ? fields[4] : ""});
  }
  return records;
}

std::vector<uint64_t> record_ends(const std::vector<std::string>& lines) {
  std::vector<uint64_t> ends(kPartitions, 0);
  for (const auto& line : lines) {
    const std::string account = nlohmann::json::parse(line)["account"];
    if (!account.empty()) {
      ++ends[partition_for(account, kPartitions)];
      continue;
    }
    for (auto& end : ends) ++end;
  }
  return ends;
}

std::vector<uint64_t> logged_projected(const std::string& consumer_stderr) {
  const std::string marker = "kafka: projected ledger.events/";
  std::vector<uint64_t> offsets(kPartitions, 0);
  std::istringstream lines(consumer_stderr);
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find(marker);
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + marker.size()));
    uint32_t partition = 0;
    std::string up;
    std::string to;
    std::string offset_word;
    uint64_t next = 0;
    // "P up to offset N"; a line cut short by a kill does not parse and is skipped.
    if (!(words >> partition >> up >> to >> offset_word >> next) || partition >= kPartitions) continue;
    offsets[partition] = std::max(offsets[partition], next);
  }
  return offsets;
}

std::vector<uint64_t> stored_offsets(const std::string& data) {
  auto result = run_ledger("--data " + quoted(data) + " --format json accounts --limit 1");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<uint64_t> offsets(kPartitions, 0);
  const auto reply = nlohmann::json::parse(result.out);
  for (const auto& partition : reply["offsets"]) {
    const auto p = partition["partition"].get<uint32_t>();
    REQUIRE(p < kPartitions);
    offsets[p] = partition["next_offset"].get<uint64_t>();
  }
  return offsets;
}

uint64_t total(const std::vector<uint64_t>& offsets) {
  uint64_t sum = 0;
  for (uint64_t offset : offsets) sum += offset;
  return sum;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

nlohmann::json view_json(const std::string& data, const std::string& command) {
  auto result = run_ledger("--data " + quoted(data) + " --format json " + command + " --limit 10000");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out)[command];
}

std::string header(const KcatRecord& record, const std::string& name) {
  const std::string prefix = name + "=";
  std::istringstream parts(record.headers);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part.rfind(prefix, 0) == 0) return part.substr(prefix.size());
  }
  return "";
}

//! The published outputs match the views: one message per rejection and notification, each
//! key distinct (duplicates after a replay carry the same key and value).
void check_published(const DevBroker& broker, const std::string& data) {
  auto rejections = view_json(data, "rejections");
  auto notifications = view_json(data, "notifications");
  auto dead_letters = kcat_read(broker, "ledger.events.dlq", false);
  auto notices = kcat_read(broker, "ledger.notifications", true);
  std::map<std::string, std::string> notice_by_key;
  for (const auto& notice : notices) {
    // The key is the notification's deterministic id, in the body and a header too.
    auto body = nlohmann::json::parse(notice.value);
    CHECK(body["id"] == notice.key);
    CHECK(header(notice, "ledger.notification_id") == body["notification_id"].get<std::string>());
    auto [it, fresh] = notice_by_key.emplace(notice.key, notice.value);
    if (!fresh) CHECK(it->second == notice.value);
  }
  CHECK(notice_by_key.size() == notifications.size());
  std::set<std::string> dead_letter_keys;
  for (const auto& letter : dead_letters) dead_letter_keys.insert(letter.key);
  CHECK(dead_letter_keys.size() == rejections.size());
  for (const auto& rejection : rejections) {
    const std::string key =
        fmt::format("{}/{}", rejection["partition"].get<uint32_t>(), rejection["offset"].get<uint64_t>());
    CHECK(dead_letter_keys.count(key) == 1);
  }
}

}  // namespace ledger::test
