#pragma once

#include "engine/read_snapshot.h"
#include "engine/store.h"
#include "projections/report_table.h"

namespace ledger {

//! The reports of BILLING.md section 7 (seeds 000 and 004), each read from one snapshot.
//! Errors are InvalidArgument naming the option: an unknown report, operator or basis, an
//! empty or inverted range.

//! Billing summary per operator and currency over [from_day, to_day] (default: the month of
//! the latest day with activity): total billed (bills closed in the range), total collected
//! (allocated to those bills), outstanding (billed - collected), received in the range (cash);
//! a totals row per currency. A scan of the pre-aggregated daily counters, not of accounts.
Result<ReportTable> billing_summary_report(const Store& store, const ReadSnapshot& snapshot,
                                           const ReportRequest& request);

//! AR aging as of a day: unpaid remainders of closed bills by days past due (Current, 1-30,
//! 31-60, 61-90, 90+), per account, with a totals row per operator and currency.
Result<ReportTable> aging_report(const Store& store, const ReadSnapshot& snapshot,
                                 const ReportRequest& request);

//! Accounts in credit (balance below zero) and how much, per account, with a row per
//! operator and currency.
Result<ReportTable> credits_report(const Store& store, const ReadSnapshot& snapshot,
                                   const ReportRequest& request);

//! Billed, earned and deferred revenue per month and currency over the range, on the cash
//! basis (paid service lines with a service period, billed in the month of payment) or the
//! accrual basis (every service line with a period, billed in the month of the charge).
Result<ReportTable> revenue_report(const Store& store, const ReadSnapshot& snapshot,
                                   const ReportRequest& request);

//! Every invoice line in the range with its running balance, filterable by operator, account
//! and kind; paged by cursor so that millions of lines stream without being held at once.
Result<ReportTable> transactions_report(const Store& store, const ReadSnapshot& snapshot,
                                        const ReportRequest& request);

//! Closed bills not fully settled (or as `status` asks), filterable by lifecycle state and
//! overdue as of a day.
Result<ReportTable> unpaid_report(const Store& store, const ReadSnapshot& snapshot,
                                  const ReportRequest& request);

//! Runs the report named by request.report.
Result<ReportTable> run_report(const Store& store, const ReadSnapshot& snapshot,
                               const ReportRequest& request);

}  // namespace ledger
