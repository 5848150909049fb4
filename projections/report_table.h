#pragma once

// The shape every report comes in: named, typed columns and rows of cells, with the range and
// day it was made for. Reports are built here from the views; connectors render the same
// table as text, JSON, CSV or XLSX, so every format shows the same figures.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace ledger {

enum class CellKind : uint8_t {
  kText,
  kInteger,  //!< a count
  kMoney,    //!< integer minor units of `currency`, exponent digits after the point
  kDay,      //!< YYYYMMDD
};

struct Cell {
  CellKind kind = CellKind::kText;
  std::string text;      //!< kText
  int64_t value = 0;     //!< kInteger, kMoney (minor units), kDay (YYYYMMDD; 0 = none)
  uint8_t exponent = 0;  //!< kMoney
  std::string currency;  //!< kMoney

  static Cell of_text(std::string text) {
    Cell cell;
    cell.text = std::move(text);
    return cell;
  }
  static Cell of_integer(int64_t value) {
    Cell cell;
    cell.kind = CellKind::kInteger;
    cell.value = value;
    return cell;
  }
  static Cell of_money(int64_t amount_minor, uint8_t exponent, std::string currency) {
    Cell cell;
    cell.kind = CellKind::kMoney;
    cell.value = amount_minor;
    cell.exponent = exponent;
    cell.currency = std::move(currency);
    return cell;
  }
  static Cell of_day(int32_t day) {
    Cell cell;
    cell.kind = CellKind::kDay;
    cell.value = day;
    return cell;
  }
};

struct Column {
  std::string name;   //!< snake_case, the JSON key and the CSV header ("total_billed")
  std::string title;  //!< for people ("Total Billed")
  CellKind kind = CellKind::kText;
};

//! One report, ready to render.
struct ReportTable {
  std::string report;    //!< summary | aging | credits | revenue | transactions | unpaid
  std::string title;     //!< "Billing Summary"
  int32_t from_day = 0;  //!< the range, when the report covers one
  int32_t to_day = 0;
  int32_t as_of_day = 0;  //!< the day it is computed for, when it depends on one
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<bool> is_total;  //!< per row: a totals row (per currency) rather than data
  std::string next_cursor;     //!< paged reports: pass back for the next page; empty at the end

  void add_row(std::vector<Cell> cells, bool total = false) {
    rows.push_back(std::move(cells));
    is_total.push_back(total);
  }
};

//! What a report is asked for with. Days are YYYYMMDD; 0 means "not given".
struct ReportRequest {
  std::string report;
  int32_t from_day = 0;
  int32_t to_day = 0;
  int32_t as_of_day = 0;
  std::string operator_filter;
  std::string account;
  std::string kind;            //!< transactions: a line kind (Charge, Usage, Payment, ...)
  std::string basis = "cash";  //!< revenue: cash | accrual
  std::string status;          //!< unpaid: Settled | Partially Settled | Unsettled (default: not settled)
  std::string lifecycle;       //!< unpaid: a lifecycle state
  bool overdue_only = false;
  std::string cursor;     //!< paged reports: where the previous page ended
  size_t limit = 10'000;  //!< paged reports: rows per page
};

}  // namespace ledger
