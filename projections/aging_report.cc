// Accounts receivable aging (seed 004, BILLING.md section 7): the unpaid remainders of closed
// bills as of a day, by how many days past their due day they are.
//
// The as-of day is request.as_of_day or, when it is 0, the latest day the ledger's bills have
// seen (latest_billing_day: the last billing run, bill close or allocation), the engine's
// "today". A bill counts when it closed on or before that day and had an unpaid remainder at
// the end of it: only allocations dated on or before the day count, so an aging for a past day
// shows what was owed then. Days past due = as_of - due_day: Current (<= 0), 1-30, 31-60,
// 61-90, 90+. Only the bills that owed on the day are read, found by the receivables index
// (receivables.h), so the report's cost follows what is owed, not the length of the history.
//
// Rows: one per account in (operator, account) order; after each operator's accounts a totals
// row per currency (operator, account "Total"); at the end a grand totals row per currency
// (operator "Total").

#include <array>
#include <iterator>
#include <map>
#include <tuple>

#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

constexpr size_t kBucketCount = 5;  // Current, 1-30, 31-60, 61-90, 90+

struct Aged {
  std::array<int64_t, kBucketCount> bucket_minor{};
  int64_t total_minor = 0;
  uint8_t exponent = 0;
};

//! (operator, account, currency): the order the rows come in.
using AgingKey = std::tuple<std::string, std::string, std::string>;

size_t bucket_of(int64_t days_past_due) {
  if (days_past_due <= 0) return 0;
  if (days_past_due <= 30) return 1;
  if (days_past_due <= 60) return 2;
  if (days_past_due <= 90) return 3;
  return 4;
}

Status add_aged(Aged& into, size_t bucket, int64_t amount_minor) {
  if (Status added = add_minor(into.bucket_minor[bucket], amount_minor, "aging"); !added) return added;
  return add_minor(into.total_minor, amount_minor, "aging total");
}

Status add_all(Aged& into, const Aged& from) {
  into.exponent = from.exponent;
  for (size_t bucket = 0; bucket < kBucketCount; ++bucket) {
    if (Status added = add_aged(into, bucket, from.bucket_minor[bucket]); !added) return added;
  }
  return Status::ok();
}

std::vector<Cell> aging_cells(const std::string& operator_id, const std::string& account,
                              const std::string& currency, const Aged& aged) {
  std::vector<Cell> cells{Cell::of_text(operator_id), Cell::of_text(account), Cell::of_text(currency)};
  for (int64_t amount_minor : aged.bucket_minor)
    cells.push_back(Cell::of_money(amount_minor, aged.exponent, currency));
  cells.push_back(Cell::of_money(aged.total_minor, aged.exponent, currency));
  return cells;
}

//! Every account's unpaid remainders on `as_of_day`, by bucket.
Result<std::map<AgingKey, Aged>> age_bills(const Store& store, const ReadSnapshot& snapshot,
                                           const ReportRequest& request, int32_t as_of_day) {
  std::map<AgingKey, Aged> aged;
  Status scanned =
      for_each_bill_owing(store, snapshot, request.account, as_of_day, [&](view::InvoiceRowT& bill) {
        if (!request.operator_filter.empty() && bill.operator_ != request.operator_filter)
          return Status::ok();
        const int64_t unpaid_minor = standing_on_day(bill, as_of_day).unpaid_minor;
        if (unpaid_minor <= 0) return Status::ok();
        Aged& row = aged[{bill.operator_, bill.account, bill.currency}];
        row.exponent = bill.exponent;
        return add_aged(row, bucket_of(days_between(bill.due_day, as_of_day)), unpaid_minor);
      });
  if (!scanned) return scanned;
  return aged;
}

//! The account rows, each operator's totals after its accounts, then the grand totals.
Status add_aging_rows(ReportTable& table, const std::map<AgingKey, Aged>& aged) {
  std::map<std::string, Aged> grand;  // by currency
  std::map<std::string, Aged> of_operator;
  for (auto it = aged.begin(); it != aged.end(); ++it) {
    const auto& [operator_id, account, currency] = it->first;
    table.add_row(aging_cells(operator_id, account, currency, it->second));
    if (Status added = add_all(of_operator[currency], it->second); !added) return added;
    if (Status added = add_all(grand[currency], it->second); !added) return added;
    auto next = std::next(it);
    if (next != aged.end() && std::get<0>(next->first) == operator_id) continue;
    for (const auto& [total_currency, total] : of_operator)
      table.add_row(aging_cells(operator_id, "Total", total_currency, total), true);
    of_operator.clear();
  }
  for (const auto& [currency, total] : grand) table.add_row(aging_cells("Total", "", currency, total), true);
  return Status::ok();
}

}  // namespace

Result<ReportTable> aging_report(const Store& store, const ReadSnapshot& snapshot,
                                 const ReportRequest& request) {
  if (Status valid = check_request(store, snapshot, request); !valid) return valid;
  int32_t as_of_day = request.as_of_day;
  if (as_of_day == 0) {
    auto latest = latest_billing_day(store, snapshot);
    if (!latest) return latest.status();
    as_of_day = *latest;
  }
  auto aged = age_bills(store, snapshot, request, as_of_day);
  if (!aged) return aged.status();

  ReportTable table;
  table.report = "aging";
  table.title = "Accounts Receivable Aging";
  table.as_of_day = as_of_day;
  table.columns = {{"operator", "Operator / Reseller", CellKind::kText},
                   {"account", "Account", CellKind::kText},
                   {"currency", "Currency", CellKind::kText},
                   {"current", "Current", CellKind::kMoney},
                   {"d1_30", "1-30 Days", CellKind::kMoney},
                   {"d31_60", "31-60 Days", CellKind::kMoney},
                   {"d61_90", "61-90 Days", CellKind::kMoney},
                   {"d90_plus", "90+ Days", CellKind::kMoney},
                   {"total", "Total", CellKind::kMoney}};
  if (Status added = add_aging_rows(table, *aged); !added) return added;
  return table;
}

}  // namespace ledger
