#include "projections/receivables.h"

#include <algorithm>

#include "engine/calendar.h"
#include "engine/key_encoding.h"
#include "projections/invoice_book.h"
#include "projections/invoice_keys.h"

namespace ledger {
namespace {

constexpr size_t kDayBytes = 4;
constexpr size_t kValueBytes = 8;  // closed_day, last_day

std::string day_prefix(uint32_t day) {
  std::string prefix;
  put_u32_be(prefix, day);
  return prefix;
}

std::string receivable_key(uint32_t cleared, const view::InvoiceRowT& bill) {
  return day_prefix(cleared) + invoice_key(bill.account, bill.from_day);
}

int32_t last_day(const view::InvoiceRowT& bill) {
  int32_t day = bill.closed_day;
  for (const auto& allocation : bill.allocations) day = std::max(day, day_of_time_us(allocation->time_us));
  return day;
}

Status damaged() {
  return Status::corruption(
      std::string(ReceivablesIndex::kColumnFamily) +
      ": a row is not u32be(cleared_day) invoice_key -> u32be(closed_day) u32be(last_day)");
}

bool well_formed(std::string_view key, std::string_view value) {
  return key.size() > kDayBytes && value.size() == kValueBytes;
}

}  // namespace

uint32_t cleared_day(const view::InvoiceRowT& bill) {
  if (bill.settled_minor < total_billed_minor(bill)) return ReceivablesIndex::kNotCleared;
  return static_cast<uint32_t>(last_day(bill));
}

void index_receivable(ViewState& state, ColumnFamily receivables, const view::InvoiceRowT& bill,
                      bool was_owing) {
  const uint32_t cleared = cleared_day(bill);
  if (was_owing && cleared != ReceivablesIndex::kNotCleared)
    state.erase(receivables, receivable_key(ReceivablesIndex::kNotCleared, bill));
  std::string value;
  put_u32_be(value, static_cast<uint32_t>(bill.closed_day));
  put_u32_be(value, static_cast<uint32_t>(last_day(bill)));
  state.put(receivables, receivable_key(cleared, bill), std::move(value));
}

Result<std::vector<std::string>> bills_owing_on(const Store& store, const ReadSnapshot& snapshot,
                                                int32_t day) {
  std::vector<std::string> keys;
  bool well = true;
  // Keyed past u32be(day): cleared after the day, or not at all. 20260131 + 1 is not a day,
  // but it sorts between the 31st and the 1st, which is all a bound needs.
  Status scanned = snapshot.scan_from(store.column_family(ReceivablesIndex::kColumnFamily),
                                      day_prefix(static_cast<uint32_t>(day) + 1),
                                      [&](std::string_view key, std::string_view value) {
                                        well = well_formed(key, value);
                                        if (!well) return false;
                                        if (get_be<uint32_t>(value, 0) <= static_cast<uint32_t>(day))
                                          keys.emplace_back(key.substr(kDayBytes));
                                        return true;
                                      });
  if (!scanned) return scanned;
  if (!well) return damaged();
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<int32_t> latest_receivable_day(const Store& store, const ReadSnapshot& snapshot) {
  ColumnFamily receivables = store.column_family(ReceivablesIndex::kColumnFamily);
  const std::string not_cleared = day_prefix(ReceivablesIndex::kNotCleared);
  // The last cleared bill's row: the one before the first not cleared (those keys are longer).
  auto last_cleared = snapshot.last_key_at_or_before(receivables, not_cleared);
  if (!last_cleared) return last_cleared.status();
  uint32_t latest = 0;
  if (last_cleared->has_value()) {
    if ((*last_cleared)->size() <= kDayBytes) return damaged();
    latest = get_be<uint32_t>(**last_cleared, 0);
  }
  bool well = true;
  Status scanned = snapshot.scan(receivables, not_cleared, [&](std::string_view key, std::string_view value) {
    well = well_formed(key, value);
    if (well) latest = std::max(latest, get_be<uint32_t>(value, kDayBytes));
    return well;
  });
  if (!scanned) return scanned;
  if (!well) return damaged();
  return static_cast<int32_t>(latest);
}

}  // namespace ledger
