#include "connectors/json/invoice_json.h"

#include "connectors/json/view_json.h"
#include "engine/calendar.h"
#include "engine/money.h"
#include "projections/invoice_tables.h"

namespace ledger {
namespace {

std::string day_text(int32_t day) {
  return day ? format_day(day) : "";
}

nlohmann::json money(int64_t amount_minor, uint8_t exponent) {
  return {{"minor", amount_minor}, {"text", format_minor(amount_minor, exponent)}};
}

nlohmann::json taxes_json(const std::vector<std::unique_ptr<view::LineTaxT>>& taxes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& tax : taxes)
    out.push_back({{"code", tax->code}, {"name", tax->name}, {"amount_minor", tax->amount_minor}});
  return out;
}

nlohmann::json lines_of(const std::vector<view::InvoiceLineT>& lines, uint8_t exponent) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& line : lines) out.push_back(invoice_line_json(line, exponent));
  return out;
}

//! The lines the query read, and the CDRs among them (BILLING.md section 6: usage details on
//! demand).
struct WindowLines {
  nlohmann::json lines = nlohmann::json::array();
  nlohmann::json usage_details = nlohmann::json::array();
};

WindowLines window_lines(const InvoiceDetail& detail) {
  WindowLines out;
  for (const auto& line : detail.lines) {
    out.lines.push_back(invoice_line_json(line, detail.invoice.exponent));
    if (line.kind == view::LineKind::Usage) out.usage_details.push_back(out.lines.back());
  }
  return out;
}

//! The tables, summed over every line; `usage_details` are the CDRs of the reply's lines.
nlohmann::json tables_json(const InvoiceDetail& detail, nlohmann::json usage_details) {
  const uint8_t exponent = detail.invoice.exponent;
  const InvoiceTables& tables = detail.tables;
  nlohmann::json usage = nlohmann::json::array();
  for (const auto& entry : tables.usage) {
    usage.push_back({{"destination", entry.destination},
                     {"calls", entry.calls},
                     {"seconds", entry.seconds},
                     {"net_minor", entry.net_minor},
                     {"tax_minor", entry.tax_minor},
                     {"amount_minor", entry.amount_minor},
                     {"amount", format_minor(entry.amount_minor, exponent)}});
  }
  nlohmann::json subscriptions = nlohmann::json::array();
  for (const auto& s : tables.subscriptions)
    subscriptions.push_back({{"id", s.id}, {"name", s.name}, {"status", s.status}});
  nlohmann::json taxes = nlohmann::json::array();
  for (const auto& t : tables.taxes) {
    taxes.push_back({{"code", t.code},
                     {"name", t.name},
                     {"amount_minor", t.amount_minor},
                     {"amount", format_minor(t.amount_minor, exponent)}});
  }
  return {{"charges", lines_of(tables.charges, exponent)},
          {"usage", usage},
          {"usage_details", std::move(usage_details)},
          {"subscriptions", subscriptions},
          {"payments", lines_of(tables.payments, exponent)},
          {"corrections", lines_of(tables.corrections, exponent)},
          {"credit_notes", lines_of(tables.credit_notes, exponent)},
          {"tax_adjustments", lines_of(tables.tax_adjustments, exponent)},
          {"taxes", taxes}};
}

nlohmann::json bill_json(const view::InvoiceRowT& invoice, const BillStanding& standing) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& change : invoice.lifecycle_history) {
    history.push_back({{"state", change->state},
                       {"note", change->note},
                       {"at", format_time_us(change->time_us)},
                       {"event_id", change->event_id}});
  }
  nlohmann::json allocations = nlohmann::json::array();
  for (const auto& a : invoice.allocations) {
    allocations.push_back({{"event_id", a->event_id},
                           {"reference_id", a->reference_id},
                           {"amount_minor", a->amount_minor},
                           {"at", format_time_us(a->time_us)}});
  }
  nlohmann::json communications = nlohmann::json::array();
  for (const auto& c : invoice.communications) {
    communications.push_back({{"channel", c->channel},
                              {"subject", c->subject},
                              {"sent_at", format_time_us(c->sent_at_us)},
                              {"event_id", c->event_id}});
  }
  return {{"closed_day", day_text(invoice.closed_day)},
          {"type", invoice.close_type},
          {"run_number", invoice.run_number},
          {"run_as_of_day", day_text(invoice.run_as_of_day)},
          {"due_day", day_text(invoice.due_day)},
          {"payment_terms_days", invoice.payment_terms_days},
          {"classification", invoice.classification},
          {"lifecycle_state", invoice.lifecycle_state},
          {"lifecycle_history", history},
          {"settlement_status", standing.settlement},
          {"payment_request_status", standing.payment_request},
          {"settled_minor", invoice.settled_minor},
          {"unpaid_minor", standing.unpaid_minor},
          {"outstanding_minor", standing.outstanding_minor},
          {"unsettled_minor", standing.unsettled_minor},
          {"allocations", allocations},
          {"external_total_minor", invoice.external_total_minor},
          {"external_currency", invoice.external_currency},
          {"approval_date", invoice.erp_approved_at_us ? format_time_us(invoice.erp_approved_at_us) : ""},
          {"communications", communications}};
}

}  // namespace

