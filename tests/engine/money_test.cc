#include "engine/money.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Catch::Matchers::Contains;

constexpr uint8_t kJpy = 0;
constexpr uint8_t kUsd = 2;
constexpr uint8_t kKwd = 3;
constexpr uint8_t kClf = 4;

constexpr __int128 kInt128Max = static_cast<__int128>(~static_cast<unsigned __int128>(0) >> 1);
constexpr __int128 kInt128Min = -kInt128Max - 1;
constexpr __int128 kTwoTo126 = static_cast<__int128>(1) << 126;

// The value of a result that must succeed; fails the test with the status message otherwise.
int64_t value_of(const ledger::Result<int64_t>& result) {
  INFO(result.status().to_string());
  REQUIRE(result.is_ok());
  return *result;
}

// round_half_even_div on small operands, narrowed so Catch can print both sides.
int64_t divide(int64_t numerator, int64_t denominator) {
  return static_cast<int64_t>(ledger::round_half_even_div(numerator, denominator));
}

// "text" in double quotes, as error messages quote it. Built with += because GCC 12 at -O3
// warns falsely (-Wrestrict) on "\"" + std::string(...).
std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

}  // namespace

TEST_CASE("checked_add and checked_sub report overflow instead of wrapping", "[money]") {
  SECTION("in range") {
    REQUIRE(value_of(ledger::checked_add(1, 2, "balance_minor")) == 3);
    REQUIRE(value_of(ledger::checked_add(-5, 3, "balance_minor")) == -2);
    REQUIRE(value_of(ledger::checked_add(INT64_MAX, INT64_MIN, "balance_minor")) == -1);
    REQUIRE(value_of(ledger::checked_sub(10, 25, "balance_minor")) == -15);
    REQUIRE(value_of(ledger::checked_sub(-1, INT64_MIN, "balance_minor")) == INT64_MAX);
    REQUIRE(value_of(ledger::checked_sub(INT64_MIN, INT64_MIN, "balance_minor")) == 0);
  }
  SECTION("add overflow names the field") {
    ledger::Result<int64_t> up = ledger::checked_add(INT64_MAX, 1, "balance_minor");
    REQUIRE(up.status().is_overflow());
    REQUIRE_THAT(up.status().message(), Contains("balance_minor") && Contains("9223372036854775807 + 1"));
    ledger::Result<int64_t> down = ledger::checked_add(INT64_MIN, -1, "total_paid");
    REQUIRE(down.status().is_overflow());
    REQUIRE_THAT(down.status().message(), Contains("total_paid"));
  }
  SECTION("sub overflow names the field") {
    ledger::Result<int64_t> down = ledger::checked_sub(INT64_MIN, 1, "available_minor");
    REQUIRE(down.status().is_overflow());
    REQUIRE_THAT(down.status().message(), Contains("available_minor"));
    // 0 - INT64_MIN is 2^63: the negation of INT64_MIN does not fit.
    REQUIRE(ledger::checked_sub(0, INT64_MIN, "available_minor").status().is_overflow());
  }
}

