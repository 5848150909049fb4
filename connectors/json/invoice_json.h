#pragma once

#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "projections/invoice_queries.h"

namespace ledger {

//! Which of an invoice's lines a reply carries: those numbered `from_seq` onwards, at most
//! `limit` of them. The default is every line (a file or a pipe); the API pages them, since the
//! busiest account of a month can have tens of thousands of CDR lines.
struct LinePage {
  uint32_t from_seq = 1;
  size_t limit = SIZE_MAX;
};

//! An invoice for programs: every field of BILLING.md section 6, with the tables of the
//! invoice page when `with_lines` (charges, usage by destination, subscriptions, payments,
//! corrections with ▲/▼, taxes, credit notes, communications; the tables sum every line) and
//! the lines of `page`: `lines`, the CDRs among them as `usage_details`, `lines_from`,
//! `lines_brought_forward` (the statement's running total before the page's first line), and
//! `lines_next_from` when more lines follow.
nlohmann::json invoice_json(const InvoiceDetail& detail, bool with_lines, const LinePage& page = {});

//! One line of an invoice.
nlohmann::json invoice_line_json(const view::InvoiceLineT& line, uint8_t exponent);

}  // namespace ledger
