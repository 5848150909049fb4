#pragma once

#include <cstdint>
#include <functional>
#include <map>
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

//! The tables of an invoice page (seeds 001 and 003), drawn from its lines in line order. The
//! lines a table lists are copies: the invoice's own lines may be a page of them.
struct InvoiceTables {
  std::vector<view::InvoiceLineT> charges;
  std::vector<UsageByDestination> usage;  //!< by destination name
  std::vector<SubscriptionEntry> subscriptions;
  std::vector<view::InvoiceLineT> payments;  //!< payments and refills
  std::vector<view::InvoiceLineT> corrections;
  std::vector<view::InvoiceLineT> credit_notes;
  std::vector<view::InvoiceLineT> tax_adjustments;
  std::vector<TaxTotal> taxes;  //!< by code, every line's taxes and adjustments
};

//! Sums an invoice's lines into its tables, one line at a time in line order, reading each in
//! place: a CDR (most lines) only adds to its destination's sums and its taxes, and only the
//! lines a table lists are unpacked.
class InvoiceTablesBuilder {
 public:
  void add(const view::InvoiceLine& line);
  //! The tables of the lines added; the builder is left empty.
  InvoiceTables finish();

 private:
  InvoiceTables tables_;
  std::map<std::string, UsageByDestination, std::less<>> usage_;
  std::map<std::string, TaxTotal, std::less<>> taxes_;
  std::map<std::string, SubscriptionEntry, std::less<>> subscriptions_;
};

}  // namespace ledger
