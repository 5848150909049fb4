#include "projections/invoice_book.h"

#include <fmt/format.h>

#include <algorithm>

#include "projections/accounts.h"
#include "projections/balances.h"
#include "projections/billing_summary_counters.h"
#include "projections/invoice_line_pages.h"
#include "projections/invoice_lines.h"
#include "projections/receivables.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

std::string classify(int64_t billed_minor, const view::OperatorRowT& operator_row) {
  if (operator_row.max_bill_amount_minor > 0 && billed_minor > operator_row.max_bill_amount_minor) {
    return "Max Credit Limit Amount Reached";
  }
  if (operator_row.max_credit_amount_minor > 0 && billed_minor < 0 &&
      -billed_minor > operator_row.max_credit_amount_minor) {
    return "Max Credit Amount Reached";
  }
  return "Normal";
}

std::string render_token(std::string_view token, int32_t from_day, std::string_view operator_id,
                         uint32_t partition, std::string_view account, uint64_t seq) {
  if (token == "yyyy") return fmt::format("{:04}", from_day / 10000);
  if (token == "mm") return fmt::format("{:02}", from_day / 100 % 100);
  if (token == "dd") return fmt::format("{:02}", from_day % 100);
  if (token == "operator") return std::string(operator_id);
  if (token == "partition") return std::to_string(partition);
  if (token == "account") return std::string(account);
  if (token == "seq") return std::to_string(seq);
  if (token.starts_with("seq:")) {
    const int width = std::clamp(std::atoi(std::string(token.substr(4)).c_str()), 1, 20);
    return fmt::format("{:0{}}", seq, width);
  }
  return "{" + std::string(token) + "}";  // not a token: kept as written
}

//! `amount_minor` of the money (or credit) that `line` brought.
std::unique_ptr<view::AllocationT> allocation_from(const view::InvoiceLineT& line, int64_t amount_minor,
                                                   bool from_credit) {
  auto allocation = std::make_unique<view::AllocationT>();
  allocation->event_id = line.event_id;
  allocation->reference_id = line.reference_id;
  allocation->amount_minor = amount_minor;
  allocation->time_us = line.time_us;
  allocation->from_credit = from_credit;
  return allocation;
}

}  // namespace

std::string format_invoice_number(std::string_view format, int32_t from_day, std::string_view operator_id,
                                  uint32_t partition, std::string_view account, uint64_t seq) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    const size_t close = format[i] == '{' ? format.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(format[i]);
      continue;
    }
    out += render_token(format.substr(i + 1, close - i - 1), from_day, operator_id, partition, account, seq);
    i = close;
  }
  return out;
}

std::string effective_number_format(std::string_view format) {
  std::string effective(format.empty() ? std::string_view(kDefaultInvoiceNumberFormat) : format);
  if (effective.find("{seq") == std::string::npos && effective.find("{account}") == std::string::npos) {
    effective += "-{seq}";
  }
  return effective;
}

uint64_t invoice_seq(std::string_view format, uint64_t local_seq, uint32_t partition,
                     uint32_t partition_count) {
  const std::string effective = effective_number_format(format);
  if (effective.find("{partition}") != std::string::npos ||
      effective.find("{account}") != std::string::npos) {
    return local_seq;
  }
  return (local_seq - 1) * partition_count + partition + 1;
}

InvoiceBook::InvoiceBook(const InvoiceFamilies& families, ViewState& state, const EventContext& context,
                         std::string_view account)
    : families_(families), state_(state), context_(context), account_(account) {}

bool InvoiceBook::load() {
  const auto* row = cached_row<view::BillingStateRow>(state_, families_.billing_state,
                                                      billing_state_key(context_.partition, account_));
  if (!row) return false;
  loaded_billing_ = row;
  edited_billing_.reset();
  return true;
}

view::BillingStateRowT& InvoiceBook::edit_billing() {
  if (!edited_billing_) edited_billing_ = *loaded_billing_;
  return *edited_billing_;
}

void InvoiceBook::save_billing() {
  put_row(state_, families_.billing_state, billing_state_key(context_.partition, account_), billing());
}

std::optional<view::InvoiceRowT> InvoiceBook::invoice(int32_t from_day) {
  const auto* row = cached_row<view::InvoiceRow>(state_, families_.invoices, invoice_key(account_, from_day));
  if (!row) return std::nullopt;
  return *row;
}

