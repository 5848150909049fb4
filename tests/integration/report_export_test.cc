// Report exports: the same figures as text, JSON, CSV (RFC 4180) and XLSX. The renderers are
// checked on tables made here; the `ledger report` command end to end on a real store, its CSV
// parsed back and its XLSX opened by a real reader (Debian's python3-openpyxl), both compared
// cell by cell with its JSON; and bad input is refused naming the option, leaving no file.

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/export/csv_writer.h"
#include "connectors/export/report_render.h"
#include "connectors/export/xlsx_writer.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

// ---------------------------------------------------------------------------------------
// Helpers written here, independent of the code under test.

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

//! The exact decimal of a minor amount, written out digit by digit.
std::string decimal(int64_t minor, int exponent) {
  const bool negative = minor < 0;
  // Through unsigned so that INT64_MIN has a magnitude.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  if (static_cast<int>(digits.size()) <= exponent) digits.insert(0, exponent + 1 - digits.size(), '0');
  if (exponent > 0) digits.insert(digits.size() - exponent, ".");
  return (negative ? "-" : "") + digits;
}

//! A strict RFC 4180 reader: records end with CRLF; a quoted field may hold commas, CR, LF and
//! doubled quotes; a quote inside an unquoted field, text after a closing quote, or a bare CR
//! or LF outside quotes fails the test.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  bool at_field_start = true;
  while (i < text.size()) {
    if (at_field_start && text[i] == '"') {
      ++i;
      for (;;) {
        REQUIRE(i < text.size());  // an unterminated quoted field
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
      at_field_start = false;
      INFO("after a closing quote at byte " << i);
      REQUIRE((i == text.size() || text[i] == ',' || text[i] == '\r'));
      continue;
    }
    const char c = text[i];
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      at_field_start = true;
      ++i;
    } else if (c == '\r') {
      INFO("a CR not followed by LF at byte " << i);
      REQUIRE((i + 1 < text.size() && text[i + 1] == '\n'));
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      at_field_start = true;
      i += 2;
    } else {
      INFO("byte " << i << " of an unquoted field");
      REQUIRE(c != '\n');
      REQUIRE(c != '"');
      field.push_back(c);
      at_field_start = false;
      ++i;
    }
  }
  INFO("the last record must end with CRLF");
  REQUIRE(record.empty());
  REQUIRE(field.empty());
  return records;
}

//! The text a CSV field must hold for one JSON cell of kind `kind`; money's JSON text is
//! checked against the minor amount on the way.
std::string expected_csv_text(const nlohmann::json& cell, const std::string& kind) {
  if (kind == "money") {
    const int64_t minor = cell.at("minor").get<int64_t>();
    const int exponent = cell.at("exponent").get<int>();
    CHECK(cell.at("text").get<std::string>() == decimal(minor, exponent));
    return cell.at("text").get<std::string>();
  }
  if (kind == "integer") return std::to_string(cell.get<int64_t>());
  return cell.get<std::string>();  // text, and days as YYYY-MM-DD
}

//! The CSV equals the JSON report: header = column names, one record per row, every cell.
void check_csv_matches_json(const std::string& csv, const nlohmann::json& report) {
  auto records = parse_csv(csv);
  REQUIRE(!records.empty());
  const auto& columns = report.at("columns");
  std::vector<std::string> names;
  for (const auto& column : columns) names.push_back(column.at("name"));
  CHECK(records[0] == names);
  REQUIRE(records.size() == report.at("rows").size() + 1);
  for (size_t r = 0; r < report.at("rows").size(); ++r) {
    const auto& row = report["rows"][r];
    REQUIRE(records[r + 1].size() == names.size());
    for (size_t c = 0; c < names.size(); ++c) {
      INFO(report.at("report").get<std::string>() << " row " << r << " column " << names[c]);
      CHECK(records[r + 1][c] == expected_csv_text(row.at(names[c]), columns[c].at("kind")));
    }
  }
}

const char kReadXlsx[] = R"(import datetime, json, sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
sheet = book.active
rows = []
for row in sheet.iter_rows():
    cells = []
    for cell in row:
        value, kind = cell.value, type(cell.value).__name__
        if isinstance(value, (datetime.datetime, datetime.date)):
            value, kind = value.strftime('%Y-%m-%d'), 'date'
        cells.append({'v': value, 't': kind, 'f': cell.number_format, 'b': bool(cell.font.b)})
    rows.append(cells)
print(json.dumps({'sheets': book.sheetnames, 'title': sheet.title, 'rows': rows}))
)";