nlohmann::json invoice_line_json(const view::InvoiceLineT& line, uint8_t exponent) {
  nlohmann::json out = {{"seq", line.seq},
                        {"kind", view::EnumNameLineKind(line.kind)},
                        {"event_id", line.event_id},
                        {"date", format_time_us(line.time_us)},
                        {"late", line.late},
                        {"reference_id", line.reference_id},
                        {"description", line.description},
                        {"amount_minor", line.amount_minor},
                        {"amount", format_minor(line.amount_minor, exponent)},
                        {"running_balance_minor", line.running_balance_minor}};
  switch (line.kind) {
    case view::LineKind::Charge:
      out.update({{"service_type", line.service_type},
                  {"subscription_id", line.subscription_id},
                  {"quantity_milli", line.quantity_milli},
                  {"unit_price_micro", line.unit_price_micro},
                  {"duration_months", line.duration_months},
                  {"discount_minor", line.discount_minor},
                  {"net_minor", line.net_minor},
                  {"tax_minor", line.tax_minor},
                  {"taxes", taxes_json(line.taxes)},
                  {"service_from_day", day_text(line.service_from_day)},
                  {"service_to_day", day_text(line.service_to_day)}});
      break;
    case view::LineKind::Usage:
      out.update({{"destination", line.destination},
                  {"calling", line.calling},
                  {"called", line.called},
                  {"start", format_time_us(line.start_us)},
                  {"duration_s", line.duration_s},
                  {"net_minor", line.net_minor},
                  {"tax_minor", line.tax_minor},
                  {"taxes", taxes_json(line.taxes)}});
      break;
    case view::LineKind::Correction:
      out.update({{"direction", line.amount_minor >= 0 ? "▲" : "▼"},
                  {"approved_by", line.approved_by},
                  {"approved_at", format_time_us(line.approved_at_us)}});
      break;
    case view::LineKind::Payment:
      out["method"] = line.method;
      break;
    case view::LineKind::CreditNote:
      out["invoice_number"] = line.invoice_number;
      break;
    case view::LineKind::TaxAdjustment:
      out["taxes"] = taxes_json(line.taxes);
      break;
    default:
      break;
  }
  return out;
}

nlohmann::json invoice_json(const InvoiceDetail& detail, bool with_lines) {
  const auto& invoice = detail.invoice;
  const uint8_t e = invoice.exponent;
  nlohmann::json out = {{"invoice_number", invoice.invoice_number},
                        {"account", invoice.account},
                        {"operator", invoice.operator_},
                        {"currency", invoice.currency},
                        {"status", view::EnumNameInvoiceStatus(invoice.status)},
                        {"from_day", day_text(invoice.from_day)},
                        {"to_day", day_text(invoice.to_day)},
                        {"balance_brought_forward", money(invoice.balance_brought_forward_minor, e)},
                        {"total_debited", money(invoice.total_debited_minor, e)},
                        {"total_credited", money(invoice.total_credited_minor, e)},
                        {"total_billed", money(detail.total_billed_minor, e)},
                        {"total_paid", money(invoice.total_paid_minor, e)},
                        {"total_to_pay", money(detail.total_to_pay_minor, e)},
                        {"line_count", invoice.line_count},
                        {"late_line_count", invoice.late_line_count}};
  if (detail.standing) out["bill"] = bill_json(invoice, *detail.standing);
  if (with_lines) {
    WindowLines window = window_lines(detail);
    out["tables"] = tables_json(detail, std::move(window.usage_details));
    out["lines"] = std::move(window.lines);
    out["lines_from"] = detail.lines_from_seq;
    out["lines_brought_forward"] = money(detail.lines_brought_forward_minor, e);
    if (detail.lines_next_from_seq) out["lines_next_from"] = detail.lines_next_from_seq;
  }
  return out;
}

}  // namespace ledger