void InvoiceBook::save_invoice(view::InvoiceRowT&& invoice) {
  const std::string key = invoice_key(account_, invoice.from_day);
  put_row(state_, families_.invoices, key, std::move(invoice));
}

view::InvoiceRowT InvoiceBook::new_preview(int32_t from_day, int32_t to_day) {
  auto account = find_account(state_, families_.accounts, account_);
  view::InvoiceRowT invoice;
  invoice.account = account_;
  invoice.operator_ = account->operator_;
  invoice.currency = account->currency;
  invoice.exponent = account->exponent;
  invoice.from_day = from_day;
  invoice.to_day = to_day;
  invoice.status = view::InvoiceStatus::Open;
  return invoice;
}

void InvoiceBook::start(const view::AccountRowT& account, int32_t first_day) {
  view::BillingStateRowT& billing = edited_billing_.emplace();
  billing.account = account.account;
  billing.operator_ = account.operator_;
  billing.invoice_day = account.invoice_day;
  Period period = period_containing(first_day, account.invoice_day);
  save_invoice(new_preview(period.from_day, period.to_day));
  billing.open_from_days.push_back(period.from_day);
  save_billing();
}

Result<view::InvoiceRowT> InvoiceBook::preview_for_day(int32_t day, bool& late) {
  late = false;
  for (int32_t from : billing().open_from_days) {
    const auto* open = cached_row<view::InvoiceRow>(state_, families_.invoices, invoice_key(account_, from));
    if (open && Period{open->from_day, open->to_day}.contains(day)) return view::InvoiceRowT(*open);
  }
  auto newest = invoice(billing().open_from_days.back());
  for (int opened = 0; day > newest->to_day; ++opened) {
    if (opened == kMaxPeriodsAhead) {
      return Status::invalid_argument("time_us: " + format_day(day) + " is more than " +
                                      std::to_string(kMaxPeriodsAhead) +
                                      " billing periods past the open preview");
    }
    // Every period in between opens too, so that no month goes without its invoice.
    const int32_t from = add_days(newest->to_day, 1);
    view::InvoiceRowT next = new_preview(from, period_containing(from, billing().invoice_day).to_day);
    next.balance_brought_forward_minor = total_to_pay_minor(*newest);  // provisional until that one closes
    edit_billing().open_from_days.push_back(next.from_day);
    save_invoice(next);
    newest = std::move(next);
  }
  if (newest->from_day <= day) return std::move(*newest);
  // Before every open period: a late line (its own period is closed), or one dated before the
  // account's first period.
  late = billing().last_closed_from_day != 0;
  return std::move(*invoice(billing().open_from_days.front()));
}

void InvoiceBook::add_line(view::InvoiceRowT&& invoice, view::InvoiceLineT& line) {
  const auto* balance = cached_row<view::BalanceRow>(state_, families_.balances, account_);
  line.running_balance_minor = balance ? balance->balance_minor : 0;
  put_line(invoice, line);
  save_invoice(std::move(invoice));
}

void InvoiceBook::put_line(view::InvoiceRowT& invoice, view::InvoiceLineT& line) {
  line.seq = invoice.line_count + 1;
  state_.append(families_.lines, invoice_key(account_, invoice.from_day), line.seq, line_record(line));
  add_to_totals(invoice, line);
}

void InvoiceBook::append_line(view::InvoiceRowT& invoice, view::InvoiceLineT& line) {
  put_line(invoice, line);
  save_invoice(invoice);
}

std::vector<view::InvoiceLineT> InvoiceBook::cut_lines_after(view::InvoiceRowT& bill, int32_t last_day) {
  // A bill closed early (a manual run or a final bill) keeps the lines up to its last day; the
  // lines dated later belong to the next preview. A preview was never issued, so moving its
  // lines edits nothing anyone has seen as final.
  std::vector<view::InvoiceLineT> kept;
  std::vector<view::InvoiceLineT> moved;
  std::vector<std::string> pages;
  // Each page holds the lines from the seq in its key on, so the next page's key follows from
  // the lines read.
  for (uint32_t seq = 1; seq <= bill.line_count;) {
    std::string key = invoice_line_key(account_, bill.from_day, seq);
    auto page = state_.get(families_.lines, key);
    if (!page) break;
    uint32_t read = 0;
    // Blocks are checksummed, so a page that fails its check is a defect, not a disk error: the
    // lines before the damage are kept, as a line that failed its check alone is skipped.
    (void)for_each_page_line(key, *page,
                             [&](std::string_view, const view::InvoiceLine& line, std::string_view) {
                               auto& into = day_of_time_us(line.time_us()) > last_day ? moved : kept;
                               into.emplace_back();
                               line.UnPackTo(&into.back());
                               ++read;
                               return true;
                             });
    pages.push_back(std::move(key));
    if (read == 0) break;
    seq += read;
  }
  if (moved.empty()) return moved;
  for (const auto& page : pages) state_.erase(families_.lines, page);
  bill.total_debited_minor = bill.total_credited_minor = bill.total_paid_minor = 0;
  bill.line_count = bill.late_line_count = 0;
  for (auto& line : kept) append_line(bill, line);
  return moved;
}

