#include "connectors/kafka/partition_guard_view.h"

#include "engine/event_validation.h"
#include "engine/partitioner.h"

namespace ledger {

Verdict PartitionGuardView::apply(const EventContext& context, ViewState& /*state*/) {
  if (is_broadcast(context.event.body_type())) return std::nullopt;
  const auto* account = context.event.account();
  const std::string_view id = account ? account->string_view() : std::string_view();
  const uint32_t expected = partition_for(id, context.partition_count);
  if (expected == context.partition) return std::nullopt;
  return Rejection{"wrong_partition",
                   "account: '" + std::string(id) + "' belongs in partition " + std::to_string(expected) +
                       " of " + std::to_string(context.partition_count) + " (XXH3-64 of the id modulo " +
                       "the count), not partition " + std::to_string(context.partition)};
}

}  // namespace ledger