TEST_CASE("round_half_even_div rounds ties to even in both directions", "[money]") {
  SECTION("exact quotients") {
    REQUIRE(divide(12, 3) == 4);
    REQUIRE(divide(-12, 3) == -4);
    REQUIRE(divide(0, 7) == 0);
    REQUIRE(divide(-7, 1) == -7);
  }
  SECTION("ties") {
    REQUIRE(divide(5, 2) == 2);    // 2.5 -> 2
    REQUIRE(divide(7, 2) == 4);    // 3.5 -> 4
    REQUIRE(divide(-5, 2) == -2);  // -2.5 -> -2
    REQUIRE(divide(-7, 2) == -4);  // -3.5 -> -4
    REQUIRE(divide(1, 2) == 0);    // 0.5 -> 0
    REQUIRE(divide(3, 2) == 2);    // 1.5 -> 2
    REQUIRE(divide(-1, 2) == 0);   // -0.5 -> 0
    REQUIRE(divide(-3, 2) == -2);  // -1.5 -> -2
    REQUIRE(divide(10, 4) == 2);   // 2.5 -> 2
    REQUIRE(divide(14, 4) == 4);   // 3.5 -> 4
  }
  SECTION("non-ties go to the nearest integer") {
    REQUIRE(divide(9, 4) == 2);     // 2.25
    REQUIRE(divide(11, 4) == 3);    // 2.75
    REQUIRE(divide(-9, 4) == -2);   // -2.25
    REQUIRE(divide(-11, 4) == -3);  // -2.75
    REQUIRE(divide(2, 3) == 1);     // 0.67
    REQUIRE(divide(-1, 3) == 0);    // -0.33
  }
  SECTION("extreme 128-bit operands") {
    // (2^127 - 1) / 2 = 2^126 - 0.5: a tie, and 2^126 - 1 is odd, so it rounds up to 2^126.
    REQUIRE((ledger::round_half_even_div(kInt128Max, 2) == kTwoTo126));
    REQUIRE((ledger::round_half_even_div(kInt128Min, 2) == -kTwoTo126));
    REQUIRE((ledger::round_half_even_div(kInt128Max, kInt128Max) == 1));
    REQUIRE((ledger::round_half_even_div(kInt128Min, kInt128Max) == -1));
    REQUIRE((ledger::round_half_even_div(kInt128Min, 1) == kInt128Min));
    // Just above and just below one half with a denominator where 2 * remainder would overflow.
    REQUIRE((ledger::round_half_even_div(kTwoTo126, kInt128Max) == 1));
    REQUIRE((ledger::round_half_even_div(kTwoTo126 - 1, kInt128Max) == 0));
    REQUIRE((ledger::round_half_even_div(-kTwoTo126, kInt128Max) == -1));
  }
}

TEST_CASE("line_amount_minor rounds quantity times unit price to the minor unit", "[money]") {
  SECTION("whole prices") {
    // 2 x 19.99 USD = 39.98 USD.
    REQUIRE(value_of(ledger::line_amount_minor(2000, 19990000, kUsd)) == 3998);
    // 3 x 500 JPY = 1500 JPY.
    REQUIRE(value_of(ledger::line_amount_minor(3000, 500000000, kJpy)) == 1500);
    // 1 x 1.234567 KWD = 1234.567 fils -> 1235.
    REQUIRE(value_of(ledger::line_amount_minor(1000, 1234567, kKwd)) == 1235);
  }
  SECTION("sub-cent unit price: 1.5 minutes at 0.012345 per minute = 0.0185175") {
    REQUIRE(value_of(ledger::line_amount_minor(1500, 12345, kUsd)) == 2);    // 1.85175 cents
    REQUIRE(value_of(ledger::line_amount_minor(1500, 12345, kJpy)) == 0);    // 0.0185175 yen
    REQUIRE(value_of(ledger::line_amount_minor(1500, 12345, kKwd)) == 19);   // 18.5175 fils
    REQUIRE(value_of(ledger::line_amount_minor(1500, 12345, kClf)) == 185);  // 185.175
    // 123.456 x 0.012345 = 1.524064320 USD.
    REQUIRE(value_of(ledger::line_amount_minor(123456, 12345, kUsd)) == 152);
  }
  SECTION("ties round to even, negatives symmetric") {
    REQUIRE(value_of(ledger::line_amount_minor(1000, 25000, kUsd)) == 2);    // 2.5 cents
    REQUIRE(value_of(ledger::line_amount_minor(1000, 35000, kUsd)) == 4);    // 3.5 cents
    REQUIRE(value_of(ledger::line_amount_minor(-1000, 25000, kUsd)) == -2);  // -2.5 cents
    REQUIRE(value_of(ledger::line_amount_minor(-1000, 35000, kUsd)) == -4);  // -3.5 cents
    REQUIRE(value_of(ledger::line_amount_minor(1000, -25000, kUsd)) == -2);
    REQUIRE(value_of(ledger::line_amount_minor(2500, 1000000, kJpy)) == 2);  // 2.5 yen
    REQUIRE(value_of(ledger::line_amount_minor(3500, 1000000, kJpy)) == 4);  // 3.5 yen
  }
  SECTION("int64 limits are reached exactly") {
    // 10^7 micro-dollars is one cent per milli-unit, so the amount equals the quantity.
    REQUIRE(value_of(ledger::line_amount_minor(INT64_MAX, 10000000, kUsd)) == INT64_MAX);
    REQUIRE(value_of(ledger::line_amount_minor(INT64_MIN, 10000000, kUsd)) == INT64_MIN);
  }
  SECTION("overflow is an error, not a wrap") {
    ledger::Result<int64_t> big = ledger::line_amount_minor(INT64_MAX, 1000000000, kUsd);
    REQUIRE(big.status().is_overflow());
    REQUIRE_THAT(big.status().message(), Contains("amount_minor") && Contains("9223372036854775807"));
    REQUIRE(ledger::line_amount_minor(INT64_MAX, INT64_MAX, kUsd).status().is_overflow());
    REQUIRE(ledger::line_amount_minor(INT64_MIN, INT64_MIN, kJpy).status().is_overflow());
    // -2^63 x -1 cent = 2^63, one past INT64_MAX.
    REQUIRE(ledger::line_amount_minor(INT64_MIN, -10000000, kUsd).status().is_overflow());
  }
  SECTION("an exponent past 18 is rejected") {
    REQUIRE(ledger::line_amount_minor(1000, 1000000, 19).status().is_invalid_argument());
  }
}

