#pragma once

// What the reports share, so that every report checks a request the same way: the range, the
// as-of day, the operator and the account, each refused with InvalidArgument naming the option
// ("from", "to", "as_of", "operator", "account"); and the day a report is computed for, with what
// had been paid by then. Header-only: the reports are the only users.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/calendar.h"
#include "engine/read_snapshot.h"
#include "engine/status.h"
#include "engine/store.h"
#include "projections/accounts.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_queries.h"
#include "projections/operators.h"
#include "projections/receivables.h"
#include "projections/report_table.h"
#include "projections/row_codec.h"

namespace ledger {

//! A given day (0 = not given) that is not a calendar day is an error naming `field`.
inline Status check_report_day(int32_t day, std::string_view field) {
  if (day == 0 || is_valid_day(day)) return Status::ok();
  return Status::invalid_argument(std::string(field) + ": " + std::to_string(day) +
                                  " is not a calendar day (YYYYMMDD)");
}

//! The range [from_day, to_day]: either bound may be left out (0: unbounded on that side); a
//! bound that is not a calendar day, or a from_day after the to_day (an empty range), is an error.
inline Status check_range(const ReportRequest& request) {
  if (Status from = check_report_day(request.from_day, "from"); !from) return from;
  if (Status to = check_report_day(request.to_day, "to"); !to) return to;
  if (request.from_day != 0 && request.to_day != 0 && request.from_day > request.to_day) {
    return Status::invalid_argument("from: " + format_day(request.from_day) + " is after to " +
                                    format_day(request.to_day) + ": the range is empty");
  }
  return Status::ok();
}

//! True when `day` lies in the request's range (a missing bound does not limit).
inline bool in_range(const ReportRequest& request, int32_t day) {
  return (request.from_day == 0 || day >= request.from_day) && (request.to_day == 0 || day <= request.to_day);
}

//! An operator filter must name a configured operator. Operators are broadcast, so partition 0
//! knows every one.
inline Status check_operator(const Store& store, const ReadSnapshot& snapshot, std::string_view operator_id) {
  if (operator_id.empty()) return Status::ok();
  auto found = snapshot.get(store.column_family(OperatorsView::kColumnFamily), operator_key(0, operator_id));
  if (!found) return found.status();
  if (!found->has_value()) {
    return Status::invalid_argument("operator: '" + std::string(operator_id) + "' was never configured");
  }
  return Status::ok();
}

//! An account filter must name an opened account.
inline Status check_account(const Store& store, const ReadSnapshot& snapshot, std::string_view account) {
  if (account.empty()) return Status::ok();
  auto found = snapshot.get(store.column_family(AccountsView::kColumnFamily), account);
  if (!found) return found.status();
  if (!found->has_value()) {
    return Status::invalid_argument("account: '" + std::string(account) + "' was never opened");
  }
  return Status::ok();
}

//! The range, the as-of day, the operator and the account of a request, in that order.
inline Status check_request(const Store& store, const ReadSnapshot& snapshot, const ReportRequest& request) {
  if (Status range = check_range(request); !range) return range;
  if (Status as_of = check_report_day(request.as_of_day, "as_of"); !as_of) return as_of;
  if (Status known = check_operator(store, snapshot, request.operator_filter); !known) return known;
  return check_account(store, snapshot, request.account);
}

//! total += amount_minor, or Overflow naming `what`: a report's sums span many accounts, so
//! they are checked like every other sum of money.
inline Status add_minor(int64_t& total, int64_t amount_minor, std::string_view what) {
  if (__builtin_add_overflow(total, amount_minor, &total)) {
    return Status::overflow(std::string(what) + ": the sum does not fit in int64");
  }
  return Status::ok();
}

//! What had been allocated to `bill` by the end of `day`: the allocations dated on or before it.
//! An allocation carries the time of the money that made it (a payment received before the
//! close settles the bill as of the payment's day), so a report for a past day sees the bill
//! as it stood then, not as later payments left it.
inline int64_t settled_by_day(const view::InvoiceRowT& bill, int32_t day) {
  int64_t settled_minor = 0;
  for (const auto& allocation : bill.allocations) {
    if (day_of_time_us(allocation->time_us) <= day) settled_minor += allocation->amount_minor;
  }
  return std::min(settled_minor, bill.settled_minor);
}

//! bill_standing on `day` counting only what had been allocated by then. `bill` is a copy the
//! caller owns: its settled_minor is set to that amount.
inline BillStanding standing_on_day(view::InvoiceRowT& bill, int32_t day) {
  bill.settled_minor = settled_by_day(bill, day);
  return bill_standing(bill, day);
}

//! The latest day the ledger has seen in its bills: the as-of day of the last billing run, the
//! close day of the last bill and the day of the last allocation to a bill; 0 for a ledger with
//! none. The engine never reads a clock, so this is a report's "today" when none is asked for.
inline Result<int32_t> latest_billing_day(const Store& store, const ReadSnapshot& snapshot) {
  bool damaged = false;
  int32_t latest = 0;
  Status runs = snapshot.scan(store.column_family(InvoiceFamilies::kRuns), "",
                              [&](std::string_view, std::string_view value) {
                                const auto* run = decode_row<view::BillingRunRow>(value);
                                damaged = run == nullptr;
                                if (!damaged) latest = std::max(latest, run->as_of_day());
                                return !damaged;
                              });
  if (!runs) return runs;
  if (damaged)
    return Status::corruption(std::string(InvoiceFamilies::kRuns) +
                              ": a row failed the FlatBuffers verifier");
  auto bills = latest_receivable_day(store, snapshot);
  if (!bills) return bills.status();
  return std::max(latest, *bills);
}

//! Calls `visit` with every bill closed on or before `as_of_day`, of `account` (or of every
//! account when empty), in (account, period) order, until it returns a failure.
inline Status for_each_closed_bill(const Store& store, const ReadSnapshot& snapshot, std::string_view account,
                                   int32_t as_of_day,
                                   const std::function<Status(view::InvoiceRowT&)>& visit) {
  Status failure;
  std::string prefix;
  if (!account.empty()) put_terminated(prefix, account);
  Status scanned = snapshot.scan(
      store.column_family(InvoiceFamilies::kInvoices), prefix, [&](std::string_view, std::string_view value) {
        // Open previews and later bills are passed over in place, unpacking only what is visited.
        const auto* row = decode_row<view::InvoiceRow>(value);
        if (!row) {
          failure = Status::corruption("invoices: a row failed the FlatBuffers verifier");
          return false;
        }
        if (row->status() != view::InvoiceStatus::Closed || row->closed_day() > as_of_day) return true;
        view::InvoiceRowT bill;
        row->UnPackTo(&bill);
        failure = visit(bill);
        return failure.is_ok();
      });
  if (!scanned) return scanned;
  return failure;
}

//! Calls `visit` with every bill that owed at the end of `as_of_day` (closed on or before it, with
//! an unpaid remainder counting the allocations dated up to it), of `account` (or of every
//! account when empty), in (account, period) order, until it returns a failure. For every
//! account it reads only those bills, found by the receivables index (receivables.h).
inline Status for_each_bill_owing(const Store& store, const ReadSnapshot& snapshot, std::string_view account,
                                  int32_t as_of_day, const std::function<Status(view::InvoiceRowT&)>& visit) {
  if (!account.empty()) {
    return for_each_closed_bill(store, snapshot, account, as_of_day, [&](view::InvoiceRowT& bill) {
      if (cleared_day(bill) <= static_cast<uint32_t>(as_of_day)) return Status::ok();
      return visit(bill);
    });
  }
  auto keys = bills_owing_on(store, snapshot, as_of_day);
  if (!keys) return keys.status();
  ColumnFamily invoices = store.column_family(InvoiceFamilies::kInvoices);
  for (const std::string& key : *keys) {
    auto bytes = snapshot.get(invoices, key);
    if (!bytes) return bytes.status();
    if (!bytes->has_value()) {
      return Status::corruption(std::string(ReceivablesIndex::kColumnFamily) + ": a row names a bill that " +
                                InvoiceFamilies::kInvoices + " does not hold");
    }
    auto bill = unpack_row<view::InvoiceRow>(**bytes);
    if (!bill) return Status::corruption("invoices: a row failed the FlatBuffers verifier");
    if (Status visited = visit(*bill); !visited) return visited;
  }
  return Status::ok();
}

}  // namespace ledger
