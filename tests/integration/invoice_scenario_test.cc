// Invoices by scenario (BILLING.md sections 5 and 6, seeds 001, 002 and 003): a postpaid month
// closed by a scheduled billing run, overpayments carried as credit, a final bill, a bulk manual
// close, replay, bad input, the bill lifecycle and classification; then the rules at their
// edges (unique numbers, periods that follow each other, credits allocated oldest first) and a
// check that the invoice invariants notice a damaged view. Every expected figure is worked out
// by hand in the comments, never read back from the engine.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_line_pages.h"
#include "projections/invoice_queries.h"
#include "projections/row_codec.h"
#include "tests/support/invoice_invariants.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

using Json = nlohmann::json;

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kHourUs = 3'600'000'000;

//! UTC microseconds of `hour`:`minute` on a YYYYMMDD day.
int64_t at(int32_t day, int hour = 12, int minute = 0) {
  return days_since_epoch(day) * kDayUs + hour * kHourUs + minute * 60'000'000LL;
}

std::string event(const std::string& id, const std::string& account, int64_t time_us, const std::string& kind,
                  Json body) {
  Json e{{"id", id}, {"time_us", time_us}, {"body_type", kind}, {"body", std::move(body)}};
  if (!account.empty()) e["account"] = account;
  return e.dump();
}

Json tax_rate(const std::string& service_type, const std::string& code, int64_t rate_ppm) {
  return {{"service_type", service_type}, {"code", code}, {"name", code}, {"rate_ppm", rate_ppm}};
}

std::string configure(const std::string& op, const std::string& format, int terms_days,
                      int64_t max_bill_minor, int64_t max_credit_minor, Json tax_rates = Json::array()) {
  Json body{{"operator", op},
            {"name", op + " networks"},
            {"currency", "USD"},
            {"invoice_number_format", format},
            {"payment_terms_days", terms_days},
            {"max_bill_amount_minor", max_bill_minor},
            {"max_credit_amount_minor", max_credit_minor},
            {"tax_rates", std::move(tax_rates)}};
  return event(op + ":config", "", at(20260930, 9), "OperatorConfigured", std::move(body));
}

std::string open_account(const std::string& account, const std::string& op, int invoice_day, int32_t day) {
  Json body{{"operator", op},
            {"name", "Customer " + account},
            {"currency", "USD"},
            {"credit_limit_minor", 1'000'000},
            {"invoice_day", invoice_day}};
  return event(account + ":opened", account, at(day, 1), "AccountOpened", std::move(body));
}

std::string charge(const std::string& account, const std::string& charge_id, int64_t time_us, Json body) {
  body["charge_id"] = charge_id;
  if (!body.contains("service_type")) body["service_type"] = "hosting";
  return event("billing:" + charge_id, account, time_us, "Charge", std::move(body));
}

//! A one-unit charge of service type `hosting`, which the operators here do not tax.
std::string hosting(const std::string& account, const std::string& charge_id, int64_t time_us,
                    int64_t amount_minor) {
  return charge(account, charge_id, time_us,
                {{"description", "Hosting " + charge_id}, {"unit_price_micro", amount_minor * 10'000}});
}

std::string cdr(const std::string& account, const std::string& call_id, int64_t time_us,
                const std::string& destination, int duration_s, int64_t cost_micro) {
  Json body{{"call_id", call_id},
            {"calling", "+15550100"},
            {"called", "+447700900123"},
            {"destination", destination},
            {"start_us", time_us - duration_s * 1'000'000LL},
            {"duration_s", duration_s},
            {"cost_micro", cost_micro}};
  return event("rating:" + call_id, account, time_us, "Cdr", std::move(body));
}

std::string payment(const std::string& account, const std::string& payment_id, int64_t time_us,
                    int64_t amount_minor) {
  Json body{{"payment_id", payment_id},
            {"amount_minor", amount_minor},
            {"method", "card"},
            {"reference", "VISA 4242"}};
  return event("psp:" + payment_id, account, time_us, "Payment", std::move(body));
}

std::string credit_note(const std::string& account, const std::string& note_id, int64_t time_us,
                        int64_t amount_minor, const std::string& invoice_number = "") {
  Json body{{"credit_note_id", note_id}, {"amount_minor", amount_minor}, {"description", "SLA credit"}};
  if (!invoice_number.empty()) body["invoice_number"] = invoice_number;
  return event("billing:" + note_id, account, time_us, "CreditNote", std::move(body));
}

std::string correction(const std::string& account, const std::string& correction_id, int64_t time_us,
                       int64_t amount_minor, const std::string& approved_by = "m.lopez") {
  Json body{{"correction_id", correction_id},
            {"amount_minor", amount_minor},
            {"description", amount_minor > 0 ? "Late payment fee" : "Outage goodwill"},
            {"approved_by", approved_by},
            {"approved_at_us", time_us - kHourUs}};
  return event("billing:" + correction_id, account, time_us, "Correction", std::move(body));
}

std::string tax_adjustment(const std::string& account, const std::string& id, int64_t time_us,
                           const std::string& charge_id, int64_t amount_minor) {
  Json body{{"charge_id", charge_id},
            {"code", "CITY"},
            {"name", "City tax refund"},
            {"amount_minor", amount_minor}};
  return event("billing:" + id, account, time_us, "TaxAdjustment", std::move(body));
}

std::string billing_run(int64_t run_number, int32_t as_of_day, const std::string& kind = "Scheduled",
                        const std::string& op = "", std::vector<std::string> accounts = {},
                        const std::string& id = "") {
  Json body{{"run_number", run_number}, {"as_of_day", as_of_day}, {"kind", kind}};
  if (!op.empty()) body["operator"] = op;
  if (!accounts.empty()) body["accounts"] = accounts;
  return event(id.empty() ? fmt::format("scheduler:run-{}", run_number) : id, "", at(as_of_day, 6),
               "BillingRun", std::move(body));
}

std::string bill_state(const std::string& account, const std::string& id, const std::string& number,
                       const std::string& state, int64_t time_us) {
  return event(id, account, time_us, "BillStateChanged",
               {{"invoice_number", number}, {"state", state}, {"note", "by the portal"}});
}

std::string account_closed(const std::string& account, int64_t time_us) {
  return event(account + ":closed", account, time_us, "AccountClosed", {{"reason", "Moved out of the area"}});
}

// ---- reading the views back -------------------------------------------------------------

InvoiceDetail bill(Engine& engine, const std::string& number, int32_t as_of_day = 0) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto found = query_invoice(engine.store(), snapshot, number, as_of_day);
  INFO(number);
  REQUIRE(found.is_ok());
  REQUIRE(found->has_value());
  return std::move(**found);
}

std::vector<InvoiceDetail> bills(Engine& engine, const std::string& account) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  InvoiceFilter filter;
  filter.account = account;
  filter.status = "Closed";
  auto found = query_invoices(engine.store(), snapshot, filter);
  REQUIRE(found.is_ok());
  return std::move(*found);
}

std::vector<InvoiceDetail> previews(Engine& engine, const std::string& account) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto found = query_previews(engine.store(), snapshot, account);
  REQUIRE(found.is_ok());
  return std::move(*found);
}

