#include "projections/invoices.h"

#include <map>
#include <set>

#include "engine/calendar.h"
#include "projections/accounts.h"
#include "projections/balances.h"
#include "projections/bill_lifecycle.h"
#include "projections/billing_summary_counters.h"
#include "projections/invoice_book.h"
#include "projections/invoice_line_pages.h"
#include "projections/invoice_lines.h"
#include "projections/operators.h"
#include "projections/receivables.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

//! A billing run applied to one account: how many previews it closes.
uint32_t close_for_run(InvoiceBook& book, const schema::BillingRun& run, const CloseRequest& request,
                       const view::OperatorRowT& operator_row, bool account_closed,
                       uint32_t notification_index) {
  // Scheduled: every period that ended at least two days before the as-of day (seed 001:
  // closed on the second day of the next period). Manual: the current preview, now.
  const bool manual = run.kind() == schema::BillingRunKind::Manual;
  const int32_t last_closable_to_day = add_days(run.as_of_day(), -2);
  uint32_t closed = 0;
  for (int guard = 0; guard < 1200 && !book.billing().open_from_days.empty(); ++guard) {
    auto oldest = book.invoice(book.billing().open_from_days.front());
    const bool due = manual ? oldest->from_day <= run.as_of_day() : oldest->to_day <= last_closable_to_day;
    if (!due) break;
    // After its final bill an account is billed again only for what happens to it.
    if (account_closed && oldest->line_count == 0) break;
    book.close_oldest(request, operator_row, notification_index + closed);
    ++closed;
  }
  return closed;
}

}  // namespace

std::vector<std::string> InvoicesView::column_families() const {
  return {InvoiceFamilies::kInvoices,     InvoiceFamilies::kLines,        InvoiceFamilies::kNumbers,
          InvoiceFamilies::kBillingState, InvoiceFamilies::kSequences,    InvoiceFamilies::kRuns,
          kBillingSummaryColumnFamily,    ReceivablesIndex::kColumnFamily};
}

Status InvoicesView::bind(const Store& store) {
  const std::pair<const char*, ColumnFamily*> wanted[] = {
      {InvoiceFamilies::kInvoices, &families_.invoices},
      {InvoiceFamilies::kLines, &families_.lines},
      {InvoiceFamilies::kNumbers, &families_.numbers},
      {InvoiceFamilies::kBillingState, &families_.billing_state},
      {InvoiceFamilies::kSequences, &families_.sequences},
      {InvoiceFamilies::kRuns, &families_.runs},
      {AccountsView::kColumnFamily, &families_.accounts},
      {"operators", &families_.operators},
      {BalancesView::kColumnFamily, &families_.balances},
      {BalancesView::kNotificationsColumnFamily, &families_.notifications},
      {kBillingSummaryColumnFamily, &families_.summary},
      {ReceivablesIndex::kColumnFamily, &families_.receivables}};
  for (const auto& [name, out] : wanted) {
    if (Status bound = bind_column_family(store, name, out); !bound) return bound;
  }
  return Status::ok();
}

Status InvoicesView::logical_rows(ColumnFamily cf, std::string_view key, std::string_view value,
                                  const std::function<void(std::string_view, std::string_view)>& emit) const {
  if (cf == families_.lines) return logical_line_rows(key, value, emit);
  emit(key, value);
  return Status::ok();
}

Verdict InvoicesView::apply(const EventContext& context, ViewState& state) {
  switch (context.event.body_type()) {
    case schema::Body::AccountOpened:
      return open_account(context, state);
    case schema::Body::AccountClosed:
      return close_account(context, state);
    case schema::Body::BillingRun:
      return run_billing(context, state);
    case schema::Body::BillStateChanged:
    case schema::Body::ErpApproved:
    case schema::Body::CommunicationLogged:
      return change_bill(context, state);
    case schema::Body::OperatorConfigured:
    case schema::Body::CreditLimitSet:
      return std::nullopt;
    default:
      return add_line(context, state);
  }
}

Verdict InvoicesView::open_account(const EventContext& context, ViewState& state) {
  auto account = find_account(state, families_.accounts, text_of(context.event.account()));
  InvoiceBook book(families_, state, context, account->account);
  book.start(*account, day_of_time_us(context.event.time_us()));
  return std::nullopt;
}

