#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/read_snapshot.h"
#include "engine/status.h"
#include "engine/store.h"
#include "projections/invoice_tables.h"
#include "schemas/views_generated.h"

namespace ledger {

//! Where a bill stands on a given day (seed 003), computed for the day asked, never stored.
struct BillStanding {
  std::string settlement;         //!< Settled | Partially Settled | Unsettled
  std::string payment_request;    //!< Completed | Pending | Expired
  int64_t unpaid_minor = 0;       //!< total_billed - settled (0 when settled)
  int64_t outstanding_minor = 0;  //!< the unpaid remainder if the bill is past due on the day
  int64_t unsettled_minor = 0;    //!< the unpaid remainder, due or not
};

//! Which of an invoice's lines a query returns: those numbered `from_seq` onwards, at most
//! `limit` of them. The default is every line (a file or a pipe); the API pages them, since the
//! busiest account of a month can have tens of thousands of CDR lines.
struct LineWindow {
  uint32_t from_seq = 1;
  size_t limit = SIZE_MAX;
};

//! An invoice with the lines of a window, its tables and derived totals.
struct InvoiceDetail {
  view::InvoiceRowT invoice;
  std::vector<view::InvoiceLineT> lines;  //!< the lines of the window asked for
  InvoiceTables tables;                   //!< summed over every line, whatever the window
  uint32_t lines_from_seq = 1;            //!< the window's first line number
  //! The statement's running total before the window: brought forward plus the lines before it.
  int64_t lines_brought_forward_minor = 0;
  uint32_t lines_next_from_seq = 0;  //!< the first line after the window; 0: none follows
  int64_t total_billed_minor = 0;
  int64_t total_to_pay_minor = 0;
  std::optional<BillStanding> standing;  //!< closed bills only
};

//! The standing of a closed bill on `day` (YYYYMMDD): Settled when what was allocated covers
//! total_billed (or nothing was billed); the payment request is Completed when settled,
//! Expired from the day after the due day while unsettled, Pending otherwise.
BillStanding bill_standing(const view::InvoiceRowT& bill, int32_t day);

//! A closed bill by number with the lines of `window`; nullopt when no bill has that number.
Result<std::optional<InvoiceDetail>> query_invoice(const Store& store, const ReadSnapshot& snapshot,
                                                   std::string_view invoice_number, int32_t as_of_day,
                                                   const LineWindow& window = {});

//! The open previews of an account, oldest first, each with the lines of `window` and its
//! balance brought forward (for a preview after another open one: that one's running total).
Result<std::vector<InvoiceDetail>> query_previews(const Store& store, const ReadSnapshot& snapshot,
                                                  std::string_view account, const LineWindow& window = {});

struct InvoiceFilter {
  std::string account;    //!< empty: every account
  std::string status;     //!< empty, Open, Closed, Settled, Partially Settled, Unsettled, Overdue
  int32_t from_day = 0;   //!< periods ending on or after this day (0: no bound)
  int32_t to_day = 0;     //!< periods starting on or before this day (0: no bound)
  int32_t as_of_day = 0;  //!< the day settlement and overdue are computed for
  size_t limit = 1000;
};

//! Invoices (previews and bills, without lines) in (account, period) order.
Result<std::vector<InvoiceDetail>> query_invoices(const Store& store, const ReadSnapshot& snapshot,
                                                  const InvoiceFilter& filter);

}  // namespace ledger