int64_t balance_of(Engine& engine, const std::string& account) {
  return balances_by_account(engine).at(account);
}

//! Reason of every rejected event, by event id.
std::map<std::string, std::string> rejection_reasons(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto rows = query_rejections(engine.store(), snapshot, SIZE_MAX);
  REQUIRE(rows.is_ok());
  std::map<std::string, std::string> reasons;
  for (const auto& row : *rows) reasons[row.event_id] = row.reason;
  return reasons;
}

//! Every row of every view column family but the rejections, by family and key.
std::map<std::string, std::string> rows_except_rejections(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  std::map<std::string, std::string> rows;
  for (ColumnFamily cf : engine.store().view_column_families()) {
    if (cf->GetName() == "rejections") continue;
    Status scanned = snapshot.scan(cf, "", [&](std::string_view key, std::string_view value) {
      rows[cf->GetName() + '/' + std::string(key)] = std::string(value);
      return true;
    });
    REQUIRE(scanned.is_ok());
  }
  return rows;
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
}

struct Usage {
  int calls = 0;
  int64_t seconds = 0;
  int64_t amount_minor = 0;
  bool operator==(const Usage&) const = default;
};

//! The usage table of seed 001: CDR lines summed per destination.
std::map<std::string, Usage> usage_of(const std::vector<view::InvoiceLineT>& lines) {
  std::map<std::string, Usage> usage;
  for (const auto& line : lines) {
    if (line.kind != view::LineKind::Usage) continue;
    Usage& u = usage[line.destination];
    u.calls += 1;
    u.seconds += line.duration_s;
    u.amount_minor += line.amount_minor;
  }
  return usage;
}

//! The taxes table: every line's taxes summed per code.
std::map<std::string, int64_t> taxes_of(const std::vector<view::InvoiceLineT>& lines) {
  std::map<std::string, int64_t> taxes;
  for (const auto& line : lines) {
    for (const auto& tax : line.taxes) taxes[tax->code] += tax->amount_minor;
  }
  return taxes;
}

const view::InvoiceLineT& line_of(const std::vector<view::InvoiceLineT>& lines, const std::string& event_id) {
  for (const auto& line : lines) {
    if (line.event_id == event_id) return line;
  }
  FAIL("no line of event " << event_id);
  throw std::logic_error("unreachable");
}

std::vector<std::string> lifecycle_states(const view::InvoiceRowT& invoice) {
  std::vector<std::string> states;
  for (const auto& change : invoice.lifecycle_history) states.push_back(change->state);
  return states;
}

const Json kAcmeTaxes =
    Json::array({tax_rate("internet", "VAT20", 200'000), tax_rate("usage", "VAT10", 100'000)});
const std::string kAcme =
    configure("acme", "INV-{account}-{yyyy}{mm}-{seq:4}", 14, 1'000'000, 500'000, kAcmeTaxes);

}  // namespace

