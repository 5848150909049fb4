#include "engine/calendar.h"

#include <fmt/format.h>

namespace ledger {
namespace {

// Days since the epoch of a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool is_leap_year(int32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int32_t days_in_month(int32_t year, int32_t month) {
  static constexpr int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

}  // namespace

bool is_valid_day(int32_t yyyymmdd) {
  const int32_t year = yyyymmdd / 10000;
  const int32_t month = yyyymmdd / 100 % 100;
  const int32_t day = yyyymmdd % 100;
  if (year < 1970 || year > 9999 || month < 1 || month > 12) return false;
  return day >= 1 && day <= days_in_month(year, month);
}

int64_t days_since_epoch(int32_t yyyymmdd) {
  return days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

int32_t day_from_days_since_epoch(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return static_cast<int32_t>(year * 10000 + month * 100 + day);
}

int32_t day_of_time_us(int64_t time_us) {
  int64_t days = time_us / kMicrosPerDay;
  if (time_us % kMicrosPerDay < 0) --days;
  return day_from_days_since_epoch(days);
}

int32_t add_days(int32_t yyyymmdd, int64_t days) {
  return day_from_days_since_epoch(days_since_epoch(yyyymmdd) + days);
}

int64_t days_between(int32_t from, int32_t to) {
  return days_since_epoch(to) - days_since_epoch(from);
}

std::string format_day(int32_t yyyymmdd) {
  return fmt::format("{:04}-{:02}-{:02}", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

}  // namespace ledger
