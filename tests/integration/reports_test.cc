// The reports of BILLING.md section 7 (seed 004): revenue (billed, earned, deferred; cash and
// accrual), AR aging, credits, all transactions (filters and paging) and unpaid invoices, each
// read from a real store after a scenario of JSON-line events, and bad requests refused with an
// error naming the option. Every expected figure is worked out by hand in the comments, never
// read back from the engine. The operators here tax nothing, so a line's amount is its net.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/reports.h"
#include "tests/support/invoice_invariants.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

using Json = nlohmann::json;

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kHourUs = 3'600'000'000;

// ---- events ------------------------------------------------------------------------------

//! UTC microseconds of `hour`:00 on a YYYYMMDD day.
int64_t at(int32_t day, int hour = 12) {
  return days_since_epoch(day) * kDayUs + hour * kHourUs;
}

std::string event(const std::string& id, const std::string& account, int64_t time_us, const std::string& kind,
                  Json body) {
  Json e{{"id", id}, {"time_us", time_us}, {"body_type", kind}, {"body", std::move(body)}};
  if (!account.empty()) e["account"] = account;
  return e.dump();
}

//! An operator that taxes nothing, its bills numbered by account and month.
std::string configure(const std::string& op, const std::string& currency, int terms_days) {
  Json body{{"operator", op},
            {"name", op + " networks"},
            {"currency", currency},
            {"invoice_number_format", op + "-{account}-{yyyy}{mm}"},
            {"payment_terms_days", terms_days}};
  return event(op + ":config", "", at(20230101, 0), "OperatorConfigured", std::move(body));
}

//! Invoice day 1: periods are calendar months.
std::string open_account(const std::string& account, const std::string& op, const std::string& currency,
                         int32_t day) {
  Json body{{"operator", op},
            {"name", "Customer " + account},
            {"currency", currency},
            {"credit_limit_minor", 100'000'000},
            {"invoice_day", 1}};
  return event(account + ":opened", account, at(day, 1), "AccountOpened", std::move(body));
}

std::string charge(const std::string& account, const std::string& charge_id, int64_t time_us, Json body) {
  body["charge_id"] = charge_id;
  if (!body.contains("service_type")) body["service_type"] = "hosting";
  return event("billing:" + charge_id, account, time_us, "Charge", std::move(body));
}

//! One unit at `amount_minor` (a currency of exponent 2: one minor unit = 10000 micro).
std::string hosting(const std::string& account, const std::string& charge_id, int64_t time_us,
                    int64_t amount_minor) {
  return charge(account, charge_id, time_us,
                {{"description", "Hosting " + charge_id}, {"unit_price_micro", amount_minor * 10'000}});
}

//! A service line over [from_day, to_day]; duration 0 leaves the months to the period.
std::string service(const std::string& account, const std::string& charge_id, int64_t time_us,
                    int64_t amount_minor, int duration_months, int32_t from_day, int32_t to_day) {
  return charge(account, charge_id, time_us,
                {{"description", "Hosting " + charge_id},
                 {"unit_price_micro", amount_minor * 10'000},
                 {"duration_months", duration_months},
                 {"service_from_day", from_day},
                 {"service_to_day", to_day}});
}

std::string cdr(const std::string& account, const std::string& call_id, int64_t time_us, int64_t cost_micro) {
  Json body{{"call_id", call_id},         {"calling", "+15550100"},           {"called", "+447700900123"},
            {"destination", "UK Mobile"}, {"start_us", time_us - 60'000'000}, {"duration_s", 60},
            {"cost_micro", cost_micro}};
  return event("rating:" + call_id, account, time_us, "Cdr", std::move(body));
}

std::string payment(const std::string& account, const std::string& payment_id, int64_t time_us,
                    int64_t amount_minor) {
  Json body{
      {"payment_id", payment_id}, {"amount_minor", amount_minor}, {"method", "card"}, {"reference", "VISA"}};
  return event("psp:" + payment_id, account, time_us, "Payment", std::move(body));
}

std::string refill(const std::string& account, const std::string& refill_id, int64_t time_us,
                   int64_t amount_minor) {
  Json body{{"refill_id", refill_id}, {"amount_minor", amount_minor}, {"description", "Top-up"}};
  return event("topup:" + refill_id, account, time_us, "Refill", std::move(body));
}

std::string credit_note(const std::string& account, const std::string& note_id, int64_t time_us,
                        int64_t amount_minor) {
  Json body{{"credit_note_id", note_id}, {"amount_minor", amount_minor}, {"description", "SLA credit"}};
  return event("billing:" + note_id, account, time_us, "CreditNote", std::move(body));
}

std::string correction(const std::string& account, const std::string& correction_id, int64_t time_us,
                       int64_t amount_minor) {
  Json body{{"correction_id", correction_id},
            {"amount_minor", amount_minor},
            {"description", "Late payment fee"},
            {"approved_by", "m.lopez"},
            {"approved_at_us", time_us - kHourUs}};
  return event("billing:" + correction_id, account, time_us, "Correction", std::move(body));
}

std::string tax_adjustment(const std::string& account, const std::string& id, int64_t time_us,
                           const std::string& charge_id, int64_t amount_minor) {
  Json body{{"charge_id", charge_id}, {"code", "CITY"}, {"name", "City tax"}, {"amount_minor", amount_minor}};
  return event("billing:" + id, account, time_us, "TaxAdjustment", std::move(body));
}

//! A scheduled run: closes every period that ended at least two days before `as_of_day`.
std::string billing_run(int64_t run_number, int32_t as_of_day) {
  Json body{{"run_number", run_number}, {"as_of_day", as_of_day}, {"kind", "Scheduled"}};
  return event(fmt::format("scheduler:run-{}", run_number), "", at(as_of_day, 6), "BillingRun",
               std::move(body));
}

std::string bill_state(const std::string& account, const std::string& id, const std::string& number,
                       const std::string& state, int64_t time_us) {
  return event(id, account, time_us, "BillStateChanged",
               {{"invoice_number", number}, {"state", state}, {"note", "by the portal"}});
}

// ---- reading reports ---------------------------------------------------------------------

Result<ReportTable> try_report(Engine& engine, const ReportRequest& request) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  return run_report(engine.store(), snapshot, request);
}

//! Every row has one cell per column, of the column's kind; money cells are in the row's
//! currency column when the report has one.
void check_shape(const ReportTable& table) {
  REQUIRE(table.rows.size() == table.is_total.size());
  size_t currency_column = table.columns.size();
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].name == "currency") currency_column = c;
  }
  for (const auto& row : table.rows) {
    REQUIRE(row.size() == table.columns.size());
    for (size_t c = 0; c < row.size(); ++c) {
      INFO(table.report << " column " << table.columns[c].name);
      CHECK(row[c].kind == table.columns[c].kind);
      if (row[c].kind != CellKind::kMoney || currency_column == table.columns.size()) continue;
      CHECK(row[c].currency == row[currency_column].text);
      CHECK(row[c].exponent == 2);
    }
  }
}

