#include "tests/support/invoice_invariants.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/key_encoding.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_line_pages.h"
#include "projections/invoice_queries.h"
#include "projections/receivables.h"
#include "projections/row_codec.h"

namespace ledger::test {
namespace {

using Violations = std::vector<std::string>;
using Lines = std::vector<view::InvoiceLineT>;

//! One invoice with its lines, read straight from the lines column family so that a damaged
//! number index cannot hand us another bill's lines.
struct Invoice {
  view::InvoiceRowT row;
  Lines lines;
  int64_t billed_minor = 0;  //!< as query_invoices derived it
  int64_t to_pay_minor = 0;  //!< as query_invoices derived it
};

//! Everything the checks need about one account.
struct AccountBook {
  std::string account;
  uint32_t partition = 0;
  int64_t balance_minor = 0;
  std::vector<Invoice> invoices;        //!< every invoice in period order
  std::vector<InvoiceDetail> previews;  //!< query_previews: open ones, brought forward derived
  std::optional<view::BillingStateRowT> billing;
};

//! The totals a line list adds up to, by the kinds of BILLING.md section 6.
struct LineSums {
  int64_t debited_minor = 0;
  int64_t credited_minor = 0;
  int64_t paid_minor = 0;
  int64_t amount_minor = 0;
  uint32_t late = 0;
};

LineSums sum_lines(const Lines& lines) {
  LineSums sums;
  for (const auto& line : lines) {
    sums.amount_minor += line.amount_minor;
    if (line.late) ++sums.late;
    switch (line.kind) {
      case view::LineKind::Payment:
      case view::LineKind::Refill:
        sums.paid_minor += -line.amount_minor;
        break;
      case view::LineKind::CreditNote:
        sums.credited_minor += -line.amount_minor;
        break;
      case view::LineKind::Correction:
        if (line.amount_minor >= 0)
          sums.debited_minor += line.amount_minor;
        else
          sums.credited_minor += -line.amount_minor;
        break;
      default:
        sums.debited_minor += line.amount_minor;
        break;
    }
  }
  return sums;
}

std::string label(const view::InvoiceRowT& invoice) {
  return fmt::format("account {} invoice {} [{}..{}]", invoice.account,
                     invoice.invoice_number.empty() ? "(preview)" : invoice.invoice_number, invoice.from_day,
                     invoice.to_day);
}

//! Half-even rounding of n / d for n >= 0 and d > 0, written here apart from engine/money.
__int128 round_half_even(__int128 n, __int128 d) {
  __int128 q = n / d;
  __int128 r = n % d;
  if (2 * r > d || (2 * r == d && q % 2 == 1)) ++q;
  return q;
}

Status read_lines(Engine& engine, const ReadSnapshot& snapshot, Invoice& invoice) {
  return scan_invoice_lines(engine.store(), snapshot, invoice_key(invoice.row.account, invoice.row.from_day),
                            [&](std::string_view, const view::InvoiceLine& line, std::string_view) {
                              invoice.lines.emplace_back();
                              line.UnPackTo(&invoice.lines.back());
                              return true;
                            });
}

Status load_book(Engine& engine, const ReadSnapshot& snapshot, AccountBook& book) {
  InvoiceFilter filter;
  filter.account = book.account;
  filter.limit = SIZE_MAX;
  auto invoices = query_invoices(engine.store(), snapshot, filter);
  if (!invoices) return invoices.status();
  for (auto& detail : *invoices) {
    book.invoices.push_back(
        {std::move(detail.invoice), {}, detail.total_billed_minor, detail.total_to_pay_minor});
    if (Status read = read_lines(engine, snapshot, book.invoices.back()); !read) return read;
  }
  auto previews = query_previews(engine.store(), snapshot, book.account);
  if (!previews) return previews.status();
  book.previews = std::move(*previews);
  auto billing = snapshot.get(engine.store().column_family(InvoiceFamilies::kBillingState),
                              billing_state_key(book.partition, book.account));
  if (!billing) return billing.status();
  book.billing = unpack_row<view::BillingStateRow>(*billing);
  return Status::ok();
}

// (a) and (h): an invoice against its own lines.
void check_totals(const Invoice& invoice, Violations& out) {
  const auto& row = invoice.row;
  const LineSums sums = sum_lines(invoice.lines);
  if (sums.debited_minor != row.total_debited_minor || sums.credited_minor != row.total_credited_minor ||
      sums.paid_minor != row.total_paid_minor) {
    out.push_back(fmt::format("(a) {}: totals debited {} credited {} paid {}, lines give {} {} {}",
                              label(row), row.total_debited_minor, row.total_credited_minor,
                              row.total_paid_minor, sums.debited_minor, sums.credited_minor,
                              sums.paid_minor));
  }
  if (row.line_count != invoice.lines.size() || row.late_line_count != sums.late) {
    out.push_back(fmt::format("(a) {}: line_count {} late {}, but {} lines of which {} late", label(row),
                              row.line_count, row.late_line_count, invoice.lines.size(), sums.late));
  }
  for (size_t i = 0; i < invoice.lines.size(); ++i) {
    if (invoice.lines[i].seq != i + 1) {
      out.push_back(fmt::format("(a) {}: line {} has seq {}", label(row), i + 1, invoice.lines[i].seq));
    }
  }
  const int64_t billed = sums.debited_minor - sums.credited_minor;
  if (invoice.billed_minor != billed) {
    out.push_back(fmt::format("(a) {}: total_billed {} != debited - credited {}", label(row),
                              invoice.billed_minor, billed));
  }
  if (row.status == view::InvoiceStatus::Closed) {
    const int64_t to_pay = row.balance_brought_forward_minor + billed - sums.paid_minor;
    if (to_pay != invoice.to_pay_minor) {
      out.push_back(fmt::format("(a) {}: total_to_pay {} != brought forward {} + billed {} - paid {}",
                                label(row), invoice.to_pay_minor, row.balance_brought_forward_minor, billed,
                                sums.paid_minor));
    }
  }
}

void check_line_prices(const Invoice& invoice, Violations& out) {
  for (const auto& line : invoice.lines) {
    int64_t taxes = 0;
    for (const auto& tax : line.taxes) taxes += tax->amount_minor;
    const std::string where = fmt::format("(h) {} line {} ({})", label(invoice.row), line.seq, line.event_id);
    if (line.kind == view::LineKind::Charge) {
      const __int128 scale = [&] {
        __int128 s = 1;
        for (int i = 0; i < 9 - invoice.row.exponent; ++i) s *= 10;
        return s;
      }();
      const __int128 gross =
          round_half_even(static_cast<__int128>(line.quantity_milli) * line.unit_price_micro, scale);
      if (line.net_minor + line.discount_minor != gross) {
        out.push_back(fmt::format("{}: net {} + discount {} != quantity x unit price {}", where,
                                  line.net_minor, line.discount_minor, static_cast<int64_t>(gross)));
      }
    }
    const bool priced = line.kind == view::LineKind::Charge || line.kind == view::LineKind::Usage ||
                        line.kind == view::LineKind::TaxAdjustment;
    if (priced && (line.tax_minor != taxes || line.amount_minor != line.net_minor + line.tax_minor)) {
      out.push_back(fmt::format("{}: amount {} != net {} + taxes {} (listed {})", where, line.amount_minor,
                                line.net_minor, line.tax_minor, taxes));
    }
    if (!priced && line.amount_minor == 0) out.push_back(where + ": a money line of zero");
  }
}

// (b): the chain of brought-forward balances, and (e): each bill's settlement.
void check_chain(const AccountBook& book, Violations& out) {
  int64_t last_to_pay = 0;
  bool first_open = true;
  for (const auto& invoice : book.invoices) {
    const auto& row = invoice.row;
    const bool closed = row.status == view::InvoiceStatus::Closed;
    if ((closed || first_open) && row.balance_brought_forward_minor != last_to_pay) {
      out.push_back(fmt::format("(b) {}: brought forward {}, but the previous bill asked {}", label(row),
                                row.balance_brought_forward_minor, last_to_pay));
    }
    if (!closed) {
      first_open = false;
      continue;
    }
    last_to_pay = invoice.to_pay_minor;
    const int64_t billed = invoice.billed_minor;
    int64_t allocated = 0;
    for (const auto& allocation : row.allocations) {
      allocated += allocation->amount_minor;
      if (allocation->amount_minor <= 0) {
        out.push_back(fmt::format("(e) {}: allocation of {}", label(row), allocation->amount_minor));
      }
    }
    if (row.settled_minor < 0 || row.settled_minor > std::max<int64_t>(billed, 0) ||
        allocated != row.settled_minor) {
      out.push_back(fmt::format("(e) {}: settled {} of billed {}, allocations add up to {}", label(row),
                                row.settled_minor, billed, allocated));
    }
  }
}

// (c): the balance is the preview's brought forward plus its lines.
void check_balance(const AccountBook& book, Violations& out) {
  if (book.previews.empty()) {
    out.push_back("(c) account " + book.account + ": no open preview");
    return;
  }
  int64_t balance = book.previews.front().invoice.balance_brought_forward_minor;
  for (const auto& preview : book.previews) {
    for (const auto& line : preview.lines) balance += line.amount_minor;
  }
  if (balance != book.balance_minor) {
    out.push_back(
        fmt::format("(c) account {}: balance {}, but the preview's brought forward and lines give {}",
                    book.account, book.balance_minor, balance));
  }
  std::vector<int32_t> open_days, preview_days;
  for (const auto& invoice : book.invoices) {
    if (invoice.row.status == view::InvoiceStatus::Open) open_days.push_back(invoice.row.from_day);
  }
  for (const auto& preview : book.previews) preview_days.push_back(preview.invoice.from_day);
  if (open_days != preview_days) {
    out.push_back("(c) account " + book.account +
                  ": query_previews and query_invoices disagree on the open previews");
  }
}

// (f): every line's running balance is the balance after it, so the lines chain 0 -> balance.
void check_running_balances(const AccountBook& book, Violations& out) {
  std::map<int64_t, int64_t> count;
  for (const auto& invoice : book.invoices) {
    for (const auto& line : invoice.lines) {
      ++count[line.running_balance_minor];
      --count[line.running_balance_minor - line.amount_minor];
    }
  }
  ++count[0];
  --count[book.balance_minor];
  for (const auto& [balance, n] : count) {
    if (n != 0) {
      out.push_back(fmt::format("(f) account {}: running balances do not chain from 0 to {} (at {}: {:+})",
                                book.account, book.balance_minor, balance, n));
      return;
    }
  }
}

// (g): periods follow each other, closed ones first, and lines sit in their periods.
void check_periods(const AccountBook& book, Violations& out) {
  const view::InvoiceRowT* previous = nullptr;
  for (const auto& invoice : book.invoices) {
    const auto& row = invoice.row;
    if (row.to_day < row.from_day) out.push_back("(g) " + label(row) + ": ends before it starts");
    if (previous && row.from_day != add_days(previous->to_day, 1)) {
      out.push_back(fmt::format("(g) {}: starts {}, but the invoice before ends {}", label(row), row.from_day,
                                previous->to_day));
    }
    if (previous && previous->status == view::InvoiceStatus::Open &&
        row.status == view::InvoiceStatus::Closed) {
      out.push_back("(g) " + label(row) + ": closed after an open preview");
    }
    for (const auto& line : invoice.lines) {
      const int32_t day = day_of_time_us(line.time_us);
      const bool placed = line.late ? day < row.from_day : day >= row.from_day && day <= row.to_day;
      if (!placed) {
        out.push_back(fmt::format("(g) {}: line {} ({}) of day {}{} is outside the period", label(row),
                                  line.seq, line.event_id, day, line.late ? " marked late" : ""));
      }
    }
    previous = &row;
  }
}

// (i): settlement against the statement.
void check_settlement(const AccountBook& book, Violations& out) {
  if (!book.billing) {
    out.push_back("(i) account " + book.account + ": no billing state");
    return;
  }
  int64_t unpaid = 0, last_to_pay = 0, paid_since = 0;
  std::vector<int32_t> open_days;
  for (const auto& invoice : book.invoices) {
    const auto& row = invoice.row;
    if (row.status == view::InvoiceStatus::Closed) {
      unpaid += std::max<int64_t>(invoice.billed_minor - row.settled_minor, 0);
      last_to_pay = invoice.to_pay_minor;
    } else {
      paid_since += row.total_paid_minor;
      open_days.push_back(row.from_day);
    }
  }
  const int64_t unallocated = book.billing->unallocated_credit_minor;
  if (unallocated < 0 || unpaid - unallocated != last_to_pay - paid_since) {
    out.push_back(fmt::format(
        "(i) account {}: unpaid {} - unallocated credit {} != last bill's to pay {} - paid since {}",
        book.account, unpaid, unallocated, last_to_pay, paid_since));
  }
  if (unallocated > 0 && unpaid > 0) {
    out.push_back(fmt::format("(i) account {}: {} credit left unallocated while {} of its bills is unpaid",
                              book.account, unallocated, unpaid));
  }
  if (book.billing->open_from_days != open_days) {
    out.push_back("(i) account " + book.account +
                  ": the billing state's open periods are not the open previews");
  }
}

// (d): numbers are unique and find their own bill.
void check_numbers(Engine& engine, const ReadSnapshot& snapshot, const AccountBook& book,
                   std::map<std::string, std::string>& seen, Violations& out) {
  for (const auto& invoice : book.invoices) {
    const auto& row = invoice.row;
    const bool closed = row.status == view::InvoiceStatus::Closed;
    if (closed == row.invoice_number.empty()) {
      out.push_back("(d) " + label(row) +
                    (closed ? ": a bill without a number" : ": a preview with a number"));
    }
    if (!closed) continue;
    const std::string here = fmt::format("{} [{}..{}]", row.account, row.from_day, row.to_day);
    auto [it, fresh] = seen.emplace(row.invoice_number, here);
    if (!fresh) out.push_back("(d) number " + row.invoice_number + " is both " + it->second + " and " + here);
    // The number index (what query_invoice reads) must lead back to this very bill.
    auto found = snapshot.get(engine.store().column_family(InvoiceFamilies::kNumbers), row.invoice_number);
    if (!found || !found->has_value() || **found != invoice_key(row.account, row.from_day)) {
      out.push_back("(d) number " + row.invoice_number + " does not find " + here);
    }
  }
}

// (j): the receivables index, written out here from the bills themselves.
void add_expected_receivables(const AccountBook& book, std::map<std::string, std::string>& expected) {
  for (const auto& invoice : book.invoices) {
    const auto& row = invoice.row;
    if (row.status != view::InvoiceStatus::Closed) continue;
    int32_t last_day = row.closed_day;
    for (const auto& allocation : row.allocations)
      last_day = std::max(last_day, day_of_time_us(allocation->time_us));
    const bool cleared = row.settled_minor >= invoice.billed_minor;
    std::string key;
    put_u32_be(key, cleared ? static_cast<uint32_t>(last_day) : 0xffffffffu);
    key += invoice_key(row.account, row.from_day);
    std::string value;
    put_u32_be(value, static_cast<uint32_t>(row.closed_day));
    put_u32_be(value, static_cast<uint32_t>(last_day));
    expected.emplace(std::move(key), std::move(value));
  }
}

void check_receivables(Engine& engine, const ReadSnapshot& snapshot,
                       std::map<std::string, std::string> expected, Violations& out) {
  auto describe = [](std::string_view key) {
    const uint32_t day = get_be<uint32_t>(key, 0);
    return fmt::format("{} [{}] cleared {}", key.substr(4, key.size() - 9),
                       get_be<uint32_t>(key, key.size() - 4),
                       day == 0xffffffffu ? std::string("never") : std::to_string(day));
  };
  Status scanned =
      snapshot.scan(engine.store().column_family(ReceivablesIndex::kColumnFamily), "",
                    [&](std::string_view key, std::string_view value) {
                      if (key.size() < 9) {
                        out.push_back("(j) receivables: a key of " + std::to_string(key.size()) + " bytes");
                        return true;
                      }
                      auto it = expected.find(std::string(key));
                      if (it == expected.end()) {
                        out.push_back("(j) receivables: a row for no such bill: " + describe(key));
                      } else if (it->second != value) {
                        out.push_back("(j) receivables: the close and last days differ for " + describe(key));
                      }
                      if (it != expected.end()) expected.erase(it);
                      return true;
                    });
  if (!scanned) out.push_back("(j) receivables: " + scanned.to_string());
  for (const auto& [key, value] : expected) out.push_back("(j) receivables: no row for " + describe(key));
}

}  // namespace

std::vector<std::string> check_invoice_invariants(Engine& engine) {
  Violations out;
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto accounts = query_accounts(engine.store(), snapshot, "", SIZE_MAX);
  if (!accounts) return {accounts.status().to_string()};
  std::map<std::string, std::string> numbers;
  std::map<std::string, std::string> receivables;  // the index as the bills say it should be
  for (const auto& summary : *accounts) {
    AccountBook book;
    book.account = summary.account.account;
    book.partition = summary.account.partition;
    book.balance_minor = summary.balance.balance_minor;
    if (Status loaded = load_book(engine, snapshot, book); !loaded) {
      out.push_back("account " + book.account + ": " + loaded.to_string());
      continue;
    }
    for (const auto& invoice : book.invoices) {
      check_totals(invoice, out);
      check_line_prices(invoice, out);
    }
    check_chain(book, out);
    check_balance(book, out);
    check_running_balances(book, out);
    check_periods(book, out);
    check_settlement(book, out);
    check_numbers(engine, snapshot, book, numbers, out);
    add_expected_receivables(book, receivables);
  }
  check_receivables(engine, snapshot, std::move(receivables), out);
  return out;
}

}  // namespace ledger::test
