#include "projections/invoice_lines.h"

#include "projections/pricing.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

void set_priced(view::InvoiceLineT& line, const PricedLine& priced) {
  line.discount_minor = priced.discount_minor;
  line.net_minor = priced.net_minor;
  line.tax_minor = priced.tax_minor;
  line.amount_minor = priced.total_minor;
  for (const auto& tax : priced.taxes) {
    auto out = std::make_unique<view::LineTaxT>();
    out->code = tax.code;
    out->name = tax.name;
    out->amount_minor = tax.amount_minor;
    line.taxes.push_back(std::move(out));
  }
}

void fill_charge(view::InvoiceLineT& line, const schema::Charge& charge, const view::AccountRowT& account,
                 const view::OperatorRowT& operator_row) {
  line.kind = view::LineKind::Charge;
  line.reference_id = text_of(charge.charge_id());
  line.description = text_of(charge.description());
  line.service_type = text_of(charge.service_type());
  line.subscription_id = text_of(charge.subscription_id());
  line.subscription_name = text_of(charge.subscription_name());
  line.subscription_status = text_of(charge.subscription_status());
  line.quantity_milli = charge.quantity_milli();
  line.unit_price_micro = charge.unit_price_micro();
  line.duration_months = charge.duration_months();
  line.service_from_day = charge.service_from_day();
  line.service_to_day = charge.service_to_day();
  auto priced = price_charge(charge, operator_row, account.exponent);
  if (priced) set_priced(line, *priced);
}

void fill_cdr(view::InvoiceLineT& line, const schema::Cdr& cdr, const view::AccountRowT& account,
              const view::OperatorRowT& operator_row) {
  line.kind = view::LineKind::Usage;
  line.reference_id = text_of(cdr.call_id());
  line.description = "Call to " + std::string(text_of(cdr.destination()));
  line.service_type = kUsageServiceType;
  line.destination = text_of(cdr.destination());
  line.calling = text_of(cdr.calling());
  line.called = text_of(cdr.called());
  line.start_us = cdr.start_us();
  line.duration_s = cdr.duration_s();
  auto priced = price_cdr(cdr, operator_row, account.exponent);
  if (priced) set_priced(line, *priced);
}

void fill_credit(view::InvoiceLineT& line, view::LineKind kind, const flatbuffers::String* id,
                 const flatbuffers::String* description, int64_t amount_minor) {
  line.kind = kind;
  line.reference_id = text_of(id);
  line.description = text_of(description);
  line.net_minor = -amount_minor;
  line.amount_minor = -amount_minor;
}

}  // namespace

std::optional<view::InvoiceLineT> line_from_event(const schema::Event& event,
                                                  const view::AccountRowT& account,
                                                  const view::OperatorRowT& operator_row) {
  view::InvoiceLineT line;
  line.event_id = text_of(event.id());
  line.time_us = event.time_us();
  switch (event.body_type()) {
    case schema::Body::Charge:
      fill_charge(line, *event.body_as_Charge(), account, operator_row);
      break;
    case schema::Body::Cdr:
      fill_cdr(line, *event.body_as_Cdr(), account, operator_row);
      break;
    case schema::Body::Payment: {
      const auto& body = *event.body_as_Payment();
      fill_credit(line, view::LineKind::Payment, body.payment_id(), body.reference(), body.amount_minor());
      line.method = text_of(body.method());
      break;
    }
    case schema::Body::Refill: {
      const auto& body = *event.body_as_Refill();
      fill_credit(line, view::LineKind::Refill, body.refill_id(), body.description(), body.amount_minor());
      break;
    }
    case schema::Body::CreditNote: {
      const auto& body = *event.body_as_CreditNote();
      fill_credit(line, view::LineKind::CreditNote, body.credit_note_id(), body.description(),
                  body.amount_minor());
      line.invoice_number = text_of(body.invoice_number());
      break;
    }
    case schema::Body::Correction: {
      const auto& body = *event.body_as_Correction();
      fill_credit(line, view::LineKind::Correction, body.correction_id(), body.description(),
                  -body.amount_minor());
      line.approved_by = text_of(body.approved_by());
      line.approved_at_us = body.approved_at_us();
      break;
    }
    case schema::Body::TaxAdjustment: {
      const auto& body = *event.body_as_TaxAdjustment();
      line.kind = view::LineKind::TaxAdjustment;
      line.reference_id = text_of(body.charge_id());
      line.description = text_of(body.name());
      auto tax = std::make_unique<view::LineTaxT>();
      tax->code = text_of(body.code());
      tax->name = text_of(body.name());
      tax->amount_minor = body.amount_minor();
      line.taxes.push_back(std::move(tax));
      line.tax_minor = body.amount_minor();
      line.amount_minor = body.amount_minor();
      break;
    }
    default:
      return std::nullopt;
  }
  return line;
}

void add_to_totals(view::InvoiceRowT& invoice, const view::InvoiceLineT& line) {
  // Amounts were checked for overflow against the balance, which bounds every total.
  switch (line.kind) {
    case view::LineKind::Payment:
    case view::LineKind::Refill:
      invoice.total_paid_minor += -line.amount_minor;
      break;
    case view::LineKind::CreditNote:
      invoice.total_credited_minor += -line.amount_minor;
      break;
    case view::LineKind::Correction:
      if (line.amount_minor >= 0)
        invoice.total_debited_minor += line.amount_minor;
      else
        invoice.total_credited_minor += -line.amount_minor;
      break;
    default:
      invoice.total_debited_minor += line.amount_minor;
      break;
  }
  invoice.line_count += 1;
  if (line.late) invoice.late_line_count += 1;
}

}  // namespace ledger
