#include "tests/reliability/reliability_support.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kStartUs = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z

//! The last line of `ledger digest` or `ledger replay`: "<32 hex>  <rows> rows  <dir>".
std::string digest_line(const CommandResult& result) {
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  std::istringstream in(result.out);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  std::istringstream words(last);
  std::string hex;
  std::string rows;
  words >> hex >> rows;
  REQUIRE(hex.size() == 32);
  return hex + " " + rows;
}

}  // namespace

std::vector<std::string> small_workload(int accounts, int mixed, uint64_t seed) {
  std::mt19937_64 random(seed);
  int64_t time_us = kStartUs;
  std::vector<std::string> lines;
  lines.push_back(fmt::format(
      R"({{"id":"op-acme","account":"","time_us":{},"body_type":"OperatorConfigured","body":{{"operator":"acme",)"
      R"("name":"Acme","currency":"USD","payment_terms_days":14,"tax_rates":[{{"service_type":"usage",)"
      R"("code":"VAT20","name":"VAT 20%","rate_ppm":200000}}]}}}})",
      time_us));
  for (int a = 0; a < accounts; ++a) {
    lines.push_back(fmt::format(
        R"({{"id":"open-{0}","account":"acct-{0:03}","time_us":{1},"body_type":"AccountOpened","body":{{)"
        R"("operator":"acme","name":"Customer {0}","currency":"USD","credit_limit_minor":1000000000,"invoice_day":1}}}})",
        a, time_us += 1'000'000));
  }
  for (int i = 0; i < mixed; ++i) {
    int a = static_cast<int>(random() % static_cast<uint64_t>(accounts));
    time_us += 1 + static_cast<int64_t>(random() % 60'000'000);
    if (random() % 2 == 0) {
      lines.push_back(fmt::format(
          R"({{"id":"pay-{0}","account":"acct-{1:03}","time_us":{2},"body_type":"Payment","body":{{)"
          R"("payment_id":"P{0}","amount_minor":{3}}}}})",
          i, a, time_us, 1 + random() % 10'000));
    } else {
      lines.push_back(fmt::format(
          R"({{"id":"ch-{0}","account":"acct-{1:03}","time_us":{2},"body_type":"Charge","body":{{)"
          R"("charge_id":"C{0}","description":"Usage","service_type":"usage","quantity_milli":1000,)"
          R"("unit_price_micro":{3}}}}})",
          i, a, time_us, 10'000 * (1 + random() % 500)));
    }
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

Result<IngestReport> ingest_lines(Engine& engine, const std::vector<std::string>& lines,
                                  size_t batch_events) {
  std::istringstream input(join_lines(lines));
  JsonLinesIngester ingester(engine.log(), batch_events);
  std::vector<LineError> errors;
  auto report = ingester.ingest(
      input, [&](const LineError& e) { errors.push_back(e); }, nullptr);
  for (const auto& e : errors) UNSCOPED_INFO("line " << e.line << ": " << e.message);
  REQUIRE(errors.empty());
  return report;
}

std::map<std::string, int64_t> clean_balances(const std::vector<std::string>& lines, uint32_t partitions) {
  TempDir dir;
  auto engine = open_engine(dir.sub("clean"), partitions);
  ingest_json_lines(*engine, lines);
  return balances_by_account(*engine);
}

void require_digest_equals_replay(const std::string& data, const std::string& replay_dir) {
  std::string replayed =
      digest_line(run_ledger(fmt::format("--data '{}' replay --into '{}'", data, replay_dir)));
  std::string original = digest_line(run_ledger(fmt::format("--data '{}' digest", data)));
  REQUIRE(replayed == original);
}

}  // namespace ledger::test
