#pragma once

// RFC 4180 CSV of a report: a header row of column names, then one record per row, CRLF line
// ends. Money is the exact decimal in the currency's minor-unit scale ("1234.50" USD, "1000"
// JPY), days are YYYY-MM-DD, counts are digits: the same figures as every other format.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "projections/report_table.h"

namespace ledger {

//! One field, quoted (with doubled quotes) when it holds a comma, a quote, CR or LF.
std::string csv_field(std::string_view text);

//! The text of a cell as CSV and the text table show it: exact money decimals, YYYY-MM-DD
//! days (empty for no day), integer digits.
std::string cell_text(const Cell& cell);

//! Writes a report as it comes: the header once, then the rows of each page, so a paged report
//! streams page after page without being held whole.
class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}

  //! Writes the header row of `columns`, once; later calls are ignored.
  Status write_header(const std::vector<Column>& columns);
  //! Writes one record; the header must have been written and the row must have as many
  //! cells as there are columns.
  Status write_row(const std::vector<Cell>& row);
  //! The header (first page only) then every row of `page`.
  Status write_page(const ReportTable& page);

  size_t rows_written() const { return rows_written_; }

 private:
  Status stream_status() const;

  std::ostream& out_;
  size_t columns_ = 0;
  bool header_written_ = false;
  size_t rows_written_ = 0;
};

}  // namespace ledger