ReportTable report(Engine& engine, const ReportRequest& request) {
  auto table = try_report(engine, request);
  INFO(request.report << ": " << table.status().to_string());
  REQUIRE(table.is_ok());
  check_shape(*table);
  return std::move(*table);
}

ReportRequest request_for(const std::string& name) {
  ReportRequest request;
  request.report = name;
  return request;
}

//! Each row as "cell|cell|...": money in minor units, days as YYYYMMDD; a totals row starts
//! with "T|".
std::vector<std::string> rows_of(const ReportTable& table) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    std::string text = table.is_total[r] ? "T" : "";
    for (const Cell& cell : table.rows[r]) {
      if (!text.empty()) text += '|';
      text += cell.kind == CellKind::kText ? cell.text : std::to_string(cell.value);
    }
    rows.push_back(text);
  }
  return rows;
}

size_t column(const ReportTable& table, const std::string& name) {
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c].name == name) return c;
  }
  FAIL("no column " << name << " in " << table.report);
  return 0;
}

void require_invariants(Engine& engine) {
  std::string text;
  auto general = check_invariants(engine);
  auto invoices = check_invoice_invariants(engine);
  for (const auto& v : general) text += v + "\n";
  for (const auto& v : invoices) text += v + "\n";
  INFO(text);
  CHECK(general.empty());
  CHECK(invoices.empty());
  // Every event of the scenario applies: a rejected one would leave a figure unexplained.
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto rejections = query_rejections(engine.store(), snapshot, SIZE_MAX);
  REQUIRE(rejections.is_ok());
  std::string rejected;
  for (const auto& rejection : *rejections) rejected += rejection.event_id + ": " + rejection.message + "\n";
  INFO(rejected);
  CHECK(rejections->empty());
}

}  // namespace

// ---- 1. revenue ---------------------------------------------------------------------------

