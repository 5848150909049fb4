#pragma once

// Invoice lines are kept in pages: one row of `invoice_lines` holds the lines one batch added
// to one invoice (ViewState::append), so that a batch writes a row per invoice it touched
// instead of a row per event.
//
//   page_key := line_key(account, from_day, first_seq)        (invoice_keys.h)
//   page     := record+
//   record   := u32be(size) u32be(0) line[size] 0x00*          (zeros up to a multiple of 8 bytes)
//   line     := InvoiceLine (views.fbs); the page's lines are numbered first_seq, first_seq + 1, ...
//
// An invoice's pages, in key order, hold its lines in order. A line starts 8 bytes after its
// record, and every record is a multiple of 8 bytes, so a line is aligned within its page as a
// FlatBuffer expects. The logical rows of a page (logical_line_rows) are the rows the lines would
// be alone, `line_key(account, from_day, seq) -> line`: what the digest hashes, so that a store's
// digest does not depend on where its batches began and ended.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/read_snapshot.h"
#include "engine/status.h"
#include "engine/store.h"
#include "schemas/views_generated.h"

namespace ledger {

//! The line as a page record.
std::string line_record(const view::InvoiceLineT& line);

//! Visits one line: its logical key (line_key of its seq), the line, and its bytes; false stops.
using LineVisitor =
    std::function<bool(std::string_view line_key, const view::InvoiceLine& line, std::string_view bytes)>;

//! Calls `visit` for every line of the page stored at `page_key`, in order, until it returns
//! false. `stopped`, when given, tells whether it did. Corruption when a record's framing or a
//! line fails its check; the lines before it were visited.
Status for_each_page_line(std::string_view page_key, std::string_view page, const LineVisitor& visit,
                          bool* stopped = nullptr);

//! Every line of the invoice at `invoice_key` in `snapshot`, in order, until `visit` returns false.
Status scan_invoice_lines(const Store& store, const ReadSnapshot& snapshot, std::string_view invoice_key,
                          const LineVisitor& visit);

//! The logical rows of the page stored at `page_key` (see the grammar above), without checking
//! the lines themselves: the digest hashes what is stored.
Status logical_line_rows(std::string_view page_key, std::string_view page,
                         const std::function<void(std::string_view key, std::string_view value)>& emit);

}  // namespace ledger
