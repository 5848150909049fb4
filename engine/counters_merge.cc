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
  const auto field = [](std::string_view counters, size_t i) {
    return i * 8 < counters.size() ? static_cast<int64_t>(get_be<uint64_t>(counters, i * 8)) : 0;
  };
  const size_t fields = operand.size() / 8;
  for (size_t i = 0; i < fields; ++i) {
    // Money totals of one day of one operator stay far below int64; a wrap would be a bug,
    // so it is refused as corruption rather than stored.
    int64_t added = 0;
    if (__builtin_add_overflow(field(sum, i), field(operand, i), &added)) return false;
  }
  if (sum.size() < operand.size()) sum.resize(operand.size(), '\0');
  for (size_t i = 0; i < fields; ++i) {
    store_be<uint64_t>(sum.data() + i * 8, static_cast<uint64_t>(field(sum, i) + field(operand, i)));
  }
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
