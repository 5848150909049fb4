#include "connectors/export/csv_writer.h"

#include "engine/calendar.h"
#include "engine/money.h"

namespace ledger {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string cell_text(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::kText:
      return cell.text;
    case CellKind::kInteger:
      return std::to_string(cell.value);
    case CellKind::kMoney:
      return format_minor(cell.value, cell.exponent);
    case CellKind::kDay:
      return cell.value == 0 ? std::string() : format_day(static_cast<int32_t>(cell.value));
  }
  return cell.text;
}

Status CsvWriter::write_header(const std::vector<Column>& columns) {
  if (header_written_) return Status::ok();
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) out_ << ',';
    out_ << csv_field(columns[c].name);
  }
  out_ << "\r\n";
  columns_ = columns.size();
  header_written_ = true;
  return stream_status();
}

Status CsvWriter::write_row(const std::vector<Cell>& row) {
  if (!header_written_) return Status::invalid_argument("csv: a row before the header");
  if (row.size() != columns_) {
    return Status::invalid_argument("csv: a row of " + std::to_string(row.size()) + " cells for " +
                                    std::to_string(columns_) + " columns");
  }
  for (size_t c = 0; c < row.size(); ++c) {
    if (c > 0) out_ << ',';
    out_ << csv_field(cell_text(row[c]));
  }
  out_ << "\r\n";
  ++rows_written_;
  return stream_status();
}

Status CsvWriter::write_page(const ReportTable& page) {
  if (Status header = write_header(page.columns); !header) return header;
  for (const auto& row : page.rows) {
    if (Status written = write_row(row); !written) return written;
  }
  return Status::ok();
}

Status CsvWriter::stream_status() const {
  // A full disk or a closed pipe shows up as a failed stream, not as an exception.
  if (!out_) return Status::io_error("csv: cannot write the output");
  return Status::ok();
}

}  // namespace ledger
