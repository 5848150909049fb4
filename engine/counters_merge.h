#pragma once

#include <rocksdb/merge_operator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ledger {

//! Values of counter rows: a fixed run of signed 64-bit big-endian integers, added field by
//! field. Rows that many partitions add to (the billing summary's daily buckets) take merge
//! operands instead of read-modify-write, so partitions never wait for each other and the sum
//! does not depend on their interleaving.
class CountersMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* logger) const override;
  const char* Name() const override { return "ledger.CountersMergeOperator"; }
};

//! A counters operand (or value) of `fields`.
std::string encode_counters(const std::vector<int64_t>& fields);
//! The fields of a counters value; missing fields read as 0.
std::vector<int64_t> decode_counters(std::string_view value, size_t field_count);
//! Adds the counters `operand` to `sum` field by field, `sum` growing to the longer of the two
//! (missing fields are 0). False, `sum` unchanged, when either is not a run of 8-byte fields
//! or a field would wrap around.
bool add_counters(std::string& sum, std::string_view operand);

std::shared_ptr<rocksdb::MergeOperator> counters_merge_operator();

}  // namespace ledger