TEST_CASE("revenue: seed 004's hosting line billed in the month of payment, earned over 12 months",
          "[reports][revenue]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(
      *engine,
      {configure("host", "USD", 14), open_account("cust-1", "host", "USD", 20230201),
       open_account("cust-2", "host", "USD", 20230301), open_account("cust-3", "host", "USD", 20230401),
       // Seed 004: Hosting "XYZ" from 14 Feb 2023 to 13 Feb 2024, 12 months, 1000.00 USD, paid on
       // 14 February. Paid before the bill closes, so the payment waits as credit and settles
       // the bill at close, dated as the payment.
       service("cust-1", "hosting-xyz", at(20230214, 9), 100'000, 12, 20230214, 20240213),
       payment("cust-1", "pay-xyz", at(20230214, 15), 100'000),
       // February closes on 2 March.
       billing_run(1, 20230302),
       // 600.00 USD from 10 March to 9 September, no duration: the period spans 6 months (10 Mar
       // .. 9 Sep ends a day before the 7th month starts).
       service("cust-2", "hosting-abc", at(20230310, 9), 60'000, 0, 20230310, 20230909),
       // March closes on 2 April, unpaid.
       billing_run(2, 20230402),
       // 240.00 USD over 3 months from 20 April, never billed: it stays on the open preview.
       service("cust-3", "hosting-def", at(20230420, 9), 24'000, 3, 20230420, 20230719),
       // cust-2 pays 200.00 in April (partially settled), the last 400.00 in May (settled).
       payment("cust-2", "pay-abc-1", at(20230420, 10), 20'000),
       payment("cust-2", "pay-abc-2", at(20230505, 10), 40'000)});
  require_invariants(*engine);

  // Cumulative rounding of A = 100000 over n = 12: round_half_even(100000 k / 12) for k = 1..12
  // is 8333 (8333.33), 16667 (16666.67), 25000, 33333, 41667, 50000, 58333, 66667, 75000,
  // 83333, 91667, 100000. Month k earns the difference; deferred is 100000 minus it.
  const std::vector<int64_t> earned{8333, 8334, 8333, 8333, 8334, 8333, 8333, 8334, 8333, 8333, 8334, 8333};
  const std::vector<int64_t> deferred{91667, 83333, 75000, 66667, 58333, 50000,
                                      41667, 33333, 25000, 16667, 8333,  0};
  const std::vector<std::string> months{"2023-02", "2023-03", "2023-04", "2023-05", "2023-06", "2023-07",
                                        "2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01"};
  int64_t earned_sum = 0;
  for (int64_t month_minor : earned) {
    CHECK((month_minor == 8333 || month_minor == 8334));  // within one minor unit of 100000 / 12
    earned_sum += month_minor;
  }
  CHECK(earned_sum == 100'000);  // the months add up to the line exactly

  SECTION("cash basis: billed in February, earned Feb..Jan, deferred down to 0.00") {
    ReportRequest request = request_for("revenue");
    request.account = "cust-1";
    ReportTable table = report(*engine, request);
    CHECK(table.title == "Revenue (cash basis)");
    std::vector<std::string> expected;
    for (size_t k = 0; k < 12; ++k) {
      expected.push_back(
          fmt::format("{}|USD|{}|{}|{}", months[k], k == 0 ? 100'000 : 0, earned[k], deferred[k]));
    }
    // Billed and earned summed; deferred as it stands at the end of January 2024.
    expected.push_back("T|Total|USD|100000|100000|0");
    CHECK(rows_of(table) == expected);
    CHECK(table.from_day == 20230201);  // the months shown
    CHECK(table.to_day == 20240131);
  }

  SECTION("a range selects months; its total keeps the deferred balance at the range's end") {
    ReportRequest request = request_for("revenue");
    request.account = "cust-1";
    request.from_day = 20230310;
    request.to_day = 20230615;
    // March to June: k = 2..5.
    CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                   "2023-03|USD|0|8334|83333", "2023-04|USD|0|8333|75000",
                                                   "2023-05|USD|0|8333|66667", "2023-06|USD|0|8334|58333",
                                                   "T|Total|USD|0|33334|58333",  // 8334 + 8333 + 8333 + 8334
                                               });
  }

  SECTION("cash basis: a bill counts once settled, billed in the month settlement completed") {
    // cust-2: 60000 over 6 months earns 10000 a month, March to August. Settled on 5 May, so
    // billed in May; deferred from May: 60000 - 30000 (three months earned by then), then
    // 20000, 10000, 0. Before May it was not billed, so nothing is deferred.
    ReportRequest request = request_for("revenue");
    request.account = "cust-2";
    const std::vector<std::string> settled{
        "2023-03|USD|0|10000|0",     "2023-04|USD|0|10000|0",     "2023-05|USD|60000|10000|30000",
        "2023-06|USD|0|10000|20000", "2023-07|USD|0|10000|10000", "2023-08|USD|0|10000|0",
        "T|Total|USD|60000|60000|0",
    };
    CHECK(rows_of(report(*engine, request)) == settled);
    // As of 30 April it was only partially settled: no figure at all on the cash basis.
    request.as_of_day = 20230430;
    CHECK(report(*engine, request).rows.empty());
    // As of 5 May the second payment is in.
    request.as_of_day = 20230505;
    CHECK(rows_of(report(*engine, request)) == settled);
  }

  SECTION("accrual basis: an unpaid line on an open preview, billed in the month of the charge") {
    ReportRequest request = request_for("revenue");
    request.basis = "accrual";
    request.account = "cust-3";
    // 24000 over 3 months: 8000 a month April to June; deferred 16000, 8000, 0.
    ReportTable table = report(*engine, request);
    CHECK(table.title == "Revenue (accrual basis)");
    CHECK(rows_of(table) == std::vector<std::string>{
                                "2023-04|USD|24000|8000|16000",
                                "2023-05|USD|0|8000|8000",
                                "2023-06|USD|0|8000|0",
                                "T|Total|USD|24000|24000|0",
                            });
    // The cash basis does not see it at all.
    request.basis = "cash";
    CHECK(report(*engine, request).rows.empty());
    // Nor does the accrual basis as of a day before the charge.
    request.basis = "accrual";
    request.as_of_day = 20230419;
    CHECK(report(*engine, request).rows.empty());
  }

  SECTION("every account: the months add up across lines") {
    ReportRequest request = request_for("revenue");
    request.from_day = 20230501;
    request.to_day = 20230531;
    // May on the cash basis: cust-1 earns k = 4 (8333) and defers 100000 - 33333 = 66667;
    // cust-2 is billed 60000, earns 10000 and defers 30000. cust-3 is unpaid.
    CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                   "2023-05|USD|60000|18333|96667",
                                                   "T|Total|USD|60000|18333|96667",
                                               });
    // The same month on the accrual basis adds cust-3 (8000 earned, 8000 deferred); nothing is
    // billed in May, since accrual bills cust-2 in March when it was charged.
    request.basis = "accrual";
    CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                   "2023-05|USD|0|26333|104667",
                                                   "T|Total|USD|0|26333|104667",
                                               });
  }
}

// ---- 2. aging ------------------------------------------------------------------------------

namespace {

//! Three operators with their terms; accounts billed monthly by scheduled runs on the 2nd.
std::vector<std::string> aging_scenario() {
  std::vector<std::string> events{configure("north", "USD", 10), configure("south", "USD", 30),
                                  configure("east", "EUR", 0)};
  for (const char* account : {"n-1", "n-2", "n-3"})
    events.push_back(open_account(account, "north", "USD", 20230101));
  for (const char* account : {"s-1", "s-2"})
    events.push_back(open_account(account, "south", "USD", 20230101));
  events.push_back(open_account("e-1", "east", "EUR", 20230101));
  // Month by month, each closed by the run of the 2nd of the next month.
  const std::vector<std::vector<std::string>> months{
      {hosting("n-1", "n1-jan", at(20230105), 1000), hosting("e-1", "e1-jan", at(20230105), 900)},
      {hosting("n-1", "n1-feb", at(20230205), 2000)},
      {hosting("n-1", "n1-mar", at(20230305), 3000), hosting("s-1", "s1-mar", at(20230305), 2500),
       // 1500 settles the January bill (1000) and 500 of February's, oldest first.
       payment("n-1", "n1-pay", at(20230320), 1500)},
      {hosting("n-1", "n1-apr", at(20230405), 4000), hosting("n-3", "n3-apr", at(20230405), 800),
       payment("n-3", "n3-pay", at(20230410), 800), hosting("s-2", "s2-apr", at(20230405), 400)},
      {hosting("n-1", "n1-may", at(20230505), 5000), hosting("n-2", "n2-may", at(20230505), 700),
       hosting("s-1", "s1-may", at(20230505), 1200)},
      {hosting("n-1", "n1-jun", at(20230605), 6000)},
  };
  const int32_t run_days[] = {20230202, 20230302, 20230402, 20230502, 20230602, 20230702};
  for (size_t m = 0; m < months.size(); ++m) {
    events.insert(events.end(), months[m].begin(), months[m].end());
    events.push_back(billing_run(static_cast<int64_t>(m + 1), run_days[m]));
  }
  return events;
}

//! Checks that each operator's totals row sums its account rows and each grand totals row sums
//! every account row of its currency, column by column.
void check_totals(const ReportTable& table, size_t first_money_column) {
  std::map<std::string, std::vector<int64_t>> by_operator;  // operator|currency
  std::map<std::string, std::vector<int64_t>> by_currency;
  const size_t operator_column = column(table, "operator");
  const size_t currency_column = column(table, "currency");
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string currency = row[currency_column].text;
    const std::string group = row[operator_column].text + "|" + currency;
    std::vector<int64_t> money;
    for (size_t c = first_money_column; c < row.size(); ++c) money.push_back(row[c].value);
    if (!table.is_total[r]) {
      for (auto* sums : {&by_operator[group], &by_currency[currency]}) {
        sums->resize(money.size());
        for (size_t i = 0; i < money.size(); ++i) (*sums)[i] += money[i];
      }
    } else if (row[operator_column].text == "Total") {
      INFO("grand total " << currency);
      CHECK(money == by_currency[currency]);
    } else {
      INFO("total of " << group);
      CHECK(money == by_operator[group]);
    }
  }
}

}  // namespace

TEST_CASE("aging: unpaid remainders by days past due, per account, operator and currency",
          "[reports][aging]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, aging_scenario());
  require_invariants(*engine);

  // As of 2 July. Due day = close day + terms; days past due = 2 July - due day.
  //  n-1 (terms 10): Jan 1000 settled by the payment. Feb 2000 - 500 paid = 1500, due 12 Mar:
  //      112 days (90+). Mar 3000 due 12 Apr: 81 (61-90). Apr 4000 due 12 May: 51 (31-60).
  //      May 5000 due 12 Jun: 20 (1-30). Jun 6000 closed 2 Jul, due 12 Jul: -10 (Current).
  //  n-2: May 700 due 12 Jun: 20 (1-30).   n-3: paid before its April bill closed: not listed.
  //  s-1 (terms 30): Mar 2500 closed 2 Apr, due 2 May: 61 (61-90). May 1200 due 2 Jul: 0 (Current).
  //  s-2: Apr 400 closed 2 May, due 1 Jun: 31 (31-60).
  //  e-1 (EUR, terms 0): Jan 900 due 2 Feb: 150 (90+).
  const std::vector<std::string> july{
      "east|e-1|EUR|0|0|0|0|900|900",
      "T|east|Total|EUR|0|0|0|0|900|900",
      "north|n-1|USD|6000|5000|4000|3000|1500|19500",
      "north|n-2|USD|0|700|0|0|0|700",
      "T|north|Total|USD|6000|5700|4000|3000|1500|20200",
      "south|s-1|USD|1200|0|0|2500|0|3700",
      "south|s-2|USD|0|0|400|0|0|400",
      "T|south|Total|USD|1200|0|400|2500|0|4100",
      "T|Total||EUR|0|0|0|0|900|900",
      "T|Total||USD|7200|5700|4400|5500|1500|24300",
  };
  ReportRequest request = request_for("aging");
  request.as_of_day = 20230702;
  ReportTable table = report(*engine, request);
  CHECK(table.as_of_day == 20230702);
  CHECK(rows_of(table) == july);
  check_totals(table, column(table, "current"));

  SECTION("without a day: the latest billing day, the run of 2 July") {
    ReportTable latest = report(*engine, request_for("aging"));
    CHECK(latest.as_of_day == 20230702);
    CHECK(rows_of(latest) == july);
  }

  SECTION("as of a past day: bills closed by then, payments made by then") {
    // 15 March: only January and February have closed, and n-1's payment of 20 March has not
    // come yet. n-1: Jan 1000 due 12 Feb: 31 days (31-60); Feb 2000 due 12 Mar: 3 (1-30).
    // e-1: 900 due 2 Feb: 41 (31-60).
    request.as_of_day = 20230315;
    ReportTable march = report(*engine, request);
    CHECK(rows_of(march) == std::vector<std::string>{
                                "east|e-1|EUR|0|0|900|0|0|900",
                                "T|east|Total|EUR|0|0|900|0|0|900",
                                "north|n-1|USD|0|2000|1000|0|0|3000",
                                "T|north|Total|USD|0|2000|1000|0|0|3000",
                                "T|Total||EUR|0|0|900|0|0|900",
                                "T|Total||USD|0|2000|1000|0|0|3000",
                            });
    check_totals(march, column(march, "current"));
  }

  SECTION("the edges of the buckets") {
    // n-1's bills are due 12 Mar (1500 left), 12 Apr (3000), 12 May (4000), 12 Jun (5000) and
    // 12 Jul (6000). On 11 July they are 121, 90, 60, 29 and -1 days past due; on 12 July one
    // more each: 122, 91, 61, 30 and 0, which moves 3000 to 90+ and 4000 to 61-90.
    request.account = "n-1";
    request.as_of_day = 20230711;
    CHECK(rows_of(report(*engine, request)).front() == "north|n-1|USD|6000|5000|4000|3000|1500|19500");
    request.as_of_day = 20230712;
    CHECK(rows_of(report(*engine, request)).front() == "north|n-1|USD|6000|5000|0|4000|4500|19500");
  }

  SECTION("filtered by operator and by account") {
    request.operator_filter = "south";
    CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                   "south|s-1|USD|1200|0|0|2500|0|3700",
                                                   "south|s-2|USD|0|0|400|0|0|400",
                                                   "T|south|Total|USD|1200|0|400|2500|0|4100",
                                                   "T|Total||USD|1200|0|400|2500|0|4100",
                                               });
    request.operator_filter.clear();
    request.account = "n-2";
    CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                   "north|n-2|USD|0|700|0|0|0|700",
                                                   "T|north|Total|USD|0|700|0|0|0|700",
                                                   "T|Total||USD|0|700|0|0|0|700",
                                               });
  }
}

