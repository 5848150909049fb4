#pragma once

#include <optional>

#include "schemas/events_generated.h"
#include "schemas/views_generated.h"

namespace ledger {

//! The invoice line a balance-changing event makes (charge, CDR, payment, refill, correction,
//! credit note, tax adjustment), or nullopt for any other kind. Amounts are priced as the
//! balances view priced them (an event that failed pricing never reaches the invoices).
std::optional<view::InvoiceLineT> line_from_event(const schema::Event& event,
                                                  const view::AccountRowT& account,
                                                  const view::OperatorRowT& operator_row);

//! Adds a line to its invoice's totals: debited (charges, CDRs, taxes, positive corrections,
//! tax adjustments), credited (credit notes, negative corrections) or paid (payments, refills).
void add_to_totals(view::InvoiceRowT& invoice, const view::InvoiceLineT& line);

}  // namespace ledger
