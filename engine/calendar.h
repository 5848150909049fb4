#pragma once

// Calendar days in UTC. A day is written as the integer YYYYMMDD (20230214); event times are
// microseconds since the Unix epoch. All arithmetic is on integers (days since the epoch).

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ledger {

//! Microseconds in one day.
inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

//! True for a real calendar day between 1970-01-01 and 9999-12-31.
bool is_valid_day(int32_t yyyymmdd);
//! Days since 1970-01-01 of a valid YYYYMMDD day.
int64_t days_since_epoch(int32_t yyyymmdd);
//! The YYYYMMDD day of a count of days since 1970-01-01.
int32_t day_from_days_since_epoch(int64_t days);
//! The UTC day of an event time.
int32_t day_of_time_us(int64_t time_us);
//! `yyyymmdd` plus `days` (which may be negative).
int32_t add_days(int32_t yyyymmdd, int64_t days);
//! Days from `from` to `to` (negative when `to` is earlier).
int64_t days_between(int32_t from, int32_t to);
//! "2023-02-14".
std::string format_day(int32_t yyyymmdd);
//! Parses "2026-11-03" or "20261103"; an error names `field` and the reason.
Result<int32_t> parse_day(std::string_view text, std::string_view field);

//! A billing period: the days from `from_day` to `to_day`, both included.
struct Period {
  int32_t from_day = 0;
  int32_t to_day = 0;
  bool contains(int32_t day) const { return day >= from_day && day <= to_day; }
};

//! The billing period that contains `day` for an invoice day `invoice_day` (1..28): from that
//! day of a month to the day before it in the next month (BILLING.md section 5).
Period period_containing(int32_t day, int32_t invoice_day);

//! The same day of the month `months` later (the day must exist in that month: 1..28 always does).
int32_t add_months(int32_t yyyymmdd, int32_t months);

//! The largest event time accepted: the end of 9999-12-31.
inline constexpr int64_t kMaxTimeUs = 253'402'300'799'999'999;

}  // namespace ledger
