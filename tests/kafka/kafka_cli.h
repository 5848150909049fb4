#pragma once

// Driving `ledger produce`, `ledger consume` and `kcat` against a dev broker from tests.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/kafka/dev_broker.h"
#include "tests/support/test_support.h"

namespace ledger::test {

//! Partitions of the events topic in these tests.
inline constexpr uint32_t kPartitions = 4;

//! One record as kcat printed it.
struct KcatRecord {
  int partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string headers;  //!< "name=value,name=value"
  std::string value;
};

//! 'path', for a shell command line.
std::string quoted(const std::string& path);
//! `ledger digest` of the store at `data`.
std::string digest_of(const std::string& data);
//! The digest of `lines_file` ingested into the embedded log of a new store under `dir`.
std::string embedded_digest(const TempDir& dir, const std::string& lines_file);
//! `ledger produce FILES` to the broker.
CommandResult produce(const DevBroker& broker, const std::string& files);
//! `ledger consume --until-end` into `data`, with a JSON summary on stdout.
CommandResult consume_until_end(const DevBroker& broker, const std::string& data);
//! Every record of `topic` (payloads only when `payloads`: dead letters may be binary).
std::vector<KcatRecord> kcat_read(const DevBroker& broker, const std::string& topic, bool payloads);
//! `ledger --format json COMMAND` rows (rejections, notifications, accounts).
nlohmann::json view_json(const std::string& data, const std::string& command);
//! A header's value, or "".
std::string header(const KcatRecord& record, const std::string& name);
//! The published outputs match the views: one key per rejection and per notification, and a
//! repeated key (after a replay) repeats the same value.
void check_published(const DevBroker& broker, const std::string& data);

//! Records per partition of the events topic once `lines` are produced: each line in its
//! account's partition, a broadcast (no account) in every partition.
std::vector<uint64_t> record_ends(const std::vector<std::string>& lines);
//! The next offset per partition that `ledger -v consume` logged as projected ("kafka: projected
//! TOPIC/P up to offset N", written after the batch is committed); 0 for a partition not seen.
std::vector<uint64_t> logged_projected(const std::string& consumer_stderr);
//! The next offset per partition the store at `data` has projected, as a query reports it.
std::vector<uint64_t> stored_offsets(const std::string& data);
//! The sum of `offsets`.
uint64_t total(const std::vector<uint64_t>& offsets);
//! The whole file at `path` ("" when there is none).
std::string read_text(const std::string& path);

//! Polls `condition` until it holds or `timeout_s` passes.
template <typename Condition>
bool eventually(Condition condition, int timeout_s = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the polling interval
  }
  return false;
}

}  // namespace ledger::test
