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

Result<int32_t> parse_day(std::string_view text, std::string_view field) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_at_separator = text[i] == '-' && (i == 4 || i == 7) && text.size() == 10;
    if (dash_at_separator) continue;
    if (text[i] < '0' || text[i] > '9')
      digits.clear(), i = text.size();
    else
      digits.push_back(text[i]);
  }
  const int32_t day = digits.size() == 8 ? std::stoi(digits) : 0;
  if (!is_valid_day(day)) {
    return Status::invalid_argument(std::string(field) + ": '" + std::string(text) +
                                    "' is not a day (YYYY-MM-DD or YYYYMMDD, 1970..9999)");
  }
  return day;
}

int32_t add_months(int32_t yyyymmdd, int32_t months) {
  int32_t month_index = yyyymmdd / 10000 * 12 + (yyyymmdd / 100 % 100 - 1) + months;
  return (month_index / 12) * 10000 + (month_index % 12 + 1) * 100 + yyyymmdd % 100;
}

Period period_containing(int32_t day, int32_t invoice_day) {
  int32_t start = day / 100 * 100 + invoice_day;
  if (day % 100 < invoice_day) start = add_months(start, -1);
  return {start, add_days(add_months(start, 1), -1)};
}

std::string format_day(int32_t yyyymmdd) {
  return fmt::format("{:04}-{:02}-{:02}", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

}  // namespace ledger
