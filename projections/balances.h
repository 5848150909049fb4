#pragma once

#include <optional>
#include <string>

#include "engine/view.h"
#include "schemas/views_generated.h"

namespace ledger {

//! What each account owes (BILLING.md section 2) and whether it is suspended: when the balance
//! rises above the credit limit the account is suspended, when it falls back it is re-enabled,
//! and each switch is recorded as a notification with a deterministic id.
//!
//!   balance_key      := account                          -> BalanceRow
//!   notification_key := u32be(partition) u64be(offset) u32be(index)   -> NotificationRow
//!
//! index numbers the notices of one event: 0 for a suspension switch, 1.. for closed bills.
class BalancesView final : public View {
 public:
  static constexpr char kColumnFamily[] = "balances";
  static constexpr char kNotificationsColumnFamily[] = "notifications";

  std::string_view name() const override { return "balances"; }
  std::vector<std::string> column_families() const override {
    return {kColumnFamily, kNotificationsColumnFamily};
  }
  Status bind(const Store& store) override;
  Verdict apply(const EventContext& context, ViewState& state) override;

 private:
  //! The signed change an event makes to debits and credits, or a rejection.
  struct Posting {
    int64_t debit_minor = 0;
    int64_t credit_minor = 0;
  };
  std::optional<Posting> posting_of(const EventContext& context, ViewState& state, Verdict& verdict);
  void update_suspension(const EventContext& context, int64_t credit_limit_minor, view::BalanceRowT& balance,
                         ViewState& state);

  ColumnFamily cf_ = nullptr;
  ColumnFamily notifications_ = nullptr;
  ColumnFamily accounts_ = nullptr;
  ColumnFamily operators_ = nullptr;
};

std::string notification_key(uint32_t partition, uint64_t offset, uint32_t index);

}  // namespace ledger
