#include "projections/invoice_queries.h"

#include <algorithm>

#include "engine/calendar.h"
#include "engine/key_encoding.h"
#include "projections/invoice_book.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_line_pages.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

Status damaged(std::string_view column_family) {
  return Status::corruption(std::string(column_family) + ": a row failed the FlatBuffers verifier");
}

//! Reads every line of the invoice in place: unpacks those of `window`, sums the amounts of
//! those before it, and adds every one to the tables.
Status read_lines(const Store& store, const ReadSnapshot& snapshot, const LineWindow& window,
                  InvoiceDetail& detail) {
  const auto& invoice = detail.invoice;
  detail.lines_from_seq = window.from_seq;
  detail.lines_brought_forward_minor = invoice.balance_brought_forward_minor;
  detail.lines.reserve(std::min<size_t>(window.limit, invoice.line_count));
  InvoiceTablesBuilder tables;
  Status scanned = scan_invoice_lines(store, snapshot, invoice_key(invoice.account, invoice.from_day),
                                      [&](std::string_view, const view::InvoiceLine& line, std::string_view) {
                                        tables.add(line);
                                        if (line.seq() < window.from_seq) {
                                          detail.lines_brought_forward_minor += line.amount_minor();
                                        } else if (detail.lines.size() < window.limit) {
                                          detail.lines.emplace_back();
                                          line.UnPackTo(&detail.lines.back());
                                        } else if (detail.lines_next_from_seq == 0) {
                                          detail.lines_next_from_seq = line.seq();
                                        }
                                        return true;
                                      });
  detail.tables = tables.finish();
  return scanned;
}

InvoiceDetail detail_of(view::InvoiceRowT invoice, int32_t as_of_day) {
  InvoiceDetail detail;
  detail.total_billed_minor = total_billed_minor(invoice);
  detail.total_to_pay_minor = total_to_pay_minor(invoice);
  if (invoice.status == view::InvoiceStatus::Closed) detail.standing = bill_standing(invoice, as_of_day);
  detail.invoice = std::move(invoice);
  return detail;
}

bool matches(const InvoiceDetail& detail, const InvoiceFilter& filter) {
  const auto& invoice = detail.invoice;
  if (filter.from_day && invoice.to_day < filter.from_day) return false;
  if (filter.to_day && invoice.from_day > filter.to_day) return false;
  const std::string& status = filter.status;
  if (status.empty()) return true;
  const bool closed = invoice.status == view::InvoiceStatus::Closed;
  if (status == "Open") return !closed;
  if (status == "Closed") return closed;
  if (!closed) return false;
  if (status == "Overdue") return detail.standing->outstanding_minor > 0;
  return detail.standing->settlement == status;
}

}  // namespace

BillStanding bill_standing(const view::InvoiceRowT& bill, int32_t day) {
  BillStanding standing;
  const int64_t billed = total_billed_minor(bill);
  standing.unpaid_minor = billed > bill.settled_minor ? billed - bill.settled_minor : 0;
  if (standing.unpaid_minor == 0) {
    standing.settlement = "Settled";
  } else {
    standing.settlement = bill.settled_minor > 0 ? "Partially Settled" : "Unsettled";
  }
  const bool past_due = day > bill.due_day;
  if (standing.unpaid_minor == 0)
    standing.payment_request = "Completed";
  else
    standing.payment_request = past_due ? "Expired" : "Pending";
  standing.unsettled_minor = standing.unpaid_minor;
  standing.outstanding_minor = past_due ? standing.unpaid_minor : 0;
  return standing;
}

Result<std::optional<InvoiceDetail>> query_invoice(const Store& store, const ReadSnapshot& snapshot,
                                                   std::string_view invoice_number, int32_t as_of_day,
                                                   const LineWindow& window) {
  auto key = snapshot.get(store.column_family(InvoiceFamilies::kNumbers), invoice_number);
  if (!key) return key.status();
  if (!key->has_value()) return std::optional<InvoiceDetail>();
  auto bytes = snapshot.get(store.column_family(InvoiceFamilies::kInvoices), **key);
  if (!bytes) return bytes.status();
  auto invoice = unpack_row<view::InvoiceRow>(*bytes);
  if (!invoice) return damaged(InvoiceFamilies::kInvoices);
  InvoiceDetail detail = detail_of(std::move(*invoice), as_of_day);
  if (Status read = read_lines(store, snapshot, window, detail); !read) return read;
  return std::optional<InvoiceDetail>(std::move(detail));
}

Result<std::vector<InvoiceDetail>> query_previews(const Store& store, const ReadSnapshot& snapshot,
                                                  std::string_view account, const LineWindow& window) {
  std::vector<InvoiceDetail> previews;
  bool ok = true;
  std::string prefix;
  put_terminated(prefix, account);
  Status scanned = snapshot.scan(store.column_family(InvoiceFamilies::kInvoices), prefix,
                                 [&](std::string_view, std::string_view value) {
                                   auto invoice = unpack_row<view::InvoiceRow>(value);
                                   if (!invoice) return ok = false;
                                   if (invoice->status == view::InvoiceStatus::Open) {
                                     previews.push_back(detail_of(std::move(*invoice), 0));
                                   }
                                   return true;
                                 });
  if (!scanned) return scanned;
  if (!ok) return damaged(InvoiceFamilies::kInvoices);
  for (size_t i = 0; i < previews.size(); ++i) {
    if (i > 0) {  // brought forward from the open preview before it, which has not closed yet
      previews[i].invoice.balance_brought_forward_minor = previews[i - 1].total_to_pay_minor;
      previews[i].total_to_pay_minor = total_to_pay_minor(previews[i].invoice);
    }
    if (Status read = read_lines(store, snapshot, window, previews[i]); !read) return read;
  }
  return previews;
}

Result<std::vector<InvoiceDetail>> query_invoices(const Store& store, const ReadSnapshot& snapshot,
                                                  const InvoiceFilter& filter) {
  std::vector<InvoiceDetail> result;
  bool ok = true;
  std::string prefix;
  if (!filter.account.empty()) put_terminated(prefix, filter.account);
  Status scanned = snapshot.scan(store.column_family(InvoiceFamilies::kInvoices), prefix,
                                 [&](std::string_view, std::string_view value) {
                                   auto invoice = unpack_row<view::InvoiceRow>(value);
                                   if (!invoice) return ok = false;
                                   InvoiceDetail detail = detail_of(std::move(*invoice), filter.as_of_day);
                                   if (matches(detail, filter)) result.push_back(std::move(detail));
                                   return result.size() < filter.limit;
                                 });
  if (!scanned) return scanned;
  if (!ok) return damaged(InvoiceFamilies::kInvoices);
  return result;
}

}  // namespace ledger
