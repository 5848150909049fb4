#pragma once

#include <optional>
#include <string>

#include "engine/view.h"
#include "schemas/views_generated.h"

namespace ledger {

//! Every charge an account was billed, by its charge id, so later events can refer to it
//! (tax adjustments, invoices). A second Charge with the same charge_id, or a TaxAdjustment
//! for a charge never billed, is rejected here.
//!
//!   charge_key := account 0x00 charge_id   -> ChargeRow
class ChargesView final : public View {
 public:
  static constexpr char kColumnFamily[] = "charges";

  std::string_view name() const override { return "charges"; }
  std::vector<std::string> column_families() const override { return {kColumnFamily}; }
  Status bind(const Store& store) override;
  Verdict apply(const EventContext& context, ViewState& state) override;

 private:
  Verdict add_charge(const EventContext& context, ViewState& state);
  Verdict adjust_tax(const EventContext& context, ViewState& state);

  ColumnFamily cf_ = nullptr;
  ColumnFamily accounts_ = nullptr;
  ColumnFamily operators_ = nullptr;
};

std::string charge_key(std::string_view account, std::string_view charge_id);

//! Turns a pricing or arithmetic failure into the rejection the projector records.
Rejection rejection_of(const Status& status);

}  // namespace ledger
