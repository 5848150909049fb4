#pragma once

// The billing summary's pre-aggregated daily buckets (seed 000), in the `billing_summary`
// column family, added to with the counters merge operator (engine/counters_merge.h):
//
//   summary_key := operator 0x00 currency 0x00 u32be(day)
//                  -> i64be(billed) i64be(collected) i64be(received) i64be(bills_closed)
//
// billed and bills_closed count on the day a bill closed; collected counts money received
// that settled a bill, on that bill's close day (so "collected against the bills of the
// range" is a scan of the range); received counts payments and refills on the day they came.
// A month of one operator is at most 31 keys, whatever the number of accounts.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/view_state.h"

namespace ledger {

inline constexpr char kBillingSummaryColumnFamily[] = "billing_summary";

enum SummaryField : size_t {
  kBilled = 0,
  kCollected = 1,
  kReceived = 2,
  kBillsClosed = 3,
  kSummaryFieldCount = 4
};

std::string summary_key(std::string_view operator_id, std::string_view currency, int32_t day);

//! Adds `amount` to one field of one day's bucket.
void add_to_summary(ViewState& state, ColumnFamily summary, std::string_view operator_id,
                    std::string_view currency, int32_t day, SummaryField field, int64_t amount);

}  // namespace ledger
