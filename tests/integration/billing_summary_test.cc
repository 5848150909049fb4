// The Billing Summary (seed 000) against figures computed here, independently of the engine:
// several operators in several currencies, a totals row per currency, outstanding = billed -
// collected, received = cash in the range, and a bucket count that does not grow with accounts.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "engine/read_snapshot.h"
#include "projections/billing_summary_counters.h"
#include "projections/reports.h"
#include "tests/support/invoice_invariants.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kOct1Us = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;

int64_t at_day(int day_index, int hour) {
  return kOct1Us + day_index * kDayUs + hour * 3'600'000'000LL;
}

struct Operator {
  std::string id;
  std::string currency;
};

const std::vector<Operator> kOperators = {
    {"alpha", "USD"}, {"beta", "EUR"}, {"gamma", "JPY"}, {"delta", "USD"}};

std::string configure(const Operator& op) {
  return fmt::format(
      R"({{"id":"op-{0}","time_us":{1},"body_type":"OperatorConfigured","body":{{"operator":"{0}","currency":"{2}",)"
      R"("payment_terms_days":10}}}})",
      op.id, kOct1Us, op.currency);
}

std::string open(const std::string& account, const Operator& op) {
  return fmt::format(
      R"({{"id":"open-{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{"operator":"{2}",)"
      R"("currency":"{3}","credit_limit_minor":1000000,"invoice_day":1}}}})",
      account, kOct1Us + 1, op.id, op.currency);
}

//! A charge of `amount_minor` whole minor units: quantity 1 at a unit price in micro-units.
std::string charge(const std::string& account, const std::string& id, int64_t time_us, int64_t amount_minor,
                   int exponent) {
  int64_t unit_price_micro = amount_minor;
  for (int i = exponent; i < 6; ++i) unit_price_micro *= 10;
  return fmt::format(
      R"({{"id":"{0}","account":"{1}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"{0}",)"
      R"("service_type":"internet","quantity_milli":1000,"unit_price_micro":{3}}}}})",
      id, account, time_us, unit_price_micro);
}

std::string payment(const std::string& account, const std::string& id, int64_t time_us,
                    int64_t amount_minor) {
  return fmt::format(
      R"({{"id":"{0}","account":"{1}","time_us":{2},"body_type":"Payment","body":{{"payment_id":"{0}","amount_minor":{3}}}}})",
      id, account, time_us, amount_minor);
}

std::string run(int number, int32_t as_of_day, int64_t time_us) {
  return fmt::format(
      R"({{"id":"run-{0}","time_us":{1},"body_type":"BillingRun","body":{{"run_number":{0},"as_of_day":{2}}}}})",
      number, time_us, as_of_day);
}

struct Expected {
  int64_t bills = 0;
  int64_t billed = 0;
  int64_t collected = 0;
  int64_t received_october = 0;
  int64_t received_november = 0;
};

struct Scenario {
  std::vector<std::string> lines;
  std::map<std::string, Expected> by_operator;  // operator id -> figures
};

//! Each operator has three accounts; each account is charged in October, pays part in
//! October (held as credit until its bill closes on 2 November) and part in November.
Scenario make_scenario() {
  Scenario s;
  for (const auto& op : kOperators) s.lines.push_back(configure(op));
  int n = 0;
  for (const auto& op : kOperators) {
    const int exponent = op.currency == "JPY" ? 0 : 2;
    Expected& e = s.by_operator[op.id];
    for (int a = 0; a < 3; ++a, ++n) {
      const std::string account = fmt::format("{}-{}", op.id, a);
      s.lines.push_back(open(account, op));
      const int64_t first = 1000 + 137 * n;
      const int64_t second = 250 + 11 * n;
      s.lines.push_back(charge(account, account + "-c1", at_day(3 + a, 10), first, exponent));
      s.lines.push_back(charge(account, account + "-c2", at_day(20, 10), second, exponent));
      const int64_t billed = first + second;
      const int64_t paid_october = 300 + 7 * n;
      // The last account of each operator overpays in November: collected stops at billed.
      const int64_t paid_november = a == 2 ? billed : 200 + 5 * n;
      s.lines.push_back(payment(account, account + "-p1", at_day(25, 12), paid_october));
      s.lines.push_back(payment(account, account + "-p2", at_day(40, 12), paid_november));
      e.bills += 1;
      e.billed += billed;
      e.collected += std::min(billed, paid_october + paid_november);
      e.received_october += paid_october;
      e.received_november += paid_november;
    }
  }
  s.lines.push_back(run(1, 20261102, at_day(32, 0)));  // closes every October period
  return s;
}

ReportTable summary(Engine& engine, int32_t from, int32_t to, const std::string& operator_filter = "") {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  ReportRequest request;
  request.report = "summary";
  request.from_day = from;
  request.to_day = to;
  request.operator_filter = operator_filter;
  auto table = run_report(engine.store(), snapshot, request);
  INFO(table.status().to_string());
  REQUIRE(table.is_ok());
  return std::move(*table);
}

