#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/calendar.h"
#include "engine/view.h"
#include "projections/invoice_keys.h"
#include "schemas/views_generated.h"

namespace ledger {

//! How an invoice is being closed (BILLING.md section 5).
struct CloseRequest {
  std::string close_type;  //!< Scheduled | Manual | Final
  int32_t close_day = 0;   //!< the run's as-of day, or the day of AccountClosed
  int64_t close_time_us = 0;
  int64_t run_number = 0;  //!< 0 for a final bill
  int32_t run_as_of_day = 0;
  bool cut_at_close_day = false;  //!< manual and final closes end the period on close_day
};

//! One account's invoices as one event sees them: its billing state, its open previews and
//! its closed bills, read and written through the batch's ViewState.
class InvoiceBook {
 public:
  InvoiceBook(const InvoiceFamilies& families, ViewState& state, const EventContext& context,
              std::string_view account);

  //! Loads the billing state; false when the account has none (never opened).
  bool load();
  //! Starts the billing state of a newly opened account, with its first preview.
  void start(const view::AccountRowT& account, int32_t first_day);
  //! The billing state as loaded or as edited since.
  const view::BillingStateRowT& billing() const {
    return edited_billing_ ? *edited_billing_ : *loaded_billing_;
  }
  //! The billing state to change: a copy of the loaded one, made on the first call (most lines
  //! leave the billing state alone, and copy nothing).
  view::BillingStateRowT& edit_billing();
  void save_billing();

  std::optional<view::InvoiceRowT> invoice(int32_t from_day);
  void save_invoice(view::InvoiceRowT&& invoice);
  void save_invoice(const view::InvoiceRowT& invoice) { save_invoice(view::InvoiceRowT(invoice)); }

  //! The open preview a line of `day` goes to, opening the periods up to the day's own when it
  //! is past every open one (at most kMaxPeriodsAhead). `late` says the day's own period is
  //! already closed.
  Result<view::InvoiceRowT> preview_for_day(int32_t day, bool& late);
  //! How many periods past the newest open one an event may open.
  static constexpr int kMaxPeriodsAhead = 120;
  //! Appends `line` to `invoice` (numbering it, recording the balance after it), updates the
  //! totals and saves the invoice, which is moved into the batch.
  void add_line(view::InvoiceRowT&& invoice, view::InvoiceLineT& line);

  //! Closes the oldest open preview and opens the next; `notification_index` numbers the
  //! notice among those of this event. Returns the closed bill.
  view::InvoiceRowT close_oldest(const CloseRequest& request, const view::OperatorRowT& operator_row,
                                 uint32_t notification_index);

  //! Allocates money received to the closed bills, oldest due first; the rest is kept as
  //! unallocated credit for the next bill.
  //! `from_credit` marks a credit bill's surplus: it settles bills but is not money collected.
  void allocate(int64_t amount_minor, const view::InvoiceLineT& line, bool from_credit);

 private:
  view::InvoiceRowT new_preview(int32_t from_day, int32_t to_day);
  //! Numbers `line`, writes it and adds it to the totals of `invoice`, which the caller saves.
  void put_line(view::InvoiceRowT& invoice, view::InvoiceLineT& line);
  void append_line(view::InvoiceRowT& invoice, view::InvoiceLineT& line);
  std::vector<view::InvoiceLineT> cut_lines_after(view::InvoiceRowT& bill, int32_t last_day);
  void open_next_after(const view::InvoiceRowT& bill, int64_t to_pay_minor);
  std::string next_invoice_number(const view::InvoiceRowT& invoice, const view::OperatorRowT& operator_row);
  void settle_at_close(view::InvoiceRowT& invoice);
  void notify_closed(const view::InvoiceRowT& invoice, uint32_t notification_index);
  //! Records money that settled part of `bill` in the billing summary, unless it was credit.
  void count_collected(const view::InvoiceRowT& bill, const view::AllocationT& allocation);

  const InvoiceFamilies& families_;
  ViewState& state_;
  const EventContext& context_;
  std::string account_;
  const view::BillingStateRowT* loaded_billing_ = nullptr;  //!< valid until the end of the event
  std::optional<view::BillingStateRowT> edited_billing_;
};

//! total_debited - total_credited.
inline int64_t total_billed_minor(const view::InvoiceRowT& invoice) {
  return invoice.total_debited_minor - invoice.total_credited_minor;
}
//! balance_brought_forward + total_billed - total_paid.
inline int64_t total_to_pay_minor(const view::InvoiceRowT& invoice) {
  return invoice.balance_brought_forward_minor + total_billed_minor(invoice) - invoice.total_paid_minor;
}

//! Renders an operator's invoice number format: tokens {yyyy} {mm} {dd} (of the period's first
//! day) {operator} {partition} {account} {seq} {seq:N} (zero-padded to N digits); anything else
//! is kept as written.
std::string format_invoice_number(std::string_view format, int32_t from_day, std::string_view operator_id,
                                  uint32_t partition, std::string_view account, uint64_t seq);

//! The format actually rendered: `format` (or the default), with "-{seq}" appended when it has
//! neither {seq} nor {account}, so that numbers cannot repeat.
std::string effective_number_format(std::string_view format);

//! The {seq} of the `local_seq`-th bill (1-based) an operator closes in `partition`. Sequences
//! are kept per partition (partitions never wait for each other); when the format names
//! neither {partition} nor {account}, partition p of P issues p+1, p+1+P, p+1+2P, ... so the
//! numbers of different partitions never meet.
uint64_t invoice_seq(std::string_view format, uint64_t local_seq, uint32_t partition,
                     uint32_t partition_count);

//! The format used when an operator configures none.
inline constexpr char kDefaultInvoiceNumberFormat[] = "{operator}-{yyyy}{mm}-{partition}-{seq:6}";

}  // namespace ledger