//! Opens an XLSX file with openpyxl under Debian's own interpreter, which is where
//! python3-openpyxl is installed; returns the sheet as JSON: rows of {v, t, f, b}.
nlohmann::json read_xlsx(const std::string& path) {
  TempDir io;
  write_file(io.sub("read_xlsx.py"), kReadXlsx);
  const std::string command = fmt::format("/usr/bin/python3 '{}' '{}' > '{}' 2> '{}'", io.sub("read_xlsx.py"),
                                          path, io.sub("out"), io.sub("err"));
  const int status = std::system(command.c_str());
  INFO("openpyxl: " << slurp(io.sub("err")));
  REQUIRE(status == 0);
  return nlohmann::json::parse(slurp(io.sub("out")));
}

//! A number a spreadsheet shows for money equals the minor amount: value * 10^exponent,
//! rounded, is the integer the ledger holds.
int64_t spreadsheet_minor(const nlohmann::json& value, int exponent) {
  return std::llround(value.get<double>() * std::pow(10.0, exponent));
}

std::string money_format_for(int exponent, const std::string& currency) {
  return exponent == 0 ? "#,##0 \"" + currency + "\""
                       : "#,##0." + std::string(exponent, '0') + " \"" + currency + "\"";
}

//! The XLSX sheet equals the JSON report: title row, header of column titles, then every row
//! with money as numbers of the same minor amount and its currency format, days as dates,
//! totals rows bold.
void check_xlsx_matches_json(const nlohmann::json& sheet, const nlohmann::json& report) {
  const auto& rows = sheet.at("rows");
  const auto& columns = report.at("columns");
  REQUIRE(rows.size() == report.at("rows").size() + 2);
  CHECK(rows[0][0].at("v").get<std::string>().find(report.at("title").get<std::string>()) == 0);
  for (size_t c = 0; c < columns.size(); ++c) {
    CHECK(rows[1][c].at("v") == columns[c].at("title"));
    CHECK(rows[1][c].at("b") == true);
  }
  for (size_t r = 0; r < report.at("rows").size(); ++r) {
    const auto& expected = report["rows"][r];
    const auto& cells = rows[r + 2];
    const bool total = expected.at("is_total");
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string kind = columns[c].at("kind");
      const auto& want = expected.at(columns[c].at("name").get<std::string>());
      INFO(report.at("report").get<std::string>() << " row " << r << " column " << columns[c].at("name"));
      const auto& got = cells.at(c);
      if (kind == "money") {
        REQUIRE((got.at("t") == "int" || got.at("t") == "float"));
        const int exponent = want.at("exponent");
        CHECK(spreadsheet_minor(got.at("v"), exponent) == want.at("minor").get<int64_t>());
        CHECK(got.at("f") == money_format_for(exponent, want.at("currency")));
      } else if (kind == "integer") {
        CHECK(got.at("v").get<int64_t>() == want.get<int64_t>());
      } else if (kind == "day") {
        if (want.get<std::string>().empty()) {
          CHECK(got.at("v").is_null());
        } else {
          CHECK(got.at("t") == "date");
          CHECK(got.at("v") == want);
        }
      } else if (want.get<std::string>().empty()) {
        CHECK(got.at("v").is_null());
      } else {
        // A spreadsheet's line break is LF: the writer stores CRLF and CR as LF.
        std::string text = want.get<std::string>();
        for (size_t at; (at = text.find("\r\n")) != std::string::npos;) text.erase(at, 1);
        std::replace(text.begin(), text.end(), '\r', '\n');
        CHECK(got.at("v") == text);
      }
      if (!got.at("v").is_null()) CHECK(got.at("b") == total);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Tables made by hand.

ReportTable sample_table() {
  ReportTable table;
  table.report = "summary";
  table.title = "Billing Summary";
  table.from_day = 20261101;
  table.to_day = 20261130;
  table.columns = {{"operator", "Operator / Reseller", CellKind::kText},
                   {"bills", "Bills", CellKind::kInteger},
                   {"closed", "Closed", CellKind::kDay},
                   {"amount", "Amount", CellKind::kMoney}};
  table.add_row({Cell::of_text("acme, \"the\" ISP"), Cell::of_integer(3), Cell::of_day(20261102),
                 Cell::of_money(123450, 2, "USD")});
  table.add_row({Cell::of_text("line one\nline two"), Cell::of_integer(0), Cell::of_day(0),
                 Cell::of_money(-5, 2, "USD")});
  table.add_row({Cell::of_text("sakura\r\nnet"), Cell::of_integer(-2), Cell::of_day(20260228),
                 Cell::of_money(-1000, 0, "JPY")});
  table.add_row(
      {Cell::of_text("gulf"), Cell::of_integer(1), Cell::of_day(99991231), Cell::of_money(-12345, 3, "KWD")});
  table.add_row(
      {Cell::of_text("Total"), Cell::of_integer(4), Cell::of_day(0), Cell::of_money(123445, 2, "USD")}, true);
  return table;
}

}  // namespace

TEST_CASE("csv fields with a comma, a quote, CR or LF are quoted with doubled quotes", "[export]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("\"") == "\"\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\rhere") == "\"cr\rhere\"");
  CHECK(csv_field("semi;colon and spaces") == "semi;colon and spaces");
}

