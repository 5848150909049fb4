#include "projections/invoice_tables.h"

#include <map>

namespace ledger {

InvoiceTables invoice_tables(const std::vector<view::InvoiceLineT>& lines) {
  InvoiceTables tables;
  std::map<std::string, UsageByDestination> usage;
  std::map<std::string, TaxTotal> taxes;
  std::map<std::string, SubscriptionEntry> subscriptions;
  for (const auto& line : lines) {
    for (const auto& tax : line.taxes) {
      TaxTotal& total = taxes[tax->code];
      total.code = tax->code;
      if (total.name.empty()) total.name = tax->name;
      total.amount_minor += tax->amount_minor;
    }
    switch (line.kind) {
      case view::LineKind::Charge:
        tables.charges.push_back(&line);
        if (!line.subscription_id.empty()) {
          subscriptions[line.subscription_id] = {line.subscription_id, line.subscription_name,
                                                 line.subscription_status};
        }
        break;
      case view::LineKind::Usage: {
        UsageByDestination& entry = usage[line.destination];
        entry.destination = line.destination;
        entry.calls += 1;
        entry.seconds += line.duration_s;
        entry.net_minor += line.net_minor;
        entry.tax_minor += line.tax_minor;
        entry.amount_minor += line.amount_minor;
        break;
      }
      case view::LineKind::Payment:
      case view::LineKind::Refill:
        tables.payments.push_back(&line);
        break;
      case view::LineKind::Correction:
        tables.corrections.push_back(&line);
        break;
      case view::LineKind::CreditNote:
        tables.credit_notes.push_back(&line);
        break;
      case view::LineKind::TaxAdjustment:
        tables.tax_adjustments.push_back(&line);
        break;
    }
  }
  for (auto& [name, entry] : usage) tables.usage.push_back(std::move(entry));
  for (auto& [code, total] : taxes) tables.taxes.push_back(std::move(total));
  for (auto& [id, entry] : subscriptions) tables.subscriptions.push_back(std::move(entry));
  return tables;
}

}  // namespace ledger
