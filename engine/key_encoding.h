#pragma once

// Byte-string keys that sort the way they are scanned: fixed-width big-endian integers, and
// variable-length strings terminated by a 0x00 byte (account ids never contain one; the
// event validator refuses them).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

inline void put_u32_be(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

inline void put_u64_be(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

//! Reads a big-endian integer of sizeof(T) bytes at `at`; the caller checks the length.
template <typename T>
T get_be(std::string_view bytes, size_t at) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    value = static_cast<T>((value << 8) | static_cast<uint8_t>(bytes[at + i]));
  return value;
}

//! Writes `value` big-endian into the sizeof(T) bytes at `at`.
template <typename T>
void store_be(char* at, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) at[i] = static_cast<char>(value >> (8 * (sizeof(T) - 1 - i)));
}

//! Appends `text` and its terminating 0x00.
inline void put_terminated(std::string& out, std::string_view text) {
  out.append(text);
  out.push_back('\0');
}

}  // namespace ledger