TEST_CASE("csv of a hand-made table: CRLF records, exact money, YYYY-MM-DD days", "[export]") {
  const ReportTable table = sample_table();
  std::ostringstream out;
  REQUIRE(render_report_csv(table, out).is_ok());
  const std::string csv = out.str();
  CHECK(csv ==
        "operator,bills,closed,amount\r\n"
        "\"acme, \"\"the\"\" ISP\",3,2026-11-02,1234.50\r\n"
        "\"line one\nline two\",0,,-0.05\r\n"
        "\"sakura\r\nnet\",-2,2026-02-28,-1000\r\n"
        "gulf,1,9999-12-31,-12.345\r\n"
        "Total,4,,1234.45\r\n");
  // Read back by an independent parser, every field is the original text.
  auto records = parse_csv(csv);
  REQUIRE(records.size() == 6);
  CHECK(records[1][0] == "acme, \"the\" ISP");
  CHECK(records[2][0] == "line one\nline two");
  CHECK(records[3][0] == "sakura\r\nnet");
  CHECK(records[4][3] == "-12.345");
  // Every line break outside quotes is CRLF: no bare LF once the quoted ones are set aside.
  size_t crlf = 0;
  for (size_t i = 0; i + 1 < csv.size(); ++i) crlf += csv[i] == '\r' && csv[i + 1] == '\n';
  CHECK(crlf == 6 + 1);  // six records and the CRLF inside "sakura\r\nnet"
}

TEST_CASE("csv money is exact at every scale, including the int64 extremes", "[export]") {
  struct Case {
    int64_t minor;
    uint8_t exponent;
    const char* currency;
  };
  const Case cases[] = {
      {0, 2, "USD"},         {1, 2, "USD"},         {-1, 2, "USD"},        {-100, 2, "USD"},
      {123456789, 2, "USD"}, {1000, 0, "JPY"},      {-1000, 0, "JPY"},     {0, 0, "JPY"},
      {5, 3, "KWD"},         {-5, 3, "KWD"},        {1000, 3, "KWD"},      {-123456, 3, "KWD"},
      {INT64_MAX, 2, "USD"}, {INT64_MIN, 2, "USD"}, {INT64_MIN, 3, "KWD"}, {INT64_MAX, 0, "JPY"}};
  for (const auto& c : cases) {
    INFO(c.minor << " " << c.currency);
    CHECK(cell_text(Cell::of_money(c.minor, c.exponent, c.currency)) == decimal(c.minor, c.exponent));
  }
  CHECK(cell_text(Cell::of_money(123450, 2, "USD")) == "1234.50");
  CHECK(cell_text(Cell::of_money(1000, 0, "JPY")) == "1000");
  CHECK(cell_text(Cell::of_money(-5, 3, "KWD")) == "-0.005");
  CHECK(cell_text(Cell::of_money(INT64_MIN, 2, "USD")) == "-92233720368547758.08");
}

TEST_CASE("the csv writer streams pages: one header, then the rows of each page", "[export]") {
  ReportTable first = sample_table();
  ReportTable second = sample_table();
  second.rows.resize(1);
  second.is_total.resize(1);
  std::ostringstream out;
  CsvWriter writer(out);
  REQUIRE(writer.write_page(first).is_ok());
  const size_t after_first = out.str().size();
  REQUIRE(writer.write_page(second).is_ok());
  CHECK(writer.rows_written() == first.rows.size() + 1);
  // The second page added exactly its row, no second header.
  CHECK(out.str().substr(after_first) == "\"acme, \"\"the\"\" ISP\",3,2026-11-02,1234.50\r\n");
  // A row that does not fit the columns is refused, not written short.
  Status refused = writer.write_row({Cell::of_text("alone")});
  CHECK(refused.is_invalid_argument());
  CHECK(refused.message().find("1 cells for 4 columns") != std::string::npos);
}