// ---- 3. credits ----------------------------------------------------------------------------

TEST_CASE("credits: accounts in credit and how much, per client and per operator", "[reports][credits]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(
      *engine, {configure("north", "USD", 10), configure("south", "USD", 30), configure("east", "EUR", 0),
                open_account("c-1", "north", "USD", 20230101), open_account("c-2", "north", "USD", 20230101),
                open_account("c-3", "north", "USD", 20230101), open_account("c-4", "south", "USD", 20230101),
                open_account("c-5", "south", "USD", 20230101), open_account("c-6", "east", "EUR", 20230101),
                payment("c-1", "c1-pay", at(20230110), 5000),    // -5000
                hosting("c-2", "c2-h", at(20230105), 3000),      // 3000
                payment("c-2", "c2-pay", at(20230112), 4500),    // -1500
                hosting("c-3", "c3-h", at(20230105), 2000),      // 2000
                payment("c-3", "c3-pay", at(20230112), 2000),    // 0: not in credit
                refill("c-4", "c4-top", at(20230107), 700),      // -700
                hosting("c-5", "c5-h", at(20230105), 100),       // owes 100
                credit_note("c-6", "c6-cn", at(20230108), 250),  // -250 EUR
                billing_run(1, 20230202)});
  require_invariants(*engine);

  ReportTable table = report(*engine, request_for("credits"));
  CHECK(rows_of(table) == std::vector<std::string>{
                              "east|c-6|Customer c-6|EUR|250",
                              "T|east|Total||EUR|250",
                              "north|c-1|Customer c-1|USD|5000",
                              "north|c-2|Customer c-2|USD|1500",
                              "T|north|Total||USD|6500",
                              "south|c-4|Customer c-4|USD|700",
                              "T|south|Total||USD|700",
                              "T|Total|||EUR|250",
                              "T|Total|||USD|7200",
                          });
  check_totals(table, column(table, "credit"));

  // Independently: every account whose balance is below zero is listed with -balance.
  std::map<std::string, int64_t> in_credit;
  for (const auto& [account, balance_minor] : balances_by_account(*engine)) {
    if (balance_minor < 0) in_credit[account] = -balance_minor;
  }
  std::map<std::string, int64_t> listed;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (!table.is_total[r]) listed[table.rows[r][column(table, "account")].text] = table.rows[r].back().value;
  }
  CHECK(listed == in_credit);

  ReportRequest request = request_for("credits");
  request.operator_filter = "north";
  CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                 "north|c-1|Customer c-1|USD|5000",
                                                 "north|c-2|Customer c-2|USD|1500",
                                                 "T|north|Total||USD|6500",
                                                 "T|Total|||USD|6500",
                                             });
  request.operator_filter.clear();
  request.account = "c-3";  // settled to zero: not in credit
  CHECK(report(*engine, request).rows.empty());
  request.account = "c-1";
  CHECK(rows_of(report(*engine, request)) == std::vector<std::string>{
                                                 "north|c-1|Customer c-1|USD|5000",
                                                 "T|north|Total||USD|5000",
                                                 "T|Total|||USD|5000",
                                             });
}