TEST_CASE("a postpaid month: lines, a grace-day CDR, the scheduled close, settlement and a late CDR",
          "[invoices][scenario]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  // Sanity of the test's own clock: 2026-10-01T00:00:00Z.
  REQUIRE(at(20261001, 0) == 1'790'812'800'000'000);

  ingest_json_lines(*engine,
                    {kAcme, open_account("acc-1", "acme", 1, 20261001),
                     // 1.000 x 39.99 = 3999, - 500 discount = 3499 net; VAT20 699.8 -> 700; line 4199.
                     charge("acc-1", "chg-fibre-10", at(20261002, 10),
                            {{"description", "Fibre 300 Mbps, October"},
                             {"service_type", "internet"},
                             {"subscription_id", "sub-1"},
                             {"subscription_name", "Fibre 300"},
                             {"subscription_status", "Active"},
                             {"quantity_milli", 1000},
                             {"unit_price_micro", 39'990'000},
                             {"duration_months", 1},
                             {"discount_minor", 500},
                             {"service_from_day", 20261001},
                             {"service_to_day", 20261031}}),
                     // 2.500 x 1.234567 = 3.0864175 USD = 308.64175 -> 309; VAT20 61.8 -> 62; line 371.
                     charge("acc-1", "chg-ip-10", at(20261003, 11),
                            {{"description", "Static IPv4 addresses"},
                             {"service_type", "internet"},
                             {"subscription_id", "sub-2"},
                             {"subscription_name", "Static IP"},
                             {"subscription_status", "Active"},
                             {"quantity_milli", 2500},
                             {"unit_price_micro", 1'234'567}}),
                     // 0.123456 USD = 12.3456 -> 12; VAT10 1.2 -> 1; line 13.
                     cdr("acc-1", "c-1", at(20261005, 9), "UK Mobile", 60, 123'456),
                     // 2.125 USD = 212.5 -> 212 (half-even); VAT10 21.2 -> 21; line 233.
                     cdr("acc-1", "c-2", at(20261012, 14), "UK Mobile", 750, 2'125'000),
                     // 0.055 USD = 5.5 -> 6 (half-even); VAT10 0.6 -> 1; line 7.
                     cdr("acc-1", "c-3", at(20261018, 8), "France Fixed", 95, 55'000),
                     tax_adjustment("acc-1", "taxadj-1", at(20261015, 16), "chg-fibre-10", -100),
                     correction("acc-1", "corr-up", at(20261016, 10), 250),
                     correction("acc-1", "corr-down", at(20261017, 10), -300),
                     credit_note("acc-1", "cn-1", at(20261019, 10), 400),
                     payment("acc-1", "pay-1", at(20261020, 10), 2000)});
  // 4199 + 371 + 13 + 233 + 7 - 100 + 250 - 300 - 400 - 2000 = 2273.
  CHECK(balance_of(*engine, "acc-1") == 2273);
  require_invariants(*engine);

  // The first of November: November's fee, then a CDR of 31 October 23:50 that reached the
  // ledger after it (the grace days), then a run as of the 1st, which is too early to close.
  ingest_json_lines(*engine, {charge("acc-1", "chg-fibre-11", at(20261101, 0, 30),
                                     {{"description", "Fibre 300 Mbps, November"},
                                      {"service_type", "internet"},
                                      {"subscription_id", "sub-1"},
                                      {"subscription_name", "Fibre 300"},
                                      {"subscription_status", "Active"},
                                      {"quantity_milli", 1000},
                                      {"unit_price_micro", 39'990'000},
                                      {"duration_months", 1},
                                      {"discount_minor", 500}}),
                              // 0.305 USD = 30.5 -> 30 (half-even); VAT10 3.0 -> 3; line 33.
                              cdr("acc-1", "c-4", at(20261031, 23, 50), "France Fixed", 300, 305'000),
                              billing_run(1, 20261101)});
  {
    auto open = previews(*engine, "acc-1");
    REQUIRE(open.size() == 2);
    CHECK(open[0].invoice.from_day == 20261001);
    CHECK(open[0].invoice.to_day == 20261031);
    CHECK(open[0].lines.size() == 11);
    CHECK_FALSE(line_of(open[0].lines, "rating:c-4").late);
    CHECK(open[1].invoice.from_day == 20261101);
    CHECK(open[1].invoice.to_day == 20261130);
    CHECK(bills(*engine, "acc-1").empty());
  }

  // Seed 001: closed on the second day of the next period.
  ingest_json_lines(*engine, {billing_run(2, 20261102)});
  const std::string number = "INV-acc-1-202610-0001";
  InvoiceDetail october = bill(*engine, number);
  const auto& row = october.invoice;
  CHECK(row.account == "acc-1");
  CHECK(row.operator_ == "acme");
  CHECK(row.currency == "USD");
  CHECK(row.status == view::InvoiceStatus::Closed);
  CHECK(row.from_day == 20261001);
  CHECK(row.to_day == 20261031);
  CHECK(row.close_type == "Scheduled");
  CHECK(row.run_number == 2);
  CHECK(row.run_as_of_day == 20261102);
  CHECK(row.closed_day == 20261102);
  CHECK(row.due_day == 20261116);  // 2 November + 14 days
  CHECK(row.lifecycle_state == "Posted");
  CHECK(row.classification == "Normal");
  CHECK(row.balance_brought_forward_minor == 0);
  // Debited: 4199 + 371 + 13 + 233 + 7 + 33 (c-4) - 100 (tax refund) + 250 (▲) = 5006.
  CHECK(row.total_debited_minor == 5006);
  // Credited: 300 (▼) + 400 (credit note) = 700.
  CHECK(row.total_credited_minor == 700);
  CHECK(october.total_billed_minor == 4306);  // 5006 - 700
  CHECK(row.total_paid_minor == 2000);
  CHECK(october.total_to_pay_minor == 2306);  // 0 + 4306 - 2000
  CHECK(row.late_line_count == 0);
  REQUIRE(october.lines.size() == 11);

  // Charges table: #, description, quantity, duration, unit price, discount, taxes, amount.
  const auto& fibre = line_of(october.lines, "billing:chg-fibre-10");
  CHECK(fibre.kind == view::LineKind::Charge);
  CHECK(fibre.description == "Fibre 300 Mbps, October");
  CHECK(fibre.quantity_milli == 1000);
  CHECK(fibre.duration_months == 1);
  CHECK(fibre.unit_price_micro == 39'990'000);
  CHECK(fibre.discount_minor == 500);
  CHECK(fibre.tax_minor == 700);
  CHECK(fibre.amount_minor == 4199);
  const auto& ip = line_of(october.lines, "billing:chg-ip-10");
  CHECK(ip.net_minor == 309);
  CHECK(ip.tax_minor == 62);
  CHECK(ip.amount_minor == 371);
  CHECK(ip.subscription_id == "sub-2");
  CHECK(fibre.subscription_name == "Fibre 300");
  CHECK(fibre.subscription_status == "Active");

  // Usage table, summed here from the lines: UK Mobile 2 calls, 60 + 750 s, 13 + 233;
  // France Fixed 2 calls, 95 + 300 s, 7 + 33.
  std::map<std::string, Usage> expected_usage{{"UK Mobile", {2, 810, 246}}, {"France Fixed", {2, 395, 40}}};
  CHECK(usage_of(october.lines) == expected_usage);
  // Taxes of two service types: VAT20 700 + 62, VAT10 1 + 21 + 1 + 3, and the manager's refund.
  std::map<std::string, int64_t> expected_taxes{{"VAT20", 762}, {"VAT10", 26}, {"CITY", -100}};
  CHECK(taxes_of(october.lines) == expected_taxes);

  // Corrections: ▲ raises the debt, ▼ lowers it; both approved.
  CHECK(line_of(october.lines, "billing:corr-up").amount_minor == 250);
  CHECK(line_of(october.lines, "billing:corr-down").amount_minor == -300);
  CHECK(line_of(october.lines, "billing:corr-down").approved_at_us == at(20261017, 9));
  CHECK(line_of(october.lines, "billing:cn-1").amount_minor == -400);
  CHECK(line_of(october.lines, "psp:pay-1").amount_minor == -2000);

  // Settlement: the 2000 paid during the period settles 2000 of 4306 at close.
  CHECK(row.settled_minor == 2000);
  BillStanding on_due = bill_standing(row, 20261116);
  CHECK(on_due.settlement == "Partially Settled");
  CHECK(on_due.payment_request == "Pending");
  CHECK(on_due.outstanding_minor == 0);
  CHECK(on_due.unsettled_minor == 2306);  // 4306 - 2000
  BillStanding after_due = bill_standing(row, 20261117);
  CHECK(after_due.settlement == "Partially Settled");
  CHECK(after_due.payment_request == "Expired");
  CHECK(after_due.outstanding_minor == 2306);
  CHECK(after_due.unsettled_minor == 2306);

  // The next preview carries 2306; with November's 4199 and the grace CDR's 33 already booked
  // the balance is 2273 + 4199 + 33 = 6505 = 2306 + 4199.
  {
    auto open = previews(*engine, "acc-1");
    REQUIRE(open.size() == 1);
    CHECK(open[0].invoice.from_day == 20261101);
    CHECK(open[0].invoice.balance_brought_forward_minor == 2306);
    REQUIRE(open[0].lines.size() == 1);
    CHECK(open[0].lines[0].event_id == "billing:chg-fibre-11");
    CHECK(balance_of(*engine, "acc-1") == 6505);
  }

  // The close is announced once, under a deterministic id.
  {
    ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
    auto notices = query_notifications(engine->store(), snapshot, SIZE_MAX);
    REQUIRE(notices.is_ok());
    int found = 0;
    for (const auto& notice : *notices) {
      if (notice.kind != view::NotificationKind::InvoiceClosed) continue;
      ++found;
      CHECK(notice.notification_id == "invoice-closed/" + number);
      CHECK(notice.invoice_number == number);
      CHECK(notice.total_to_pay_minor == 2306);
    }
    CHECK(found == 1);
  }
  require_invariants(*engine);

  // A CDR of 15 October arriving after the close: its period is closed, so it goes to the
  // open preview, marked late, keeping its own time. 1.00 USD = 100; VAT10 10; line 110.
  ingest_json_lines(*engine, {cdr("acc-1", "c-5", at(20261015, 12), "UK Mobile", 120, 1'000'000)});
  {
    auto open = previews(*engine, "acc-1");
    REQUIRE(open.size() == 1);
    REQUIRE(open[0].lines.size() == 2);
    CHECK(open[0].lines[1].event_id == "rating:c-5");
    CHECK(open[0].lines[1].late);
    CHECK(open[0].lines[1].time_us == at(20261015, 12));
    CHECK(open[0].lines[1].amount_minor == 110);
    CHECK(open[0].invoice.late_line_count == 1);
    CHECK(balance_of(*engine, "acc-1") == 6615);  // 6505 + 110
    InvoiceDetail unchanged = bill(*engine, number);
    CHECK(unchanged.invoice.total_debited_minor == 5006);
    CHECK(unchanged.lines.size() == 11);
  }
  require_invariants(*engine);
}

TEST_CASE("an overpayment is carried as credit and settles the next bills at close", "[invoices][scenario]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  // Invoice day 15: periods run from the 15th to the 14th.
  ingest_json_lines(*engine, {kAcme, open_account("acc-2", "acme", 15, 20261015),
                              hosting("acc-2", "chg-h-1", at(20261016, 10), 10'000),
                              payment("acc-2", "pay-1", at(20261020, 10), 15'000)});
  CHECK(balance_of(*engine, "acc-2") == -5000);  // 10000 - 15000

  // 14 November + 2 days: the run of the 16th closes [15 Oct .. 14 Nov].
  ingest_json_lines(*engine, {billing_run(1, 20261116)});
  InvoiceDetail first = bill(*engine, "INV-acc-2-202610-0001");
  CHECK(first.invoice.from_day == 20261015);
  CHECK(first.invoice.to_day == 20261114);
  CHECK(first.total_billed_minor == 10'000);
  CHECK(first.invoice.total_paid_minor == 15'000);
  CHECK(first.total_to_pay_minor == -5000);  // 0 + 10000 - 15000
  CHECK(first.invoice.settled_minor == 10'000);
  CHECK(bill_standing(first.invoice, 20261201).settlement == "Settled");
  CHECK(bill_standing(first.invoice, 20261201).payment_request == "Completed");
  CHECK(bill_standing(first.invoice, 20261201).outstanding_minor == 0);
  CHECK(previews(*engine, "acc-2").at(0).invoice.balance_brought_forward_minor == -5000);
  require_invariants(*engine);

  // Next period: 3000 billed, nothing paid. The 5000 left over settles it at close.
  ingest_json_lines(*engine, {hosting("acc-2", "chg-h-2", at(20261120, 10), 3000), billing_run(2, 20261216)});
  InvoiceDetail second = bill(*engine, "INV-acc-2-202611-0002");
  CHECK(second.invoice.from_day == 20261115);
  CHECK(second.invoice.to_day == 20261214);
  CHECK(second.invoice.balance_brought_forward_minor == -5000);
  CHECK(second.total_billed_minor == 3000);
  CHECK(second.invoice.total_paid_minor == 0);
  CHECK(second.total_to_pay_minor == -2000);  // -5000 + 3000 - 0
  CHECK(second.invoice.due_day == 20261230);  // 16 December + 14
  CHECK(second.invoice.settled_minor == 3000);
  BillStanding later = bill_standing(second.invoice, 20261231);
  CHECK(later.settlement == "Settled");
  CHECK(later.payment_request == "Completed");
  CHECK(later.outstanding_minor == 0);
  CHECK(balance_of(*engine, "acc-2") == -2000);

  // The third bill, 4000, uses up the last 2000 of credit and is partially settled.
  ingest_json_lines(*engine, {hosting("acc-2", "chg-h-3", at(20261220, 10), 4000), billing_run(3, 20270116)});
  InvoiceDetail third = bill(*engine, "INV-acc-2-202612-0003");
  CHECK(third.invoice.balance_brought_forward_minor == -2000);
  CHECK(third.total_to_pay_minor == 2000);  // -2000 + 4000
  CHECK(third.invoice.settled_minor == 2000);
  CHECK(third.invoice.due_day == 20270130);
  CHECK(bill_standing(third.invoice, 20270130).payment_request == "Pending");
  CHECK(bill_standing(third.invoice, 20270131).payment_request == "Expired");
  CHECK(bill_standing(third.invoice, 20270131).settlement == "Partially Settled");
  CHECK(bill_standing(third.invoice, 20270131).outstanding_minor == 2000);  // 4000 - 2000
  require_invariants(*engine);
}

TEST_CASE("closing an account issues a final bill; a later payment settles it", "[invoices][scenario]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, {kAcme, open_account("acc-3", "acme", 1, 20261001),
                              hosting("acc-3", "chg-h-1", at(20261005, 10), 5000),
                              // 1.00 USD = 100; VAT10 10; line 110.
                              cdr("acc-3", "c-1", at(20261010, 10), "UK Mobile", 30, 1'000'000),
                              account_closed("acc-3", at(20261020, 10))});
  // Seed 002: the final bill, closed at once, its period cut on the day of closing.
  InvoiceDetail final_bill = bill(*engine, "INV-acc-3-202610-0001");
  CHECK(final_bill.invoice.close_type == "Final");
  CHECK(final_bill.invoice.from_day == 20261001);
  CHECK(final_bill.invoice.to_day == 20261020);
  CHECK(final_bill.invoice.closed_day == 20261020);
  CHECK(final_bill.invoice.run_number == 0);
  CHECK(final_bill.invoice.due_day == 20261103);  // 20 October + 14
  CHECK(final_bill.total_billed_minor == 5110);   // 5000 + 110
  CHECK(final_bill.total_to_pay_minor == 5110);
  CHECK(bill_standing(final_bill.invoice, 20261103).settlement == "Unsettled");
  CHECK(bill_standing(final_bill.invoice, 20261103).payment_request == "Pending");
  CHECK(bill_standing(final_bill.invoice, 20261104).payment_request == "Expired");
  CHECK(bill_standing(final_bill.invoice, 20261104).outstanding_minor == 5110);
  {
    auto open = previews(*engine, "acc-3");
    REQUIRE(open.size() == 1);
    CHECK(open[0].invoice.from_day == 20261021);
    CHECK(open[0].invoice.to_day == 20261031);
    CHECK(open[0].invoice.balance_brought_forward_minor == 5110);
  }
  require_invariants(*engine);

  // A closed account takes no new charges, but its payment lands in the new preview and
  // settles the final bill.
  ingest_json_lines(*engine, {hosting("acc-3", "chg-h-2", at(20261022, 10), 700),
                              payment("acc-3", "pay-1", at(20261025, 10), 5110)});
  CHECK(rejection_reasons(*engine)["billing:chg-h-2"] == "account_closed");
  auto open = previews(*engine, "acc-3");
  REQUIRE(open.size() == 1);
  REQUIRE(open[0].lines.size() == 1);
  CHECK(open[0].lines[0].event_id == "psp:pay-1");
  CHECK_FALSE(open[0].lines[0].late);
  InvoiceDetail settled = bill(*engine, "INV-acc-3-202610-0001", 20261104);
  CHECK(settled.invoice.settled_minor == 5110);
  REQUIRE(settled.standing.has_value());
  CHECK(settled.standing->settlement == "Settled");
  CHECK(settled.standing->payment_request == "Completed");
  CHECK(settled.standing->outstanding_minor == 0);
  CHECK(balance_of(*engine, "acc-3") == 0);  // 5110 - 5110
  require_invariants(*engine);
}

TEST_CASE("a manual run filtered by operator closes only that operator's previews, cut at its day",
          "[invoices][scenario]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 1);  // one partition: sequences are predictable
  ingest_json_lines(
      *engine,
      {configure("north", "N{yyyy}{mm}-{seq:4}", 10, 0, 0), configure("south", "S-{seq}", 30, 0, 0),
       open_account("n-1", "north", 1, 20261001), open_account("n-2", "north", 1, 20261001),
       open_account("s-1", "south", 1, 20261001), hosting("n-1", "chg-1", at(20261003, 10), 1200),
       hosting("n-2", "chg-2", at(20261004, 10), 750), hosting("s-1", "chg-3", at(20261005, 10), 2000),
       billing_run(7, 20261018, "Manual", "north")});
  // A format naming neither {partition} nor {account}: partition p of P issues p+1, p+1+P, ...
  // so the two numbers differ and keep the format's shape.
  REQUIRE(bills(*engine, "n-1").size() == 1);
  REQUIRE(bills(*engine, "n-2").size() == 1);
  InvoiceDetail n1 = bill(*engine, bills(*engine, "n-1")[0].invoice.invoice_number);
  InvoiceDetail n2 = bill(*engine, bills(*engine, "n-2")[0].invoice.invoice_number);
  CHECK(n1.invoice.invoice_number.starts_with("N202610-"));
  CHECK(n2.invoice.invoice_number.starts_with("N202610-"));
  CHECK(n1.invoice.invoice_number.size() == std::string("N202610-0001").size());
  CHECK(n1.invoice.invoice_number != n2.invoice.invoice_number);
  for (const auto* b : {&n1, &n2}) {
    CHECK(b->invoice.close_type == "Manual");
    CHECK(b->invoice.from_day == 20261001);
    CHECK(b->invoice.to_day == 20261018);
    CHECK(b->invoice.closed_day == 20261018);
    CHECK(b->invoice.run_number == 7);
    CHECK(b->invoice.due_day == 20261028);  // 18 October + 10
  }
  CHECK(n1.invoice.account == "n-1");
  CHECK(n1.total_to_pay_minor == 1200);
  CHECK(n2.invoice.account == "n-2");
  CHECK(n2.total_to_pay_minor == 750);
  for (const auto& [account, carried] : std::map<std::string, int64_t>{{"n-1", 1200}, {"n-2", 750}}) {
    auto open = previews(*engine, account);
    REQUIRE(open.size() == 1);
    CHECK(open[0].invoice.from_day == 20261019);
    CHECK(open[0].invoice.to_day == 20261031);
    CHECK(open[0].invoice.balance_brought_forward_minor == carried);
  }
  CHECK(bills(*engine, "s-1").empty());
  {
    auto open = previews(*engine, "s-1");
    REQUIRE(open.size() == 1);
    CHECK(open[0].invoice.from_day == 20261001);
    CHECK(open[0].invoice.to_day == 20261031);
  }
  require_invariants(*engine);

  // The rest of October, then the scheduled run closes every open period that ended.
  ingest_json_lines(*engine, {hosting("n-1", "chg-4", at(20261025, 10), 300), billing_run(8, 20261102)});
  REQUIRE(bills(*engine, "n-1").size() == 2);
  InvoiceDetail n1_rest = bills(*engine, "n-1")[1];
  CHECK(n1_rest.invoice.account == "n-1");
  CHECK(n1_rest.invoice.from_day == 20261019);
  CHECK(n1_rest.invoice.to_day == 20261031);
  CHECK(n1_rest.invoice.balance_brought_forward_minor == 1200);
  CHECK(n1_rest.total_to_pay_minor == 1500);  // 1200 + 300
  CHECK(bills(*engine, "n-2").size() == 2);
  REQUIRE(bills(*engine, "s-1").size() == 1);
  InvoiceDetail s1 = bills(*engine, "s-1")[0];
  CHECK(s1.invoice.invoice_number.starts_with("S-"));
  CHECK(s1.invoice.from_day == 20261001);
  CHECK(s1.invoice.to_day == 20261031);
  CHECK(s1.total_to_pay_minor == 2000);
  CHECK(s1.invoice.due_day == 20261202);  // 2 November + 30

  // A manual run filtered by account closes that account alone.
  ingest_json_lines(*engine, {billing_run(9, 20261105, "Manual", "", {"s-1"})});
  REQUIRE(bills(*engine, "s-1").size() == 2);
  InvoiceDetail s1_cut = bills(*engine, "s-1")[1];
  CHECK(s1_cut.invoice.from_day == 20261101);
  CHECK(s1_cut.invoice.to_day == 20261105);
  CHECK(previews(*engine, "s-1").at(0).invoice.from_day == 20261106);
  CHECK(previews(*engine, "n-1").at(0).invoice.from_day == 20261101);
  CHECK(previews(*engine, "n-1").at(0).invoice.to_day == 20261130);
  require_invariants(*engine);
}

namespace {

//! A few months of three accounts with every kind of line, runs and a final bill.
std::vector<std::vector<std::string>> replay_workload() {
  std::vector<std::vector<std::string>> batches;
  batches.push_back({kAcme, open_account("r-1", "acme", 1, 20261001),
                     open_account("r-2", "acme", 12, 20261001), open_account("r-3", "acme", 28, 20261001)});
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) {
    const int32_t day = add_days(20261002, i);
    const std::string account = fmt::format("r-{}", 1 + i % 3);
    lines.push_back(cdr(account, fmt::format("call-{}", i), at(day, 9), i % 2 ? "UK Mobile" : "France Fixed",
                        30 + i, 10'000 * (i + 1) + 5000));
    if (i % 7 == 0) lines.push_back(hosting(account, fmt::format("h-{}", i), at(day, 10), 1000 + i));
    if (i % 9 == 0) lines.push_back(payment(account, fmt::format("p-{}", i), at(day, 11), 1500));
    if (i % 11 == 0)
      lines.push_back(correction(account, fmt::format("x-{}", i), at(day, 12), i % 2 ? 75 : -60));
    if (i % 13 == 0) lines.push_back(credit_note(account, fmt::format("n-{}", i), at(day, 13), 90));
    if (day == 20261102 || day == 20261202) lines.push_back(billing_run(day, day));
    if (day == 20261115) lines.push_back(billing_run(5, day, "Manual", "", {"r-2"}));
    if (day == 20261120) lines.push_back(account_closed("r-3", at(day, 14)));
    if (i % 20 == 19) {
      batches.push_back(std::move(lines));
      lines.clear();
    }
  }
  lines.push_back(cdr("r-1", "late-call", at(20261010, 9), "UK Mobile", 40, 77'777));
  batches.push_back(std::move(lines));
  return batches;
}

//! Number, period and lines of every invoice of an account, as text, for comparing stores.
std::string invoices_text(Engine& engine, const std::string& account) {
  std::string text;
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  InvoiceFilter filter;
  filter.account = account;
  auto all = query_invoices(engine.store(), snapshot, filter);
  REQUIRE(all.is_ok());
  for (const auto& detail : *all) {
    const auto& row = detail.invoice;
    text += fmt::format("{} [{}..{}] {} {}\n", row.invoice_number, row.from_day, row.to_day,
                        detail.total_billed_minor, detail.total_to_pay_minor);
    if (row.invoice_number.empty()) continue;
    for (const auto& line : bill(engine, row.invoice_number).lines) {
      text += fmt::format("  {} {} {} {}\n", line.seq, line.event_id, line.amount_minor, line.late);
    }
  }
  return text;
}

std::string cli_digest(const std::string& data_dir) {
  CommandResult result = run_ledger("--data '" + data_dir + "' digest");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  REQUIRE(result.out.size() >= 32);
  return result.out.substr(0, 32);
}

}  // namespace

TEST_CASE("a replay of the log gives the same invoice numbers, lines and digest",
          "[invoices][scenario][replay]") {
  TempDir dir;
  const std::string data = dir.sub("data");
  const std::string replayed = dir.sub("replayed");
  std::map<std::string, std::string> original;
  {
    auto engine = open_engine(data);
    for (const auto& batch : replay_workload()) ingest_json_lines(*engine, batch);
    require_invariants(*engine);
    for (const char* account : {"r-1", "r-2", "r-3"}) original[account] = invoices_text(*engine, account);
    CHECK(bills(*engine, "r-3").size() >= 2);  // the October bill and the final bill
  }
  CommandResult replay = run_ledger("--data '" + data + "' replay --into '" + replayed + "'");
  INFO(replay.err);
  REQUIRE(replay.exit_code == 0);
  const std::string digest = cli_digest(data);
  CHECK(replay.out.find(digest) != std::string::npos);
  CHECK(cli_digest(replayed) == digest);

  auto engine = open_engine(replayed);
  for (const auto& [account, text] : original) {
    INFO(account);
    CHECK(invoices_text(*engine, account) == text);
  }
  require_invariants(*engine);
}

TEST_CASE("bad invoice input is rejected with its reason and changes nothing else",
          "[invoices][scenario][bad-input]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 1);  // one partition: sequences are predictable
  ingest_json_lines(
      *engine, {kAcme, open_account("acc-6", "acme", 1, 20261001), open_account("acc-7", "acme", 1, 20261001),
                hosting("acc-6", "chg-6", at(20261005, 10), 1000),
                hosting("acc-7", "chg-7", at(20261005, 10), 2000), billing_run(1, 20261102)});
  const std::string mine = "INV-acc-6-202610-0001";
  const std::string theirs = "INV-acc-7-202610-0002";  // acc-7 is billed after acc-6
  bill(*engine, mine);
  bill(*engine, theirs);
  const auto before = rows_except_rejections(*engine);

  ingest_json_lines(*engine,
                    {bill_state("acc-6", "portal:unknown", "INV-NOPE-1", "Presented", at(20261103)),
                     // Posted -> Presented and Confirmed skips Presented.
                     bill_state("acc-6", "portal:skip", mine, "Presented and Confirmed", at(20261103)),
                     bill_state("acc-6", "portal:theirs", theirs, "Presented", at(20261103)),
                     correction("acc-6", "corr-unapproved", at(20261103), 500, ""),
                     tax_adjustment("acc-6", "taxadj-unknown", at(20261103), "chg-nope", 50),
                     credit_note("acc-6", "cn-theirs", at(20261103), 100, theirs),
                     event("erp:theirs", "acc-6", at(20261103), "ErpApproved",
                           {{"invoice_number", theirs},
                            {"external_total_minor", 1},
                            {"external_currency", "EUR"},
                            {"approved_at_us", at(20261103)}}),
                     billing_run(1, 20261202, "Scheduled", "", {}, "scheduler:run-1-again")});
  auto reasons = rejection_reasons(*engine);
  CHECK(reasons["portal:unknown"] == "unknown_invoice");
  CHECK(reasons["portal:skip"] == "invalid_transition");
  CHECK(reasons["portal:theirs"] == "unknown_invoice");
  CHECK(reasons["billing:corr-unapproved"] == "unapproved_correction");
  CHECK(reasons["billing:taxadj-unknown"] == "unknown_charge");
  CHECK(reasons["billing:cn-theirs"] == "unknown_invoice");
  CHECK(reasons["erp:theirs"] == "unknown_invoice");
  CHECK(reasons["scheduler:run-1-again"] == "duplicate_run_number");
  CHECK(reasons.size() == 8);
  const auto after = rows_except_rejections(*engine);
  CHECK(after.size() == before.size());
  CHECK(after == before);
  CHECK(bill(*engine, mine).invoice.lifecycle_state == "Posted");
  require_invariants(*engine);
}

TEST_CASE("the bill lifecycle: presented, printed, confirmed; ERP approval and communications",
          "[invoices][scenario][lifecycle]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, {kAcme, open_account("acc-7", "acme", 1, 20261001),
                              hosting("acc-7", "chg-7", at(20261005, 10), 5029), billing_run(1, 20261102)});
  const std::string number = "INV-acc-7-202610-0001";
  ingest_json_lines(*engine, {bill_state("acc-7", "portal:presented", number, "Presented", at(20261103, 9)),
                              bill_state("acc-7", "printer:printed", number, "Printed", at(20261103, 10))});
  CHECK(bill(*engine, number).invoice.lifecycle_state == "Printed");
  ingest_json_lines(
      *engine, {bill_state("acc-7", "portal:confirmed", number, "Presented and Confirmed", at(20261104, 9)),
                event("erp:approved", "acc-7", at(20261105, 9), "ErpApproved",
                      {{"invoice_number", number},
                       {"external_total_minor", 4650},
                       {"external_currency", "EUR"},
                       {"approved_at_us", at(20261105, 8)}}),
                event("mailer:msg-1", "acc-7", at(20261103, 9, 5), "CommunicationLogged",
                      {{"invoice_number", number},
                       {"channel", "email"},
                       {"subject", "Your invoice " + number},
                       {"sent_at_us", at(20261103, 9)}}),
                // Confirmed is final in the core lifecycle: it cannot turn into Rejected.
                bill_state("acc-7", "portal:rejected", number, "Presented and Rejected", at(20261106, 9))});
  InvoiceDetail b = bill(*engine, number);
  CHECK(b.invoice.lifecycle_state == "Presented and Confirmed");
  CHECK(lifecycle_states(b.invoice) ==
        std::vector<std::string>{"Posted", "Presented", "Printed", "Presented and Confirmed"});
  CHECK(b.invoice.external_total_minor == 4650);
  CHECK(b.invoice.external_currency == "EUR");
  CHECK(b.invoice.erp_approved_at_us == at(20261105, 8));
  REQUIRE(b.invoice.communications.size() == 1);
  CHECK(b.invoice.communications[0]->channel == "email");
  CHECK(b.invoice.communications[0]->subject == "Your invoice " + number);
  CHECK(b.invoice.communications[0]->sent_at_us == at(20261103, 9));
  CHECK(rejection_reasons(*engine)["portal:rejected"] == "invalid_transition");
  // The platform total does not depend on the external one (seed 001).
  CHECK(b.total_billed_minor == 5029);
  CHECK(b.total_to_pay_minor == 5029);
  require_invariants(*engine);
}

TEST_CASE("bills above the operator's thresholds are classified", "[invoices][scenario]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 1);  // one partition: sequences are predictable
  ingest_json_lines(
      *engine,
      {configure("cls", "C-{account}-{seq}", 7, 10'000, 5000), open_account("big", "cls", 1, 20261001),
       open_account("edge", "cls", 1, 20261001), open_account("credit", "cls", 1, 20261001),
       open_account("credit-edge", "cls", 1, 20261001), hosting("big", "chg-big", at(20261005), 10'001),
       hosting("edge", "chg-edge", at(20261005), 10'000),
       credit_note("credit", "cn-credit", at(20261005), 5001),
       credit_note("credit-edge", "cn-edge", at(20261005), 5000), billing_run(1, 20261102)});
  // One sequence, in account order: big 1, credit 2, credit-edge 3, edge 4.
  // 10001 > 10000: too high. 10000 is not above the threshold.
  CHECK(bill(*engine, "C-big-1").invoice.classification == "Max Credit Limit Amount Reached");
  CHECK(bill(*engine, "C-edge-4").invoice.classification == "Normal");
  // Billed -5001: a credit larger than 5000. -5000 is not larger.
  CHECK(bill(*engine, "C-credit-2").total_billed_minor == -5001);
  CHECK(bill(*engine, "C-credit-2").invoice.classification == "Max Credit Amount Reached");
  CHECK(bill(*engine, "C-credit-edge-3").invoice.classification == "Normal");
  require_invariants(*engine);
}

TEST_CASE("a charge's explicit empty tax list means no tax; no list means the operator's rates",
          "[invoices][scenario][taxes]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  const Json rates = Json::array({tax_rate("internet", "VAT20", 200'000)});
  ingest_json_lines(
      *engine,
      {configure("tax", "T-{account}-{seq}", 7, 0, 0, rates), open_account("exempt", "tax", 1, 20261001),
       open_account("taxed", "tax", 1, 20261001), open_account("listed", "tax", 1, 20261001),
       charge("exempt", "chg-exempt", at(20261005),
              {{"service_type", "internet"}, {"unit_price_micro", 10'000'000}, {"taxes", Json::array()}}),
       charge("taxed", "chg-taxed", at(20261005),
              {{"service_type", "internet"}, {"unit_price_micro", 10'000'000}}),
       charge("listed", "chg-listed", at(20261005),
              {{"service_type", "internet"},
               {"unit_price_micro", 10'000'000},
               {"taxes", Json::array({{{"code", "CITY"}, {"name", "City"}, {"amount_minor", 30}}})}})});
  // 10.00 net each: no tax at all; 20% VAT of the operator (2.00); the one tax listed (0.30).
  const auto balances = balances_by_account(*engine);
  CHECK(balances.at("exempt") == 1000);
  CHECK(balances.at("taxed") == 1200);
  CHECK(balances.at("listed") == 1030);
  require_invariants(*engine);
}

TEST_CASE("invoice numbers stay unique whatever the operator's format", "[invoices][scenario][numbers]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 1);
  SECTION("two operators share a format") {
    // Resellers commonly copy a format; BILLING.md section 5 says numbers are unique regardless.
    ingest_json_lines(
        *engine,
        {configure("alpha", "INV-{yyyy}{mm}-{seq:4}", 14, 0, 0),
         configure("beta", "INV-{yyyy}{mm}-{seq:4}", 14, 0, 0), open_account("a-1", "alpha", 1, 20261001),
         open_account("b-1", "beta", 1, 20261001), hosting("a-1", "chg-a", at(20261005), 1000),
         hosting("b-1", "chg-b", at(20261005), 2000), billing_run(1, 20261102)});
    auto a = bills(*engine, "a-1");
    auto b = bills(*engine, "b-1");
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].invoice.invoice_number != b[0].invoice.invoice_number);
    CHECK(bill(*engine, a[0].invoice.invoice_number).invoice.account == "a-1");
    CHECK(bill(*engine, b[0].invoice.invoice_number).invoice.account == "b-1");
  }
  SECTION("a monthly format without a sequence meets a manual close") {
    // One bill a month per account is the usual case, but a manual close makes two in October.
    ingest_json_lines(
        *engine,
        {configure("gamma", "{account}-{yyyy}{mm}", 14, 0, 0), open_account("g-1", "gamma", 1, 20261001),
         hosting("g-1", "chg-1", at(20261005), 1000), billing_run(1, 20261015, "Manual", "gamma"),
         hosting("g-1", "chg-2", at(20261020), 2000), billing_run(2, 20261102)});
    auto g = bills(*engine, "g-1");
    REQUIRE(g.size() == 2);
    CHECK(g[0].invoice.invoice_number != g[1].invoice.invoice_number);
    CHECK(bill(*engine, g[0].invoice.invoice_number).invoice.from_day == 20261001);
    CHECK(bill(*engine, g[1].invoice.invoice_number).invoice.from_day == 20261016);
  }
  require_invariants(*engine);
}

TEST_CASE("a month with no preview yet still gets its own period and bill", "[invoices][scenario][periods]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  // A charge dated 1 December reaches the ledger in October (billed ahead), before any
  // November line exists.
  ingest_json_lines(
      *engine,
      {kAcme, open_account("acc-g", "acme", 1, 20261001), hosting("acc-g", "chg-oct", at(20261005), 1000),
       hosting("acc-g", "chg-dec", at(20261201, 9), 4000), billing_run(1, 20261102),
       // A November call: its period (1..30 November) has never been closed.
       cdr("acc-g", "c-nov", at(20261110), "UK Mobile", 60, 1'000'000), billing_run(2, 20261202)});
  require_invariants(*engine);
  // Expected: October, then November [1..30] holding the call (not late), each closed by its run.
  auto closed = bills(*engine, "acc-g");
  REQUIRE(closed.size() == 2);
  CHECK(closed[0].invoice.from_day == 20261001);
  CHECK(closed[0].invoice.to_day == 20261031);
  CHECK(closed[1].invoice.from_day == 20261101);
  CHECK(closed[1].invoice.to_day == 20261130);
  auto november = bill(*engine, closed[1].invoice.invoice_number);
  REQUIRE(november.lines.size() == 1);
  CHECK(november.lines[0].event_id == "rating:c-nov");
  CHECK_FALSE(november.lines[0].late);
  CHECK(november.total_billed_minor == 110);  // 100 + VAT10 10
}

TEST_CASE("a credit bill's surplus settles older unpaid bills first", "[invoices][scenario][settlement]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  ingest_json_lines(*engine, {kAcme, open_account("acc-c", "acme", 1, 20261001),
                              hosting("acc-c", "chg-1", at(20261005), 1000), billing_run(1, 20261102),
                              // November: only a credit note of 1500, so the November bill is -1500.
                              credit_note("acc-c", "cn-1", at(20261110), 1500), billing_run(2, 20261202)});
  auto closed = bills(*engine, "acc-c");
  REQUIRE(closed.size() == 2);
  CHECK(closed[1].total_billed_minor == -1500);
  CHECK(closed[1].total_to_pay_minor == -500);  // 1000 - 1500: the customer owes nothing
  // BILLING.md section 6: payments and credits are allocated oldest first and only what is left
  // is unallocated. The October bill (1000, due 16 November) is therefore settled by the credit.
  BillStanding october = bill_standing(bill(*engine, closed[0].invoice.invoice_number).invoice, 20261203);
  CHECK(october.settlement == "Settled");
  CHECK(october.outstanding_minor == 0);
  require_invariants(*engine);
}

TEST_CASE("a manual close as of a past day leaves the lines dated after it to the next period",
          "[invoices][scenario][periods]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"));
  // The operator closes the account's preview as of 15 October on the 21st, when a call of the
  // 20th is already booked.
  ingest_json_lines(*engine, {kAcme, open_account("acc-m", "acme", 1, 20261001),
                              hosting("acc-m", "chg-1", at(20261005), 1000),
                              // 1.00 USD = 100; VAT10 10; line 110.
                              cdr("acc-m", "c-20", at(20261020), "UK Mobile", 60, 1'000'000),
                              billing_run(1, 20261015, "Manual", "acme")});
  auto closed = bills(*engine, "acc-m");
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].invoice.from_day == 20261001);
  CHECK(closed[0].invoice.to_day == 20261015);
  // BILLING.md section 5: a line goes to the period that contains its time. The bill of
  // [1..15 October] holds the charge of the 5th only; the call of the 20th is in [16..31].
  CHECK(closed[0].total_billed_minor == 1000);
  auto open = previews(*engine, "acc-m");
  REQUIRE(open.size() == 1);
  CHECK(open[0].invoice.from_day == 20261016);
  CHECK(open[0].invoice.balance_brought_forward_minor == 1000);
  CHECK(open[0].lines.size() == 1);
  CHECK(balance_of(*engine, "acc-m") == 1110);  // 1000 + 110
  require_invariants(*engine);
}

namespace {

//! Rewrites one stored view row behind the projector's back, to prove a checker notices.
template <typename Row>
void tamper(Engine& engine, const char* column_family, const std::string& key,
            const std::function<void(typename Row::NativeTableType&)>& change) {
  ColumnFamily cf = engine.store().column_family(column_family);
  std::string bytes;
  REQUIRE(engine.store().db()->Get(rocksdb::ReadOptions(), cf, key, &bytes).ok());
  auto row = unpack_row<Row>(bytes);
  REQUIRE(row.has_value());
  change(*row);
  REQUIRE(engine.store().db()->Put(rocksdb::WriteOptions(), cf, key, encode_row(*row)).ok());
}

//! Rewrites the first line of the page of invoice lines at `key`, behind the projector's back.
void tamper_first_line(Engine& engine, const std::string& key,
                       const std::function<void(view::InvoiceLineT&)>& change) {
  ColumnFamily cf = engine.store().column_family("invoice_lines");
  std::string page;
  REQUIRE(engine.store().db()->Get(rocksdb::ReadOptions(), cf, key, &page).ok());
  std::string rewritten;
  bool first = true;
  Status walked =
      for_each_page_line(key, page, [&](std::string_view, const view::InvoiceLine& line, std::string_view) {
        view::InvoiceLineT native;
        line.UnPackTo(&native);
        if (first) change(native);
        first = false;
        rewritten += line_record(native);
        return true;
      });
  REQUIRE(walked.is_ok());
  REQUIRE(!first);
  REQUIRE(engine.store().db()->Put(rocksdb::WriteOptions(), cf, key, rewritten).ok());
}

bool mentions(const std::vector<std::string>& violations, const std::string& tag) {
  for (const auto& v : violations) {
    if (v.starts_with(tag)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the invoice invariants notice a damaged view", "[invoices][scenario][invariants]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 1);
  ingest_json_lines(
      *engine, {kAcme, open_account("acc-t", "acme", 1, 20261001), open_account("acc-u", "acme", 1, 20261001),
                hosting("acc-t", "chg-1", at(20261005), 1000), payment("acc-t", "pay-1", at(20261006), 400),
                hosting("acc-u", "chg-2", at(20261005), 700), billing_run(1, 20261102),
                hosting("acc-t", "chg-3", at(20261105), 300)});
  REQUIRE(check_invoice_invariants(*engine).empty());
  const std::string october = invoice_key("acc-t", 20261001);
  const std::string november = invoice_key("acc-t", 20261101);
  SECTION("a bill's total no longer matches its lines") {
    tamper<view::InvoiceRow>(*engine, "invoices", october, [](auto& row) { row.total_debited_minor += 1; });
    CHECK(mentions(check_invoice_invariants(*engine), "(a)"));
  }
  SECTION("a preview brings forward the wrong balance") {
    tamper<view::InvoiceRow>(*engine, "invoices", november,
                             [](auto& row) { row.balance_brought_forward_minor -= 1; });
    auto violations = check_invoice_invariants(*engine);
    CHECK(mentions(violations, "(b)"));
    CHECK(mentions(violations, "(c)"));
  }
  SECTION("a line's running balance is off") {
    tamper_first_line(*engine, invoice_line_key("acc-t", 20261101, 1),
                      [](auto& line) { line.running_balance_minor += 5; });
    CHECK(mentions(check_invoice_invariants(*engine), "(f)"));
  }
  SECTION("a bill is settled beyond what it billed") {
    tamper<view::InvoiceRow>(*engine, "invoices", october, [](auto& row) { row.settled_minor = 1001; });
    CHECK(mentions(check_invoice_invariants(*engine), "(e)"));
  }
  SECTION("a number leads to another account's bill") {
    ColumnFamily numbers = engine->store().column_family("invoice_numbers");
    REQUIRE(
        engine->store()
            .db()
            ->Put(rocksdb::WriteOptions(), numbers, "INV-acc-t-202610-0001", invoice_key("acc-u", 20261001))
            .ok());
    CHECK(mentions(check_invoice_invariants(*engine), "(d)"));
  }
  SECTION("a line sits outside its period") {
    tamper_first_line(*engine, invoice_line_key("acc-t", 20261101, 1),
                      [](auto& line) { line.time_us = at(20261215); });
    CHECK(mentions(check_invoice_invariants(*engine), "(g)"));
  }
  SECTION("a charge line is priced wrong") {
    tamper_first_line(*engine, invoice_line_key("acc-t", 20261101, 1),
                      [](auto& line) { line.net_minor += 1; });
    CHECK(mentions(check_invoice_invariants(*engine), "(h)"));
  }
  SECTION("unallocated credit does not add up") {
    tamper<view::BillingStateRow>(*engine, "billing_state", billing_state_key(0, "acc-t"),
                                  [](auto& row) { row.unallocated_credit_minor += 1; });
    CHECK(mentions(check_invoice_invariants(*engine), "(i)"));
  }
}

}  // namespace ledger::test
