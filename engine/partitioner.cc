#include "engine/partitioner.h"

#include <xxhash.h>

namespace ledger {

uint32_t partition_for(std::string_view account, uint32_t partition_count) {
  return static_cast<uint32_t>(XXH3_64bits(account.data(), account.size()) % partition_count);
}

}  // namespace ledger
