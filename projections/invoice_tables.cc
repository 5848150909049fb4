#include "projections/invoice_tables.h"

#include <utility>

#include "projections/row_codec.h"

namespace ledger {
namespace {

//! The entry of `map` named `name`, made on first use.
template <typename Entry>
Entry& entry_named(std::map<std::string, Entry, std::less<>>& map, std::string_view name) {
  auto it = map.find(name);
  if (it == map.end()) it = map.emplace(std::string(name), Entry{}).first;
  return it->second;
}

view::InvoiceLineT unpacked(const view::InvoiceLine& line) {
  view::InvoiceLineT native;
  line.UnPackTo(&native);
  return native;
}

}  // namespace

void InvoiceTablesBuilder::add(const view::InvoiceLine& line) {
  if (const auto* taxes = line.taxes()) {
    for (const auto* tax : *taxes) {
      TaxTotal& total = entry_named(taxes_, text_of(tax->code()));
      if (total.code.empty()) total.code = text_of(tax->code());
      if (total.name.empty()) total.name = text_of(tax->name());
      total.amount_minor += tax->amount_minor();
    }
  }
  switch (line.kind()) {
    case view::LineKind::Charge: {
      tables_.charges.push_back(unpacked(line));
      const auto& charge = tables_.charges.back();
      if (!charge.subscription_id.empty()) {
        subscriptions_[charge.subscription_id] = {charge.subscription_id, charge.subscription_name,
                                                  charge.subscription_status};
      }
      break;
    }
    case view::LineKind::Usage: {
      UsageByDestination& entry = entry_named(usage_, text_of(line.destination()));
      if (entry.calls == 0) entry.destination = text_of(line.destination());
      entry.calls += 1;
      entry.seconds += line.duration_s();
      entry.net_minor += line.net_minor();
      entry.tax_minor += line.tax_minor();
      entry.amount_minor += line.amount_minor();
      break;
    }
    case view::LineKind::Payment:
    case view::LineKind::Refill:
      tables_.payments.push_back(unpacked(line));
      break;
    case view::LineKind::Correction:
      tables_.corrections.push_back(unpacked(line));
      break;
    case view::LineKind::CreditNote:
      tables_.credit_notes.push_back(unpacked(line));
      break;
    case view::LineKind::TaxAdjustment:
      tables_.tax_adjustments.push_back(unpacked(line));
      break;
  }
}

InvoiceTables InvoiceTablesBuilder::finish() {
  for (auto& [name, entry] : usage_) tables_.usage.push_back(std::move(entry));
  for (auto& [code, total] : taxes_) tables_.taxes.push_back(std::move(total));
  for (auto& [id, entry] : subscriptions_) tables_.subscriptions.push_back(std::move(entry));
  usage_.clear();
  taxes_.clear();
  subscriptions_.clear();
  return std::exchange(tables_, InvoiceTables{});
}

}  // namespace ledger