size_t column(const ReportTable& table, const std::string& name) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("the billing summary matches figures computed independently, per operator and currency",
          "[summary][reports]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  Scenario scenario = make_scenario();
  ingest_json_lines(*engine, scenario.lines);
  REQUIRE(check_invariants(*engine).empty());
  REQUIRE(check_invoice_invariants(*engine).empty());

  ReportTable november = summary(*engine, 20261101, 20261130);
  const size_t op = column(november, "operator"), cur = column(november, "currency");
  const size_t bills = column(november, "bills"), billed = column(november, "total_billed");
  const size_t collected = column(november, "total_collected"), outstanding = column(november, "outstanding");
  const size_t received = column(november, "received");

  std::map<std::string, int64_t> billed_by_currency, collected_by_currency, received_by_currency;
  size_t data_rows = 0;
  for (size_t r = 0; r < november.rows.size(); ++r) {
    const auto& row = november.rows[r];
    if (november.is_total[r]) continue;
    ++data_rows;
    const Expected& e = scenario.by_operator.at(row[op].text);
    INFO("operator " << row[op].text);
    CHECK(row[bills].value == e.bills);
    CHECK(row[billed].value == e.billed);
    CHECK(row[collected].value == e.collected);
    CHECK(row[outstanding].value == e.billed - e.collected);
    CHECK(row[received].value == e.received_november);
    CHECK(row[billed].currency == row[cur].text);
    billed_by_currency[row[cur].text] += e.billed;
    collected_by_currency[row[cur].text] += e.collected;
    received_by_currency[row[cur].text] += e.received_november;
  }
  CHECK(data_rows == kOperators.size());
  size_t total_rows = 0;
  for (size_t r = 0; r < november.rows.size(); ++r) {
    if (!november.is_total[r]) continue;
    ++total_rows;
    const auto& row = november.rows[r];
    const std::string& currency = row[cur].text;
    INFO("totals " << currency);
    CHECK(row[billed].value == billed_by_currency.at(currency));
    CHECK(row[collected].value == collected_by_currency.at(currency));
    CHECK(row[outstanding].value == billed_by_currency.at(currency) - collected_by_currency.at(currency));
    CHECK(row[received].value == received_by_currency.at(currency));
  }
  CHECK(total_rows == 3);  // USD (alpha + delta), EUR, JPY

  SECTION("October had no bills closed, only cash received") {
    ReportTable october = summary(*engine, 20261001, 20261031);
    for (size_t r = 0; r < october.rows.size(); ++r) {
      const auto& row = october.rows[r];
      if (october.is_total[r]) continue;
      CHECK(row[billed].value == 0);
      CHECK(row[received].value == scenario.by_operator.at(row[op].text).received_october);
    }
  }

  SECTION("one operator") {
    ReportTable beta = summary(*engine, 20261101, 20261130, "beta");
    REQUIRE(beta.rows.size() == 2);  // beta, then the EUR totals row
    CHECK(beta.rows[0][billed].value == scenario.by_operator.at("beta").billed);
    CHECK(beta.rows[1][billed].value == beta.rows[0][billed].value);
  }

  SECTION("the default range is the month of the latest activity") {
    ReportTable latest = summary(*engine, 0, 0);
    CHECK(latest.from_day == 20261101);
    CHECK(latest.to_day == 20261130);
  }

  SECTION("a replay reaches the same counters") {
    engine.reset();  // the store is one process's at a time
    CommandResult replay =
        run_ledger("--data '" + dir.sub("data") + "' replay --into '" + dir.sub("again") + "'");
    INFO(replay.err);
    REQUIRE(replay.exit_code == 0);
    CHECK(run_ledger("--data '" + dir.sub("data") + "' digest").out.substr(0, 32) ==
          run_ledger("--data '" + dir.sub("again") + "' digest").out.substr(0, 32));
  }
}

TEST_CASE("the billing summary keeps one bucket per operator, currency and day, whatever the accounts",
          "[summary][reports]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  std::vector<std::string> lines = {configure(kOperators[0])};
  for (int a = 0; a < 200; ++a) {
    const std::string account = fmt::format("many-{}", a);
    lines.push_back(open(account, kOperators[0]));
    lines.push_back(charge(account, account + "-c", at_day(5, 9), 100 + a, 2));
    lines.push_back(payment(account, account + "-p", at_day(5, 10), 50));
  }
  lines.push_back(run(1, 20261102, at_day(32, 0)));
  ingest_json_lines(*engine, lines);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  size_t keys = 0;
  REQUIRE(snapshot
              .scan(engine->store().column_family(kBillingSummaryColumnFamily), "",
                    [&](std::string_view, std::string_view) { return ++keys, true; })
              .is_ok());
  CHECK(keys == 2);  // 6 October (received) and 2 November (billed, collected)
}

TEST_CASE("the billing summary refuses a bad range or an unknown operator", "[summary][reports][bad-input]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 2);
  ingest_json_lines(*engine, {configure(kOperators[0])});
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  ReportRequest request;
  request.report = "summary";
  request.from_day = 20261130;
  request.to_day = 20261101;
  auto inverted = run_report(engine->store(), snapshot, request);
  REQUIRE_FALSE(inverted.is_ok());
  CHECK(inverted.status().message().find("from") != std::string::npos);
  request.from_day = 20261101;
  request.to_day = 20261130;
  request.operator_filter = "nobody";
  auto unknown = run_report(engine->store(), snapshot, request);
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message() == "operator: 'nobody' was never configured");
}

}  // namespace ledger::test
