#pragma once

#include <cstdint>
#include <string_view>

#include "engine/status.h"

namespace ledger {

//! Largest exponent pow10_int64 accepts: 10^18 is the last power of ten that fits in int64.
inline constexpr uint8_t kMaxPow10Exponent = 18;

//! ISO 4217 minor-unit exponent of a currency code ("USD" -> 2, "JPY" -> 0, "KWD" -> 3, "CLF" -> 4).
//! Codes must be exactly three upper-case letters. Status::invalid_argument names the code when it
//! is not a known ISO 4217 code, or when it is one without a minor unit (XAU, XDR, XXX, ...),
//! since such a code cannot denominate an amount of money.
Result<uint8_t> currency_exponent(std::string_view code);

//! True when currency_exponent(code) succeeds: the code is listed and has a minor unit.
bool is_known_currency(std::string_view code);

//! 10^exponent as int64 for exponent 0..18. Precondition: exponent <= kMaxPow10Exponent
//! (asserted; 0 is returned in release builds so misuse never yields a plausible scale).
int64_t pow10_int64(uint8_t exponent);

}  // namespace ledger
