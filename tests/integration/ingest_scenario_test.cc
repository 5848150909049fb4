// Ingesting a few thousand mixed events through the real `ledger` binary: balances equal a sum
// computed independently here, a second ingestion changes nothing, and a replay of the log
// into an empty store gives the same digest.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/digest.h"
#include "projections/all_views.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kStartUs = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z

//! Half-even rounding of n / d for n >= 0, d > 0, written here independently of engine/money.
int64_t round_half_even_positive(int64_t n, int64_t d) {
  int64_t q = n / d;
  int64_t r = n % d;
  if (2 * r > d || (2 * r == d && q % 2 == 1)) ++q;
  return q;
}

struct Workload {
  std::vector<std::string> lines;
  std::map<std::string, int64_t> expected_balance;
};

//! An operator with 20% VAT on internet and 15% on usage, 40 accounts, then ~3000 lines of
//! charges, CDRs, payments, refills, corrections and credit notes in USD.
Workload make_workload(uint64_t seed) {
  Workload w;
  std::mt19937_64 random(seed);
  w.lines.push_back(
      R"({"id":"op-acme","time_us":1790812800000000,"body_type":"OperatorConfigured","body":{"operator":"acme",)"
      R"("currency":"USD","payment_terms_days":14,"tax_rates":[{"service_type":"internet","code":"VAT20","rate_ppm":200000},)"
      R"({"service_type":"usage","code":"VAT15","rate_ppm":150000}]}})");
  for (int a = 0; a < 40; ++a) {
    std::string account = fmt::format("acc-{:03}", a);
    w.expected_balance[account] = 0;
    w.lines.push_back(fmt::format(
        R"({{"id":"open-{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{"operator":"acme",)"
        R"("currency":"USD","credit_limit_minor":{2},"invoice_day":1}}}})",
        account, kStartUs + a, a % 3 == 0 ? 0 : 100000));
  }
  for (int i = 0; i < 3000; ++i) {
    std::string account = fmt::format("acc-{:03}", random() % 40);
    int64_t t = kStartUs + kDayUs + static_cast<int64_t>(i) * 60'000'000;
    int64_t& balance = w.expected_balance[account];
    switch (random() % 6) {
      case 0: {  // 1.5 units at a sub-cent unit price, with a discount; 20% VAT on the net
        int64_t quantity_milli = 500 + static_cast<int64_t>(random() % 5000);
        int64_t price_micro = 1'000'000 + static_cast<int64_t>(random() % 50'000'000);
        int64_t discount = static_cast<int64_t>(random() % 100);
        int64_t gross = round_half_even_positive(quantity_milli * price_micro, 10'000'000);
        if (discount > gross) discount = 0;
        int64_t net = gross - discount;
        balance += net + round_half_even_positive(net * 200000, 1'000'000);
        w.lines.push_back(fmt::format(
            R"({{"id":"ch-{0}","account":"{1}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"C{0}",)"
            R"("description":"Fiber","service_type":"internet","quantity_milli":{3},"unit_price_micro":{4},)"
            R"("discount_minor":{5}}}}})",
            i, account, t, quantity_milli, price_micro, discount));
        break;
      }
      case 1:
      case 2: {  // a call costed in micro-dollars; rounded, then 15% VAT
        int64_t cost_micro = static_cast<int64_t>(random() % 3'000'000);
        int64_t cost = round_half_even_positive(cost_micro, 10'000);
        balance += cost + round_half_even_positive(cost * 150000, 1'000'000);
        w.lines.push_back(fmt::format(
            R"({{"id":"cdr-{0}","account":"{1}","time_us":{2},"body_type":"Cdr","body":{{"call_id":"K{0}",)"
            R"("destination":"UK Mobile","duration_s":{3},"cost_micro":{4}}}}})",
            i, account, t, 1 + random() % 600, cost_micro));
        break;
      }
      case 3: {
        int64_t amount = 1 + static_cast<int64_t>(random() % 5000);
        balance -= amount;
        const char* kind = random() % 2 ? "Payment" : "Refill";
        const char* id_field = kind[0] == 'P' ? "payment_id" : "refill_id";
        w.lines.push_back(fmt::format(
            R"({{"id":"m-{0}","account":"{1}","time_us":{2},"body_type":"{3}","body":{{"{4}":"M{0}",)"
            R"("amount_minor":{5}}}}})",
            i, account, t, kind, id_field, amount));
        break;
      }
      case 4: {
        int64_t amount = static_cast<int64_t>(random() % 2000) - 1000;
        if (amount == 0) amount = 7;
        balance += amount;
        w.lines.push_back(fmt::format(
            R"({{"id":"corr-{0}","account":"{1}","time_us":{2},"body_type":"Correction","body":{{"correction_id":"X{0}",)"
            R"("amount_minor":{3},"description":"fix","approved_by":"manager","approved_at_us":{2}}}}})",
            i, account, t, amount));
        break;
      }
      default: {
        int64_t amount = 1 + static_cast<int64_t>(random() % 700);
        balance -= amount;
        w.lines.push_back(fmt::format(
            R"({{"id":"cn-{0}","account":"{1}","time_us":{2},"body_type":"CreditNote","body":{{"credit_note_id":"N{0}",)"
            R"("amount_minor":{3},"description":"SLA credit"}}}})",
            i, account, t, amount));
        break;
      }
    }
  }
  return w;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

std::map<std::string, int64_t> balances_from_cli(const std::string& data_dir) {
  CommandResult result = run_ledger("--data '" + data_dir + "' --format json accounts --limit 100000");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto json = nlohmann::json::parse(result.out);
  std::map<std::string, int64_t> balances;
  for (const auto& account : json["accounts"])
    balances[account["account"]] = account["balance_minor"].get<int64_t>();
  return balances;
}

std::string digest_of(const std::string& data_dir) {
  CommandResult result = run_ledger("--data '" + data_dir + "' digest");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result.out.substr(0, 32);
}

}  // namespace

TEST_CASE("ingesting mixed events gives balances equal to an independent sum", "[ingest][scenario]") {
  TempDir dir;
  Workload workload = make_workload(20261123);
  write_file(dir.sub("events.jsonl"), join_lines(workload.lines));
  const std::string data = dir.sub("data");

  CommandResult first = run_ledger("--data '" + data + "' ingest '" + dir.sub("events.jsonl") + "'");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find(fmt::format("{} appended, 0 refused", workload.lines.size())) != std::string::npos);
  CHECK(first.out.find("0 rejected") != std::string::npos);
  REQUIRE(balances_from_cli(data) == workload.expected_balance);
  const std::string digest = digest_of(data);

  SECTION("ingesting the same file again changes nothing") {
    CommandResult second = run_ledger("--data '" + data + "' ingest '" + dir.sub("events.jsonl") + "'");
    REQUIRE(second.exit_code == 0);
    CHECK(second.out.find("project: 0 applied, 0 rejected") != std::string::npos);
    CHECK(balances_from_cli(data) == workload.expected_balance);
    CHECK(digest_of(data) == digest);
  }

  SECTION("a replay of the log into an empty store gives the same digest") {
    CommandResult replay = run_ledger("--data '" + data + "' replay --into '" + dir.sub("replayed") + "'");
    INFO(replay.err);
    REQUIRE(replay.exit_code == 0);
    CHECK(digest_of(dir.sub("replayed")) == digest);
    CHECK(balances_from_cli(dir.sub("replayed")) == workload.expected_balance);
  }

  SECTION("the invariants of BILLING.md section 8 hold") {
    auto engine = open_engine(data, 0);
    CHECK(check_invariants(*engine).empty());
  }
}