TEST_CASE("cost_minor_from_micro rounds a CDR cost half-even", "[money]") {
  SECTION("USD") {
    REQUIRE(value_of(ledger::cost_minor_from_micro(1234567, kUsd)) == 123);  // 123.4567 cents
    REQUIRE(value_of(ledger::cost_minor_from_micro(5000, kUsd)) == 0);       // 0.5 cent
    REQUIRE(value_of(ledger::cost_minor_from_micro(15000, kUsd)) == 2);      // 1.5 cents
    REQUIRE(value_of(ledger::cost_minor_from_micro(25000, kUsd)) == 2);      // 2.5 cents
    REQUIRE(value_of(ledger::cost_minor_from_micro(-5000, kUsd)) == 0);
    REQUIRE(value_of(ledger::cost_minor_from_micro(-25000, kUsd)) == -2);
    REQUIRE(value_of(ledger::cost_minor_from_micro(-35000, kUsd)) == -4);
  }
  SECTION("JPY, KWD and CLF") {
    REQUIRE(value_of(ledger::cost_minor_from_micro(2500000, kJpy)) == 2);
    REQUIRE(value_of(ledger::cost_minor_from_micro(3500000, kJpy)) == 4);
    REQUIRE(value_of(ledger::cost_minor_from_micro(1499999, kJpy)) == 1);
    REQUIRE(value_of(ledger::cost_minor_from_micro(1234567, kKwd)) == 1235);
    REQUIRE(value_of(ledger::cost_minor_from_micro(500, kKwd)) == 0);
    REQUIRE(value_of(ledger::cost_minor_from_micro(1500, kKwd)) == 2);
    REQUIRE(value_of(ledger::cost_minor_from_micro(123, kClf)) == 1);
    REQUIRE(value_of(ledger::cost_minor_from_micro(150, kClf)) == 2);
  }
  SECTION("int64 limits") {
    // -922337203685477.5808 cents and 922337203685477.5807 cents.
    REQUIRE(value_of(ledger::cost_minor_from_micro(INT64_MIN, kUsd)) == -922337203685478);
    REQUIRE(value_of(ledger::cost_minor_from_micro(INT64_MAX, kUsd)) == 922337203685478);
  }
  SECTION("exponents above six scale up, and overflow is reported") {
    REQUIRE(value_of(ledger::cost_minor_from_micro(1, 8)) == 100);
    REQUIRE(value_of(ledger::cost_minor_from_micro(INT64_MAX / 10, 7)) == 9223372036854775800);
    ledger::Result<int64_t> big = ledger::cost_minor_from_micro(INT64_MAX, 7);
    REQUIRE(big.status().is_overflow());
    REQUIRE_THAT(big.status().message(), Contains("cost_minor"));
    REQUIRE(ledger::cost_minor_from_micro(INT64_MIN, 7).status().is_overflow());
  }
}

