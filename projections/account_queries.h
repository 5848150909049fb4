#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/read_snapshot.h"
#include "engine/status.h"
#include "engine/store.h"
#include "schemas/views_generated.h"

namespace ledger {

//! An account's profile with its balance, as one snapshot saw them.
struct AccountSummary {
  view::AccountRowT account;
  view::BalanceRowT balance;
  //! credit_limit - balance (BILLING.md section 2); may be negative.
  int64_t available_minor = 0;
};

//! One account, or nullopt when it was never opened.
Result<std::optional<AccountSummary>> query_account(const Store& store, const ReadSnapshot& snapshot,
                                                    std::string_view account);

//! Accounts in id order, optionally of one operator, at most `limit`.
Result<std::vector<AccountSummary>> query_accounts(const Store& store, const ReadSnapshot& snapshot,
                                                   std::string_view operator_filter, size_t limit);

//! Rejected events in (partition, offset) order, at most `limit`.
Result<std::vector<view::RejectionRowT>> query_rejections(const Store& store, const ReadSnapshot& snapshot,
                                                          size_t limit);

//! Suspension and re-enable notifications in (partition, offset) order, at most `limit`.
Result<std::vector<view::NotificationRowT>> query_notifications(const Store& store,
                                                                const ReadSnapshot& snapshot, size_t limit);

}  // namespace ledger