// ---- 4. transactions ------------------------------------------------------------------------

namespace {

std::vector<std::string> transactions_scenario() {
  return {configure("north", "USD", 10), configure("south", "USD", 10),
          open_account("t-1", "north", "USD", 20230101), open_account("t-2", "south", "USD", 20230101),
          open_account("t-3", "north", "USD", 20230101),
          // January.
          hosting("t-1", "t1-jan", at(20230105), 1000),
          cdr("t-1", "t1-c1", at(20230110), 2'500'000),  // 2.50 USD = 250
          payment("t-1", "t1-pay", at(20230120), 600), refill("t-2", "t2-top", at(20230107), 500),
          hosting("t-2", "t2-jan", at(20230115), 300),
          // January closes on 2 February.
          billing_run(1, 20230202),
          // February, and a CDR of 30 January that arrives after the close: late.
          hosting("t-1", "t1-feb", at(20230203), 2000), correction("t-1", "t1-fee", at(20230208), 150),
          cdr("t-1", "t1-c2", at(20230130, 22), 1'200'000),  // 1.20 USD = 120
          credit_note("t-1", "t1-cn", at(20230212), 100), hosting("t-2", "t2-feb", at(20230204), 400),
          hosting("t-3", "t3-feb", at(20230210), 700),
          tax_adjustment("t-3", "t3-tax", at(20230211), "t3-feb", 30)};
}

//! In line-key order: account, then period, then line. Running balance after each line:
//! t-1 1000, 1250, 650 | 2650, 2800, 2920, 2820; t-2 -500, -200 | 200; t-3 700, 730.
const std::vector<std::string> kAllTransactions{
    "20230105|t-1|north|Charge|t1-jan|Hosting t1-jan|1000|1000|no|billing:t1-jan",
    "20230110|t-1|north|Usage|t1-c1|Call to UK Mobile|250|1250|no|rating:t1-c1",
    "20230120|t-1|north|Payment|t1-pay|VISA|-600|650|no|psp:t1-pay",
    "20230203|t-1|north|Charge|t1-feb|Hosting t1-feb|2000|2650|no|billing:t1-feb",
    "20230208|t-1|north|Correction|t1-fee|Late payment fee|150|2800|no|billing:t1-fee",
    "20230130|t-1|north|Usage|t1-c2|Call to UK Mobile|120|2920|yes|rating:t1-c2",
    "20230212|t-1|north|CreditNote|t1-cn|SLA credit|-100|2820|no|billing:t1-cn",
    "20230107|t-2|south|Refill|t2-top|Top-up|-500|-500|no|topup:t2-top",
    "20230115|t-2|south|Charge|t2-jan|Hosting t2-jan|300|-200|no|billing:t2-jan",
    "20230204|t-2|south|Charge|t2-feb|Hosting t2-feb|400|200|no|billing:t2-feb",
    "20230210|t-3|north|Charge|t3-feb|Hosting t3-feb|700|700|no|billing:t3-feb",
    "20230211|t-3|north|TaxAdjustment|t3-feb|City tax|30|730|no|billing:t3-tax",
};

std::vector<std::string> pick(const std::vector<size_t>& positions) {  // 1-based, as numbered above
  std::vector<std::string> rows;
  for (size_t position : positions) rows.push_back(kAllTransactions.at(position - 1));
  return rows;
}

//! Every page of the request, following the cursor; checks each page's size.
std::vector<std::vector<std::string>> pages_of(Engine& engine, ReportRequest request) {
  std::vector<std::vector<std::string>> pages;
  for (int guard = 0; guard < 100; ++guard) {
    ReportTable page = report(engine, request);
    CHECK(page.rows.size() <= request.limit);
    pages.push_back(rows_of(page));
    if (page.next_cursor.empty()) return pages;
    CHECK(page.rows.size() == request.limit);  // only a full page has a next one
    request.cursor = page.next_cursor;
  }
  FAIL("the cursor never ended");
  return pages;
}

std::vector<std::string> joined(const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::string> rows;
  for (const auto& page : pages) rows.insert(rows.end(), page.begin(), page.end());
  return rows;
}

}  // namespace

