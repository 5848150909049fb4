#pragma once

#include <string>

#include "engine/view.h"

namespace ledger {

//! Every event kept in the log but rejected, with its reason code and message.
//!
//!   rejection_key := u32be(partition) u64be(offset)   -> RejectionRow
class RejectionsView final : public View {
 public:
  static constexpr char kColumnFamily[] = "rejections";

  std::string_view name() const override { return "rejections"; }
  std::vector<std::string> column_families() const override { return {kColumnFamily}; }
  Status bind(const Store& store) override { return bind_column_family(store, kColumnFamily, &cf_); }
  Verdict apply(const EventContext& /*context*/, ViewState& /*state*/) override { return std::nullopt; }
  void record_rejection(const EventContext& context, const Rejection& rejection, ViewState& state) override;

 private:
  ColumnFamily cf_ = nullptr;
};

std::string rejection_key(uint32_t partition, uint64_t offset);

}  // namespace ledger
