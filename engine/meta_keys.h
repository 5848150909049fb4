#pragma once

// Keys of the `meta` column family:
//
//   meta_key        := "partitions"                      -> u32be partition count, set at creation
//                    | "schema_version"                  -> u32be (kCurrentSchemaVersion;
//                    engine/schema_upgrade.h) | "offset" u32be(partition)         -> u64be next log offset to
//                    project | "resume" u32be(partition)         -> u64be offset u32be view cursor
//
// A partition's offset is written in the same WriteBatch as the view rows and event ids of
// the batch that advanced it, so it never runs ahead of or behind the views. A resume row
// exists while the event at that offset is applied in parts (ViewState::suspend): the views
// before `view` (its index in the registry) have applied it, and `view` continues from
// `cursor`; it is deleted by the commit that finishes the event.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/key_encoding.h"

namespace ledger::meta_keys {

inline constexpr char kPartitions[] = "partitions";
inline constexpr char kSchemaVersion[] = "schema_version";
//! 2: invoice lines kept in pages, one row per invoice and batch (projections/invoice_line_pages.h).
//! 3: closed bills indexed by the day they were cleared (projections/receivables.h).
inline constexpr uint32_t kCurrentSchemaVersion = 3;

//! Every partition's offset key starts with this; they sort by partition.
inline constexpr std::string_view kOffsetPrefix = "offset";

inline std::string offset(uint32_t partition) {
  std::string key(kOffsetPrefix);
  put_u32_be(key, partition);
  return key;
}

//! Every partition's resume key starts with this.
inline constexpr std::string_view kResumePrefix = "resume";

inline std::string resume(uint32_t partition) {
  std::string key(kResumePrefix);
  put_u32_be(key, partition);
  return key;
}

}  // namespace ledger::meta_keys