TEST_CASE("transactions: every line with its running balance, filtered and paged",
          "[reports][transactions]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, transactions_scenario());
  require_invariants(*engine);

  ReportTable all = report(*engine, request_for("transactions"));
  CHECK(rows_of(all) == kAllTransactions);
  CHECK(all.next_cursor.empty());
  CHECK(all.is_total == std::vector<bool>(kAllTransactions.size(), false));
  // Each account's last running balance is its balance.
  auto balances = balances_by_account(*engine);
  CHECK(balances.at("t-1") == 2820);
  CHECK(balances.at("t-2") == 200);
  CHECK(balances.at("t-3") == 730);

  SECTION("filters: range by the line's own day, operator, account, kind") {
    ReportRequest request = request_for("transactions");
    request.from_day = 20230101;
    request.to_day = 20230131;
    // January's lines, the late CDR of 30 January among them though it sits on February's bill.
    CHECK(rows_of(report(*engine, request)) == pick({1, 2, 3, 6, 8, 9}));
    request.from_day = 20230201;
    request.to_day = 20230228;
    CHECK(rows_of(report(*engine, request)) == pick({4, 5, 7, 10, 11, 12}));
    request.from_day = 20230211;  // one-sided: from 11 February on
    request.to_day = 0;
    CHECK(rows_of(report(*engine, request)) == pick({7, 12}));

    request = request_for("transactions");
    request.operator_filter = "north";
    CHECK(rows_of(report(*engine, request)) == pick({1, 2, 3, 4, 5, 6, 7, 11, 12}));
    request.operator_filter.clear();
    request.account = "t-2";
    CHECK(rows_of(report(*engine, request)) == pick({8, 9, 10}));
    request.account.clear();
    request.kind = "Charge";
    CHECK(rows_of(report(*engine, request)) == pick({1, 4, 9, 10, 11}));
    request.operator_filter = "south";
    CHECK(rows_of(report(*engine, request)) == pick({9, 10}));
    request.operator_filter.clear();
    request.kind = "Usage";
    request.to_day = 20230131;
    CHECK(rows_of(report(*engine, request)) == pick({2, 6}));
  }

  SECTION("paging: limit 3 walks every row once, in order, across accounts and invoices") {
    ReportRequest request = request_for("transactions");
    request.limit = 3;
    auto pages = pages_of(*engine, request);
    REQUIRE(pages.size() == 4);  // 12 rows: the fourth page is full and nothing follows it
    CHECK(pages[0] == pick({1, 2, 3}));
    CHECK(pages[2] == pick({7, 8, 9}));  // from t-1's last line to t-2
    CHECK(joined(pages) == kAllTransactions);

    // Filtered pages: the union is the unpaged filtered report.
    request.operator_filter = "north";
    request.limit = 4;
    pages = pages_of(*engine, request);
    CHECK(pages.size() == 3);  // 9 rows: 4, 4, 1
    CHECK(joined(pages) == pick({1, 2, 3, 4, 5, 6, 7, 11, 12}));
    request.operator_filter.clear();
    request.kind = "Charge";
    request.limit = 5;  // exactly the 5 charges: one page, no cursor
    pages = pages_of(*engine, request);
    CHECK(pages.size() == 1);
    CHECK(joined(pages) == pick({1, 4, 9, 10, 11}));
    request.kind.clear();
    request.from_day = 20230201;
    request.limit = 1;
    CHECK(joined(pages_of(*engine, request)) == pick({4, 5, 7, 10, 11, 12}));
  }
}

