#pragma once

#include <nlohmann/json.hpp>

#include "projections/invoice_queries.h"

namespace ledger {

//! An invoice for programs: every field of BILLING.md section 6, with the tables of the
//! invoice page when `with_lines` (charges, usage by destination with CDR details,
//! subscriptions, payments, corrections with ▲/▼, taxes, credit notes, communications).
nlohmann::json invoice_json(const InvoiceDetail& detail, bool with_lines);

//! One line of an invoice.
nlohmann::json invoice_line_json(const view::InvoiceLineT& line, uint8_t exponent);

}  // namespace ledger