TEST_CASE("tax_minor applies a ppm rate with banker's rounding", "[money]") {
  SECTION("positive net") {
    REQUIRE(value_of(ledger::tax_minor(1000, 200000)) == 200);  // 20% of 10.00
    REQUIRE(value_of(ledger::tax_minor(1234, 200000)) == 247);  // 246.8
    REQUIRE(value_of(ledger::tax_minor(999, 70000)) == 70);     // 69.93
    REQUIRE(value_of(ledger::tax_minor(1234, 0)) == 0);
  }
  SECTION("negative net gives a negative tax") {
    REQUIRE(value_of(ledger::tax_minor(-1234, 200000)) == -247);  // -246.8
    REQUIRE(value_of(ledger::tax_minor(-1000, 200000)) == -200);
  }
  SECTION("ties") {
    REQUIRE(value_of(ledger::tax_minor(125, 100000)) == 12);    // 12.5
    REQUIRE(value_of(ledger::tax_minor(135, 100000)) == 14);    // 13.5
    REQUIRE(value_of(ledger::tax_minor(-125, 100000)) == -12);  // -12.5
    REQUIRE(value_of(ledger::tax_minor(-135, 100000)) == -14);  // -13.5
  }
  SECTION("int64 limits and overflow") {
    REQUIRE(value_of(ledger::tax_minor(INT64_MIN, 1000000)) == INT64_MIN);
    REQUIRE(value_of(ledger::tax_minor(INT64_MIN, 500000)) == -4611686018427387904);
    // 4611686018427387903.5 is a tie and ...903 is odd.
    REQUIRE(value_of(ledger::tax_minor(INT64_MAX, 500000)) == 4611686018427387904);
    ledger::Result<int64_t> big = ledger::tax_minor(INT64_MAX, 2000000);
    REQUIRE(big.status().is_overflow());
    REQUIRE_THAT(big.status().message(), Contains("tax_minor"));
  }
  SECTION("a negative rate is rejected") {
    ledger::Result<int64_t> result = ledger::tax_minor(1000, -1);
    REQUIRE(result.status().is_invalid_argument());
    REQUIRE_THAT(result.status().message(), Contains("rate_ppm"));
  }
}

