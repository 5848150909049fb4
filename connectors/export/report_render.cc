#include "connectors/export/report_render.h"

#include <algorithm>
#include <cctype>

#include "connectors/cli/table.h"
#include "connectors/export/csv_writer.h"
#include "connectors/export/xlsx_writer.h"
#include "engine/calendar.h"
#include "engine/money.h"

namespace ledger {
namespace {

std::string day_text(int32_t day) {
  return day == 0 ? std::string() : format_day(day);
}

//! Lower-case letters and digits, every other run of characters one '-'.
std::string slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

Result<ReportFormat> parse_report_format(std::string_view text, std::string_view option) {
  if (text == "table") return ReportFormat::kTable;
  if (text == "json") return ReportFormat::kJson;
  if (text == "csv") return ReportFormat::kCsv;
  if (text == "xlsx") return ReportFormat::kXlsx;
  return Status::invalid_argument(std::string(option) + ": '" + std::string(text) +
                                  "' is not one of table, json, csv, xlsx");
}

std::string report_format_extension(ReportFormat format) {
  switch (format) {
    case ReportFormat::kTable:
      return "txt";
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kCsv:
      return "csv";
    case ReportFormat::kXlsx:
      return "xlsx";
  }
  return "txt";
}

void render_report_text(const ReportTable& table, std::ostream& out) {
  std::vector<std::string> header;
  std::vector<bool> right_aligned;
  for (const auto& column : table.columns) {
    header.push_back(column.title.empty() ? column.name : column.title);
    right_aligned.push_back(column.kind == CellKind::kMoney || column.kind == CellKind::kInteger);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = header[c].size();
  for (const auto& row : table.rows) {
    std::vector<std::string> texts;
    for (size_t c = 0; c < row.size() && c < header.size(); ++c) {
      texts.push_back(cell_text(row[c]));
      widths[c] = std::max(widths[c], texts.back().size());
    }
    rows.push_back(std::move(texts));
  }
  TextTable text(header, right_aligned);
  for (size_t r = 0; r < rows.size(); ++r) {
    // A rule above each run of totals rows sets them apart from the rows they add up.
    const bool total = r < table.is_total.size() && table.is_total[r];
    const bool after_total = r > 0 && r - 1 < table.is_total.size() && table.is_total[r - 1];
    if (total && r > 0 && !after_total) {
      std::vector<std::string> rule;
      for (size_t width : widths) rule.push_back(std::string(width, '-'));
      text.add_row(std::move(rule));
    }
    text.add_row(std::move(rows[r]));
  }
  out << report_caption(table) << "\n\n";
  text.print(out);
  if (table.rows.empty()) out << "(no rows)\n";
  if (!table.next_cursor.empty()) out << "\nmore rows follow: --cursor " << table.next_cursor << "\n";
}

std::string_view cell_kind_name(CellKind kind) {
  switch (kind) {
    case CellKind::kText:
      return "text";
    case CellKind::kInteger:
      return "integer";
    case CellKind::kMoney:
      return "money";
    case CellKind::kDay:
      return "day";
  }
  return "text";
}

nlohmann::json cell_json(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::kText:
      return cell.text;
    case CellKind::kInteger:
      return cell.value;
    case CellKind::kMoney:
      return {{"minor", cell.value},
              {"text", format_minor(cell.value, cell.exponent)},
              {"currency", cell.currency},
              {"exponent", cell.exponent}};
    case CellKind::kDay:
      return day_text(static_cast<int32_t>(cell.value));
  }
  return nullptr;
}

nlohmann::json report_json(const ReportTable& table) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& column : table.columns) {
    columns.push_back(
        {{"name", column.name}, {"title", column.title}, {"kind", cell_kind_name(column.kind)}});
  }
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r = 0; r < table.rows.size(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (size_t c = 0; c < table.rows[r].size() && c < table.columns.size(); ++c) {
      row[table.columns[c].name] = cell_json(table.rows[r][c]);
    }
    // Not "total": the aging report has a money column by that name.
    row["is_total"] = r < table.is_total.size() && table.is_total[r];
    rows.push_back(std::move(row));
  }
  return {{"report", table.report},
          {"title", table.title},
          {"from_day", day_text(table.from_day)},
          {"to_day", day_text(table.to_day)},
          {"as_of_day", day_text(table.as_of_day)},
          {"columns", std::move(columns)},
          {"rows", std::move(rows)},
          {"next_cursor", table.next_cursor}};
}

Status render_report_csv(const ReportTable& table, std::ostream& out) {
  CsvWriter writer(out);
  return writer.write_page(table);
}

Status render_report_xlsx(const ReportTable& table, const std::string& path) {
  XlsxWriter writer;
  if (Status opened = writer.open(path, table); !opened) return opened;
  if (Status written = writer.write_page(table); !written) return written;
  return writer.close();
}

std::string report_file_name(const ReportTable& table, std::string_view extension) {
  // The title names the report for people ("Billing Summary" -> billing-summary) when it
  // still says which report it is; otherwise the report's own name does.
  std::string name = slug(table.title);
  if (name.empty() || name.find(slug(table.report)) == std::string::npos) name = slug(table.report);
  if (name.empty()) name = "report";
  if (table.from_day != 0 && table.to_day != 0) {
    name += "_" + format_day(table.from_day) + "_" + format_day(table.to_day);
  } else if (table.as_of_day != 0) {
    name += "_" + format_day(table.as_of_day);
  }
  if (!extension.empty() && extension.front() == '.') extension.remove_prefix(1);
  if (!extension.empty()) name += "." + std::string(extension);
  return name;
}

}  // namespace ledger
