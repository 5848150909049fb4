// Inputs the fuzz targets (tests/reliability/fuzz) found to break a property, kept as files in
// fuzz/regressions and replayed here through the same doors, in every build.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/event_codec.h"

namespace ledger::test {
namespace {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path regressions() {
  return std::filesystem::path(LEDGER_SOURCE_DIR) / "tests/reliability/fuzz/regressions";
}

//! Whatever canonicalizes renders as JSON and reads back to the same bytes.
void require_round_trip_or_refusal(const std::string& bytes) {
  auto canonical = canonicalize_event(bytes);
  if (!canonical) {
    REQUIRE_FALSE(canonical.status().message().empty());
    return;
  }
  EventCodec codec;
  auto json = codec.to_json(*canonical);
  INFO(json.status().to_string());
  REQUIRE(json.is_ok());
  auto back = codec.from_json(*json);
  INFO(back.status().to_string());
  REQUIRE(back.is_ok());
  REQUIRE(*back == *canonical);
}

}  // namespace

TEST_CASE("fuzz regressions: every kept input is refused or round-trips", "[fuzz]") {
  size_t inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(regressions())) {
    CAPTURE(entry.path().filename().string());
    std::string bytes = read_bytes(entry.path());
    if (entry.path().filename().string().rfind("event_buffer-", 0) == 0) {
      require_round_trip_or_refusal(bytes);
    } else {
      EventCodec codec;
      auto event = codec.from_json(bytes);
      if (event) require_round_trip_or_refusal(*event);
    }
    ++inputs;
  }
  REQUIRE(inputs > 0);
}

TEST_CASE("fuzz regressions: a binary event with a string that is not UTF-8 is refused", "[fuzz]") {
  // Found by fuzz_event_buffer: the id "billing:taxa\xe4j-0009" passed the verifier and the
  // field checks, so the event was accepted, but it could not be rendered as JSON.
  std::string bytes = read_bytes(regressions() / "event_buffer-invalid-utf8-id.bin");
  REQUIRE(verify_event_buffer(bytes).is_ok());
  auto canonical = canonicalize_event(bytes);
  REQUIRE_FALSE(canonical.is_ok());
  INFO(canonical.status().to_string());
  REQUIRE(canonical.status().is_invalid_argument());
  REQUIRE(canonical.status().message() == "id: is not valid UTF-8");
}

}  // namespace ledger::test

namespace ledger::test {

TEST_CASE("fuzz regressions: an event whose body_type has no body is refused, not dereferenced", "[fuzz]") {
  // Found by fuzz_event_buffer: the verifier accepts a union whose type is set and whose table is
  // absent, and the field checks read the absent table (a null dereference). The same event in
  // JSON crashed `ledger ingest`.
  std::string bytes = read_bytes(regressions() / "event_buffer-body-missing.bin");
  REQUIRE(verify_event_buffer(bytes).is_ok());
  auto canonical = canonicalize_event(bytes);
  REQUIRE_FALSE(canonical.is_ok());
  INFO(canonical.status().to_string());
  REQUIRE(canonical.status().message().rfind("body: is missing for ", 0) == 0);

  EventCodec codec;
  auto from_json = codec.from_json(read_bytes(regressions() / "json_event-body-missing.json"));
  REQUIRE_FALSE(from_json.is_ok());
  INFO(from_json.status().to_string());
  REQUIRE(from_json.status().message() == "body: is missing for Payment");
}

}  // namespace ledger::test
