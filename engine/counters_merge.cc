#include "engine/counters_merge.h"

#include <algorithm>
#include <utility>

#include "engine/key_encoding.h"

namespace ledger {

std::string encode_counters(const std::vector<int64_t>& fields) {
  std::string out;
  out.reserve(fields.size() * 8);
  for (int64_t field : fields) put_u64_be(out, static_cast<uint64_t>(field));
  return out;
}

std::vector<int64_t> decode_counters(std::string_view value, size_t field_count) {
  std::vector<int64_t> fields(field_count, 0);
  for (size_t i = 0; i < field_count && (i + 1) * 8 <= value.size(); ++i) {
    fields[i] = static_cast<int64_t>(get_be<uint64_t>(value, i * 8));
  }
  return fields;
}

bool add_counters(std::string& sum, std::string_view operand) {
  if (sum.size() % 8 != 0 || operand.size() % 8 != 0) return false;  // corruption
  const size_t fields = std::max(sum.size(), operand.size()) / 8;
  std::vector<int64_t> added = decode_counters(sum, fields);
  const std::vector<int64_t> adding = decode_counters(operand, fields);
  for (size_t i = 0; i < fields; ++i) {
    // Money totals of one day of one operator stay far below int64; a wrap would be a bug,
    // so it is refused as corruption rather than stored.
    if (__builtin_add_overflow(added[i], adding[i], &added[i])) return false;
  }
  sum = encode_counters(added);
  return true;
}

bool CountersMergeOperator::Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing_value,
                                  const rocksdb::Slice& value, std::string* new_value,
                                  rocksdb::Logger* /*logger*/) const {
  std::string sum = existing_value ? existing_value->ToString() : std::string();
  if (!add_counters(sum, value.ToStringView())) return false;
  *new_value = std::move(sum);
  return true;
}

std::shared_ptr<rocksdb::MergeOperator> counters_merge_operator() {
  static const auto kOperator = std::make_shared<CountersMergeOperator>();
  return kOperator;
}

}  // namespace ledger
