#include "projections/account_queries.h"

#include "projections/accounts.h"
#include "projections/balances.h"
#include "projections/rejections.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

Status damaged(std::string_view column_family, std::string_view key) {
  return Status::corruption(std::string(column_family) + ": the row for '" + std::string(key) +
                            "' failed the FlatBuffers verifier");
}

Result<AccountSummary> summarize(const Store& store, const ReadSnapshot& snapshot,
                                 std::string_view account_id, std::string_view account_bytes) {
  AccountSummary summary;
  const auto* account = decode_row<view::AccountRow>(account_bytes);
  if (!account) return damaged(AccountsView::kColumnFamily, account_id);
  account->UnPackTo(&summary.account);
  auto balance_bytes = snapshot.get(store.column_family(BalancesView::kColumnFamily), account_id);
  if (!balance_bytes) return balance_bytes.status();
  if (balance_bytes->has_value()) {
    const auto* balance = decode_row<view::BalanceRow>(**balance_bytes);
    if (!balance) return damaged(BalancesView::kColumnFamily, account_id);
    balance->UnPackTo(&summary.balance);
  }
  summary.available_minor = summary.account.credit_limit_minor - summary.balance.balance_minor;
  return summary;
}

template <typename Row>
Result<std::vector<typename Row::NativeTableType>> scan_rows(const Store& store, const ReadSnapshot& snapshot,
                                                             std::string_view column_family, size_t limit) {
  std::vector<typename Row::NativeTableType> rows;
  Status failure;
  Status scanned = snapshot.scan(store.column_family(column_family), "",
                                 [&](std::string_view key, std::string_view value) {
                                   const Row* row = decode_row<Row>(value);
                                   if (!row) {
                                     failure = damaged(column_family, key);
                                     return false;
                                   }
                                   rows.emplace_back();
                                   row->UnPackTo(&rows.back());
                                   return rows.size() < limit;
                                 });
  if (!scanned) return scanned;
  if (!failure) return failure;
  return rows;
}

}  // namespace

Result<std::optional<AccountSummary>> query_account(const Store& store, const ReadSnapshot& snapshot,
                                                    std::string_view account) {
  auto bytes = snapshot.get(store.column_family(AccountsView::kColumnFamily), account);
  if (!bytes) return bytes.status();
  if (!bytes->has_value()) return std::optional<AccountSummary>();
  auto summary = summarize(store, snapshot, account, **bytes);
  if (!summary) return summary.status();
  return std::optional<AccountSummary>(std::move(*summary));
}

Result<std::vector<AccountSummary>> query_accounts(const Store& store, const ReadSnapshot& snapshot,
                                                   std::string_view operator_filter, size_t limit) {
  std::vector<AccountSummary> result;
  Status failure;
  Status scanned =
      snapshot.scan(store.column_family(AccountsView::kColumnFamily), "",
                    [&](std::string_view key, std::string_view value) {
                      auto summary = summarize(store, snapshot, key, value);
                      if (!summary) {
                        failure = summary.status();
                        return false;
                      }
                      if (operator_filter.empty() || summary->account.operator_ == operator_filter) {
                        result.push_back(std::move(*summary));
                      }
                      return result.size() < limit;
                    });
  if (!scanned) return scanned;
  if (!failure) return failure;
  return result;
}

Result<std::vector<view::RejectionRowT>> query_rejections(const Store& store, const ReadSnapshot& snapshot,
                                                          size_t limit) {
  return scan_rows<view::RejectionRow>(store, snapshot, RejectionsView::kColumnFamily, limit);
}

Result<std::vector<view::NotificationRowT>> query_notifications(const Store& store,
                                                                const ReadSnapshot& snapshot, size_t limit) {
  return scan_rows<view::NotificationRow>(store, snapshot, BalancesView::kNotificationsColumnFamily, limit);
}

}  // namespace ledger
