#pragma once

// XLSX of a report through libxlsxwriter: one sheet named after the report, a title row with
// the title and the range, a bold header row, then the rows. Money becomes a real spreadsheet
// number with a currency format per exponent (#,##0.00 "USD", #,##0 "JPY"); days become real
// dates; totals rows are bold; a line break in text is LF, as a spreadsheet types it. Rows
// stream to disk as they come (constant memory), so paged reports are written page after page.

#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "engine/status.h"
#include "projections/report_table.h"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace ledger {

//! The only place a money amount becomes a double: parsed from its exact decimal text
//! (format_minor), so the nearest double to the decimal, never a quotient.
double money_as_double(int64_t amount_minor, uint8_t exponent);

//! The spreadsheet number format of an amount: `#,##0.00 "USD"`, `#,##0 "JPY"`.
std::string money_number_format(uint8_t exponent, std::string_view currency);

//! "Billing Summary, 2026-11-01 to 2026-11-30", "Aging as of 2026-11-30".
std::string report_caption(const ReportTable& table);

class XlsxWriter {
 public:
  XlsxWriter() = default;
  ~XlsxWriter();
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  //! Starts a workbook at `path` with the sheet, title and header of `first_page`; the file is
  //! written by close().
  Status open(const std::string& path, const ReportTable& first_page);
  //! Appends the rows of one page (the first page too).
  Status write_page(const ReportTable& page);
  //! Writes the file. After an error the file may be missing or partial.
  Status close();

  size_t rows_written() const { return rows_written_; }

 private:
  Status write_cell(uint32_t row, uint16_t column, const Cell& cell, bool bold);
  lxw_format* money_format(uint8_t exponent, const std::string& currency, bool bold);
  Status check(int error, const std::string& what) const;

  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* bold_date_ = nullptr;
  std::map<std::tuple<uint8_t, std::string, bool>, lxw_format*> money_formats_;
  size_t columns_ = 0;
  uint32_t next_row_ = 0;
  size_t rows_written_ = 0;
};

}  // namespace ledger
