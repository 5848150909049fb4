#include "tests/kafka/kafka_cli.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

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