TEST_CASE("report json: typed columns, money as minor + exact text + currency, totals marked", "[export]") {
  ReportTable table = sample_table();
  table.next_cursor = "abc";
  const nlohmann::json json = report_json(table);
  CHECK(json["report"] == "summary");
  CHECK(json["title"] == "Billing Summary");
  CHECK(json["from_day"] == "2026-11-01");
  CHECK(json["to_day"] == "2026-11-30");
  CHECK(json["as_of_day"] == "");
  CHECK(json["next_cursor"] == "abc");
  REQUIRE(json["columns"].size() == 4);
  CHECK(json["columns"][3] == nlohmann::json({{"name", "amount"}, {"title", "Amount"}, {"kind", "money"}}));
  CHECK(json["columns"][2]["kind"] == "day");
  CHECK(json["columns"][1]["kind"] == "integer");
  REQUIRE(json["rows"].size() == 5);
  CHECK(json["rows"][0]["operator"] == "acme, \"the\" ISP");
  CHECK(json["rows"][0]["bills"] == 3);
  CHECK(json["rows"][0]["closed"] == "2026-11-02");
  CHECK(json["rows"][0]["amount"] ==
        nlohmann::json({{"minor", 123450}, {"text", "1234.50"}, {"currency", "USD"}, {"exponent", 2}}));
  CHECK(json["rows"][1]["closed"] == "");
  CHECK(json["rows"][3]["amount"]["text"] == "-12.345");
  CHECK(json["rows"][2]["amount"]["text"] == "-1000");
  for (size_t r = 0; r < 4; ++r) CHECK(json["rows"][r]["is_total"] == false);
  CHECK(json["rows"][4]["is_total"] == true);
  // The CSV of the same table is the same figures.
  std::ostringstream csv;
  REQUIRE(render_report_csv(table, csv).is_ok());
  check_csv_matches_json(csv.str(), json);
}

TEST_CASE("report text for people: caption with the range, titles, a rule above totals", "[export]") {
  std::ostringstream out;
  ReportTable table = sample_table();
  table.rows.erase(table.rows.begin() + 1, table.rows.begin() + 3);  // no line breaks in cells
  table.is_total.erase(table.is_total.begin() + 1, table.is_total.begin() + 3);
  table.next_cursor = "c1";
  render_report_text(table, out);
  const std::string text = out.str();
  CHECK(text.rfind("Billing Summary, 2026-11-01 to 2026-11-30\n", 0) == 0);
  CHECK(text.find("Operator / Reseller") != std::string::npos);
  CHECK(text.find("1234.50") != std::string::npos);
  CHECK(text.find("-12.345") != std::string::npos);
  CHECK(text.find("more rows follow: --cursor c1") != std::string::npos);
  // Header rule + a rule above the totals row: two rules.
  std::istringstream lines(text);
  std::string line;
  int rules = 0;
  std::string before_total;
  std::string previous;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.find_first_not_of("- ") == std::string::npos) ++rules;
    if (line.rfind("Total", 0) == 0) before_total = previous;
    previous = line;
  }
  CHECK(rules == 2);
  CHECK(before_total.find_first_not_of("- ") == std::string::npos);
}

TEST_CASE("report file names carry the report and its range, or the day it is as of", "[export]") {
  ReportTable table = sample_table();
  CHECK(report_file_name(table, "csv") == "billing-summary_2026-11-01_2026-11-30.csv");
  CHECK(report_file_name(table, ".xlsx") == "billing-summary_2026-11-01_2026-11-30.xlsx");
  table.report = "aging";
  table.title = "Accounts Receivable Aging";
  table.from_day = table.to_day = 0;
  table.as_of_day = 20261130;
  CHECK(report_file_name(table, "xlsx") == "accounts-receivable-aging_2026-11-30.xlsx");
  // A title that does not say which report it is gives way to the report's own name.
  table.report = "credits";
  table.title = "Accounts in Credit";
  table.as_of_day = 0;
  CHECK(report_file_name(table, "csv") == "credits.csv");
  table.report = "revenue";
  table.title = "Revenue (cash basis)";
  table.from_day = 20261001;
  table.to_day = 20261231;
  CHECK(report_file_name(table, "json") == "revenue-cash-basis_2026-10-01_2026-12-31.json");
  // Nothing in a title can reach outside the folder the file is written to.
  table.title = "../../revenue/x";
  CHECK(report_file_name(table, "csv") == "revenue-x_2026-10-01_2026-12-31.csv");
}

TEST_CASE("money becomes a double only through its exact decimal text", "[export]") {
  CHECK(money_as_double(123456789, 2) == 1234567.89);
  CHECK(money_as_double(-5, 3) == -0.005);
  CHECK(money_as_double(1000, 0) == 1000.0);
  CHECK(money_as_double(10, 1) == 1.0);
  // 0.1 + 0.2 style drift is absent: each amount is the nearest double to its decimal.
  for (int64_t minor = -2000; minor <= 2000; minor += 7) {
    CHECK(money_as_double(minor, 2) == std::strtod(decimal(minor, 2).c_str(), nullptr));
  }
  CHECK(money_number_format(2, "USD") == "#,##0.00 \"USD\"");
  CHECK(money_number_format(0, "JPY") == "#,##0 \"JPY\"");
  CHECK(money_number_format(3, "KWD") == "#,##0.000 \"KWD\"");
}

