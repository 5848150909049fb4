// Credits (seed 004, BILLING.md section 7): the accounts in credit now (balance below zero:
// paid or credited beyond what they owe) and how much, credit = -balance.
//
// Rows: one per account in (operator, account) order; after each operator's accounts a totals
// row per currency (operator, account "Total"); at the end a grand totals row per currency
// (operator "Total"). The report is of the snapshot's balances: it takes no range or as-of day.

#include <iterator>
#include <map>
#include <utility>

#include "projections/balances.h"
#include "projections/report_range.h"
#include "projections/reports.h"

namespace ledger {
namespace {

struct Credit {
  std::string name;
  std::string currency;
  uint8_t exponent = 0;
  int64_t credit_minor = 0;
};

//! (operator, account): the order the rows come in.
using CreditKey = std::pair<std::string, std::string>;

Status damaged(std::string_view column_family, std::string_view account) {
  return Status::corruption(std::string(column_family) + ": the row for '" + std::string(account) +
                            "' failed the FlatBuffers verifier");
}

//! The account's credit, or nullopt when it is not in credit.
Result<std::optional<std::pair<CreditKey, Credit>>> credit_of(const Store& store,
                                                              const ReadSnapshot& snapshot,
                                                              std::string_view account_id,
                                                              std::string_view balance_bytes) {
  using Found = std::optional<std::pair<CreditKey, Credit>>;
  const auto* balance = decode_row<view::BalanceRow>(balance_bytes);
  if (!balance) return damaged(BalancesView::kColumnFamily, account_id);
  // INT64_MIN has no positive counterpart; a balance that low cannot arise (every change is
  // checked), so it is reported as damage rather than wrapped.
  if (balance->balance_minor() >= 0) return Found();
  if (balance->balance_minor() == INT64_MIN) return damaged(BalancesView::kColumnFamily, account_id);
  auto account_bytes = snapshot.get(store.column_family(AccountsView::kColumnFamily), account_id);
  if (!account_bytes) return account_bytes.status();
  auto account = unpack_row<view::AccountRow>(*account_bytes);
  if (!account) return damaged(AccountsView::kColumnFamily, account_id);
  Credit credit{account->name, account->currency, account->exponent, -balance->balance_minor()};
  return Found(std::pair(CreditKey{account->operator_, account->account}, std::move(credit)));
}

Result<std::map<CreditKey, Credit>> credits_of(const Store& store, const ReadSnapshot& snapshot,
                                               const ReportRequest& request) {
  std::map<CreditKey, Credit> credits;
  Status failure;
  // Balances are keyed by the account id alone, so an account filter is a prefix that also
  // matches longer ids; those are skipped by the exact comparison below.
  Status scanned =
      snapshot.scan(store.column_family(BalancesView::kColumnFamily), request.account,
                    [&](std::string_view key, std::string_view value) {
                      if (!request.account.empty() && key != request.account) return false;
                      auto credit = credit_of(store, snapshot, key, value);
                      if (!credit) {
                        failure = credit.status();
                        return false;
                      }
                      if (!credit->has_value()) return true;
                      auto& [credit_key, row] = **credit;
                      if (!request.operator_filter.empty() && credit_key.first != request.operator_filter)
                        return true;
                      credits.emplace(std::move(credit_key), std::move(row));
                      return true;
                    });
  if (!scanned) return scanned;
  if (!failure) return failure;
  return credits;
}

std::vector<Cell> credit_cells(const std::string& operator_id, const std::string& account,
                               const std::string& name, const std::string& currency, uint8_t exponent,
                               int64_t credit_minor) {
  return {Cell::of_text(operator_id), Cell::of_text(account), Cell::of_text(name), Cell::of_text(currency),
          Cell::of_money(credit_minor, exponent, currency)};
}

//! Sums per currency, with the currency's exponent.
using CurrencyTotals = std::map<std::string, std::pair<int64_t, uint8_t>>;

Status add_credit_rows(ReportTable& table, const std::map<CreditKey, Credit>& credits) {
  CurrencyTotals grand;
  CurrencyTotals of_operator;
  for (auto it = credits.begin(); it != credits.end(); ++it) {
    const auto& [operator_id, account] = it->first;
    const Credit& credit = it->second;
    table.add_row(credit_cells(operator_id, account, credit.name, credit.currency, credit.exponent,
                               credit.credit_minor));
    for (CurrencyTotals* totals : {&of_operator, &grand}) {
      auto& [sum_minor, exponent] = (*totals)[credit.currency];
      exponent = credit.exponent;
      if (Status added = add_minor(sum_minor, credit.credit_minor, "credit total"); !added) return added;
    }
    auto next = std::next(it);
    if (next != credits.end() && next->first.first == operator_id) continue;
    for (const auto& [currency, total] : of_operator)
      table.add_row(credit_cells(operator_id, "Total", "", currency, total.second, total.first), true);
    of_operator.clear();
  }
  for (const auto& [currency, total] : grand)
    table.add_row(credit_cells("Total", "", "", currency, total.second, total.first), true);
  return Status::ok();
}

}  // namespace

Result<ReportTable> credits_report(const Store& store, const ReadSnapshot& snapshot,
                                   const ReportRequest& request) {
  if (Status valid = check_request(store, snapshot, request); !valid) return valid;
  auto credits = credits_of(store, snapshot, request);
  if (!credits) return credits.status();
  ReportTable table;
  table.report = "credits";
  table.title = "Credits";
  table.columns = {{"operator", "Operator / Reseller", CellKind::kText},
                   {"account", "Account", CellKind::kText},
                   {"name", "Name", CellKind::kText},
                   {"currency", "Currency", CellKind::kText},
                   {"credit", "Credit", CellKind::kMoney}};
  if (Status added = add_credit_rows(table, *credits); !added) return added;
  return table;
}

}  // namespace ledger