Verdict InvoicesView::add_line(const EventContext& context, ViewState& state) {
  const schema::Event& event = context.event;
  std::string_view account_id = text_of(event.account());
  if (const auto* note = event.body_as_CreditNote();
      note && note->invoice_number() && note->invoice_number()->size()) {
    auto key = state.get(families_.numbers, text_of(note->invoice_number()));
    if (!key || !key->starts_with(std::string(account_id) + '\0')) {
      return Rejection{"unknown_invoice", "body.invoice_number: '" +
                                              std::string(text_of(note->invoice_number())) +
                                              "' is not a bill of this account"};
    }
  }
  auto account = find_account(state, families_.accounts, account_id);
  auto operator_row = find_operator(state, families_.operators, context.partition, account->operator_);
  auto line = line_from_event(event, *account, *operator_row);
  if (!line) return std::nullopt;
  InvoiceBook book(families_, state, context, account_id);
  if (!book.load()) return std::nullopt;
  const size_t open_before = book.billing().open_from_days.size();
  bool late = false;
  auto preview = book.preview_for_day(day_of_time_us(event.time_us()), late);
  if (!preview) return Rejection{"period_out_of_range", preview.status().message()};
  line->late = late;
  book.add_line(std::move(*preview), *line);
  const bool received = line->kind == view::LineKind::Payment || line->kind == view::LineKind::Refill;
  if (received) {
    add_to_summary(state, families_.summary, account->operator_, account->currency,
                   day_of_time_us(event.time_us()), kReceived, -line->amount_minor);
    book.allocate(-line->amount_minor, *line, /*from_credit=*/false);
  }
  // Only new periods and money received change the billing state; most lines leave it alone.
  if (received || book.billing().open_from_days.size() != open_before) book.save_billing();
  return std::nullopt;
}

Verdict InvoicesView::close_account(const EventContext& context, ViewState& state) {
  std::string_view account_id = text_of(context.event.account());
  auto account = find_account(state, families_.accounts, account_id);
  auto operator_row = find_operator(state, families_.operators, context.partition, account->operator_);
  InvoiceBook book(families_, state, context, account_id);
  if (!book.load()) return std::nullopt;
  const int32_t day = day_of_time_us(context.event.time_us());
  CloseRequest request{"Final", day, context.event.time_us(), 0, day, true};
  uint32_t closed = 0;
  // The final bill: everything up to today, closed now (seed 002).
  while (!book.billing().open_from_days.empty() && book.billing().open_from_days.front() <= day &&
         closed < 1200) {
    book.close_oldest(request, *operator_row, 1 + closed++);
  }
  book.save_billing();
  return std::nullopt;
}

