#include "projections/charges.h"

#include "engine/key_encoding.h"
#include "engine/money.h"
#include "projections/accounts.h"
#include "projections/operators.h"
#include "projections/pricing.h"
#include "projections/row_codec.h"

namespace ledger {

std::string charge_key(std::string_view account, std::string_view charge_id) {
  std::string key;
  put_terminated(key, account);
  key.append(charge_id);
  return key;
}

Rejection rejection_of(const Status& status) {
  return {status.is_overflow() ? "amount_overflow" : "invalid_amount", status.message()};
}

Status ChargesView::bind(const Store& store) {
  if (Status bound = bind_column_family(store, kColumnFamily, &cf_); !bound) return bound;
  if (Status bound = bind_column_family(store, "accounts", &accounts_); !bound) return bound;
  return bind_column_family(store, "operators", &operators_);
}

Verdict ChargesView::apply(const EventContext& context, ViewState& state) {
  switch (context.event.body_type()) {
    case schema::Body::Charge:
      return add_charge(context, state);
    case schema::Body::TaxAdjustment:
      return adjust_tax(context, state);
    default:
      return std::nullopt;
  }
}

Verdict ChargesView::add_charge(const EventContext& context, ViewState& state) {
  const auto& charge = *context.event.body_as_Charge();
  std::string_view account_id = text_of(context.event.account());
  const std::string key = charge_key(account_id, text_of(charge.charge_id()));
  if (state.get(cf_, key)) {
    return Rejection{"duplicate_charge_id", "body.charge_id: '" + std::string(text_of(charge.charge_id())) +
                                                "' was already billed to this account"};
  }
  auto account = find_account(state, accounts_, account_id);
  auto operator_row = find_operator(state, operators_, context.partition, account->operator_);
  auto priced = price_charge(charge, *operator_row, account->exponent);
  if (!priced) return rejection_of(priced.status());
  view::ChargeRowT row;
  row.charge_id = text_of(charge.charge_id());
  row.service_type = text_of(charge.service_type());
  row.net_minor = priced->net_minor;
  row.tax_minor = priced->tax_minor;
  row.time_us = context.event.time_us();
  state.put(cf_, key, encode_row(row));
  return std::nullopt;
}

Verdict ChargesView::adjust_tax(const EventContext& context, ViewState& state) {
  const auto& adjustment = *context.event.body_as_TaxAdjustment();
  const std::string key = charge_key(text_of(context.event.account()), text_of(adjustment.charge_id()));
  auto row = unpack_row<view::ChargeRow>(state.get(cf_, key));
  if (!row) {
    return Rejection{"unknown_charge", "body.charge_id: '" + std::string(text_of(adjustment.charge_id())) +
                                           "' was never billed to this account"};
  }
  auto tax = checked_add(row->tax_minor, adjustment.amount_minor(), "body.amount_minor");
  if (!tax) return rejection_of(tax.status());
  row->tax_minor = *tax;
  state.put(cf_, key, encode_row(*row));
  return std::nullopt;
}

}  // namespace ledger
