// Unpaid invoices (seed 004's "unpaid orders", BILLING.md section 7): the closed bills not fully
// settled, or those of the settlement status asked for; filterable by lifecycle state, overdue,
// operator, account and the day they closed (the bill date) in [from, to].
//
// Settlement is computed as of a day, request.as_of_day or, when it is 0, the latest day the
// ledger's bills have seen (latest_billing_day): bills closed after it are left out, and only
// allocations dated on or before it count, as in the aging report. Overdue = an unpaid
// remainder past the due day on that day (outstanding > 0). The lifecycle state filtered on is
// the bill's current one.
//
// Rows in (account, period) order, then a totals row per currency (invoice_number "Total").

#include <map>

#include "projections/invoice_book.h"
#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

struct UnpaidTotals {
  int64_t billed_minor = 0;
  int64_t settled_minor = 0;
  int64_t unpaid_minor = 0;
  int64_t outstanding_minor = 0;
  uint8_t exponent = 0;
};

Status check_status(const std::string& status) {
  if (status.empty() || status == "Settled" || status == "Partially Settled" || status == "Unsettled")
    return Status::ok();
  return Status::invalid_argument("status: '" + status +
                                  "' is not one of Settled, Partially Settled, Unsettled");
}

bool wanted(const ReportRequest& request, const view::InvoiceRowT& bill, const BillStanding& standing) {
  if (!request.operator_filter.empty() && bill.operator_ != request.operator_filter) return false;
  if (!in_range(request, bill.closed_day)) return false;
  if (!request.lifecycle.empty() && bill.lifecycle_state != request.lifecycle) return false;
  if (request.overdue_only && standing.outstanding_minor <= 0) return false;
  if (request.status.empty()) return standing.settlement != "Settled";
  return standing.settlement == request.status;
}

std::vector<Cell> unpaid_cells(const view::InvoiceRowT& bill, const BillStanding& standing) {
  const int64_t billed_minor = total_billed_minor(bill);
  auto money = [&](int64_t amount_minor) {
    return Cell::of_money(amount_minor, bill.exponent, bill.currency);
  };
  return {Cell::of_text(bill.invoice_number),
          Cell::of_text(bill.account),
          Cell::of_text(bill.operator_),
          Cell::of_text(bill.currency),
          Cell::of_day(bill.from_day),
          Cell::of_day(bill.to_day),
          Cell::of_day(bill.due_day),
          money(billed_minor),
          money(bill.settled_minor),
          money(standing.unpaid_minor),
          money(standing.outstanding_minor),
          Cell::of_text(standing.settlement),
          Cell::of_text(standing.payment_request),
          Cell::of_text(bill.lifecycle_state)};
}

std::vector<Cell> total_cells(const std::string& currency, const UnpaidTotals& totals) {
  auto money = [&](int64_t amount_minor) { return Cell::of_money(amount_minor, totals.exponent, currency); };
  return {Cell::of_text("Total"),
          Cell::of_text(""),
          Cell::of_text(""),
          Cell::of_text(currency),
          Cell::of_day(0),
          Cell::of_day(0),
          Cell::of_day(0),
          money(totals.billed_minor),
          money(totals.settled_minor),
          money(totals.unpaid_minor),
          money(totals.outstanding_minor),
          Cell::of_text(""),
          Cell::of_text(""),
          Cell::of_text("")};
}

Status add_to_totals(UnpaidTotals& totals, const view::InvoiceRowT& bill, const BillStanding& standing) {
  totals.exponent = bill.exponent;
  if (Status added = add_minor(totals.billed_minor, total_billed_minor(bill), "total_billed"); !added)
    return added;
  if (Status added = add_minor(totals.settled_minor, bill.settled_minor, "settled"); !added) return added;
  if (Status added = add_minor(totals.unpaid_minor, standing.unpaid_minor, "unpaid"); !added) return added;
  return add_minor(totals.outstanding_minor, standing.outstanding_minor, "outstanding");
}

//! The bills' rows, in key order, and the sums per currency.
Status add_unpaid_rows(const Store& store, const ReadSnapshot& snapshot, const ReportRequest& request,
                       int32_t as_of_day, ReportTable& table, std::map<std::string, UnpaidTotals>& totals) {
  auto add = [&](view::InvoiceRowT& bill) {
    const BillStanding standing = standing_on_day(bill, as_of_day);  // settled_minor as of the day
    if (!wanted(request, bill, standing)) return Status::ok();
    table.add_row(unpaid_cells(bill, standing));
    return add_to_totals(totals[bill.currency], bill, standing);
  };
  // Every status but Settled is a bill that owed on the day: only those are read.
  if (request.status == "Settled")
    return for_each_closed_bill(store, snapshot, request.account, as_of_day, add);
  return for_each_bill_owing(store, snapshot, request.account, as_of_day, add);
}

}  // namespace

Result<ReportTable> unpaid_report(const Store& store, const ReadSnapshot& snapshot,
                                  const ReportRequest& request) {
  if (Status valid = check_request(store, snapshot, request); !valid) return valid;
  if (Status status = check_status(request.status); !status) return status;
  int32_t as_of_day = request.as_of_day;
  if (as_of_day == 0) {
    auto latest = latest_billing_day(store, snapshot);
    if (!latest) return latest.status();
    as_of_day = *latest;
  }

  ReportTable table;
  table.report = "unpaid";
  table.title = "Unpaid Invoices";
  table.from_day = request.from_day;
  table.to_day = request.to_day;
  table.as_of_day = as_of_day;
  table.columns = {{"invoice_number", "Invoice", CellKind::kText},
                   {"account", "Account", CellKind::kText},
                   {"operator", "Operator / Reseller", CellKind::kText},
                   {"currency", "Currency", CellKind::kText},
                   {"from", "From", CellKind::kDay},
                   {"to", "To", CellKind::kDay},
                   {"due", "Due", CellKind::kDay},
                   {"total_billed", "Total Billed", CellKind::kMoney},
                   {"settled", "Settled", CellKind::kMoney},
                   {"unpaid", "Unpaid", CellKind::kMoney},
                   {"outstanding", "Outstanding", CellKind::kMoney},
                   {"settlement", "Settlement", CellKind::kText},
                   {"payment_request", "Payment Request", CellKind::kText},
                   {"lifecycle", "Lifecycle", CellKind::kText}};
  std::map<std::string, UnpaidTotals> totals;
  if (Status added = add_unpaid_rows(store, snapshot, request, as_of_day, table, totals); !added)
    return added;
  for (const auto& [currency, total] : totals) table.add_row(total_cells(currency, total), true);
  return table;
}

}  // namespace ledger
