#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

#include "projections/account_queries.h"

namespace ledger {

// JSON for programs: amounts as integer minor units plus an exact decimal string, times as
// both microseconds and ISO-8601 UTC. Field names follow the views (units last).

nlohmann::json account_json(const AccountSummary& summary);
nlohmann::json rejection_json(const view::RejectionRowT& row);
nlohmann::json notification_json(const view::NotificationRowT& row);
//! {"partitions": [{"partition": 0, "next_offset": 12}, ...]}: which log offsets a read reflects.
nlohmann::json offsets_json(const std::vector<uint64_t>& offsets);
//! "2026-10-01T08:00:00.000000Z"
std::string format_time_us(int64_t time_us);

}  // namespace ledger
