#include "engine/event_validation.h"

#include <flatbuffers/util.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/calendar.h"
#include "engine/currency.h"

namespace ledger {
namespace {

using Limits = EventLimits;

Status field_error(std::string_view field, std::string_view reason) {
  return Status::invalid_argument(std::string(field) + ": " + std::string(reason));
}

std::string_view view_of(const flatbuffers::String* text) {
  return text ? std::string_view(text->c_str(), text->size()) : std::string_view();
}

//! Whether `value` is well-formed UTF-8 (no overlong forms, no surrogates), by the same rule as
//! the FlatBuffers JSON parser and printer, so that every accepted event renders as JSON.
bool is_valid_utf8(std::string_view value) {
  // Nearly every field is ASCII: eight bytes at a time up to the first byte that is not, and
  // only from there decoded character by character.
  size_t ascii = 0;
  for (uint64_t word = 0; ascii + 8 <= value.size(); ascii += 8) {
    std::memcpy(&word, value.data() + ascii, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  while (ascii < value.size() && !(static_cast<unsigned char>(value[ascii]) & 0x80)) ++ascii;
  const char* at = value.data() + ascii;
  const char* end = value.data() + value.size();
  while (at < end) {
    if (flatbuffers::FromUTF8(&at) < 0 || at > end) return false;
  }
  return true;
}

//! A string field: at most `max_bytes`, at least one when `required`, never a NUL byte
//! (keys use NUL as the terminator), and valid UTF-8 (a binary event bypasses the JSON parser's
//! check; an invalid string could not be shown as JSON).
Status check_text(std::string_view field, const flatbuffers::String* text, size_t max_bytes, bool required) {
  std::string_view value = view_of(text);
  if (required && value.empty()) return field_error(field, "is required");
  if (value.size() > max_bytes) {
    return field_error(field, "is " + std::to_string(value.size()) + " bytes, more than the limit " +
                                  std::to_string(max_bytes));
  }
  if (value.find('\0') != std::string_view::npos) return field_error(field, "contains a NUL byte");
  if (!is_valid_utf8(value)) return field_error(field, "is not valid UTF-8");
  return Status::ok();
}

Status check_currency(std::string_view field, const flatbuffers::String* code, bool required) {
  if (!code || code->size() == 0) return required ? field_error(field, "is required") : Status::ok();
  if (!is_known_currency(view_of(code))) {
    return field_error(field, "'" + std::string(view_of(code)) + "' is not an ISO 4217 currency code");
  }
  return Status::ok();
}

Status check_range(std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return field_error(field, std::to_string(value) + " is out of range [" + std::to_string(min) + ", " +
                                  std::to_string(max) + "]");
  }
  return Status::ok();
}

Status check_non_negative(std::string_view field, int64_t value) {
  return value < 0 ? field_error(field, std::to_string(value) + " must not be negative") : Status::ok();
}

Status check_day(std::string_view field, int32_t day, bool required) {
  if (day == 0 && !required) return Status::ok();
  if (!is_valid_day(day)) return field_error(field, std::to_string(day) + " is not a valid YYYYMMDD day");
  return Status::ok();
}

#define LEDGER_CHECK(expr)                  \
  do {                                      \
    if (Status s_ = (expr); !s_) return s_; \
  } while (0)

Status check_operator_configured(const schema::OperatorConfigured& body) {
  LEDGER_CHECK(check_text("body.operator", body.operator_(), Limits::kCodeBytesMax, true));
  LEDGER_CHECK(check_text("body.name", body.name(), Limits::kNameBytesMax, false));
  LEDGER_CHECK(check_currency("body.currency", body.currency(), true));
  LEDGER_CHECK(
      check_text("body.invoice_number_format", body.invoice_number_format(), Limits::kNameBytesMax, false));
  LEDGER_CHECK(
      check_range("body.payment_terms_days", body.payment_terms_days(), 0, Limits::kPaymentTermsDaysMax));
  LEDGER_CHECK(check_non_negative("body.max_bill_amount_minor", body.max_bill_amount_minor()));
  LEDGER_CHECK(check_non_negative("body.max_credit_amount_minor", body.max_credit_amount_minor()));
  if (body.tax_rates() && body.tax_rates()->size() > Limits::kTaxRatesMax) {
    return field_error("body.tax_rates",
                       "has more than " + std::to_string(Limits::kTaxRatesMax) + " entries");
  }
  if (!body.tax_rates()) return Status::ok();
  for (flatbuffers::uoffset_t i = 0; i < body.tax_rates()->size(); ++i) {
    const auto* rate = body.tax_rates()->Get(i);
    std::string at = "body.tax_rates[" + std::to_string(i) + "].";
    LEDGER_CHECK(check_text(at + "service_type", rate->service_type(), Limits::kCodeBytesMax, true));
    LEDGER_CHECK(check_text(at + "code", rate->code(), Limits::kCodeBytesMax, true));
    LEDGER_CHECK(check_text(at + "name", rate->name(), Limits::kNameBytesMax, false));
    LEDGER_CHECK(check_range(at + "rate_ppm", rate->rate_ppm(), 0, Limits::kRatePpmMax));
  }
  return Status::ok();
}

Status check_account_opened(const schema::AccountOpened& body) {
  LEDGER_CHECK(check_text("body.operator", body.operator_(), Limits::kCodeBytesMax, true));
  LEDGER_CHECK(check_text("body.name", body.name(), Limits::kNameBytesMax, false));
  LEDGER_CHECK(check_currency("body.currency", body.currency(), true));
  LEDGER_CHECK(check_non_negative("body.credit_limit_minor", body.credit_limit_minor()));
  return check_range("body.invoice_day", body.invoice_day(), 1, 28);
}

Status check_charge(const schema::Charge& body) {
  LEDGER_CHECK(check_text("body.charge_id", body.charge_id(), Limits::kIdBytesMax, true));
  LEDGER_CHECK(check_text("body.description", body.description(), Limits::kTextBytesMax, false));
  LEDGER_CHECK(check_text("body.service_type", body.service_type(), Limits::kCodeBytesMax, true));
  LEDGER_CHECK(check_text("body.subscription_id", body.subscription_id(), Limits::kIdBytesMax, false));
  LEDGER_CHECK(check_text("body.subscription_name", body.subscription_name(), Limits::kNameBytesMax, false));
  LEDGER_CHECK(
      check_text("body.subscription_status", body.subscription_status(), Limits::kCodeBytesMax, false));
  LEDGER_CHECK(check_non_negative("body.quantity_milli", body.quantity_milli()));
  LEDGER_CHECK(check_non_negative("body.unit_price_micro", body.unit_price_micro()));
  LEDGER_CHECK(check_range("body.duration_months", body.duration_months(), 0, Limits::kDurationMonthsMax));
  LEDGER_CHECK(check_non_negative("body.discount_minor", body.discount_minor()));
  LEDGER_CHECK(check_day("body.service_from_day", body.service_from_day(), false));
  LEDGER_CHECK(check_day("body.service_to_day", body.service_to_day(), false));
  if ((body.service_from_day() == 0) != (body.service_to_day() == 0)) {
    return field_error("body.service_to_day", "service_from_day and service_to_day go together");
  }
  if (body.service_to_day() < body.service_from_day()) {
    return field_error("body.service_to_day", "is before service_from_day");
  }
  LEDGER_CHECK(check_currency("body.currency", body.currency(), false));
  if (!body.taxes()) return Status::ok();
  if (body.taxes()->size() > Limits::kExplicitTaxesMax) {
    return field_error("body.taxes",
                       "has more than " + std::to_string(Limits::kExplicitTaxesMax) + " entries");
  }
  for (flatbuffers::uoffset_t i = 0; i < body.taxes()->size(); ++i) {
    std::string at = "body.taxes[" + std::to_string(i) + "].";
    LEDGER_CHECK(check_text(at + "code", body.taxes()->Get(i)->code(), Limits::kCodeBytesMax, true));
    LEDGER_CHECK(check_text(at + "name", body.taxes()->Get(i)->name(), Limits::kNameBytesMax, false));
  }
  return Status::ok();
}

Status check_cdr(const schema::Cdr& body) {
  LEDGER_CHECK(check_text("body.call_id", body.call_id(), Limits::kIdBytesMax, true));
  LEDGER_CHECK(check_text("body.calling", body.calling(), Limits::kCodeBytesMax, false));
  LEDGER_CHECK(check_text("body.called", body.called(), Limits::kCodeBytesMax, false));
  LEDGER_CHECK(check_text("body.destination", body.destination(), Limits::kNameBytesMax, false));
  LEDGER_CHECK(check_range("body.start_us", body.start_us(), 0, kMaxTimeUs));
  LEDGER_CHECK(check_non_negative("body.duration_s", body.duration_s()));
  LEDGER_CHECK(check_non_negative("body.cost_micro", body.cost_micro()));
  return check_currency("body.currency", body.currency(), false);
}

Status check_money_line(std::string_view id_field, const flatbuffers::String* id, int64_t amount_minor,
                        bool signed_amount, const flatbuffers::String* text,
                        const flatbuffers::String* currency) {
  LEDGER_CHECK(check_text(id_field, id, Limits::kIdBytesMax, true));
  if (!signed_amount) LEDGER_CHECK(check_non_negative("body.amount_minor", amount_minor));
  LEDGER_CHECK(check_text("body.description", text, Limits::kTextBytesMax, false));
  return check_currency("body.currency", currency, false);
}

Status check_body(const schema::Event& event) {
  using schema::Body;
  // The verifier accepts a union whose type is set and whose table is absent; every case below
  // reads the table.
  if (event.body_type() != Body::NONE && !event.body()) {
    return field_error("body", std::string("is missing for ") + body_type_name(event.body_type()));
  }
  switch (event.body_type()) {
    case Body::NONE:
      return field_error("body_type", "is missing");
    case Body::OperatorConfigured:
      return check_operator_configured(*event.body_as_OperatorConfigured());
    case Body::AccountOpened:
      return check_account_opened(*event.body_as_AccountOpened());
    case Body::CreditLimitSet:
      return check_non_negative("body.credit_limit_minor",
                                event.body_as_CreditLimitSet()->credit_limit_minor());
    case Body::AccountClosed:
      return check_text("body.reason", event.body_as_AccountClosed()->reason(), Limits::kTextBytesMax, false);
    case Body::Charge:
      return check_charge(*event.body_as_Charge());
    case Body::Cdr:
      return check_cdr(*event.body_as_Cdr());
    case Body::Payment: {
      const auto& body = *event.body_as_Payment();
      LEDGER_CHECK(check_text("body.method", body.method(), Limits::kCodeBytesMax, false));
      LEDGER_CHECK(check_text("body.reference", body.reference(), Limits::kTextBytesMax, false));
      return check_money_line("body.payment_id", body.payment_id(), body.amount_minor(), false, nullptr,
                              body.currency());
    }
    case Body::Refill: {
      const auto& body = *event.body_as_Refill();
      return check_money_line("body.refill_id", body.refill_id(), body.amount_minor(), false,
                              body.description(), body.currency());
    }
    case Body::Correction: {
      const auto& body = *event.body_as_Correction();
      LEDGER_CHECK(check_text("body.approved_by", body.approved_by(), Limits::kNameBytesMax, false));
      LEDGER_CHECK(check_range("body.approved_at_us", body.approved_at_us(), 0, kMaxTimeUs));
      return check_money_line("body.correction_id", body.correction_id(), body.amount_minor(), true,
                              body.description(), body.currency());
    }
    case Body::CreditNote: {
      const auto& body = *event.body_as_CreditNote();
      LEDGER_CHECK(check_text("body.invoice_number", body.invoice_number(), Limits::kCodeBytesMax, false));
      return check_money_line("body.credit_note_id", body.credit_note_id(), body.amount_minor(), false,
                              body.description(), body.currency());
    }
    case Body::TaxAdjustment: {
      const auto& body = *event.body_as_TaxAdjustment();
      LEDGER_CHECK(check_text("body.code", body.code(), Limits::kCodeBytesMax, true));
      LEDGER_CHECK(check_text("body.name", body.name(), Limits::kNameBytesMax, false));
      return check_money_line("body.charge_id", body.charge_id(), body.amount_minor(), true, nullptr,
                              body.currency());
    }
    case Body::BillingRun: {
      const auto& body = *event.body_as_BillingRun();
      LEDGER_CHECK(check_range("body.run_number", body.run_number(), 1, INT64_MAX));
      LEDGER_CHECK(check_day("body.as_of_day", body.as_of_day(), true));
      LEDGER_CHECK(check_text("body.operator", body.operator_(), Limits::kCodeBytesMax, false));
      if (body.accounts() && body.accounts()->size() > Limits::kRunAccountsMax) {
        return field_error("body.accounts",
                           "has more than " + std::to_string(Limits::kRunAccountsMax) + " entries");
      }
      if (!body.accounts()) return Status::ok();
      for (flatbuffers::uoffset_t i = 0; i < body.accounts()->size(); ++i) {
        LEDGER_CHECK(check_text("body.accounts[" + std::to_string(i) + "]", body.accounts()->Get(i),
                                Limits::kAccountBytesMax, true));
      }
      return Status::ok();
    }
    case Body::BillStateChanged: {
      const auto& body = *event.body_as_BillStateChanged();
      LEDGER_CHECK(check_text("body.invoice_number", body.invoice_number(), Limits::kCodeBytesMax, true));
      LEDGER_CHECK(check_text("body.state", body.state(), Limits::kCodeBytesMax, true));
      return check_text("body.note", body.note(), Limits::kTextBytesMax, false);
    }
    case Body::ErpApproved: {
      const auto& body = *event.body_as_ErpApproved();
      LEDGER_CHECK(check_text("body.invoice_number", body.invoice_number(), Limits::kCodeBytesMax, true));
      LEDGER_CHECK(check_currency("body.external_currency", body.external_currency(), true));
      return check_range("body.approved_at_us", body.approved_at_us(), 1, kMaxTimeUs);
    }
    case Body::CommunicationLogged: {
      const auto& body = *event.body_as_CommunicationLogged();
      LEDGER_CHECK(check_text("body.invoice_number", body.invoice_number(), Limits::kCodeBytesMax, true));
      LEDGER_CHECK(check_text("body.channel", body.channel(), Limits::kCodeBytesMax, true));
      LEDGER_CHECK(check_text("body.subject", body.subject(), Limits::kTextBytesMax, false));
      return check_range("body.sent_at_us", body.sent_at_us(), 0, kMaxTimeUs);
    }
  }
  return field_error("body_type", "is not a known kind");
}

}  // namespace

bool is_broadcast(schema::Body body_type) {
  return body_type == schema::Body::OperatorConfigured || body_type == schema::Body::BillingRun;
}

const char* body_type_name(schema::Body body_type) {
  return schema::EnumNameBody(body_type);
}

Status validate_event(const schema::Event& event) {
  LEDGER_CHECK(check_text("id", event.id(), Limits::kIdBytesMax, true));
  LEDGER_CHECK(check_range("time_us", event.time_us(), 1, kMaxTimeUs));
  if (is_broadcast(event.body_type())) {
    if (event.account() && event.account()->size() > 0) {
      return field_error("account", std::string("must be empty for ") + body_type_name(event.body_type()) +
                                        ", which is broadcast to every partition");
    }
  } else {
    LEDGER_CHECK(check_text("account", event.account(), Limits::kAccountBytesMax, true));
  }
  return check_body(event);
}

#undef LEDGER_CHECK

}  // namespace ledger