// ---- 5. unpaid -------------------------------------------------------------------------------

TEST_CASE("unpaid invoices: by settlement, lifecycle and overdue as of a day", "[reports][unpaid]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(
      *engine, {configure("north", "USD", 10), configure("south", "USD", 20),
                open_account("u-1", "north", "USD", 20230101), open_account("u-2", "north", "USD", 20230101),
                open_account("u-3", "north", "USD", 20230101), open_account("u-4", "south", "USD", 20230101),
                hosting("u-1", "u1-jan", at(20230105), 1000), hosting("u-2", "u2-jan", at(20230105), 800),
                payment("u-2", "u2-pay", at(20230125), 800), hosting("u-3", "u3-jan", at(20230105), 600),
                hosting("u-4", "u4-jan", at(20230105), 450),
                // January closes on 2 February: due 12 February (north), 22 February (south).
                billing_run(1, 20230202),
                bill_state("u-3", "portal:u3-presented", "north-u-3-202301", "Presented", at(20230205)),
                hosting("u-1", "u1-feb", at(20230205), 500),
                payment("u-1", "u1-pay", at(20230220), 300),  // settles 300 of u-1's January bill
                hosting("u-2", "u2-feb", at(20230210), 200),
                // February closes on 2 March: due 12 March (north), 22 March (south).
                billing_run(2, 20230302)});
  require_invariants(*engine);

  // As of 10 March. Not settled:
  //  u-1 Jan: 1000, 300 settled, 700 unpaid, past due 12 Feb: outstanding 700, Expired.
  //  u-1 Feb: 500 unsettled, due 12 Mar: not yet outstanding, Pending.
  //  u-2 Feb: 200 unsettled, Pending. (u-2 Jan was settled at close by the January payment.)
  //  u-3 Jan: 600, Presented, outstanding 600.   u-4 Jan: 450, due 22 Feb, outstanding 450.
  // Settled and left out: u-2 Jan, and the empty February bills of u-3 and u-4.
  const std::string u1_jan =
      "north-u-1-202301|u-1|north|USD|20230101|20230131|20230212|1000|300|700|700|"
      "Partially Settled|Expired|Posted";
  const std::string u1_feb =
      "north-u-1-202302|u-1|north|USD|20230201|20230228|20230312|500|0|500|0|"
      "Unsettled|Pending|Posted";
  const std::string u2_feb =
      "north-u-2-202302|u-2|north|USD|20230201|20230228|20230312|200|0|200|0|"
      "Unsettled|Pending|Posted";
  const std::string u3_jan =
      "north-u-3-202301|u-3|north|USD|20230101|20230131|20230212|600|0|600|600|"
      "Unsettled|Expired|Presented";
  const std::string u4_jan =
      "south-u-4-202301|u-4|south|USD|20230101|20230131|20230222|450|0|450|450|"
      "Unsettled|Expired|Posted";
  auto with_total = [](std::vector<std::string> rows, const std::string& total) {
    rows.push_back("T|Total|||USD|0|0|0|" + total + "|||");
    return rows;
  };
  ReportRequest request = request_for("unpaid");
  request.as_of_day = 20230310;
  ReportTable table = report(*engine, request);
  CHECK(table.as_of_day == 20230310);
  // Totals: billed 1000 + 500 + 200 + 600 + 450 = 2750; settled 300; unpaid 2450;
  // outstanding 700 + 600 + 450 = 1750.
  CHECK(rows_of(table) == with_total({u1_jan, u1_feb, u2_feb, u3_jan, u4_jan}, "2750|300|2450|1750"));

  SECTION("by settlement status") {
    request.status = "Partially Settled";
    CHECK(rows_of(report(*engine, request)) == with_total({u1_jan}, "1000|300|700|700"));
    request.status = "Unsettled";
    CHECK(rows_of(report(*engine, request)) ==
          with_total({u1_feb, u2_feb, u3_jan, u4_jan}, "1750|0|1750|1050"));
    request.status = "Settled";
    CHECK(
        rows_of(report(*engine, request)) ==
        with_total(
            {"north-u-2-202301|u-2|north|USD|20230101|20230131|20230212|800|800|0|0|Settled|Completed|Posted",
             "north-u-3-202302|u-3|north|USD|20230201|20230228|20230312|0|0|0|0|Settled|Completed|Posted",
             "south-u-4-202302|u-4|south|USD|20230201|20230228|20230322|0|0|0|0|Settled|Completed|Posted"},
            "800|800|0|0"));
  }

  SECTION("by lifecycle, overdue, operator, account and bill date") {
    request.lifecycle = "Presented";
    CHECK(rows_of(report(*engine, request)) == with_total({u3_jan}, "600|0|600|600"));
    request.lifecycle.clear();
    request.overdue_only = true;
    CHECK(rows_of(report(*engine, request)) == with_total({u1_jan, u3_jan, u4_jan}, "2050|300|1750|1750"));
    request.overdue_only = false;
    request.operator_filter = "south";
    CHECK(rows_of(report(*engine, request)) == with_total({u4_jan}, "450|0|450|450"));
    request.operator_filter.clear();
    request.account = "u-1";
    CHECK(rows_of(report(*engine, request)) == with_total({u1_jan, u1_feb}, "1500|300|1200|700"));
    request.account.clear();
    request.from_day = 20230301;  // closed in March: the February bills
    request.to_day = 20230331;
    CHECK(rows_of(report(*engine, request)) == with_total({u1_feb, u2_feb}, "700|0|700|0"));
  }

  SECTION("as of a past day: bills closed by then, payments made by then") {
    // 15 February: only January has closed; u-1's payment of 20 February has not come yet.
    request.as_of_day = 20230215;
    CHECK(rows_of(report(*engine, request)) ==
          with_total({"north-u-1-202301|u-1|north|USD|20230101|20230131|20230212|1000|0|1000|1000|"
                      "Unsettled|Expired|Posted",
                      u3_jan,
                      "south-u-4-202301|u-4|south|USD|20230101|20230131|20230222|450|0|450|0|"
                      "Unsettled|Pending|Posted"},
                     "2050|0|2050|1600"));
    request.status = "Partially Settled";
    CHECK(report(*engine, request).rows.empty());
  }

  SECTION("without a day: the latest billing day, the run of 2 March") {
    ReportTable latest = report(*engine, request_for("unpaid"));
    CHECK(latest.as_of_day == 20230302);
    // On 2 March nothing due 12 March is past due yet; the rest is as on 10 March.
    CHECK(rows_of(latest) == rows_of(table));
  }
}

