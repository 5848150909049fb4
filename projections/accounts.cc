#include "projections/accounts.h"

#include "engine/currency.h"
#include "projections/operators.h"
#include "projections/row_codec.h"

namespace ledger {

const view::AccountRowT* find_account(ViewState& state, ColumnFamily accounts, std::string_view account) {
  return cached_row<view::AccountRow>(state, accounts, account);
}

std::string_view event_currency(const schema::Event& event) {
  using schema::Body;
  switch (event.body_type()) {
    case Body::Charge:
      return text_of(event.body_as_Charge()->currency());
    case Body::Cdr:
      return text_of(event.body_as_Cdr()->currency());
    case Body::Payment:
      return text_of(event.body_as_Payment()->currency());
    case Body::Refill:
      return text_of(event.body_as_Refill()->currency());
    case Body::Correction:
      return text_of(event.body_as_Correction()->currency());
    case Body::CreditNote:
      return text_of(event.body_as_CreditNote()->currency());
    case Body::TaxAdjustment:
      return text_of(event.body_as_TaxAdjustment()->currency());
    default:
      return {};
  }
}

Status AccountsView::bind(const Store& store) {
  if (Status bound = bind_column_family(store, kColumnFamily, &cf_); !bound) return bound;
  return bind_column_family(store, "operators", &operators_);
}

Verdict AccountsView::apply(const EventContext& context, ViewState& state) {
  const schema::Event& event = context.event;
  if (event.body_type() == schema::Body::OperatorConfigured ||
      event.body_type() == schema::Body::BillingRun) {
    return std::nullopt;
  }
  if (event.body_type() == schema::Body::AccountOpened) return open_account(context, state);
  auto account = find_account(state, cf_, text_of(event.account()));
  if (!account) {
    return Rejection{"unknown_account",
                     "account: '" + std::string(text_of(event.account())) + "' was never opened"};
  }
  view::AccountRowT changed = *account;
  return check_account_event(context, changed, state);
}

Verdict AccountsView::open_account(const EventContext& context, ViewState& state) {
  const auto& body = *context.event.body_as_AccountOpened();
  std::string_view account_id = text_of(context.event.account());
  if (state.get(cf_, account_id)) {
    return Rejection{"account_exists", "account: '" + std::string(account_id) + "' is already open"};
  }
  if (!find_operator(state, operators_, context.partition, text_of(body.operator_()))) {
    return Rejection{"unknown_operator",
                     "body.operator: '" + std::string(text_of(body.operator_())) + "' was never configured"};
  }
  view::AccountRowT row;
  row.account = account_id;
  row.operator_ = text_of(body.operator_());
  row.name = text_of(body.name());
  row.currency = text_of(body.currency());
  row.exponent = currency_exponent(row.currency).value();  // validated at the door
  row.credit_limit_minor = body.credit_limit_minor();
  row.invoice_day = body.invoice_day();
  row.opened_at_us = context.event.time_us();
  row.partition = context.partition;
  state.put(cf_, account_id, encode_row(row));
  return std::nullopt;
}

Verdict AccountsView::check_account_event(const EventContext& context, view::AccountRowT& account,
                                          ViewState& state) {
  const schema::Event& event = context.event;
  std::string_view currency = event_currency(event);
  if (!currency.empty() && currency != account.currency) {
    return Rejection{"currency_mismatch", "body.currency: '" + std::string(currency) +
                                              "' is not the account's currency '" + account.currency + "'"};
  }
  const bool closed = account.status == view::AccountStatus::Closed;
  switch (event.body_type()) {
    case schema::Body::CreditLimitSet:
      account.credit_limit_minor = event.body_as_CreditLimitSet()->credit_limit_minor();
      state.put(cf_, account.account, encode_row(account));
      return std::nullopt;
    case schema::Body::AccountClosed:
      if (closed) return Rejection{"account_closed", "account: '" + account.account + "' is already closed"};
      account.status = view::AccountStatus::Closed;
      account.closed_at_us = event.time_us();
      account.close_reason = text_of(event.body_as_AccountClosed()->reason());
      state.put(cf_, account.account, encode_row(account));
      return std::nullopt;
    case schema::Body::Charge:
    case schema::Body::Cdr:
      if (closed) {
        return Rejection{"account_closed", "account: '" + account.account + "' is closed and takes no new " +
                                               schema::EnumNameBody(event.body_type()) + " lines"};
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace ledger
