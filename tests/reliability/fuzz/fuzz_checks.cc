#include "tests/reliability/fuzz/fuzz_checks.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/event_codec.h"
#include "engine/event_validation.h"

namespace ledger::fuzz {
namespace {

[[noreturn]] void broken(const char* property, const std::string& detail) {
  std::fprintf(stderr, "property broken: %s: %s\n", property, detail.c_str());
  std::abort();
}

}  // namespace

void check_accepted_event(std::string_view canonical) {
  auto verified = verify_event_buffer(canonical);
  if (!verified) broken("an accepted event verifies", verified.status().to_string());
  if (Status valid = validate_event(**verified); !valid)
    broken("an accepted event validates", valid.to_string());
  auto again = canonicalize_event(canonical);
  if (!again) broken("canonical bytes canonicalize", again.status().to_string());
  if (*again != canonical) broken("canonicalizing is idempotent", "the bytes changed");
  static EventCodec codec;
  auto json = codec.to_json(canonical);
  if (!json) broken("an accepted event renders as JSON", json.status().to_string());
  auto back = codec.from_json(*json);
  if (!back) broken("the rendered JSON is accepted", back.status().to_string() + " for " + *json);
  if (*back != canonical) broken("JSON round trip keeps the bytes", *json);
}

}  // namespace ledger::fuzz