// ---- 6. bad input ------------------------------------------------------------------------------

TEST_CASE("bad report requests are refused with an error naming the option", "[reports][bad-input]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, {configure("north", "USD", 10), open_account("b-1", "north", "USD", 20230101),
                              hosting("b-1", "b1-h", at(20230105), 100), billing_run(1, 20230202)});

  auto refused = [&](const ReportRequest& request, const std::string& option) {
    auto result = try_report(*engine, request);
    INFO(request.report << " should refuse " << option);
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().is_invalid_argument());
    CHECK(result.status().message().rfind(option + ": ", 0) == 0);  // the message starts with it
  };
  const std::vector<std::string> mine{"aging", "credits", "revenue", "transactions", "unpaid"};
  for (const auto& name : mine) {
    ReportRequest request = request_for(name);
    CHECK(try_report(*engine, request).is_ok());  // the same request without the fault is fine

    ReportRequest inverted = request;  // an empty range
    inverted.from_day = 20230301;
    inverted.to_day = 20230228;
    refused(inverted, "from");
    ReportRequest not_a_day = request;
    not_a_day.to_day = 20230230;
    refused(not_a_day, "to");
    ReportRequest bad_as_of = request;
    bad_as_of.as_of_day = 2023;
    refused(bad_as_of, "as_of");
    ReportRequest unknown_operator = request;
    unknown_operator.operator_filter = "nowhere";
    refused(unknown_operator, "operator");
    ReportRequest unknown_account = request;
    unknown_account.account = "b-404";
    refused(unknown_account, "account");
  }
  // A range of one day is not empty.
  ReportRequest one_day = request_for("transactions");
  one_day.from_day = one_day.to_day = 20230105;
  CHECK(report(*engine, one_day).rows.size() == 1);

  ReportRequest revenue = request_for("revenue");
  revenue.basis = "invoice";
  refused(revenue, "basis");
  ReportRequest transactions = request_for("transactions");
  transactions.kind = "Charges";
  refused(transactions, "kind");
  transactions.kind.clear();
  transactions.cursor = "not hex";
  refused(transactions, "cursor");
  transactions.cursor = "00ff";  // hex, but not a line key
  refused(transactions, "cursor");
  transactions.cursor.clear();
  transactions.limit = 0;
  refused(transactions, "limit");
  ReportRequest unpaid = request_for("unpaid");
  unpaid.status = "Paid";
  refused(unpaid, "status");
  refused(request_for("ledger"), "report");
}

}  // namespace ledger::test
