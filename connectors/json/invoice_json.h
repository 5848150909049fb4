#pragma once

#include <nlohmann/json.hpp>

#include "projections/invoice_queries.h"

namespace ledger {

//! An invoice for programs: every field of BILLING.md section 6, with the tables of the
//! invoice page when `with_lines` (charges, usage by destination, subscriptions, payments,
//! corrections with ▲/▼, taxes, credit notes, communications; the tables sum every line) and
//! the lines the query read (its LineWindow): `lines`, the CDRs among them as `usage_details`,
//! `lines_from`, `lines_brought_forward` (the statement's running total before the first of
//! them), and `lines_next_from` when more lines follow.
nlohmann::json invoice_json(const InvoiceDetail& detail, bool with_lines);

//! One line of an invoice.
nlohmann::json invoice_line_json(const view::InvoiceLineT& line, uint8_t exponent);

}  // namespace ledger
