#pragma once

// Properties every accepted event must have, whichever door it came through. A broken property
// aborts, which libFuzzer reports as a crash with the input that caused it.

#include <string_view>

namespace ledger::fuzz {

//! `canonical` is what canonicalize_event or EventCodec::from_json returned. Checks that it
//! verifies and validates, that canonicalizing it again gives the same bytes, and that its JSON
//! form reads back to the same bytes.
void check_accepted_event(std::string_view canonical);

}  // namespace ledger::fuzz
