#include "engine/calendar.h"

#include <catch2/catch.hpp>

#include <cstdint>

namespace {

using ledger::kMicrosPerDay;

// The calendar written the slow, obvious way, to check the fast arithmetic against.
bool naive_leap(int32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int32_t naive_days_in_month(int32_t year, int32_t month) {
  if (month == 2) return naive_leap(year) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

// The YYYYMMDD day after `yyyymmdd`, by carrying day -> month -> year.
int32_t naive_next_day(int32_t yyyymmdd) {
  int32_t year = yyyymmdd / 10000;
  int32_t month = yyyymmdd / 100 % 100;
  int32_t day = yyyymmdd % 100 + 1;
  if (day > naive_days_in_month(year, month)) {
    day = 1;
    if (++month > 12) {
      month = 1;
      ++year;
    }
  }
  return year * 10000 + month * 100 + day;
}

}  // namespace

TEST_CASE("is_valid_day accepts real days from 1970 to 9999 only", "[calendar]") {
  SECTION("leap years: divisible by 4, except centuries, except every 400 years") {
    REQUIRE(ledger::is_valid_day(20240229));
    REQUIRE_FALSE(ledger::is_valid_day(20230229));
    REQUIRE_FALSE(ledger::is_valid_day(21000229));
    REQUIRE(ledger::is_valid_day(21000228));
    REQUIRE(ledger::is_valid_day(20000229));
    REQUIRE_FALSE(ledger::is_valid_day(20240230));
  }
  SECTION("the ends of the range") {
    REQUIRE(ledger::is_valid_day(19700101));
    REQUIRE(ledger::is_valid_day(99991231));
    REQUIRE_FALSE(ledger::is_valid_day(19691231));
    REQUIRE_FALSE(ledger::is_valid_day(100000101));
  }
  SECTION("months and days out of range") {
    REQUIRE_FALSE(ledger::is_valid_day(20241301));
    REQUIRE_FALSE(ledger::is_valid_day(20240001));
    REQUIRE_FALSE(ledger::is_valid_day(20240100));
    REQUIRE_FALSE(ledger::is_valid_day(20240132));
    REQUIRE_FALSE(ledger::is_valid_day(20240431));
    REQUIRE(ledger::is_valid_day(20240430));
    REQUIRE(ledger::is_valid_day(20241231));
  }
  SECTION("not a day at all") {
    REQUIRE_FALSE(ledger::is_valid_day(0));
    REQUIRE_FALSE(ledger::is_valid_day(-20240101));
    REQUIRE_FALSE(ledger::is_valid_day(2024011));
  }
}

TEST_CASE("days_since_epoch matches known dates", "[calendar]") {
  // Values from an independent calendar (Python's datetime.date).
  REQUIRE(ledger::days_since_epoch(19700101) == 0);
  REQUIRE(ledger::days_since_epoch(19700102) == 1);
  REQUIRE(ledger::days_since_epoch(20000101) == 10957);
  REQUIRE(ledger::days_since_epoch(20000229) == 11016);
  REQUIRE(ledger::days_since_epoch(20230214) == 19402);
  REQUIRE(ledger::days_since_epoch(20240229) == 19782);
  REQUIRE(ledger::days_since_epoch(21000228) == 47540);
  REQUIRE(ledger::days_since_epoch(21000301) == 47541);
  REQUIRE(ledger::days_since_epoch(99991231) == 2932896);
}

TEST_CASE("days_since_epoch and day_from_days_since_epoch are inverse over the whole range", "[calendar]") {
  // Walk every day from 1970-01-01 to 9999-12-31 with the naive calendar; both directions must
  // agree with the walk's count at every step.
  int32_t day = 19700101;
  int64_t count = 0;
  int64_t mismatches = 0;
  for (; day <= 99991231; day = naive_next_day(day), ++count) {
    if (ledger::days_since_epoch(day) != count || ledger::day_from_days_since_epoch(count) != day) {
      if (++mismatches <= 5) FAIL_CHECK("day " << day << " count " << count);
    }
  }
  REQUIRE(mismatches == 0);
  REQUIRE(count == 2932897);
  REQUIRE(day == 100000101);
}

TEST_CASE("day_from_days_since_epoch before the epoch", "[calendar]") {
  REQUIRE(ledger::day_from_days_since_epoch(-1) == 19691231);
  REQUIRE(ledger::day_from_days_since_epoch(-365) == 19690101);
  REQUIRE(ledger::day_from_days_since_epoch(-366) == 19681231);
}

TEST_CASE("day_of_time_us rounds toward the earlier day", "[calendar]") {
  SECTION("around the epoch") {
    REQUIRE(ledger::day_of_time_us(0) == 19700101);
    REQUIRE(ledger::day_of_time_us(1) == 19700101);
    REQUIRE(ledger::day_of_time_us(kMicrosPerDay - 1) == 19700101);
    REQUIRE(ledger::day_of_time_us(kMicrosPerDay) == 19700102);
  }
  SECTION("negative times belong to the day before, not to 1970-01-01") {
    REQUIRE(ledger::day_of_time_us(-1) == 19691231);
    REQUIRE(ledger::day_of_time_us(-kMicrosPerDay + 1) == 19691231);
    REQUIRE(ledger::day_of_time_us(-kMicrosPerDay) == 19691231);
    REQUIRE(ledger::day_of_time_us(-kMicrosPerDay - 1) == 19691230);
  }
  SECTION("a day's first and last microsecond") {
    const int64_t start_us = 19782 * kMicrosPerDay;  // 2024-02-29T00:00:00Z
    REQUIRE(ledger::day_of_time_us(start_us - 1) == 20240228);
    REQUIRE(ledger::day_of_time_us(start_us) == 20240229);
    REQUIRE(ledger::day_of_time_us(start_us + kMicrosPerDay - 1) == 20240229);
    REQUIRE(ledger::day_of_time_us(start_us + kMicrosPerDay) == 20240301);
    REQUIRE(ledger::day_of_time_us(1'700'000'000'000'000) == 20231114);  // 2023-11-14T22:13:20Z
  }
  SECTION("kMaxTimeUs is the last microsecond of 9999-12-31") {
    REQUIRE(ledger::kMaxTimeUs == (2932896 + 1) * kMicrosPerDay - 1);
    REQUIRE(ledger::day_of_time_us(ledger::kMaxTimeUs) == 99991231);
    REQUIRE(ledger::day_of_time_us(ledger::kMaxTimeUs + 1) == 100000101);
  }
}

TEST_CASE("add_days crosses month and year ends", "[calendar]") {
  REQUIRE(ledger::add_days(20240131, 1) == 20240201);
  REQUIRE(ledger::add_days(20240228, 1) == 20240229);
  REQUIRE(ledger::add_days(20230228, 1) == 20230301);
  REQUIRE(ledger::add_days(21000228, 1) == 21000301);
  REQUIRE(ledger::add_days(20001231, 1) == 20010101);
  REQUIRE(ledger::add_days(20240101, -1) == 20231231);
  REQUIRE(ledger::add_days(20240301, -1) == 20240229);
  REQUIRE(ledger::add_days(20240229, 365) == 20250228);
  REQUIRE(ledger::add_days(20240229, 366) == 20250301);
  REQUIRE(ledger::add_days(20240515, 0) == 20240515);
  REQUIRE(ledger::add_days(19700101, 2932896) == 99991231);
  REQUIRE(ledger::add_days(99991231, -2932896) == 19700101);
}

TEST_CASE("days_between is signed", "[calendar]") {
  REQUIRE(ledger::days_between(20240101, 20240101) == 0);
  REQUIRE(ledger::days_between(20230301, 20240301) == 366);
  REQUIRE(ledger::days_between(20990301, 21000301) == 365);
  REQUIRE(ledger::days_between(20240301, 20230301) == -366);
  REQUIRE(ledger::days_between(20240228, 20240301) == 2);
  REQUIRE(ledger::days_between(19700101, 99991231) == 2932896);
}

TEST_CASE("format_day writes ISO 8601 dates", "[calendar]") {
  REQUIRE(ledger::format_day(20230214) == "2023-02-14");
  REQUIRE(ledger::format_day(19700101) == "1970-01-01");
  REQUIRE(ledger::format_day(99991231) == "9999-12-31");
  REQUIRE(ledger::format_day(20241005) == "2024-10-05");
}
