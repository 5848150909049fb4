#include "projections/billing_summary_counters.h"

#include <vector>

#include "engine/counters_merge.h"
#include "engine/key_encoding.h"

namespace ledger {

std::string summary_key(std::string_view operator_id, std::string_view currency, int32_t day) {
  std::string key;
  put_terminated(key, operator_id);
  put_terminated(key, currency);
  put_u32_be(key, static_cast<uint32_t>(day));
  return key;
}

void add_to_summary(ViewState& state, ColumnFamily summary, std::string_view operator_id,
                    std::string_view currency, int32_t day, SummaryField field, int64_t amount) {
  if (amount == 0) return;
  std::vector<int64_t> operand(kSummaryFieldCount, 0);
  operand[field] = amount;
  state.merge(summary, summary_key(operator_id, currency, day), encode_counters(operand));
}

}  // namespace ledger