Verdict InvoicesView::run_billing(const EventContext& context, ViewState& state) {
  const auto& run = *context.event.body_as_BillingRun();
  const std::string run_key = billing_run_key(run.run_number(), context.partition);
  // The run's own row is written by its last part, so a run continued from a cursor is not a
  // repeat of itself.
  if (state.get(families_.runs, run_key)) {
    return Rejection{"duplicate_run_number",
                     "body.run_number: run " + std::to_string(run.run_number()) + " was already applied"};
  }
  std::set<std::string, std::less<>> account_filter;
  if (run.accounts()) {
    for (const auto* account : *run.accounts()) account_filter.emplace(text_of(account));
  }
  const bool manual = run.kind() == schema::BillingRunKind::Manual;
  CloseRequest request{manual ? "Manual" : "Scheduled",
                       run.as_of_day(),
                       context.event.time_us(),
                       run.run_number(),
                       run.as_of_day(),
                       manual};
  std::map<std::string, const view::OperatorRowT*, std::less<>> operators;
  // A run over more accounts than a commit should hold goes in parts: the cursor is the count
  // of bills closed so far (they number the bills) and the last billing-state key done.
  uint32_t closed = 0;
  std::string_view after;
  if (context.resume.size() >= 4) {
    closed = get_be<uint32_t>(context.resume, 0);
    after = context.resume.substr(4);
  }
  bool suspended = false;
  std::string prefix;
  put_u32_be(prefix, context.partition);
  state.scan(
      families_.billing_state, prefix,
      [&](std::string_view key, std::string_view value) {
        const auto* billing = decode_row<view::BillingStateRow>(value);
        if (!billing) return true;
        std::string_view operator_id = text_of(billing->operator_());
        if (run.operator_() && run.operator_()->size() && operator_id != text_of(run.operator_()))
          return true;
        std::string_view account_id = key.substr(prefix.size());
        if (!account_filter.empty() && !account_filter.contains(account_id)) return true;
        auto& operator_row = operators[std::string(operator_id)];
        if (!operator_row)
          operator_row = find_operator(state, families_.operators, context.partition, operator_id);
        InvoiceBook book(families_, state, context, account_id);
        book.load();
        auto account = find_account(state, families_.accounts, account_id);
        const bool account_closed = account && account->status == view::AccountStatus::Closed;
        closed += close_for_run(book, run, request, *operator_row, account_closed, 1 + closed);
        book.save_billing();
        if (state.over_budget()) {
          std::string cursor;
          put_u32_be(cursor, closed);
          cursor.append(key);
          state.suspend(std::move(cursor));
          suspended = true;
          return false;
        }
        return true;
      },
      after);
  if (suspended) return std::nullopt;
  view::BillingRunRowT row;
  row.run_number = run.run_number();
  row.as_of_day = run.as_of_day();
  row.kind = schema::EnumNameBillingRunKind(run.kind());
  row.operator_ = text_of(run.operator_());
  row.account_filter_count = static_cast<uint32_t>(account_filter.size());
  row.invoices_closed = closed;
  row.event_id = text_of(context.event.id());
  row.time_us = context.event.time_us();
  state.put(families_.runs, run_key, encode_row(row));
  return std::nullopt;
}

Verdict InvoicesView::change_bill(const EventContext& context, ViewState& state) {
  const schema::Event& event = context.event;
  std::string_view number;
  if (const auto* body = event.body_as_BillStateChanged()) number = text_of(body->invoice_number());
  if (const auto* body = event.body_as_ErpApproved()) number = text_of(body->invoice_number());
  if (const auto* body = event.body_as_CommunicationLogged()) number = text_of(body->invoice_number());
  std::string_view account_id = text_of(event.account());
  auto key = state.get(families_.numbers, number);
  if (!key || !key->starts_with(std::string(account_id) + '\0')) {
    return Rejection{"unknown_invoice", "body.invoice_number: '" + std::string(number) +
                                            "' is not a bill of account '" + std::string(account_id) + "'"};
  }
  const std::string invoice_key_bytes(*key);
  auto bill = unpack_row<view::InvoiceRow>(state.get(families_.invoices, invoice_key_bytes));
  if (const auto* body = event.body_as_BillStateChanged()) {
    std::string last_core = "Posted";
    for (const auto& change : bill->lifecycle_history) {
      if (is_core_lifecycle_state(change->state)) last_core = change->state;
    }
    if (auto refused = check_lifecycle_transition(last_core, bill->lifecycle_state, text_of(body->state()))) {
      return Rejection{"invalid_transition", "body.state: " + *refused};
    }
    bill->lifecycle_state = text_of(body->state());
    auto change = std::make_unique<view::LifecycleChangeT>();
    change->state = bill->lifecycle_state;
    change->note = text_of(body->note());
    change->time_us = event.time_us();
    change->event_id = text_of(event.id());
    bill->lifecycle_history.push_back(std::move(change));
  } else if (const auto* body = event.body_as_ErpApproved()) {
    bill->external_total_minor = body->external_total_minor();
    bill->external_currency = text_of(body->external_currency());
    bill->erp_approved_at_us = body->approved_at_us();
  } else if (const auto* body = event.body_as_CommunicationLogged()) {
    auto communication = std::make_unique<view::CommunicationT>();
    communication->channel = text_of(body->channel());
    communication->subject = text_of(body->subject());
    communication->sent_at_us = body->sent_at_us();
    communication->event_id = text_of(event.id());
    bill->communications.push_back(std::move(communication));
  }
  state.put(families_.invoices, invoice_key_bytes, encode_row(*bill));
  return std::nullopt;
}

}  // namespace ledger
