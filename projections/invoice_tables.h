#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/views_generated.h"

namespace ledger {

//! CDRs of one destination summed (BILLING.md section 6: usage, details on demand).
struct UsageByDestination {
  std::string destination;
  uint64_t calls = 0;
  int64_t seconds = 0;
  int64_t net_minor = 0;
  int64_t tax_minor = 0;
  int64_t amount_minor = 0;
};

//! One tax code summed over the invoice's lines.
struct TaxTotal {
  std::string code;
  std::string name;
  int64_t amount_minor = 0;
};

struct SubscriptionEntry {
  std::string id;
  std::string name;
  std::string status;
};

//! The tables of an invoice page (seeds 001 and 003), drawn from its lines in line order.
struct InvoiceTables {
  std::vector<const view::InvoiceLineT*> charges;
  std::vector<UsageByDestination> usage;  //!< by destination name
  std::vector<SubscriptionEntry> subscriptions;
  std::vector<const view::InvoiceLineT*> payments;  //!< payments and refills
  std::vector<const view::InvoiceLineT*> corrections;
  std::vector<const view::InvoiceLineT*> credit_notes;
  std::vector<const view::InvoiceLineT*> tax_adjustments;
  std::vector<TaxTotal> taxes;  //!< by code, every line's taxes and adjustments
};

//! Groups `lines` into the invoice tables; the pointers point into `lines`.
InvoiceTables invoice_tables(const std::vector<view::InvoiceLineT>& lines);

}  // namespace ledger
