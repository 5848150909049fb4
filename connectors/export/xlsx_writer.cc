#include "connectors/export/xlsx_writer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "engine/calendar.h"
#include "engine/money.h"

namespace ledger {
namespace {

// Row 0 is the title, row 1 the header; data starts below.
constexpr uint32_t kTitleRow = 0;
constexpr uint32_t kHeaderRow = 1;
constexpr uint32_t kFirstDataRow = 2;

//! Excel's sheet names: at most 31 characters, none of []:*?/\, no leading or trailing quote.
std::string sheet_name(const ReportTable& table) {
  std::string name;
  for (char c : table.title.empty() ? table.report : table.title) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = ' ';
    name.push_back(c);
  }
  while (!name.empty() && (name.front() == '\'' || name.front() == ' ')) name.erase(name.begin());
  if (name.size() > 31) name.resize(31);
  while (!name.empty() && (name.back() == '\'' || name.back() == ' ')) name.pop_back();
  return name.empty() ? "Report" : name;
}

//! A line break in a spreadsheet cell is LF (what Alt+Enter types); a CR would be stored as
//! the escape _x000D_, which not every reader decodes. CRLF and a lone CR become LF.
std::string cell_lines(const std::string& text) {
  if (text.find('\r') == std::string::npos) return text;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out.push_back(text[i]);
    } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
      out.push_back('\n');
    }
  }
  return out;
}

double column_width(const Column& column) {
  double minimum = 12;
  if (column.kind == CellKind::kMoney) minimum = 18;
  if (column.kind == CellKind::kText) minimum = 16;
  return std::max<double>(minimum, static_cast<double>(column.title.size()) + 2);
}

}  // namespace

double money_as_double(int64_t amount_minor, uint8_t exponent) {
  const std::string text = format_minor(amount_minor, exponent);
  return std::strtod(text.c_str(), nullptr);
}

std::string money_number_format(uint8_t exponent, std::string_view currency) {
  std::string format = "#,##0";
  if (exponent > 0) format += "." + std::string(exponent, '0');
  // A quoted literal in a number format cannot hold a quote: keep only letters and digits.
  std::string code;
  for (char c : currency) {
    if (std::isalnum(static_cast<unsigned char>(c))) code.push_back(c);
  }
  if (!code.empty()) format += " \"" + code + "\"";
  return format;
}

std::string report_caption(const ReportTable& table) {
  std::string caption = table.title.empty() ? table.report : table.title;
  if (table.from_day != 0 && table.to_day != 0) {
    caption += ", " + format_day(table.from_day) + " to " + format_day(table.to_day);
  } else if (table.as_of_day != 0) {
    caption += ", as of " + format_day(table.as_of_day);
  }
  return caption;
}

XlsxWriter::~XlsxWriter() {
  // Abandoned after an error: free everything without writing a file.
  if (workbook_ != nullptr) lxw_workbook_free(workbook_);
}

Status XlsxWriter::check(int error, const std::string& what) const {
  if (error == LXW_NO_ERROR) return Status::ok();
  return Status::io_error("xlsx: " + what + ": " + lxw_strerror(static_cast<lxw_error>(error)));
}

Status XlsxWriter::open(const std::string& path, const ReportTable& first_page) {
  if (workbook_ != nullptr) return Status::invalid_argument("xlsx: the workbook is already open");
  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;  // rows go to a temporary file as they are written
  workbook_ = workbook_new_opt(path.c_str(), &options);
  if (workbook_ == nullptr) return Status::io_error("xlsx: cannot create a workbook for '" + path + "'");
  const std::string name = sheet_name(first_page);
  sheet_ = workbook_add_worksheet(workbook_, name.c_str());
  if (sheet_ == nullptr) return Status::io_error("xlsx: cannot add the sheet '" + name + "'");

  title_ = workbook_add_format(workbook_);
  format_set_bold(title_);
  format_set_font_size(title_, 14);
  header_ = workbook_add_format(workbook_);
  format_set_bold(header_);
  format_set_bottom(header_, LXW_BORDER_THIN);
  bold_ = workbook_add_format(workbook_);
  format_set_bold(bold_);
  date_ = workbook_add_format(workbook_);
  format_set_num_format(date_, "yyyy-mm-dd");
  bold_date_ = workbook_add_format(workbook_);
  format_set_num_format(bold_date_, "yyyy-mm-dd");
  format_set_bold(bold_date_);

  columns_ = first_page.columns.size();
  for (size_t c = 0; c < columns_; ++c) {
    const auto column = static_cast<lxw_col_t>(c);
    Status set =
        check(worksheet_set_column(sheet_, column, column, column_width(first_page.columns[c]), nullptr),
              "column width");
    if (!set) return set;
  }
  worksheet_freeze_panes(sheet_, kFirstDataRow, 0);
  Status title = check(
      worksheet_write_string(sheet_, kTitleRow, 0, report_caption(first_page).c_str(), title_), "title row");
  if (!title) return title;
  for (size_t c = 0; c < columns_; ++c) {
    const std::string& text =
        first_page.columns[c].title.empty() ? first_page.columns[c].name : first_page.columns[c].title;
    Status written =
        check(worksheet_write_string(sheet_, kHeaderRow, static_cast<lxw_col_t>(c), text.c_str(), header_),
              "header row");
    if (!written) return written;
  }
  next_row_ = kFirstDataRow;
  return Status::ok();
}

