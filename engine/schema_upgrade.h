#pragma once

#include "engine/status.h"
#include "engine/store.h"

namespace ledger {

//! Brings the store's views to this build's schema version (meta_keys::kCurrentSchemaVersion).
//! The log is the truth and keeps its format; views of an older version are rebuilt from it:
//! every view row, event id, partition offset and resume row is deleted, durably, before the
//! new version is written, so the projector projects the whole log again, and an upgrade cut
//! short by a crash starts over at the next open. A store written by a newer build is refused.
//! Called by Engine::open once the store and its log are open.
Status upgrade_schema(Store& store);

}  // namespace ledger
