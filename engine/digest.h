#pragma once

#include <cstdint>
#include <string>

#include "engine/status.h"
#include "engine/store.h"
#include "engine/view.h"

namespace ledger {

struct Digest {
  std::string hex;    //!< XXH3-128 of every view row, 32 hex digits
  uint64_t rows = 0;  //!< rows hashed
};

//! A hash of the contents of every view column family, walked in name order and key order at
//! one snapshot, each stored row as the logical rows its view says it holds (View::logical_rows).
//! Two stores projected from the same log have the same digest, whatever their batches; the log,
//! the dedup ids and the offsets are not part of it. Every file's checksums are verified first,
//! so a damaged store gives a Corruption status, never a digest.
Result<Digest> compute_digest(const Store& store, const ViewRegistry& views);

}  // namespace ledger