TEST_CASE("cumulative_share_minor spreads an amount over months exactly", "[money]") {
  SECTION("seed: 1000.00 USD over 12 months") {
    const int64_t amount_minor = 100000;
    const std::vector<int64_t> expected_shares = {8333, 8334, 8333, 8333, 8334, 8333,
                                                  8333, 8334, 8333, 8333, 8334, 8333};
    std::vector<int64_t> shares;
    int64_t total = 0;
    for (int32_t month = 1; month <= 12; ++month) {
      const int64_t share = ledger::cumulative_share_minor(amount_minor, month, 12) -
                            ledger::cumulative_share_minor(amount_minor, month - 1, 12);
      shares.push_back(share);
      total += share;
    }
    REQUIRE(shares == expected_shares);
    REQUIRE(total == 100000);
    REQUIRE(amount_minor - ledger::cumulative_share_minor(amount_minor, 1, 12) == 91667);
    REQUIRE(amount_minor - ledger::cumulative_share_minor(amount_minor, 2, 12) == 83333);
    REQUIRE(amount_minor - ledger::cumulative_share_minor(amount_minor, 3, 12) == 75000);
    REQUIRE(amount_minor - ledger::cumulative_share_minor(amount_minor, 12, 12) == 0);
    REQUIRE(ledger::cumulative_share_minor(amount_minor, 0, 12) == 0);
  }
  SECTION("ties round to even") {
    REQUIRE(ledger::cumulative_share_minor(5, 1, 2) == 2);    // 2.5
    REQUIRE(ledger::cumulative_share_minor(7, 1, 2) == 4);    // 3.5
    REQUIRE(ledger::cumulative_share_minor(-5, 1, 2) == -2);  // -2.5
  }
  SECTION("negative amounts mirror positive ones") {
    REQUIRE(ledger::cumulative_share_minor(-100000, 1, 12) == -8333);
    REQUIRE(ledger::cumulative_share_minor(-100000, 2, 12) == -16667);
    REQUIRE(ledger::cumulative_share_minor(-100000, 12, 12) == -100000);
  }
  SECTION("int64 limits do not overflow") {
    REQUIRE(ledger::cumulative_share_minor(INT64_MIN, 1, 3) == -3074457345618258603);  // -...602.67
    REQUIRE(ledger::cumulative_share_minor(INT64_MIN, 3, 3) == INT64_MIN);
    REQUIRE(ledger::cumulative_share_minor(INT64_MAX, 1, 2) == 4611686018427387904);  // ...903.5, tie
    REQUIRE(ledger::cumulative_share_minor(INT64_MAX, 2, 2) == INT64_MAX);
  }
  SECTION("out-of-range months are clamped") {
    REQUIRE(ledger::cumulative_share_minor(1200, 13, 12) == 1200);
    REQUIRE(ledger::cumulative_share_minor(1200, -1, 12) == 0);
    REQUIRE(ledger::cumulative_share_minor(1200, 1, 0) == 1200);  // no duration: earned at once
    REQUIRE(ledger::cumulative_share_minor(1200, 0, 0) == 0);
  }
}

TEST_CASE("format_minor writes exact decimal text", "[money]") {
  REQUIRE(ledger::format_minor(-1234, kUsd) == "-12.34");
  REQUIRE(ledger::format_minor(1234, kUsd) == "12.34");
  REQUIRE(ledger::format_minor(5, kKwd) == "0.005");
  REQUIRE(ledger::format_minor(-5, kKwd) == "-0.005");
  REQUIRE(ledger::format_minor(1000, kJpy) == "1000");
  REQUIRE(ledger::format_minor(-1000, kJpy) == "-1000");
  REQUIRE(ledger::format_minor(0, kUsd) == "0.00");
  REQUIRE(ledger::format_minor(0, kJpy) == "0");
  REQUIRE(ledger::format_minor(-100, kUsd) == "-1.00");
  REQUIRE(ledger::format_minor(100000, kUsd) == "1000.00");
  REQUIRE(ledger::format_minor(12345, kClf) == "1.2345");
  REQUIRE(ledger::format_minor(INT64_MIN, kUsd) == "-92233720368547758.08");
  REQUIRE(ledger::format_minor(INT64_MAX, kUsd) == "92233720368547758.07");
  REQUIRE(ledger::format_minor(INT64_MIN, kJpy) == "-9223372036854775808");
  REQUIRE(ledger::format_minor(INT64_MIN, kClf) == "-922337203685477.5808");
  REQUIRE(ledger::format_minor(INT64_MAX, 18) == "9.223372036854775807");
  REQUIRE(ledger::format_minor(1, 18) == "0.000000000000000001");
}

