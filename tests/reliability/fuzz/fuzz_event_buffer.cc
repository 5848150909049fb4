// libFuzzer target: arbitrary bytes as a stored or sent binary event. The verifier must refuse
// what is not an event without reading out of bounds; what it accepts must validate or be
// refused with a reason, and what canonicalizes must keep every property in fuzz_checks.h.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "tests/reliability/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto verified = ledger::verify_event_buffer(bytes);
  if (!verified) return 0;
  // Reading every field of a verified buffer must stay in bounds (ASan watches).
  ledger::Status valid = ledger::validate_event(**verified);
  auto canonical = ledger::canonicalize_event(bytes);
  if (canonical.is_ok() != valid.is_ok()) std::abort();  // canonicalize refuses exactly the invalid
  if (canonical) ledger::fuzz::check_accepted_event(*canonical);
  return 0;
}
