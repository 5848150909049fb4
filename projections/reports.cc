#include "projections/reports.h"

namespace ledger {

Result<ReportTable> run_report(const Store& store, const ReadSnapshot& snapshot,
                               const ReportRequest& request) {
  if (request.report == "summary") return billing_summary_report(store, snapshot, request);
  if (request.report == "aging") return aging_report(store, snapshot, request);
  if (request.report == "credits") return credits_report(store, snapshot, request);
  if (request.report == "revenue") return revenue_report(store, snapshot, request);
  if (request.report == "transactions") return transactions_report(store, snapshot, request);
  if (request.report == "unpaid") return unpaid_report(store, snapshot, request);
  return Status::invalid_argument("report: '" + request.report +
                                  "' is not one of summary, aging, credits, revenue, transactions, unpaid");
}

}  // namespace ledger
