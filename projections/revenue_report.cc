// Billed, earned and deferred revenue (seed 004, BILLING.md section 7), per month and currency.
//
// The lines: charge lines with a service period (service_from_day != 0); the amount A is the
// line's net amount (revenue excludes tax). Its n service months are duration_months when
// given, else the months the period spans counted from its first day (14 Feb..13 Feb next year
// is 12, 1 Oct..31 Oct is 1, 1 Oct..15 Nov is 2), at most 1200 like duration_months.
//
// Basis:
//  - cash (seed 004): only lines of closed bills that are Settled; the line is billed in the
//    month the bill became settled: the time of the allocation that completed its settlement
//    (a payment received before the close carries its own time), or the close for a bill that
//    billed nothing. With an as-of day, only bills closed and allocations dated on or before it.
//  - accrual: every such line, on open previews and closed bills, billed in the month of the
//    line's own time; with an as-of day, only lines dated on or before it.
// Earned: month k (k = 1..n, from the month of service_from_day) earns
// cumulative_share_minor(A, k, n) - cumulative_share_minor(A, k - 1, n), so the months add up
// to A exactly. Deferred at the end of a month from the billed month on: A minus what is earned
// by then (A itself before the service starts); nothing before the billed month.
//
// Rows: the months in [from, to] (by default every month) with any figure that is not zero,
// ordered by month and currency; then a totals row per currency (month "Total"): billed and
// earned summed over the rows, and deferred as it stands at the end of the range's last month
// (a balance, so it is not summed): the to day's month, or without one the last month shown.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "engine/money.h"
#include "projections/invoice_book.h"
#include "projections/invoice_line_pages.h"
#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

constexpr int32_t kServiceMonthsMax = 1200;

//! Months since year 0: year * 12 + month - 1.
int32_t month_of_day(int32_t day) {
  return day / 10000 * 12 + day / 100 % 100 - 1;
}
int32_t first_day_of_month(int32_t month) {
  return month / 12 * 10000 + (month % 12 + 1) * 100 + 1;
}
int32_t last_day_of_month(int32_t month) {
  return add_days(first_day_of_month(month + 1), -1);
}
std::string month_text(int32_t month) {
  return fmt::format("{:04}-{:02}", month / 12, month % 12 + 1);
}

struct MonthFigures {
  int64_t billed_minor = 0;
  int64_t earned_minor = 0;
  int64_t deferred_change_minor = 0;  //!< deferred at the month's end minus at the previous one's
};

struct CurrencyRevenue {
  uint8_t exponent = 0;
  std::map<int32_t, MonthFigures> months;  //!< by month index
};

using Revenue = std::map<std::string, CurrencyRevenue>;

int32_t service_months(const view::InvoiceLine& line) {
  if (line.duration_months() > 0) return std::min(line.duration_months(), kServiceMonthsMax);
  const int32_t from = line.service_from_day();
  const int32_t to = std::max(line.service_to_day(), from);
  int32_t months = month_of_day(to) - month_of_day(from) + (to % 100 >= from % 100 ? 1 : 0);
  return std::clamp(months, 1, kServiceMonthsMax);
}

//! One line's figures: billed in `billed_month`, earned over its service months, deferred from
//! the billed month until earned.
Status add_line(CurrencyRevenue& revenue, const view::InvoiceLine& line, int32_t billed_month) {
  const int64_t amount_minor = line.net_minor();
  const int32_t n = service_months(line);
  const int32_t start_month = month_of_day(line.service_from_day());
  const int32_t earned_by_billing = std::clamp(billed_month - start_month + 1, 0, n);
  MonthFigures& billed = revenue.months[billed_month];
  if (Status added = add_minor(billed.billed_minor, amount_minor, "billed"); !added) return added;
  const int64_t deferred_minor = amount_minor - cumulative_share_minor(amount_minor, earned_by_billing, n);
  if (Status added = add_minor(billed.deferred_change_minor, deferred_minor, "deferred"); !added)
    return added;
  for (int32_t k = 1; k <= n; ++k) {
    const int64_t earned_minor =
        cumulative_share_minor(amount_minor, k, n) - cumulative_share_minor(amount_minor, k - 1, n);
    MonthFigures& month = revenue.months[start_month + k - 1];
    if (Status added = add_minor(month.earned_minor, earned_minor, "earned"); !added) return added;
    if (k <= earned_by_billing) continue;  // earned before it was billed: never deferred
    if (Status added = add_minor(month.deferred_change_minor, -earned_minor, "deferred"); !added)
      return added;
  }
  return Status::ok();
}

