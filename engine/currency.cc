#include "engine/currency.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>

namespace ledger {

namespace {

// ISO 4217 marks precious metals, funds and test codes "N.A.": they have no minor unit.
constexpr uint8_t kNoMinorUnit = 0xFF;

struct CurrencyEntry {
  std::string_view code;
  uint8_t exponent;
};

// ISO 4217 List One, sorted by code. Codes replaced by a successor but still in their transition
// period (ANG/XCG, SLL/SLE, ZWL/ZWG) are kept: removing a code would make a replay of old
// events reach different decisions. HRK is gone (Croatia has used EUR since 2023-01-01).
constexpr auto kCurrencies = std::to_array<CurrencyEntry>({
    {"AED", 2},
    {"AFN", 2},
    {"ALL", 2},
    {"AMD", 2},
    {"ANG", 2},
    {"AOA", 2},
    {"ARS", 2},
    {"AUD", 2},
    {"AWG", 2},
    {"AZN", 2},
    {"BAM", 2},
    {"BBD", 2},
    {"BDT", 2},
    {"BGN", 2},
    {"BHD", 3},
    {"BIF", 0},
    {"BMD", 2},
    {"BND", 2},
    {"BOB", 2},
    {"BOV", 2},
    {"BRL", 2},
    {"BSD", 2},
    {"BTN", 2},
    {"BWP", 2},
    {"BYN", 2},
    {"BZD", 2},
    {"CAD", 2},
    {"CDF", 2},
    {"CHE", 2},
    {"CHF", 2},
    {"CHW", 2},
    {"CLF", 4},
    {"CLP", 0},
    {"CNY", 2},
    {"COP", 2},
    {"COU", 2},
    {"CRC", 2},
    {"CUC", 2},
    {"CUP", 2},
    {"CVE", 2},
    {"CZK", 2},
    {"DJF", 0},
    {"DKK", 2},
    {"DOP", 2},
    {"DZD", 2},
    {"EGP", 2},
    {"ERN", 2},
    {"ETB", 2},
    {"EUR", 2},
    {"FJD", 2},
    {"FKP", 2},
    {"GBP", 2},
    {"GEL", 2},
    {"GHS", 2},
    {"GIP", 2},
    {"GMD", 2},
    {"GNF", 0},
    {"GTQ", 2},
    {"GYD", 2},
    {"HKD", 2},
    {"HNL", 2},
    {"HTG", 2},
    {"HUF", 2},
    {"IDR", 2},
    {"ILS", 2},
    {"INR", 2},
    {"IQD", 3},
    {"IRR", 2},
    {"ISK", 0},
    {"JMD", 2},
    {"JOD", 3},
    {"JPY", 0},
    {"KES", 2},
    {"KGS", 2},
    {"KHR", 2},
    {"KMF", 0},
    {"KPW", 2},
    {"KRW", 0},
    {"KWD", 3},
    {"KYD", 2},
    {"KZT", 2},
    {"LAK", 2},
    {"LBP", 2},
    {"LKR", 2},
    {"LRD", 2},
    {"LSL", 2},
    {"LYD", 3},
    {"MAD", 2},
    {"MDL", 2},
    {"MGA", 2},
    {"MKD", 2},
    {"MMK", 2},
    {"MNT", 2},
    {"MOP", 2},
    {"MRU", 2},
    {"MUR", 2},
    {"MVR", 2},
    {"MWK", 2},
    {"MXN", 2},
    {"MXV", 2},
    {"MYR", 2},
    {"MZN", 2},
    {"NAD", 2},
    {"NGN", 2},
    {"NIO", 2},
    {"NOK", 2},
    {"NPR", 2},
    {"NZD", 2},
    {"OMR", 3},
    {"PAB", 2},
    {"PEN", 2},
    {"PGK", 2},
    {"PHP", 2},
    {"PKR", 2},
    {"PLN", 2},
    {"PYG", 0},
    {"QAR", 2},
    {"RON", 2},
    {"RSD", 2},
    {"RUB", 2},
    {"RWF", 0},
    {"SAR", 2},
    {"SBD", 2},
    {"SCR", 2},
    {"SDG", 2},
    {"SEK", 2},
    {"SGD", 2},
    {"SHP", 2},
    {"SLE", 2},
    {"SLL", 2},
    {"SOS", 2},
    {"SRD", 2},
    {"SSP", 2},
    {"STN", 2},
    {"SVC", 2},
    {"SYP", 2},
    {"SZL", 2},
    {"THB", 2},
    {"TJS", 2},
    {"TMT", 2},
    {"TND", 3},
    {"TOP", 2},
    {"TRY", 2},
    {"TTD", 2},
    {"TWD", 2},
    {"TZS", 2},
    {"UAH", 2},
    {"UGX", 0},
    {"USD", 2},
    {"USN", 2},
    {"UYI", 0},
    {"UYU", 2},
    {"UYW", 4},
    {"UZS", 2},
    {"VED", 2},
    {"VES", 2},
    {"VND", 0},
    {"VUV", 0},
    {"WST", 2},
    {"XAF", 0},
    {"XAG", kNoMinorUnit},
    {"XAU", kNoMinorUnit},
    {"XBA", kNoMinorUnit},
    {"XBB", kNoMinorUnit},
    {"XBC", kNoMinorUnit},
    {"XBD", kNoMinorUnit},
    {"XCD", 2},
    {"XCG", 2},
    {"XDR", kNoMinorUnit},
    {"XOF", 0},
    {"XPD", kNoMinorUnit},
    {"XPF", 0},
    {"XPT", kNoMinorUnit},
    {"XSU", kNoMinorUnit},
    {"XTS", kNoMinorUnit},
    {"XUA", kNoMinorUnit},
    {"XXX", kNoMinorUnit},
    {"YER", 2},
    {"ZAR", 2},
    {"ZMW", 2},
    {"ZWG", 2},
    {"ZWL", 2},
});

constexpr bool is_iso_code_shape(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Binary search needs a strictly sorted table; check it where a mistake cannot ship.
constexpr bool table_is_valid() {
  for (size_t i = 0; i < kCurrencies.size(); ++i) {
    if (!is_iso_code_shape(kCurrencies[i].code)) return false;
    if (i > 0 && !(kCurrencies[i - 1].code < kCurrencies[i].code)) return false;
  }
  return true;
}
static_assert(table_is_valid(), "kCurrencies must hold sorted, unique three-letter codes");

const CurrencyEntry* find_currency(std::string_view code) {
  auto it =
      std::lower_bound(kCurrencies.begin(), kCurrencies.end(), code,
                       [](const CurrencyEntry& entry, std::string_view key) { return entry.code < key; });
  if (it == kCurrencies.end() || it->code != code) return nullptr;
  return &*it;
}

std::string quoted(std::string_view code) {
  return "currency \"" + std::string(code) + "\"";
}

}  // namespace

Result<uint8_t> currency_exponent(std::string_view code) {
  if (!is_iso_code_shape(code)) {
    return Status::invalid_argument(
        quoted(code) + " is not a known ISO 4217 code: codes are exactly three upper-case letters");
  }
  const CurrencyEntry* entry = find_currency(code);
  if (entry == nullptr) return Status::invalid_argument(quoted(code) + " is not a known ISO 4217 code");
  if (entry->exponent == kNoMinorUnit) {
    return Status::invalid_argument(quoted(code) +
                                    " is an ISO 4217 code without a minor unit (metal, fund or test code)");
  }
  return entry->exponent;
}

bool is_known_currency(std::string_view code) {
  return currency_exponent(code).is_ok();
}

int64_t pow10_int64(uint8_t exponent) {
  static constexpr std::array<int64_t, kMaxPow10Exponent + 1> kPowers = {1,
                                                                         10,
                                                                         100,
                                                                         1000,
                                                                         10000,
                                                                         100000,
                                                                         1000000,
                                                                         10000000,
                                                                         100000000,
                                                                         1000000000,
                                                                         10000000000,
                                                                         100000000000,
                                                                         1000000000000,
                                                                         10000000000000,
                                                                         100000000000000,
                                                                         1000000000000000,
                                                                         10000000000000000,
                                                                         100000000000000000,
                                                                         1000000000000000000};
  assert(exponent <= kMaxPow10Exponent);
  return exponent <= kMaxPow10Exponent ? kPowers[exponent] : 0;
}

}  // namespace ledger
