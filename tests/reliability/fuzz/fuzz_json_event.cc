// libFuzzer target: arbitrary text as one JSON line at the ingestion door (EventCodec::from_json,
// the FlatBuffers JSON parser and the field checks). Whatever it accepts must keep every
// property in fuzz_checks.h; whatever it refuses must be refused with a message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/event_codec.h"
#include "tests/reliability/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ledger::EventCodec codec;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto event = codec.from_json(json);
  if (!event) {
    if (event.status().message().empty()) std::abort();  // a refusal always says why
    return 0;
  }
  ledger::fuzz::check_accepted_event(*event);
  return 0;
}
