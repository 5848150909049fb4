// All transactions (seed 004, BILLING.md section 7): every invoice line dated (by its own
// time_us) in [from, to], with the account's running balance after it as recorded when it was
// applied; filterable by operator, account and line kind.
//
// Rows come in the order of the lines' keys, account 0x00 u32be(from_day) u32be(seq) (each
// line's own key, as the digest sees it, not its page's: invoice_line_pages.h): grouped by
// account, then by period and line order. The report is paged: at most
// request.limit rows; next_cursor is the hex of the last row's line key when more rows follow
// (empty at the end), and a request with that cursor resumes right after that key. The walk
// goes account by account, invoice by invoice, skipping whole accounts and invoices that lie
// before the cursor or before the range, and never holds more than one page.

#include <optional>

#include "projections/invoice_line_pages.h"
#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string hex_of(std::string_view bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0xf]);
  }
  return hex;
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

//! The line key a cursor names: hex of account 0x00 u32be(from_day) u32be(seq).
Result<std::string> line_key_of_cursor(std::string_view cursor) {
  const Status refused = Status::invalid_argument("cursor: '" + std::string(cursor.substr(0, 64)) +
                                                  "' is not a cursor of the transactions report");
  if (cursor.size() % 2 != 0) return refused;
  std::string key;
  for (size_t i = 0; i < cursor.size(); i += 2) {
    const int high = hex_value(cursor[i]);
    const int low = hex_value(cursor[i + 1]);
    if (high < 0 || low < 0) return refused;
    key.push_back(static_cast<char>(high << 4 | low));
  }
  const size_t terminator = key.find('\0');
  if (terminator == 0 || terminator == std::string::npos || key.size() != terminator + 9) return refused;
  return key;
}

Result<std::optional<view::LineKind>> kind_filter(const std::string& kind) {
  if (kind.empty()) return std::optional<view::LineKind>();
  std::string known;
  const char* const* names = view::EnumNamesLineKind();
  for (int i = 0; names[i] != nullptr; ++i) {
    if (kind == names[i]) return std::optional<view::LineKind>(static_cast<view::LineKind>(i));
    known += (i ? ", " : "") + std::string(names[i]);
  }
  return Status::invalid_argument("kind: '" + kind + "' is not one of " + known);
}

//! One page's walk over the lines.
struct Walk {
  const Store& store;
  const ReadSnapshot& snapshot;
  const ReportRequest& request;
  std::string after_key;  //!< resume strictly after this line key; empty: from the first
  std::optional<view::LineKind> kind;
  ReportTable& table;
  std::string last_key;  //!< the key of the page's last row
  bool stop = false;     //!< the page is full and another row follows, or a row was damaged
  Status failure;
};

std::vector<Cell> transaction_cells(const view::AccountRow& account, const view::InvoiceLine& line) {
  const std::string currency(text_of(account.currency()));
  return {Cell::of_day(day_of_time_us(line.time_us())),
          Cell::of_text(std::string(text_of(account.account()))),
          Cell::of_text(std::string(text_of(account.operator_()))),
          Cell::of_text(view::EnumNameLineKind(line.kind())),
          Cell::of_text(std::string(text_of(line.reference_id()))),
          Cell::of_text(std::string(text_of(line.description()))),
          Cell::of_money(line.amount_minor(), account.exponent(), currency),
          Cell::of_money(line.running_balance_minor(), account.exponent(), currency),
          Cell::of_text(line.late() ? "yes" : "no"),
          Cell::of_text(std::string(text_of(line.event_id())))};
}

//! Adds the line if it passes the filters; false to stop the walk.
bool visit_line(Walk& walk, const view::AccountRow& account, std::string_view key,
                const view::InvoiceLine& line) {
  if (!walk.after_key.empty() && key <= walk.after_key) return true;
  if (!in_range(walk.request, day_of_time_us(line.time_us()))) return true;
  if (walk.kind && line.kind() != *walk.kind) return true;
  if (walk.table.rows.size() == walk.request.limit) {  // a row follows a full page
    walk.table.next_cursor = hex_of(walk.last_key);
    walk.stop = true;
    return false;
  }
  walk.table.add_row(transaction_cells(account, line));
  walk.last_key = key;
  return true;
}

