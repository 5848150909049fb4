#include "tests/support/test_support.h"

#include <flatbuffers/idl.h>
#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connectors/demo/demo_data.h"
#include "connectors/ingest/json_lines_ingester.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/all_views.h"
#include "schemas/events_schema_text.h"

namespace ledger::test {

std::unique_ptr<flatbuffers::Parser> compiled_events_schema() {
  flatbuffers::IDLOptions options;
  options.strict_json = true;
  auto parser = std::make_unique<flatbuffers::Parser>(options);
  REQUIRE(parser->Parse(std::string(events_schema_text()).c_str()));
  return parser;
}

std::vector<std::string> demo_event_lines(size_t accounts) {
  std::ostringstream out;
  DemoOptions options;
  options.accounts = accounts;
  write_demo_events(options, out);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ledger-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::unique_ptr<Engine> open_engine(const std::string& dir, uint32_t partitions) {
  auto engine = open_ledger(dir, partitions);
  INFO(engine.status().to_string());
  REQUIRE(engine.is_ok());
  return std::move(*engine);
}

void append_json_lines(Engine& engine, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  std::istringstream input(text);
  JsonLinesIngester ingester(engine.log());
  std::vector<LineError> errors;
  auto report = ingester.ingest(
      input, [&](const LineError& e) { errors.push_back(e); }, nullptr);
  REQUIRE(report.is_ok());
  for (const auto& e : errors) UNSCOPED_INFO("line " << e.line << ": " << e.message);
  REQUIRE(errors.empty());
}

ProjectionStats ingest_json_lines(Engine& engine, const std::vector<std::string>& lines) {
  append_json_lines(engine, lines);
  auto stats = engine.projector().catch_up();
  INFO(stats.status().to_string());
  REQUIRE(stats.is_ok());
  return *stats;
}

std::string ledger_binary() {
  return LEDGER_BINARY_PATH;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}
}  // namespace

CommandResult run_ledger(const std::string& args, const std::string& input) {
  TempDir io;
  write_file(io.sub("in"), input);
  std::string command = fmt::format("'{}' {} < '{}' > '{}' 2> '{}'", ledger_binary(), args, io.sub("in"),
                                    io.sub("out"), io.sub("err"));
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(io.sub("out"));
  result.err = read_file(io.sub("err"));
  return result;
}

std::map<std::string, int64_t> balances_by_account(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto accounts = query_accounts(engine.store(), snapshot, "", SIZE_MAX);
  REQUIRE(accounts.is_ok());
  std::map<std::string, int64_t> result;
  for (const auto& s : *accounts) result[s.account.account] = s.balance.balance_minor;
  return result;
}

std::vector<std::string> check_invariants(Engine& engine) {
  std::vector<std::string> violations;
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto accounts = query_accounts(engine.store(), snapshot, "", SIZE_MAX);
  if (!accounts) return {accounts.status().to_string()};
  std::map<std::string, __int128> balance_sum, debit_sum, credit_sum;
  for (const auto& s : *accounts) {
    const auto& b = s.balance;
    if (b.balance_minor != b.debited_minor - b.credited_minor) {
      violations.push_back(fmt::format("account {}: balance {} != debited {} - credited {}",
                                       s.account.account, b.balance_minor, b.debited_minor,
                                       b.credited_minor));
    }
    balance_sum[s.account.currency] += b.balance_minor;
    debit_sum[s.account.currency] += b.debited_minor;
    credit_sum[s.account.currency] += b.credited_minor;
  }
  for (const auto& [currency, sum] : balance_sum) {
    if (sum != debit_sum[currency] - credit_sum[currency]) {
      violations.push_back("currency " + currency + ": sum of balances != sum of debits - sum of credits");
    }
  }
  // Every projected event is applied once or rejected once: the number of distinct ids
  // recorded per partition never exceeds the events projected there.
  auto offsets = snapshot.offsets();
  if (!offsets) return {offsets.status().to_string()};
  uint64_t projected = 0;
  for (uint64_t offset : *offsets) projected += offset;
  uint64_t decided = 0;
  Status scanned = snapshot.scan(engine.store().dedup(), "", [&](std::string_view, std::string_view value) {
    if (value.size() == 17) ++decided;  // hash + outcome; conflict markers are empty
    return true;
  });
  if (!scanned) violations.push_back(scanned.to_string());
  if (decided > projected) {
    violations.push_back(
        fmt::format("{} event ids decided but only {} events projected", decided, projected));
  }
  return violations;
}

}  // namespace ledger::test
