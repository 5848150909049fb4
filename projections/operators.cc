#include "projections/operators.h"

#include "engine/currency.h"
#include "engine/key_encoding.h"
#include "projections/row_codec.h"

namespace ledger {

std::string operator_key(uint32_t partition, std::string_view operator_id) {
  std::string key;
  put_u32_be(key, partition);
  key.append(operator_id);
  return key;
}

const view::OperatorRowT* find_operator(ViewState& state, ColumnFamily operators, uint32_t partition,
                                        std::string_view operator_id) {
  return cached_row<view::OperatorRow>(state, operators, operator_key(partition, operator_id));
}

Verdict OperatorsView::apply(const EventContext& context, ViewState& state) {
  const auto* body = context.event.body_as_OperatorConfigured();
  if (!body) return std::nullopt;
  view::OperatorRowT row;
  row.operator_ = text_of(body->operator_());
  row.name = text_of(body->name());
  row.currency = text_of(body->currency());
  row.exponent = currency_exponent(row.currency).value();  // validated at the door
  row.invoice_number_format = text_of(body->invoice_number_format());
  row.payment_terms_days = body->payment_terms_days();
  row.max_bill_amount_minor = body->max_bill_amount_minor();
  row.max_credit_amount_minor = body->max_credit_amount_minor();
  if (body->tax_rates()) {
    for (const auto* rate : *body->tax_rates()) {
      auto tax = std::make_unique<view::OperatorTaxRateT>();
      tax->service_type = text_of(rate->service_type());
      tax->code = text_of(rate->code());
      tax->name = text_of(rate->name());
      tax->rate_ppm = rate->rate_ppm();
      row.tax_rates.push_back(std::move(tax));
    }
  }
  row.configured_at_us = context.event.time_us();
  row.config_event_id = text_of(context.event.id());
  state.put(cf_, operator_key(context.partition, row.operator_), encode_row(row));
  return std::nullopt;
}

}  // namespace ledger