TEST_CASE("parse_minor reads decimal text exactly", "[money]") {
  SECTION("valid text") {
    REQUIRE(value_of(ledger::parse_minor("12.34", kUsd)) == 1234);
    REQUIRE(value_of(ledger::parse_minor("-0.5", kUsd)) == -50);
    REQUIRE(value_of(ledger::parse_minor("1000", kJpy)) == 1000);
    REQUIRE(value_of(ledger::parse_minor("1000", kUsd)) == 100000);
    REQUIRE(value_of(ledger::parse_minor("0.005", kKwd)) == 5);
    REQUIRE(value_of(ledger::parse_minor("-12.3", kKwd)) == -12300);
    REQUIRE(value_of(ledger::parse_minor("007.50", kUsd)) == 750);
    REQUIRE(value_of(ledger::parse_minor("-0", kUsd)) == 0);
    REQUIRE(value_of(ledger::parse_minor("0.1", 18)) == 100000000000000000);
  }
  SECTION("int64 limits") {
    REQUIRE(value_of(ledger::parse_minor("-92233720368547758.08", kUsd)) == INT64_MIN);
    REQUIRE(value_of(ledger::parse_minor("92233720368547758.07", kUsd)) == INT64_MAX);
    REQUIRE(value_of(ledger::parse_minor("-9223372036854775808", kJpy)) == INT64_MIN);
    REQUIRE(value_of(ledger::parse_minor("9223372036854775807", kJpy)) == INT64_MAX);
  }
  SECTION("overflow is an invalid argument naming the text") {
    for (std::string_view text : {"92233720368547758.08", "-92233720368547758.09", "9223372036854775808",
                                  "99999999999999999999999999999999999999999999"}) {
      const uint8_t exponent = text.find('.') == std::string_view::npos ? kJpy : kUsd;
      ledger::Result<int64_t> result = ledger::parse_minor(text, exponent);
      INFO(std::string(text));
      REQUIRE(result.status().is_invalid_argument());
      REQUIRE_THAT(result.status().message(), Contains(std::string(text)) && Contains("does not fit"));
    }
    // The digits fit, but padding to three decimals does not: 92233720368547758000.
    REQUIRE(ledger::parse_minor("92233720368547758", kKwd).status().is_invalid_argument());
  }
  SECTION("more decimals than the currency has") {
    ledger::Result<int64_t> result = ledger::parse_minor("12.345", kUsd);
    REQUIRE(result.status().is_invalid_argument());
    REQUIRE_THAT(result.status().message(), Contains("\"12.345\"") && Contains("3 decimals"));
    REQUIRE(ledger::parse_minor("12.0", kJpy).status().is_invalid_argument());
  }
  SECTION("junk") {
    for (std::string_view text : {"", "-", "abc", "1.2.3", "12.", ".5", "-.5", "+5", " 12", "12 ", "1e3",
                                  "1,000", "--1", "0x10", "1-", "12.3a"}) {
      ledger::Result<int64_t> result = ledger::parse_minor(text, kUsd);
      INFO("\"" << std::string(text) << "\"");
      REQUIRE(result.status().is_invalid_argument());
      REQUIRE_THAT(result.status().message(), Contains(quoted(text)));
    }
  }
  SECTION("an exponent past 18 is rejected") {
    REQUIRE(ledger::parse_minor("1", 19).status().is_invalid_argument());
  }
}

TEST_CASE("format_minor and parse_minor round-trip", "[money]") {
  const std::vector<int64_t> amounts = {
      0, 1, -1, 5, -5, 99, -100, 123456789, -98765432, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1};
  for (uint8_t exponent : {uint8_t{0}, uint8_t{2}, uint8_t{3}, uint8_t{4}, uint8_t{18}}) {
    for (int64_t amount_minor : amounts) {
      const std::string text = ledger::format_minor(amount_minor, exponent);
      INFO(text << " at exponent " << int(exponent));
      REQUIRE(value_of(ledger::parse_minor(text, exponent)) == amount_minor);
    }
  }
  // And text back to text, for hand-written amounts.
  REQUIRE(ledger::format_minor(value_of(ledger::parse_minor("-12.34", kUsd)), kUsd) == "-12.34");
  REQUIRE(ledger::format_minor(value_of(ledger::parse_minor("0.005", kKwd)), kKwd) == "0.005");
  REQUIRE(ledger::format_minor(value_of(ledger::parse_minor("12.3", kUsd)), kUsd) == "12.30");
}