std::string InvoiceBook::next_invoice_number(const view::InvoiceRowT& invoice,
                                             const view::OperatorRowT& operator_row) {
  const std::string key = invoice_sequence_key(context_.partition, operator_row.operator_);
  auto sequence = unpack_row<view::InvoiceSequenceRow>(state_.get(families_.sequences, key));
  view::InvoiceSequenceRowT next = sequence.value_or(view::InvoiceSequenceRowT());
  if (next.next_seq == 0) next.next_seq = 1;
  const uint64_t seq = invoice_seq(operator_row.invoice_number_format, next.next_seq++, context_.partition,
                                   context_.partition_count);
  state_.put(families_.sequences, key, encode_row(next));
  const std::string number =
      format_invoice_number(effective_number_format(operator_row.invoice_number_format), invoice.from_day,
                            operator_row.operator_, context_.partition, account_, seq);
  // Two operators sharing a format, or two bills of one account in a month under an {account}
  // format, render the same text in the same partition (the rules above keep partitions
  // apart), so the suffix chosen here is as deterministic as the log.
  std::string unique = number;
  for (int suffix = 2; state_.get(families_.numbers, unique); ++suffix)
    unique = number + "-" + std::to_string(suffix);
  return unique;
}

void InvoiceBook::settle_at_close(view::InvoiceRowT& invoice) {
  const int64_t billed = total_billed_minor(invoice);
  if (billed <= 0) {
    // A credit bill: its credit settles older unpaid bills first, like a payment.
    view::InvoiceLineT credit;
    credit.event_id = text_of(context_.event.id());
    credit.reference_id = "credit bill " + invoice.invoice_number;
    credit.time_us = context_.event.time_us();
    allocate(-billed, credit, /*from_credit=*/true);
    return;
  }
  // Money received before the close (unallocated credit) settles it, oldest source first.
  auto& sources = edit_billing().unallocated_sources;
  while (invoice.settled_minor < billed && !sources.empty()) {
    auto& source = *sources.front();
    const int64_t applied = std::min(source.amount_minor, billed - invoice.settled_minor);
    invoice.settled_minor += applied;
    auto allocation = std::make_unique<view::AllocationT>(source);
    allocation->amount_minor = applied;
    count_collected(invoice, *allocation);
    invoice.allocations.push_back(std::move(allocation));
    edit_billing().unallocated_credit_minor -= applied;
    source.amount_minor -= applied;
    if (source.amount_minor == 0) sources.erase(sources.begin());
  }
  if (invoice.settled_minor < billed) edit_billing().unsettled_from_days.push_back(invoice.from_day);
}

void InvoiceBook::notify_closed(const view::InvoiceRowT& invoice, uint32_t notification_index) {
  view::NotificationRowT notice;
  notice.notification_id = "invoice-closed/" + invoice.invoice_number;
  notice.kind = view::NotificationKind::InvoiceClosed;
  notice.account = account_;
  notice.event_id = text_of(context_.event.id());
  notice.time_us = invoice.closed_at_us;
  notice.balance_minor = total_to_pay_minor(invoice);
  notice.partition = context_.partition;
  notice.offset = context_.offset;
  notice.invoice_number = invoice.invoice_number;
  notice.total_to_pay_minor = total_to_pay_minor(invoice);
  state_.put(families_.notifications,
             notification_key(context_.partition, context_.offset, notification_index), encode_row(notice));
}

