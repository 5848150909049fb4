#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ledger {

//! Money is an int64 count of the currency's minor unit (BILLING.md section 1). Every function
//! here is exact: integer arithmetic only, 128-bit intermediates, overflow reported, never wrapped.
//! Exponents are ISO 4217 minor-unit exponents (see currency.h); values above 18 are rejected
//! with Status::invalid_argument where a Result is returned.

//! a + b, or Status::overflow naming `what` (e.g. "balance_minor") when it does not fit int64.
Result<int64_t> checked_add(int64_t a, int64_t b, std::string_view what);

//! a - b, or Status::overflow naming `what` when it does not fit int64.
Result<int64_t> checked_sub(int64_t a, int64_t b, std::string_view what);

//! numerator / denominator rounded half to even (banker's rounding). Precondition:
//! denominator > 0 (asserted). Exact for all __int128 inputs; works for negative numerators
//! (-2.5 -> -2, -3.5 -> -4) because ties are decided on the magnitude.
__int128 round_half_even_div(__int128 numerator, __int128 denominator);

//! round_half_even(quantity_milli * unit_price_micro / 10^(9 - exponent)), computed in 128 bits;
//! an int64 overflow of the result is Status::overflow naming "amount_minor".
Result<int64_t> line_amount_minor(int64_t quantity_milli, int64_t unit_price_micro, uint8_t exponent);

//! A CDR's cost in micro-units rounded half-even to the currency's minor unit; overflow is
//! Status::overflow naming "cost_minor".
Result<int64_t> cost_minor_from_micro(int64_t cost_micro, uint8_t exponent);

//! Tax on a net amount at rate_ppm parts per million (200000 = 20%), rounded half-even; the sign
//! follows net_minor, so a credit carries a negative tax. A negative rate is
//! Status::invalid_argument; an int64 overflow is Status::overflow naming "tax_minor".
Result<int64_t> tax_minor(int64_t net_minor, int64_t rate_ppm);

//! Cumulative spread of amount_minor over n months: round_half_even(A * k / n) for k in 0..n.
//! Month k (1-based) earns cumulative(k) - cumulative(k-1); deferred after month k is
//! A - cumulative(k). The shares always add up to A exactly. k is clamped to 0..n and n < 1 is
//! treated as 1, so a charge without a duration is earned whole in its first month.
int64_t cumulative_share_minor(int64_t amount_minor, int32_t k, int32_t n);

//! Exact decimal text of a minor amount: format_minor(-1234, 2) == "-12.34",
//! (5, 3) == "0.005", (1000, 0) == "1000"; INT64_MIN works. Any exponent is accepted.
std::string format_minor(int64_t amount_minor, uint8_t exponent);

//! Parses "12.34", "-0.5", "1000" into minor units exactly: an optional '-', one or more digits,
//! optionally '.' and one or more digits. More decimals than the exponent, any other text, or a
//! value outside int64 is Status::invalid_argument naming the text and the reason.
//! parse_minor(format_minor(x, e), e) == x for every int64 x and e <= 18.
Result<int64_t> parse_minor(std::string_view text, uint8_t exponent);

}  // namespace ledger
