#pragma once

// One ReportTable in every format: a text table for people, JSON for programs, CSV and XLSX
// for spreadsheets and accounting software. All show the same figures from the same cells.

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "projections/report_table.h"

namespace ledger {

enum class ReportFormat { kTable, kJson, kCsv, kXlsx };

//! "table", "json", "csv" or "xlsx"; an error names `option` and the choices.
Result<ReportFormat> parse_report_format(std::string_view text, std::string_view option);
//! The file extension of a format: "txt", "json", "csv", "xlsx".
std::string report_format_extension(ReportFormat format);

//! The text table for people: the caption, the columns by title, money as exact decimals
//! right-aligned, and the next cursor when there are more rows.
void render_report_text(const ReportTable& table, std::ostream& out);

//! {"report", "title", "from_day", "to_day", "as_of_day", "columns": [{name, title, kind}],
//!  "rows": [{<column name>: value, ..., "is_total": bool}], "next_cursor"}.
//! Money is {"minor": int, "text": "12.34", "currency": "USD", "exponent": 2}; days are
//! "YYYY-MM-DD" ("" for none); counts are integers.
nlohmann::json report_json(const ReportTable& table);
//! The JSON of one cell, as report_json writes it.
nlohmann::json cell_json(const Cell& cell);
//! "text", "integer", "money", "day".
std::string_view cell_kind_name(CellKind kind);

//! The whole table as RFC 4180 CSV.
Status render_report_csv(const ReportTable& table, std::ostream& out);
//! The whole table as an XLSX file at `path`.
Status render_report_xlsx(const ReportTable& table, const std::string& path);

//! The report's name and its range (or the day it is as of) in a file name:
//! "billing-summary_2026-11-01_2026-11-30.csv", "aging_2026-11-30.xlsx". `extension` may
//! start with a dot or not.
std::string report_file_name(const ReportTable& table, std::string_view extension);

}  // namespace ledger