//! The invoice whose key (the prefix of its lines) is `invoice_key`; false to stop the walk.
bool visit_invoice(Walk& walk, const view::AccountRow& account, std::string_view invoice_key,
                   std::string_view value) {
  // An invoice whose lines all sort before the cursor.
  if (!walk.after_key.empty() && invoice_key < std::string_view(walk.after_key).substr(0, invoice_key.size()))
    return true;
  const auto* invoice = decode_row<view::InvoiceRow>(value);
  if (!invoice) {
    walk.failure = Status::corruption("invoices: a row failed the FlatBuffers verifier");
    walk.stop = true;
    return false;
  }
  // A line is never dated after its invoice's last day (a late one is dated before it).
  if (walk.request.from_day != 0 && invoice->to_day() < walk.request.from_day) return true;
  Status scanned = scan_invoice_lines(walk.store, walk.snapshot, invoice_key,
                                      [&](std::string_view key, const view::InvoiceLine& line,
                                          std::string_view) { return visit_line(walk, account, key, line); });
  if (!scanned) walk.failure = scanned;
  return scanned.is_ok() && !walk.stop;
}

//! Every line of one account; false to stop the walk.
bool visit_account(Walk& walk, std::string_view account_id, std::string_view value) {
  const auto* account = decode_row<view::AccountRow>(value);
  if (!account) {
    walk.failure = Status::corruption("accounts: the row for '" + std::string(account_id) +
                                      "' failed the FlatBuffers verifier");
    return false;
  }
  if (!walk.request.operator_filter.empty() && text_of(account->operator_()) != walk.request.operator_filter)
    return true;
  std::string prefix;
  put_terminated(prefix, account_id);
  Status scanned = walk.snapshot.scan(walk.store.column_family(InvoiceFamilies::kInvoices), prefix,
                                      [&](std::string_view key, std::string_view invoice) {
                                        return visit_invoice(walk, *account, key, invoice);
                                      });
  if (!scanned) walk.failure = scanned;
  return scanned.is_ok() && !walk.stop;
}

Status walk_lines(Walk& walk) {
  ColumnFamily accounts = walk.store.column_family(AccountsView::kColumnFamily);
  if (!walk.request.account.empty()) {  // check_account found it
    auto value = walk.snapshot.get(accounts, walk.request.account);
    if (!value) return value.status();
    if (!value->has_value()) return Status::ok();
    visit_account(walk, walk.request.account, **value);
    return walk.failure;
  }
  // Account ids hold no 0x00 byte, so ids sort like the line keys that start with them.
  const std::string_view after_account =
      std::string_view(walk.after_key).substr(0, walk.after_key.find('\0'));
  Status scanned = walk.snapshot.scan(accounts, "", [&](std::string_view key, std::string_view value) {
    if (!walk.after_key.empty() && key < after_account) return true;
    return visit_account(walk, key, value);
  });
  if (!scanned) return scanned;
  return walk.failure;
}

}  // namespace

Result<ReportTable> transactions_report(const Store& store, const ReadSnapshot& snapshot,
                                        const ReportRequest& request) {
  if (Status valid = check_request(store, snapshot, request); !valid) return valid;
  if (request.limit == 0) return Status::invalid_argument("limit: a page holds at least one row");
  auto kind = kind_filter(request.kind);
  if (!kind) return kind.status();
  std::string after_key;
  if (!request.cursor.empty()) {
    auto key = line_key_of_cursor(request.cursor);
    if (!key) return key.status();
    after_key = std::move(*key);
  }

  ReportTable table;
  table.report = "transactions";
  table.title = "All Transactions";
  table.from_day = request.from_day;
  table.to_day = request.to_day;
  table.columns = {{"date", "Date", CellKind::kDay},
                   {"account", "Account", CellKind::kText},
                   {"operator", "Operator / Reseller", CellKind::kText},
                   {"kind", "Kind", CellKind::kText},
                   {"reference", "Reference", CellKind::kText},
                   {"description", "Description", CellKind::kText},
                   {"amount", "Amount", CellKind::kMoney},
                   {"running_balance", "Running Balance", CellKind::kMoney},
                   {"late", "Late", CellKind::kText},
                   {"event_id", "Event", CellKind::kText}};
  Walk walk{store, snapshot, request, std::move(after_key), *kind, table, {}, false, Status::ok()};
  if (Status walked = walk_lines(walk); !walked) return walked;
  return table;
}

}  // namespace ledger
