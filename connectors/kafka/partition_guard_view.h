#pragma once

#include "engine/view.h"

namespace ledger {

//! Rejects, with reason `wrong_partition`, an account's event that sits in another partition
//! than partition_for(account, partition_count) names. The embedded log never places one
//! there; a Kafka producer that picks partitions itself might, and an account's events must
//! stay in one partition for the views to see them in order. Broadcast events belong to every
//! partition. Owns no column family, so it leaves the digest alone; placed first in the
//! registry of `ledger consume`, so the reason is this one rather than whatever a later view
//! would have said.
class PartitionGuardView final : public View {
 public:
  std::string_view name() const override { return "partition_guard"; }
  std::vector<std::string> column_families() const override { return {}; }
  Status bind(const Store& /*store*/) override { return Status::ok(); }
  Verdict apply(const EventContext& context, ViewState& state) override;
};

}  // namespace ledger
