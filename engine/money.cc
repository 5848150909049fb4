#include "engine/money.h"

#include <algorithm>
#include <cassert>
#include <optional>

#include "engine/currency.h"

namespace ledger {

namespace {

// Decimals carried by the inputs (BILLING.md section 1).
constexpr uint8_t kQuantityDigits = 3;
constexpr uint8_t kPriceDigits = 6;
constexpr uint8_t kCostDigits = 6;
constexpr int64_t kPpmPerUnit = 1000000;

std::optional<int64_t> narrow(__int128 value) {
  if (value < INT64_MIN || value > INT64_MAX) return std::nullopt;
  return static_cast<int64_t>(value);
}

// `value` carries from_digits decimals; returns it with to_digits decimals, rounding half-even
// when digits are dropped, or nullopt when the result does not fit int64. Both are <= 18.
std::optional<int64_t> rescale(__int128 value, uint8_t from_digits, uint8_t to_digits) {
  if (to_digits <= from_digits) {
    return narrow(round_half_even_div(value, pow10_int64(from_digits - to_digits)));
  }
  // Scaling up never brings a value back into range; rejecting first keeps the product in 128 bits.
  if (!narrow(value)) return std::nullopt;
  return narrow(value * pow10_int64(to_digits - from_digits));
}

Status bad_exponent(uint8_t exponent) {
  return Status::invalid_argument("exponent " + std::to_string(exponent) + " is out of range 0.." +
                                  std::to_string(kMaxPow10Exponent));
}

Status overflow_of(std::string_view what, int64_t a, std::string_view op, int64_t b) {
  return Status::overflow(std::string(what) + ": " + std::to_string(a) + std::string(op) + std::to_string(b) +
                          " does not fit in int64");
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Appends decimal digits to magnitude; false as soon as it passes limit, so the 128-bit
// accumulator can never overflow however long the text is.
bool append_digits(__int128& magnitude, std::string_view digits, __int128 limit) {
  for (char c : digits) {
    magnitude = magnitude * 10 + (c - '0');
    if (magnitude > limit) return false;
  }
  return true;
}

Status parse_error(std::string_view text, std::string_view reason) {
  return Status::invalid_argument("amount \"" + std::string(text) + "\": " + std::string(reason));
}

}  // namespace

Result<int64_t> checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return overflow_of(what, a, " + ", b);
  return sum;
}

Result<int64_t> checked_sub(int64_t a, int64_t b, std::string_view what) {
  int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return overflow_of(what, a, " - ", b);
  return difference;
}

__int128 round_half_even_div(__int128 numerator, __int128 denominator) {
  assert(denominator > 0);
  __int128 quotient = numerator / denominator;  // truncates toward zero
  const __int128 remainder = numerator % denominator;
  const __int128 remainder_abs = remainder < 0 ? -remainder : remainder;
  // Compare remainder with denominator - remainder rather than 2 * remainder with denominator:
  // doubling can overflow when the denominator is near the 128-bit limit.
  const __int128 rest = denominator - remainder_abs;
  const bool round_away = remainder_abs > rest || (remainder_abs == rest && quotient % 2 != 0);
  if (round_away) quotient += numerator < 0 ? -1 : 1;
  return quotient;
}

Result<int64_t> line_amount_minor(int64_t quantity_milli, int64_t unit_price_micro, uint8_t exponent) {
  if (exponent > kMaxPow10Exponent) return bad_exponent(exponent);
  // |product| <= 2^126, so the 128-bit product itself never overflows.
  const __int128 product = static_cast<__int128>(quantity_milli) * unit_price_micro;
  std::optional<int64_t> amount = rescale(product, kQuantityDigits + kPriceDigits, exponent);
  if (!amount) {
    return Status::overflow("amount_minor: quantity_milli " + std::to_string(quantity_milli) +
                            " * unit_price_micro " + std::to_string(unit_price_micro) + " at exponent " +
                            std::to_string(exponent) + " does not fit in int64");
  }
  return *amount;
}

Result<int64_t> cost_minor_from_micro(int64_t cost_micro, uint8_t exponent) {
  if (exponent > kMaxPow10Exponent) return bad_exponent(exponent);
  std::optional<int64_t> cost = rescale(cost_micro, kCostDigits, exponent);
  if (!cost) {
    return Status::overflow("cost_minor: cost_micro " + std::to_string(cost_micro) + " at exponent " +
                            std::to_string(exponent) + " does not fit in int64");
  }
  return *cost;
}

Result<int64_t> tax_minor(int64_t net_minor, int64_t rate_ppm) {
  if (rate_ppm < 0) return Status::invalid_argument("rate_ppm " + std::to_string(rate_ppm) + " is negative");
  const __int128 product = static_cast<__int128>(net_minor) * rate_ppm;
  std::optional<int64_t> tax = narrow(round_half_even_div(product, kPpmPerUnit));
  if (!tax) {
    return Status::overflow("tax_minor: net_minor " + std::to_string(net_minor) + " at rate_ppm " +
                            std::to_string(rate_ppm) + " does not fit in int64");
  }
  return *tax;
}

int64_t cumulative_share_minor(int64_t amount_minor, int32_t k, int32_t n) {
  const int32_t months = std::max(n, 1);
  const int32_t month = std::clamp(k, 0, months);
  // |A * k / n| <= |A| because 0 <= k <= n, so the rounded share always fits int64.
  return static_cast<int64_t>(round_half_even_div(static_cast<__int128>(amount_minor) * month, months));
}

std::string format_minor(int64_t amount_minor, uint8_t exponent) {
  // Negating INT64_MIN overflows int64, so the magnitude is taken in uint64.
  const uint64_t magnitude =
      amount_minor < 0 ? 0 - static_cast<uint64_t>(amount_minor) : static_cast<uint64_t>(amount_minor);
  std::string text = std::to_string(magnitude);
  if (text.size() <= exponent) text.insert(0, exponent + 1 - text.size(), '0');
  if (exponent > 0) text.insert(text.size() - exponent, 1, '.');
  if (amount_minor < 0) text.insert(0, 1, '-');
  return text;
}

Result<int64_t> parse_minor(std::string_view text, uint8_t exponent) {
  if (exponent > kMaxPow10Exponent) return bad_exponent(exponent);
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  const size_t dot = rest.find('.');
  const std::string_view whole = rest.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return parse_error(text, "expected an optional '-', digits, and optionally '.' followed by digits");
  }
  if (fraction.size() > exponent) {
    return parse_error(text, "has " + std::to_string(fraction.size()) + " decimals but the currency allows " +
                                 std::to_string(exponent));
  }
  // The magnitude of INT64_MIN is one more than INT64_MAX.
  const __int128 limit = static_cast<__int128>(INT64_MAX) + (negative ? 1 : 0);
  __int128 magnitude = 0;
  const std::string padding(exponent - fraction.size(), '0');
  if (!append_digits(magnitude, whole, limit) || !append_digits(magnitude, fraction, limit) ||
      !append_digits(magnitude, padding, limit)) {
    return parse_error(text, "does not fit in int64 minor units");
  }
  return static_cast<int64_t>(negative ? -magnitude : magnitude);
}

}  // namespace ledger