TEST_CASE("xlsx of a hand-made table, opened by openpyxl: numbers, formats, dates, bold totals", "[export]") {
  TempDir dir;
  const ReportTable table = sample_table();
  const std::string path = dir.sub("sample.xlsx");
  REQUIRE(render_report_xlsx(table, path).is_ok());
  const nlohmann::json sheet = read_xlsx(path);
  CHECK(sheet["title"] == "Billing Summary");
  CHECK(sheet["sheets"].size() == 1);
  CHECK(sheet["rows"][0][0]["v"] == "Billing Summary, 2026-11-01 to 2026-11-30");
  check_xlsx_matches_json(sheet, report_json(table));
  // The same, spelt out for the cells that matter most.
  const auto& rows = sheet["rows"];
  CHECK(rows[2][3]["v"].get<double>() == 1234.5);
  CHECK(rows[2][3]["f"] == "#,##0.00 \"USD\"");
  CHECK(rows[4][3]["v"].get<double>() == -1000);
  CHECK(rows[4][3]["f"] == "#,##0 \"JPY\"");
  CHECK(rows[5][3]["v"].get<double>() == -12.345);
  CHECK(rows[5][3]["f"] == "#,##0.000 \"KWD\"");
  CHECK(rows[2][2]["v"] == "2026-11-02");
  CHECK(rows[6][0]["b"] == true);
  CHECK(rows[6][3]["b"] == true);
  CHECK(rows[2][0]["b"] == false);
}

TEST_CASE("xlsx errors from libxlsxwriter come back as a Status with its message", "[export]") {
  TempDir dir;
  const ReportTable table = sample_table();
  Status status = render_report_xlsx(table, dir.sub("no/such/folder/x.xlsx"));
  REQUIRE(!status.is_ok());
  CHECK(status.message().find("xlsx") != std::string::npos);
  CHECK(status.message().find("creat") != std::string::npos);  // "Error creating output xlsx file"
  CHECK(!std::filesystem::exists(dir.sub("no/such/folder/x.xlsx")));

  {
    XlsxWriter writer;
    CHECK(writer.write_page(table).is_invalid_argument());  // before open
    REQUIRE(writer.open(dir.sub("short.xlsx"), table).is_ok());
    ReportTable ragged = table;
    ragged.rows[0].pop_back();
    Status refused = writer.write_page(ragged);
    CHECK(refused.is_invalid_argument());
    CHECK(refused.message().find("3 cells for 4 columns") != std::string::npos);
  }
  // A writer abandoned after an error leaves no file behind.
  CHECK(!std::filesystem::exists(dir.sub("short.xlsx")));
}

// ---------------------------------------------------------------------------------------
// End to end through the `ledger` binary.

