#include "engine/currency.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace {

using Catch::Matchers::Contains;

// The exponent of a code that must be known; fails the test with the status message otherwise.
int exponent_of(std::string_view code) {
  ledger::Result<uint8_t> result = ledger::currency_exponent(code);
  INFO(std::string(code) << ": " << result.status().to_string());
  REQUIRE(result.is_ok());
  return *result;
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

TEST_CASE("currency_exponent returns ISO 4217 minor units", "[currency]") {
  SECTION("two decimals") {
    REQUIRE(exponent_of("USD") == 2);
    REQUIRE(exponent_of("EUR") == 2);
    REQUIRE(exponent_of("GBP") == 2);
    REQUIRE(exponent_of("MGA") == 2);  // ISO says 2 although the ariary divides by five
  }
  SECTION("zero decimals") {
    for (std::string_view code : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                                  "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}) {
      INFO(std::string(code));
      REQUIRE(exponent_of(code) == 0);
    }
  }
  SECTION("three decimals") {
    for (std::string_view code : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) {
      INFO(std::string(code));
      REQUIRE(exponent_of(code) == 3);
    }
  }
  SECTION("four decimals") {
    REQUIRE(exponent_of("CLF") == 4);
    REQUIRE(exponent_of("UYW") == 4);
  }
  SECTION("the ends of the sorted table are reachable by binary search") {
    REQUIRE(exponent_of("AED") == 2);
    REQUIRE(exponent_of("ZWL") == 2);
    REQUIRE_FALSE(ledger::is_known_currency("AAA"));
    REQUIRE_FALSE(ledger::is_known_currency("ZZZ"));
  }
}

TEST_CASE("currency_exponent rejects unknown codes and names them", "[currency]") {
  SECTION("well-formed but unknown") {
    ledger::Result<uint8_t> result = ledger::currency_exponent("XXY");
    REQUIRE_FALSE(result.is_ok());
    REQUIRE(result.status().is_invalid_argument());
    REQUIRE_THAT(result.status().message(), Contains("\"XXY\"") && Contains("not a known ISO 4217 code"));
  }
  SECTION("withdrawn code") {
    REQUIRE_FALSE(ledger::currency_exponent("HRK").is_ok());
  }
  SECTION("lower case") {
    ledger::Result<uint8_t> result = ledger::currency_exponent("usd");
    REQUIRE(result.status().is_invalid_argument());
    REQUIRE_THAT(result.status().message(), Contains("\"usd\"") && Contains("not a known ISO 4217 code") &&
                                                Contains("three upper-case letters"));
  }
  SECTION("wrong shape") {
    for (std::string_view code : {"", "US", "USDD", "U5D", "US ", " USD", "Usd"}) {
      ledger::Result<uint8_t> result = ledger::currency_exponent(code);
      INFO("\"" << std::string(code) << "\"");
      REQUIRE(result.status().is_invalid_argument());
      REQUIRE_THAT(result.status().message(), Contains(quoted(code)));
    }
  }
  SECTION("ISO codes without a minor unit cannot denominate money") {
    for (std::string_view code : {"XAU", "XAG", "XDR", "XTS", "XXX"}) {
      ledger::Result<uint8_t> result = ledger::currency_exponent(code);
      INFO(std::string(code));
      REQUIRE(result.status().is_invalid_argument());
      REQUIRE_THAT(result.status().message(),
                   Contains(std::string(code)) && Contains("without a minor unit"));
    }
  }
}

TEST_CASE("is_known_currency agrees with currency_exponent", "[currency]") {
  REQUIRE(ledger::is_known_currency("USD"));
  REQUIRE(ledger::is_known_currency("JPY"));
  REQUIRE(ledger::is_known_currency("KWD"));
  REQUIRE_FALSE(ledger::is_known_currency("XXY"));
  REQUIRE_FALSE(ledger::is_known_currency("usd"));
  REQUIRE_FALSE(ledger::is_known_currency("XAU"));
  REQUIRE_FALSE(ledger::is_known_currency(""));
}

TEST_CASE("pow10_int64 covers every power of ten that fits int64", "[currency]") {
  REQUIRE(ledger::pow10_int64(0) == 1);
  REQUIRE(ledger::pow10_int64(1) == 10);
  REQUIRE(ledger::pow10_int64(2) == 100);
  REQUIRE(ledger::pow10_int64(3) == 1000);
  REQUIRE(ledger::pow10_int64(6) == 1000000);
  REQUIRE(ledger::pow10_int64(9) == 1000000000);
  REQUIRE(ledger::pow10_int64(17) == 100000000000000000);
  REQUIRE(ledger::pow10_int64(18) == 1000000000000000000);
  for (uint8_t exponent = 1; exponent <= ledger::kMaxPow10Exponent; ++exponent) {
    INFO(int(exponent));
    REQUIRE(ledger::pow10_int64(exponent) == ledger::pow10_int64(exponent - 1) * 10);
  }
}