TEST_CASE("the projection does not depend on the partition count or the batch size",
          "[ingest][determinism]") {
  Workload workload = make_workload(7);
  std::map<std::string, int64_t> reference;
  for (uint32_t partitions : {1u, 3u, 8u}) {
    TempDir dir;
    auto engine = open_engine(dir.sub("data"), partitions);
    ingest_json_lines(*engine, workload.lines);
    auto balances = balances_by_account(*engine);
    CHECK(balances == workload.expected_balance);
    CHECK(check_invariants(*engine).empty());
  }
}

}  // namespace ledger::test

namespace ledger::test {

TEST_CASE("a projector cache smaller than one batch's rows commits early and projects the same",
          "[ingest][determinism][cache]") {
  Workload workload = make_workload(11);
  auto project_with = [&](const std::string& dir, size_t cached_bytes_max, ProjectionStats& stats) {
    EngineOptions options;
    options.data_dir = dir;
    options.partitions = 2;
    options.projector.cached_bytes_max = cached_bytes_max;
    auto views = std::make_unique<ViewRegistry>();
    register_all_views(*views);
    auto engine = Engine::open(options, std::move(views));
    REQUIRE(engine.is_ok());
    stats = ingest_json_lines(**engine, workload.lines);
    CHECK(check_invariants(**engine).empty());
    CHECK(balances_by_account(**engine) == workload.expected_balance);
    auto digest = compute_digest((*engine)->store(), (*engine)->views());
    REQUIRE(digest.is_ok());
    return digest->hex;
  };
  TempDir roomy_dir;
  TempDir tight_dir;
  ProjectionStats roomy;
  ProjectionStats tight;
  const std::string roomy_digest = project_with(roomy_dir.sub("data"), 256 << 20, roomy);
  // The least a partition gets (256 KiB) holds a few hundred rows: far fewer than a batch makes.
  const std::string tight_digest = project_with(tight_dir.sub("data"), 0, tight);
  CHECK(roomy.batches == 2);  // one batch a partition: the workload is smaller than a batch
  CHECK(tight.batches > roomy.batches);
  CHECK(tight.applied == roomy.applied);
  CHECK(tight_digest == roomy_digest);
}

}  // namespace ledger::test