namespace {

constexpr int64_t kOct1Us = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;

struct Operator {
  std::string id;
  std::string currency;
  int exponent;
};
const std::vector<Operator> kOperators = {{"acme", "USD", 2}, {"sakura", "JPY", 0}, {"gulf", "KWD", 3}};

// Per operator, in its own minor units: account -a is charged kFibre, pays kEarly in October
// and kLate in November (ending in credit); account -b is charged kTv and pays kPart only.
constexpr int64_t kFibre = 12345;
constexpr int64_t kEarly = 2000;
constexpr int64_t kLate = 12000;
constexpr int64_t kTv = 7000;
constexpr int64_t kPart = 2500;

int64_t at_day(int day_index, int hour) {
  return kOct1Us + day_index * kDayUs + hour * 3'600'000'000LL;
}

std::string charge(const std::string& account, const std::string& id, const std::string& description,
                   int64_t amount_minor, int exponent) {
  int64_t unit_price_micro = amount_minor;
  for (int i = exponent; i < 6; ++i) unit_price_micro *= 10;
  nlohmann::json event = {{"id", id},
                          {"account", account},
                          {"time_us", at_day(2, 10)},
                          {"body_type", "Charge"},
                          {"body",
                           {{"charge_id", id},
                            {"description", description},
                            {"service_type", "internet"},
                            {"quantity_milli", 1000},
                            {"unit_price_micro", unit_price_micro},
                            {"duration_months", 1},
                            {"service_from_day", 20261001},
                            {"service_to_day", 20261031}}}};
  return event.dump();
}

std::string payment(const std::string& account, const std::string& id, int64_t time_us,
                    int64_t amount_minor) {
  return nlohmann::json(
             {{"id", id},
              {"account", account},
              {"time_us", time_us},
              {"body_type", "Payment"},
              {"body", {{"payment_id", id}, {"amount_minor", amount_minor}, {"method", "bank, transfer"}}}})
      .dump();
}

std::string events() {
  std::string lines;
  auto add = [&lines](const nlohmann::json& event) { lines += event.dump() + "\n"; };
  for (const auto& op : kOperators) {
    add({{"id", "op-" + op.id},
         {"time_us", kOct1Us},
         {"body_type", "OperatorConfigured"},
         {"body", {{"operator", op.id}, {"currency", op.currency}, {"payment_terms_days", 10}}}});
  }
  for (const auto& op : kOperators) {
    const std::string a = op.id + "-a";
    const std::string b = op.id + "-b";
    for (const auto& [account, name] :
         {std::pair{a, std::string("Smith, \"Bob\"")}, std::pair{b, op.id + " B"}}) {
      add({{"id", "open-" + account},
           {"account", account},
           {"time_us", kOct1Us + 1},
           {"body_type", "AccountOpened"},
           {"body",
            {{"operator", op.id},
             {"name", name},
             {"currency", op.currency},
             {"credit_limit_minor", 100000000},
             {"invoice_day", 1}}}});
    }
    lines += charge(a, a + "-fibre", "Fibre 100, \"monthly\"", kFibre, op.exponent) + "\n";
    lines += charge(b, b + "-tv", "TV\nGold", kTv, op.exponent) + "\n";
    lines += payment(a, a + "-p1", at_day(19, 12), kEarly) + "\n";
    lines += payment(b, b + "-p1", at_day(24, 12), kPart) + "\n";
    lines += payment(a, a + "-p2", at_day(40, 12), kLate) + "\n";  // 10 November
  }
  // Closes every October period on 2 November.
  add({{"id", "run-1"},
       {"time_us", at_day(32, 0)},
       {"body_type", "BillingRun"},
       {"body", {{"run_number", 1}, {"as_of_day", 20261102}}}});
  return lines;
}

//! A store with the scenario above, ingested through `ledger ingest`.
struct Ledger {
  TempDir dir;
  std::string data = dir.sub("data");

  Ledger() {
    write_file(dir.sub("events.jsonl"), events());
    CommandResult ingested = run_ledger("--data '" + data + "' ingest '" + dir.sub("events.jsonl") + "'");
    INFO(ingested.out << ingested.err);
    REQUIRE(ingested.exit_code == 0);
  }

  CommandResult report(const std::string& args) const {
    return run_ledger("--data '" + data + "' report " + args);
  }

