#pragma once

#include <cstdint>
#include <string_view>

namespace ledger {

//! The partition of an account: a stable hash (XXH3-64) of its id modulo the count. Stable
//! across versions and machines, so the embedded log and Kafka place an account alike.
uint32_t partition_for(std::string_view account, uint32_t partition_count);

}  // namespace ledger
