#pragma once

#include <optional>
#include <string>

#include "engine/view.h"
#include "schemas/views_generated.h"

namespace ledger {

//! Operator and reseller settings (OperatorConfigured). A broadcast event, so every partition
//! keeps its own copy, read without crossing partitions and in the log's order.
//!
//!   operator_key := u32be(partition) operator   -> OperatorRow
class OperatorsView final : public View {
 public:
  static constexpr char kColumnFamily[] = "operators";

  std::string_view name() const override { return "operators"; }
  std::vector<std::string> column_families() const override { return {kColumnFamily}; }
  Status bind(const Store& store) override { return bind_column_family(store, kColumnFamily, &cf_); }
  Verdict apply(const EventContext& context, ViewState& state) override;

 private:
  ColumnFamily cf_ = nullptr;
};

std::string operator_key(uint32_t partition, std::string_view operator_id);

//! The operator as `partition` knows it, decoded once per change and cached by `state`, or
//! nullptr. Valid until the end of the current event.
const view::OperatorRowT* find_operator(ViewState& state, ColumnFamily operators, uint32_t partition,
                                        std::string_view operator_id);

}  // namespace ledger
