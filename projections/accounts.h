#pragma once

#include <optional>
#include <string>

#include "engine/view.h"
#include "schemas/views_generated.h"

namespace ledger {

//! Account profiles: operator, name, currency, credit limit, invoice day, status. The first
//! view to see each event, so it decides what needs an account: an event for an unknown or
//! closed account, or in another currency than the account's, is rejected here.
//!
//!   account_key := account   -> AccountRow
class AccountsView final : public View {
 public:
  static constexpr char kColumnFamily[] = "accounts";

  std::string_view name() const override { return "accounts"; }
  std::vector<std::string> column_families() const override { return {kColumnFamily}; }
  Status bind(const Store& store) override;
  Verdict apply(const EventContext& context, ViewState& state) override;

 private:
  Verdict open_account(const EventContext& context, ViewState& state);
  Verdict check_account_event(const EventContext& context, view::AccountRowT& account, ViewState& state);

  ColumnFamily cf_ = nullptr;
  ColumnFamily operators_ = nullptr;
};

//! The account's row, decoded once per change and cached by `state`, or nullptr. Valid until
//! the end of the current event.
const view::AccountRowT* find_account(ViewState& state, ColumnFamily accounts, std::string_view account);

//! The `currency` field of a money-carrying body, or empty when the body has none.
std::string_view event_currency(const schema::Event& event);

}  // namespace ledger