lxw_format* XlsxWriter::money_format(uint8_t exponent, const std::string& currency, bool bold) {
  auto key = std::make_tuple(exponent, currency, bold);
  auto found = money_formats_.find(key);
  if (found != money_formats_.end()) return found->second;
  lxw_format* format = workbook_add_format(workbook_);
  format_set_num_format(format, money_number_format(exponent, currency).c_str());
  if (bold) format_set_bold(format);
  money_formats_.emplace(std::move(key), format);
  return format;
}

Status XlsxWriter::write_cell(uint32_t row, uint16_t column, const Cell& cell, bool bold) {
  lxw_error error = LXW_NO_ERROR;
  switch (cell.kind) {
    case CellKind::kText:
      if (!cell.text.empty())
        error = worksheet_write_string(sheet_, row, column, cell_lines(cell.text).c_str(),
                                       bold ? bold_ : nullptr);
      break;
    case CellKind::kInteger:
      // Counts are far below 2^53, where a double is exact.
      error = worksheet_write_number(sheet_, row, column, static_cast<double>(cell.value),
                                     bold ? bold_ : nullptr);
      break;
    case CellKind::kMoney:
      error = worksheet_write_number(sheet_, row, column, money_as_double(cell.value, cell.exponent),
                                     money_format(cell.exponent, cell.currency, bold));
      break;
    case CellKind::kDay: {
      if (cell.value == 0) break;  // no day: an empty cell
      const auto day = static_cast<int32_t>(cell.value);
      lxw_datetime date = {day / 10000, day / 100 % 100, day % 100, 0, 0, 0.0};
      error = worksheet_write_datetime(sheet_, row, column, &date, bold ? bold_date_ : date_);
      break;
    }
  }
  return check(error, "row " + std::to_string(row + 1) + " column " + std::to_string(column + 1));
}

Status XlsxWriter::write_page(const ReportTable& page) {
  if (sheet_ == nullptr) return Status::invalid_argument("xlsx: write_page before open");
  for (size_t r = 0; r < page.rows.size(); ++r) {
    const auto& row = page.rows[r];
    if (row.size() != columns_) {
      return Status::invalid_argument("xlsx: a row of " + std::to_string(row.size()) + " cells for " +
                                      std::to_string(columns_) + " columns");
    }
    if (next_row_ >= LXW_ROW_MAX) {
      return Status::invalid_argument("xlsx: more than " + std::to_string(LXW_ROW_MAX - kFirstDataRow) +
                                      " rows do not fit one sheet; export csv instead");
    }
    const bool bold = r < page.is_total.size() && page.is_total[r];
    for (size_t c = 0; c < row.size(); ++c) {
      if (Status written = write_cell(next_row_, static_cast<uint16_t>(c), row[c], bold); !written)
        return written;
    }
    ++next_row_;
    ++rows_written_;
  }
  return Status::ok();
}

Status XlsxWriter::close() {
  if (workbook_ == nullptr) return Status::invalid_argument("xlsx: close before open");
  lxw_workbook* workbook = workbook_;
  workbook_ = nullptr;  // workbook_close frees it, whatever it returns
  sheet_ = nullptr;
  return check(workbook_close(workbook), "writing the file");
}

}  // namespace ledger
