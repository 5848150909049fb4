#include "connectors/json/view_json.h"

#include <fmt/format.h>

#include "engine/calendar.h"
#include "engine/money.h"

namespace ledger {

std::string format_time_us(int64_t time_us) {
  int64_t day_us = time_us % kMicrosPerDay;
  if (day_us < 0) day_us += kMicrosPerDay;
  const int64_t seconds = day_us / 1'000'000;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:06}Z", format_day(day_of_time_us(time_us)), seconds / 3600,
                     seconds / 60 % 60, seconds % 60, day_us % 1'000'000);
}

nlohmann::json account_json(const AccountSummary& summary) {
  const auto& a = summary.account;
  const auto& b = summary.balance;
  return {
      {"account", a.account},
      {"operator", a.operator_},
      {"name", a.name},
      {"currency", a.currency},
      {"status", view::EnumNameAccountStatus(a.status)},
      {"invoice_day", a.invoice_day},
      {"partition", a.partition},
      {"opened_at", format_time_us(a.opened_at_us)},
      {"closed_at", a.closed_at_us ? format_time_us(a.closed_at_us) : ""},
      {"close_reason", a.close_reason},
      {"balance_minor", b.balance_minor},
      {"balance", format_minor(b.balance_minor, a.exponent)},
      {"credit_limit_minor", a.credit_limit_minor},
      {"credit_limit", format_minor(a.credit_limit_minor, a.exponent)},
      {"available_minor", summary.available_minor},
      {"available", format_minor(summary.available_minor, a.exponent)},
      {"debited_minor", b.debited_minor},
      {"credited_minor", b.credited_minor},
      {"suspended", b.suspended},
      {"events_applied", b.events_applied},
      {"last_event_time_us", b.last_event_time_us},
  };
}

nlohmann::json rejection_json(const view::RejectionRowT& row) {
  return {{"event_id", row.event_id},   {"account", row.account}, {"body_type", row.body_type},
          {"partition", row.partition}, {"offset", row.offset},   {"time_us", row.time_us},
          {"reason", row.reason},       {"message", row.message}};
}

nlohmann::json notification_json(const view::NotificationRowT& row) {
  return {{"notification_id", row.notification_id},
          {"kind", view::EnumNameNotificationKind(row.kind)},
          {"account", row.account},
          {"event_id", row.event_id},
          {"time_us", row.time_us},
          {"balance_minor", row.balance_minor},
          {"credit_limit_minor", row.credit_limit_minor},
          {"partition", row.partition},
          {"offset", row.offset}};
}

nlohmann::json offsets_json(const std::vector<uint64_t>& offsets) {
  nlohmann::json partitions = nlohmann::json::array();
  for (size_t p = 0; p < offsets.size(); ++p)
    partitions.push_back({{"partition", p}, {"next_offset", offsets[p]}});
  return partitions;
}

}  // namespace ledger