  nlohmann::json json(const std::string& args) const {
    CommandResult result = report(args + " --format json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
  }

  std::string csv(const std::string& args) const {
    CommandResult result = report(args + " --format csv");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
  }
};

//! Runs `ledger <args>` in folder `cwd`.
CommandResult run_ledger_in(const std::string& cwd, const std::string& args) {
  TempDir io;
  const std::string command = fmt::format("cd '{}' && '{}' {} < /dev/null > '{}' 2> '{}'", cwd,
                                          ledger_binary(), args, io.sub("out"), io.sub("err"));
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(io.sub("out"));
  result.err = slurp(io.sub("err"));
  return result;
}

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

const nlohmann::json* find_row(const nlohmann::json& report, const std::string& column,
                               const std::string& value, bool total = false) {
  for (const auto& row : report.at("rows")) {
    if (row.at(column) == value && row.at("is_total") == total) return &row;
  }
  return nullptr;
}

const std::string kNovember = "--from 2026-11-01 --to 2026-11-30";

}  // namespace

TEST_CASE("every report's csv equals its json cell by cell, money as exact decimals", "[export]") {
  Ledger ledger;
  const std::vector<std::string> reports = {"summary " + kNovember,
                                            "aging --as-of 2026-12-20",
                                            "credits",
                                            "revenue --from 2026-10-01 --to 2026-12-31",
                                            "revenue --basis accrual --from 2026-10-01 --to 2026-12-31",
                                            "transactions --from 2026-10-01 --to 2026-12-31",
                                            "unpaid --as-of 2026-12-20"};
  for (const auto& args : reports) {
    INFO("ledger report " << args);
    const nlohmann::json report = ledger.json(args);
    CHECK(!report.at("rows").empty());
    CHECK(report.at("next_cursor") == "");
    check_csv_matches_json(ledger.csv(args), report);
  }
}

TEST_CASE("the billing summary shows the figures computed here, in every currency's scale", "[export]") {
  Ledger ledger;
  const nlohmann::json summary = ledger.json("summary " + kNovember);
  CHECK(summary["from_day"] == "2026-11-01");
  CHECK(summary["to_day"] == "2026-11-30");
  for (const auto& op : kOperators) {
    INFO(op.id);
    const nlohmann::json* row = find_row(summary, "operator", op.id);
    REQUIRE(row != nullptr);
    const int64_t billed = kFibre + kTv;
    const int64_t collected = std::min(kFibre, kEarly + kLate) + std::min(kTv, kPart);
    CHECK((*row)["currency"] == op.currency);
    CHECK((*row)["total_billed"]["minor"] == billed);
    CHECK((*row)["total_collected"]["minor"] == collected);
    CHECK((*row)["outstanding"]["minor"] == billed - collected);
    CHECK((*row)["received"]["minor"] == kLate);
    CHECK((*row)["total_billed"]["text"] == decimal(billed, op.exponent));
  }
  // The literal figures an accountant would see in the CSV: 193.45 USD, 19345 JPY, 19.345 KWD.
  const std::string csv = ledger.csv("summary " + kNovember);
  CHECK(csv.find("acme,USD,2,193.45,148.45,45.00,120.00\r\n") != std::string::npos);
  CHECK(csv.find("sakura,JPY,2,19345,14845,4500,12000\r\n") != std::string::npos);
  CHECK(csv.find("gulf,KWD,2,19.345,14.845,4.500,12.000\r\n") != std::string::npos);
  // Text with commas, quotes and line breaks survives the round trip.
  auto credits = parse_csv(ledger.csv("credits"));
  bool found = false;
  for (const auto& record : credits) found = found || (record.size() > 2 && record[2] == "Smith, \"Bob\"");
  CHECK(found);
  const std::string transactions = ledger.csv("transactions --from 2026-10-01 --to 2026-12-31");
  CHECK(transactions.find("\"TV\nGold\"") != std::string::npos);
  CHECK(transactions.find(",-12.000,") != std::string::npos);  // KWD payment of 12000 fils
}

TEST_CASE("xlsx written with --out opens in openpyxl with the json's numbers, rows and name", "[export]") {
  Ledger ledger;
  TempDir out;
  const nlohmann::json summary = ledger.json("summary " + kNovember);
  CommandResult written =
      ledger.report("summary " + kNovember + " --format xlsx --out '" + out.path() + "/'");
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  const std::string name = "billing-summary_2026-11-01_2026-11-30.xlsx";
  REQUIRE(files_in(out.path()) == std::vector<std::string>{name});
  CHECK(written.out.find(name) != std::string::npos);
  const nlohmann::json sheet = read_xlsx(out.sub(name));
  CHECK(sheet["title"] == "Billing Summary");
  CHECK(sheet["rows"][0][0]["v"] == "Billing Summary, 2026-11-01 to 2026-11-30");
  check_xlsx_matches_json(sheet, summary);
  // Independently of the JSON: the KWD operator's billed figure with three decimals.
  bool gulf = false;
  for (const auto& row : sheet["rows"]) {
    if (row[0]["v"] != "gulf") continue;
    gulf = true;
    CHECK(spreadsheet_minor(row[3]["v"], 3) == kFibre + kTv);
    CHECK(row[3]["f"] == "#,##0.000 \"KWD\"");
  }
  CHECK(gulf);

  // An explicit file name is used as given.
  CommandResult named = ledger.report("credits --format xlsx --out '" + out.sub("mine.xlsx") + "'");
  INFO(named.err);
  REQUIRE(named.exit_code == 0);
  check_xlsx_matches_json(read_xlsx(out.sub("mine.xlsx")), ledger.json("credits"));
}

TEST_CASE("xlsx without --out goes to the report's file name in the current folder", "[export]") {
  Ledger ledger;
  TempDir cwd;
  CommandResult result =
      run_ledger_in(cwd.path(), "--data '" + ledger.data + "' report aging --as-of 20261220 --format xlsx");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const std::vector<std::string> files = files_in(cwd.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].find("aging") != std::string::npos);
  CHECK(files[0].find("2026-12-20") != std::string::npos);
  CHECK(files[0].substr(files[0].size() - 5) == ".xlsx");
  check_xlsx_matches_json(read_xlsx(cwd.sub(files[0])), ledger.json("aging --as-of 2026-12-20"));
}