view::InvoiceRowT InvoiceBook::close_oldest(const CloseRequest& request,
                                            const view::OperatorRowT& operator_row,
                                            uint32_t notification_index) {
  view::InvoiceRowT bill = std::move(*invoice(billing().open_from_days.front()));
  std::vector<view::InvoiceLineT> moved;
  if (request.cut_at_close_day && bill.to_day > request.close_day) {
    bill.to_day = std::max(request.close_day, bill.from_day);
    moved = cut_lines_after(bill, bill.to_day);
  }
  bill.balance_brought_forward_minor = billing().last_closed_total_to_pay_minor;
  bill.status = view::InvoiceStatus::Closed;
  bill.invoice_number = next_invoice_number(bill, operator_row);
  bill.closed_day = request.close_day;
  bill.closed_at_us = request.close_time_us;
  bill.close_type = request.close_type;
  bill.run_number = request.run_number;
  bill.run_as_of_day = request.run_as_of_day;
  bill.payment_terms_days = operator_row.payment_terms_days;
  bill.due_day = add_days(request.close_day, operator_row.payment_terms_days);
  bill.classification = classify(total_billed_minor(bill), operator_row);
  bill.lifecycle_state = "Posted";
  auto posted = std::make_unique<view::LifecycleChangeT>();
  posted->state = "Posted";
  posted->time_us = request.close_time_us;
  posted->event_id = text_of(context_.event.id());
  bill.lifecycle_history.push_back(std::move(posted));
  settle_at_close(bill);
  add_to_summary(state_, families_.summary, bill.operator_, bill.currency, bill.closed_day, kBilled,
                 total_billed_minor(bill));
  add_to_summary(state_, families_.summary, bill.operator_, bill.currency, bill.closed_day, kBillsClosed, 1);
  index_receivable(state_, families_.receivables, bill, /*was_owing=*/false);
  save_invoice(bill);
  state_.put(families_.numbers, bill.invoice_number, invoice_key(account_, bill.from_day));

  const int64_t to_pay = total_to_pay_minor(bill);
  edit_billing().open_from_days.erase(edit_billing().open_from_days.begin());
  edit_billing().last_closed_from_day = bill.from_day;
  edit_billing().last_closed_total_to_pay_minor = to_pay;
  edit_billing().closed_count += 1;
  open_next_after(bill, to_pay);
  if (!moved.empty()) {
    auto next = invoice(billing().open_from_days.front());
    for (auto& line : moved) append_line(*next, line);
  }
  notify_closed(bill, notification_index);
  return bill;
}

void InvoiceBook::open_next_after(const view::InvoiceRowT& bill, int64_t to_pay_minor) {
  if (billing().open_from_days.empty()) {
    const int32_t from = add_days(bill.to_day, 1);
    view::InvoiceRowT preview = new_preview(from, period_containing(from, billing().invoice_day).to_day);
    preview.balance_brought_forward_minor = to_pay_minor;
    edit_billing().open_from_days.push_back(preview.from_day);
    save_invoice(preview);
    return;
  }
  auto next = invoice(billing().open_from_days.front());
  next->balance_brought_forward_minor = to_pay_minor;
  save_invoice(*next);
}

void InvoiceBook::count_collected(const view::InvoiceRowT& bill, const view::AllocationT& allocation) {
  if (allocation.from_credit) return;
  add_to_summary(state_, families_.summary, bill.operator_, bill.currency, bill.closed_day, kCollected,
                 allocation.amount_minor);
}

void InvoiceBook::allocate(int64_t amount_minor, const view::InvoiceLineT& line, bool from_credit) {
  std::vector<int32_t> still_unsettled;
  for (int32_t from : billing().unsettled_from_days) {
    auto bill = invoice(from);
    const int64_t remaining = total_billed_minor(*bill) - bill->settled_minor;
    const int64_t applied = std::min(remaining, amount_minor);
    if (applied > 0) {
      bill->settled_minor += applied;
      auto allocation = allocation_from(line, applied, from_credit);
      count_collected(*bill, *allocation);
      bill->allocations.push_back(std::move(allocation));
      index_receivable(state_, families_.receivables, *bill, /*was_owing=*/true);
      save_invoice(*bill);
      amount_minor -= applied;
    }
    if (bill->settled_minor < total_billed_minor(*bill)) still_unsettled.push_back(from);
  }
  edit_billing().unsettled_from_days = std::move(still_unsettled);
  if (amount_minor == 0) return;
  // Kept for the next bill, with where it came from, so that bill's payments show it.
  edit_billing().unallocated_credit_minor += amount_minor;
  edit_billing().unallocated_sources.push_back(allocation_from(line, amount_minor, from_credit));
}

}  // namespace ledger
