#pragma once

// Calendar days in UTC. A day is written as the integer YYYYMMDD (20230214); event times are
// microseconds since the Unix epoch. All arithmetic is on integers (days since the epoch).

#include <cstdint>
#include <string>

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
//! The largest event time accepted: the end of 9999-12-31.
inline constexpr int64_t kMaxTimeUs = 253'402'300'799'999'999;

}  // namespace ledger