//! When the bill became settled (see the file comment), or nullopt when it was not settled by
//! the end of `as_of_day` (0: by now).
std::optional<int64_t> settled_at_us(const view::InvoiceRowT& bill, int32_t as_of_day) {
  const int64_t billed_minor = total_billed_minor(bill);
  if (billed_minor <= 0) return bill.closed_at_us;
  std::vector<std::pair<int64_t, int64_t>> allocations;  // (time, amount)
  for (const auto& allocation : bill.allocations) {
    if (as_of_day != 0 && day_of_time_us(allocation->time_us) > as_of_day) continue;
    allocations.emplace_back(allocation->time_us, allocation->amount_minor);
  }
  std::stable_sort(allocations.begin(), allocations.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  int64_t settled_minor = 0;
  for (const auto& [time_us, amount_minor] : allocations) {
    settled_minor += amount_minor;
    if (settled_minor >= billed_minor) return time_us;
  }
  return std::nullopt;
}

struct RevenueScan {
  const Store& store;
  const ReadSnapshot& snapshot;
  const ReportRequest& request;
  bool cash = true;
  Revenue revenue;
  Status failure;
};

//! The service lines of one invoice; `billed_month` is nullopt on the accrual basis (each
//! line is billed in its own month).
Status add_invoice_lines(RevenueScan& scan, const view::InvoiceRowT& invoice,
                         std::optional<int32_t> billed_month) {
  CurrencyRevenue& revenue = scan.revenue[invoice.currency];
  revenue.exponent = invoice.exponent;
  Status failure;
  Status scanned =
      scan_invoice_lines(scan.store, scan.snapshot, invoice_key(invoice.account, invoice.from_day),
                         [&](std::string_view, const view::InvoiceLine& line, std::string_view) {
                           if (line.kind() != view::LineKind::Charge || line.service_from_day() == 0)
                             return true;
                           if (line.net_minor() == 0) return true;
                           const int32_t day = day_of_time_us(line.time_us());
                           if (!billed_month && scan.request.as_of_day != 0 && day > scan.request.as_of_day)
                             return true;
                           failure = add_line(revenue, line, billed_month.value_or(month_of_day(day)));
                           return failure.is_ok();
                         });
  if (!scanned) return scanned;
  return failure;
}

Status add_invoice(RevenueScan& scan, view::InvoiceRowT& invoice) {
  if (!scan.request.operator_filter.empty() && invoice.operator_ != scan.request.operator_filter)
    return Status::ok();
  if (!scan.cash) return add_invoice_lines(scan, invoice, std::nullopt);
  const int32_t as_of_day = scan.request.as_of_day;
  if (invoice.status != view::InvoiceStatus::Closed) return Status::ok();
  if (as_of_day != 0 && invoice.closed_day > as_of_day) return Status::ok();
  auto settled_us = settled_at_us(invoice, as_of_day);
  if (!settled_us) return Status::ok();
  return add_invoice_lines(scan, invoice, month_of_day(day_of_time_us(*settled_us)));
}

Status scan_invoices(RevenueScan& scan) {
  std::string prefix;
  if (!scan.request.account.empty()) put_terminated(prefix, scan.request.account);
  Status scanned = scan.snapshot.scan(
      scan.store.column_family(InvoiceFamilies::kInvoices), prefix,
      [&](std::string_view, std::string_view value) {
        auto invoice = unpack_row<view::InvoiceRow>(value);
        if (!invoice) {
          scan.failure = Status::corruption("invoices: a row failed the FlatBuffers verifier");
          return false;
        }
        scan.failure = add_invoice(scan, *invoice);
        return scan.failure.is_ok();
      });
  if (!scanned) return scanned;
  return scan.failure;
}

//! One row of the report before it is ordered: (month, currency) -> billed, earned, deferred.
using RevenueRows = std::map<std::tuple<int32_t, std::string>, std::tuple<int64_t, int64_t, int64_t>>;

struct CurrencyTotal {
  int64_t billed_minor = 0;
  int64_t earned_minor = 0;
  int64_t deferred_minor = 0;  //!< at the end of the range's last month
  bool shown = false;
};

//! Walks one currency's months in order, keeping the deferred balance, and keeps the months in
//! the range with a figure.
Status add_currency_rows(const std::string& currency, const CurrencyRevenue& revenue, int32_t from_month,
                         int32_t to_month, RevenueRows& rows, CurrencyTotal& total) {
  if (revenue.months.empty()) return Status::ok();
  int64_t deferred_minor = 0;
  auto next = revenue.months.begin();
  const int32_t last_month = revenue.months.rbegin()->first;
  for (int32_t month = revenue.months.begin()->first; month <= std::min(last_month, to_month); ++month) {
    MonthFigures figures;
    if (next != revenue.months.end() && next->first == month) figures = (next++)->second;
    if (Status added = add_minor(deferred_minor, figures.deferred_change_minor, "deferred"); !added)
      return added;
    if (month < from_month) continue;
    total.deferred_minor = deferred_minor;  // the balance stays as it is after the last change
    if (figures.billed_minor == 0 && figures.earned_minor == 0 && deferred_minor == 0) continue;
    rows[{month, currency}] = {figures.billed_minor, figures.earned_minor, deferred_minor};
    total.shown = true;
    if (Status added = add_minor(total.billed_minor, figures.billed_minor, "billed"); !added) return added;
    if (Status added = add_minor(total.earned_minor, figures.earned_minor, "earned"); !added) return added;
  }
  return Status::ok();
}

Status add_revenue_rows(ReportTable& table, const ReportRequest& request, const Revenue& revenue) {
  const int32_t from_month = request.from_day ? month_of_day(request.from_day) : INT32_MIN;
  const int32_t to_month = request.to_day ? month_of_day(request.to_day) : INT32_MAX - 1;
  RevenueRows rows;
  std::map<std::string, CurrencyTotal> totals;
  for (const auto& [currency, of_currency] : revenue) {
    Status added = add_currency_rows(currency, of_currency, from_month, to_month, rows, totals[currency]);
    if (!added) return added;
  }
  for (const auto& [key, figures] : rows) {
    const auto& [month, currency] = key;
    const uint8_t exponent = revenue.at(currency).exponent;
    const auto& [billed_minor, earned_minor, deferred_minor] = figures;
    table.add_row({Cell::of_text(month_text(month)), Cell::of_text(currency),
                   Cell::of_money(billed_minor, exponent, currency),
                   Cell::of_money(earned_minor, exponent, currency),
                   Cell::of_money(deferred_minor, exponent, currency)});
  }
  for (const auto& [currency, total] : totals) {
    if (!total.shown) continue;
    const uint8_t exponent = revenue.at(currency).exponent;
    table.add_row({Cell::of_text("Total"), Cell::of_text(currency),
                   Cell::of_money(total.billed_minor, exponent, currency),
                   Cell::of_money(total.earned_minor, exponent, currency),
                   Cell::of_money(total.deferred_minor, exponent, currency)},
                  true);
  }
  if (!rows.empty() && request.from_day == 0)
    table.from_day = first_day_of_month(std::get<0>(rows.begin()->first));
  if (!rows.empty() && request.to_day == 0)
    table.to_day = last_day_of_month(std::get<0>(rows.rbegin()->first));
  return Status::ok();
}

}  // namespace

Result<ReportTable> revenue_report(const Store& store, const ReadSnapshot& snapshot,
                                   const ReportRequest& request) {
  if (Status valid = check_request(store, snapshot, request); !valid) return valid;
  if (request.basis != "cash" && request.basis != "accrual") {
    return Status::invalid_argument("basis: '" + request.basis + "' is not one of cash, accrual");
  }
  RevenueScan scan{store, snapshot, request, request.basis == "cash", {}, Status::ok()};
  if (Status scanned = scan_invoices(scan); !scanned) return scanned;

  ReportTable table;
  table.report = "revenue";
  table.title = request.basis == "cash" ? "Revenue (cash basis)" : "Revenue (accrual basis)";
  table.from_day = request.from_day;
  table.to_day = request.to_day;
  table.as_of_day = request.as_of_day;
  table.columns = {{"month", "Month", CellKind::kText},
                   {"currency", "Currency", CellKind::kText},
                   {"billed", "Billed Revenue", CellKind::kMoney},
                   {"earned", "Earned Revenue", CellKind::kMoney},
                   {"deferred", "Deferred Revenue", CellKind::kMoney}};
  if (Status added = add_revenue_rows(table, request, scan.revenue); !added) return added;
  return table;
}

}  // namespace ledger