TEST_CASE("transactions stream page after page: csv and xlsx of small pages equal one big page", "[export]") {
  Ledger ledger;
  const std::string range = "transactions --from 2026-10-01 --to 2026-12-31";
  const nlohmann::json all = ledger.json(range);
  REQUIRE(all["rows"].size() > 6);
  CHECK(all["next_cursor"] == "");
  // JSON shows one page and where the next starts.
  const nlohmann::json page = ledger.json(range + " --limit 2");
  CHECK(page["rows"].size() == 2);
  CHECK(page["next_cursor"] != "");
  const nlohmann::json next =
      ledger.json(range + " --limit 2 --cursor " + page["next_cursor"].get<std::string>());
  REQUIRE(next["rows"].size() == 2);
  CHECK(next["rows"][0] == all["rows"][2]);
  // CSV and XLSX stream every page.
  const std::string streamed = ledger.csv(range + " --limit 2");
  CHECK(streamed == ledger.csv(range));
  check_csv_matches_json(streamed, all);
  TempDir out;
  CommandResult written = ledger.report(range + " --limit 3 --format xlsx --out '" + out.sub("t.xlsx") + "'");
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  CHECK(written.out.find("(" + std::to_string(all["rows"].size()) + " rows)") != std::string::npos);
  check_xlsx_matches_json(read_xlsx(out.sub("t.xlsx")), all);
  // A filter reaches every page.
  auto payments = parse_csv(ledger.csv(range + " --kind Payment --limit 1"));
  CHECK(payments.size() == 1 + 3 * kOperators.size());
  for (size_t r = 1; r < payments.size(); ++r) CHECK(payments[r][3] == "Payment");
}

TEST_CASE("the report's own --format takes csv and xlsx; the global one still takes table|json only",
          "[export]") {
  Ledger ledger;
  const std::string base = "--data '" + ledger.data + "' ";
  CommandResult global_json = run_ledger(base + "--format json report credits");
  REQUIRE(global_json.exit_code == 0);
  CHECK(nlohmann::json::parse(global_json.out)["report"] == "credits");
  CommandResult shadowed = run_ledger(base + "--format json report credits --format csv");
  REQUIRE(shadowed.exit_code == 0);
  CHECK(shadowed.out.rfind("operator,account,", 0) == 0);
  CommandResult table = run_ledger(base + "report credits");
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.rfind("Credits", 0) == 0);
  // Other commands are untouched: csv is not a format of theirs.
  CommandResult accounts = run_ledger(base + "--format csv accounts");
  CHECK(accounts.exit_code != 0);
  CHECK(accounts.out.find("acme-a") == std::string::npos);
}

TEST_CASE("bad report input is refused naming the option, with no output and no file", "[export]") {
  Ledger ledger;
  TempDir out;
  struct Case {
    std::string args;
    std::vector<std::string> named;  // what the error must name
  };
  const std::vector<Case> cases = {
      {"summary --from 2026-11-30 --to 2026-11-01 --format csv --out '" + out.sub("x.csv") + "'",
       {"--from", "--to", "empty"}},
      {"summary --from 2026-11-30 --to 2026-11-01 --format xlsx --out '" + out.path() + "/'",
       {"--from", "--to", "empty"}},
      {"summary --operator nobody --format xlsx --out '" + out.path() + "/'", {"--operator", "nobody"}},
      {"summary --operator nobody --format csv --out '" + out.sub("x.csv") + "'", {"--operator", "nobody"}},
      {"summary --operator nobody --format csv", {"--operator", "nobody"}},
      {"summary --format pdf --out '" + out.path() + "/'", {"--format", "pdf"}},
      {"summary --format ods", {"--format", "ods"}},
      {"bogus --format csv --out '" + out.path() + "/'", {"report", "bogus"}},
      {"bogus --format xlsx", {"report", "bogus"}},
      {"summary --from 2026-02-30 --format csv", {"--from", "2026-02-30"}},
      {"aging --as-of yesterday --format csv", {"--as-of", "yesterday"}},
      {"revenue --basis maybe --format csv", {"--basis", "maybe"}},
      {"transactions --limit 0 --format csv", {"--limit"}},
      {"credits --format csv --out '" + out.sub("missing/x.csv") + "'", {"--out", "missing/x.csv"}},
      {"credits --format xlsx --out '" + out.sub("missing/x.xlsx") + "'", {"--out", "missing/x.xlsx"}},
  };
  for (const auto& c : cases) {
    INFO("ledger report " << c.args);
    CommandResult result = run_ledger_in(out.path(), "--data '" + ledger.data + "' report " + c.args);
    INFO(result.err);
    CHECK(result.exit_code != 0);
    CHECK(result.out.empty());
    for (const auto& word : c.named) CHECK(result.err.find(word) != std::string::npos);
    CHECK(result.err.rfind("ledger: ", 0) == 0);
    CHECK(files_in(out.path()).empty());
  }
}

}  // namespace ledger::test
