// The Billing Summary (seed 000): per operator and currency over a range of days.

#include <map>
#include <tuple>

#include "engine/calendar.h"
#include "engine/counters_merge.h"
#include "engine/currency.h"
#include "engine/key_encoding.h"
#include "projections/billing_summary_counters.h"
#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

struct SummaryRow {
  int64_t billed = 0;
  int64_t collected = 0;
  int64_t received = 0;
  int64_t bills = 0;
};

struct SummaryKey {
  std::string operator_id;
  std::string currency;
  int32_t day = 0;
};

//! Splits "operator \0 currency \0 u32be(day)"; false for a key of another shape.
bool parse_summary_key(std::string_view key, SummaryKey& out) {
  const size_t first = key.find('\0');
  if (first == std::string_view::npos) return false;
  const size_t second = key.find('\0', first + 1);
  if (second == std::string_view::npos || key.size() != second + 5) return false;
  out.operator_id = key.substr(0, first);
  out.currency = key.substr(first + 1, second - first - 1);
  out.day = static_cast<int32_t>(get_be<uint32_t>(key, second + 1));
  return true;
}

//! The month of the latest day with any activity, or the current month of the empty store.
Result<Period> default_range(const ReadSnapshot& snapshot, ColumnFamily summary) {
  int32_t latest = 0;
  Status scanned = snapshot.scan(summary, "", [&](std::string_view key, std::string_view) {
    SummaryKey parsed;
    if (parse_summary_key(key, parsed)) latest = std::max(latest, parsed.day);
    return true;
  });
  if (!scanned) return scanned;
  if (latest == 0) return Period{0, 0};
  const int32_t first = latest / 100 * 100 + 1;
  return Period{first, add_days(add_months(first, 1), -1)};
}

Cell money_cell(int64_t amount_minor, const std::string& currency) {
  auto exponent = currency_exponent(currency);
  return Cell::of_money(amount_minor, exponent ? *exponent : 2, currency);
}

std::vector<Cell> summary_cells(const std::string& operator_id, const std::string& currency,
                                const SummaryRow& row) {
  return {Cell::of_text(operator_id),          Cell::of_text(currency),
          Cell::of_integer(row.bills),         money_cell(row.billed, currency),
          money_cell(row.collected, currency), money_cell(row.billed - row.collected, currency),
          money_cell(row.received, currency)};
}

}  // namespace

Result<ReportTable> billing_summary_report(const Store& store, const ReadSnapshot& snapshot,
                                           const ReportRequest& request) {
  ColumnFamily summary = store.column_family(kBillingSummaryColumnFamily);
  if (Status known = check_operator(store, snapshot, request.operator_filter); !known) return known;
  Period range{request.from_day, request.to_day};
  if (range.from_day == 0 && range.to_day == 0) {
    auto latest = default_range(snapshot, summary);
    if (!latest) return latest.status();
    range = *latest;
  } else if (range.from_day == 0 || range.to_day == 0) {
    return Status::invalid_argument(std::string(range.from_day == 0 ? "from" : "to") +
                                    ": a range needs both --from and --to");
  }
  ReportRequest bounded = request;
  bounded.from_day = range.from_day;
  bounded.to_day = range.to_day;
  if (Status valid = check_range(bounded); !valid) return valid;
  std::map<std::tuple<std::string, std::string>, SummaryRow> rows;
  Status scanned = snapshot.scan(summary, "", [&](std::string_view key, std::string_view value) {
    SummaryKey parsed;
    if (!parse_summary_key(key, parsed) || !range.contains(parsed.day)) return true;
    if (!request.operator_filter.empty() && parsed.operator_id != request.operator_filter) return true;
    std::vector<int64_t> fields = decode_counters(value, kSummaryFieldCount);
    SummaryRow& row = rows[{parsed.operator_id, parsed.currency}];
    row.billed += fields[kBilled];
    row.collected += fields[kCollected];
    row.received += fields[kReceived];
    row.bills += fields[kBillsClosed];
    return true;
  });
  if (!scanned) return scanned;

  ReportTable table;
  table.report = "summary";
  table.title = "Billing Summary";
  table.from_day = range.from_day;
  table.to_day = range.to_day;
  table.columns = {{"operator", "Operator / Reseller", CellKind::kText},
                   {"currency", "Currency", CellKind::kText},
                   {"bills", "Bills", CellKind::kInteger},
                   {"total_billed", "Total Billed", CellKind::kMoney},
                   {"total_collected", "Total Collected", CellKind::kMoney},
                   {"outstanding", "Outstanding Balance", CellKind::kMoney},
                   {"received", "Received in Range", CellKind::kMoney}};
  std::map<std::string, SummaryRow> totals;
  for (const auto& [key, row] : rows) {
    const auto& [operator_id, currency] = key;
    table.add_row(summary_cells(operator_id, currency, row));
    SummaryRow& total = totals[currency];
    total.billed += row.billed;
    total.collected += row.collected;
    total.received += row.received;
    total.bills += row.bills;
  }
  for (const auto& [currency, total] : totals) table.add_row(summary_cells("Total", currency, total), true);
  return table;
}

}  // namespace ledger
