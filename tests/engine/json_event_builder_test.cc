#include "engine/json_event_builder.h"

#include <flatbuffers/idl.h>
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/event_codec.h"
#include "tests/support/test_support.h"

namespace {

using ledger::EventCodec;
using ledger::JsonEventBuilder;

//! from_json() and the reference agree: both accept with the same bytes, or both refuse with
//! the same message.
void check_same_as_reference(EventCodec& codec, const std::string& line) {
  auto fast = codec.from_json(line);
  auto reference = codec.from_json_by_reference(line);
  INFO(line << "\nfrom_json: " << fast.status().to_string()
            << "\nreference: " << reference.status().to_string());
  REQUIRE(fast.is_ok() == reference.is_ok());
  if (fast.is_ok()) {
    CHECK(*fast == *reference);
  } else {
    CHECK(fast.status().to_string() == reference.status().to_string());
  }
}

const std::string kPayment =
    R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment",)"
    R"("body":{"payment_id":"p-1","amount_minor":1500,"method":"card","currency":"USD"}})";

}  // namespace

TEST_CASE("the fast JSON path builds every demo event, to the reference parser's bytes", "[event_codec]") {
  auto schema = ledger::test::compiled_events_schema();
  JsonEventBuilder builder(*schema);
  EventCodec codec;
  const auto lines = ledger::test::demo_event_lines(60);
  REQUIRE(lines.size() > 1000);
  std::set<std::string> kinds;
  for (const auto& line : lines) {
    INFO(line);
    // Plain JSON: the fast path takes every line of the demo, none falls back.
    REQUIRE(builder.build(line).has_value());
    check_same_as_reference(codec, line);
    const size_t at = line.find("\"body_type\":\"");
    if (at != std::string::npos) kinds.insert(line.substr(at + 13, line.find('"', at + 13) - at - 13));
  }
  CHECK(kinds.size() >= 8);
}

TEST_CASE("what the fast JSON path declines, the reference parser decides", "[event_codec]") {
  auto schema = ledger::test::compiled_events_schema();
  JsonEventBuilder builder(*schema);
  EventCodec codec;
  REQUIRE(builder.build(kPayment).has_value());
  check_same_as_reference(codec, kPayment);

  // Each of these the fast path leaves to the reference, which accepts some and refuses others.
  const std::vector<std::string> declined = {
      // a key set twice (refused: "field set more than once")
      R"({"id":"p:1","account":"acc-1","time_us":1,"body_type":"Payment","body":{"payment_id":"p","amount_minor":5,"amount_minor":6}})",
      // a number in quotes (accepted by the reference)
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p","amount_minor":"7"}})",
      // null (accepted: absent)
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p","amount_minor":7,"method":null}})",
      // an unknown field
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p","amount_minor":7,"colour":"red"}})",
      // a float for an integer
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p","amount_minor":7.5}})",
      // out of its field's range (int32)
      R"({"id":"c:1","account":"acc-1","time_us":1704067200000005,"body_type":"Cdr","body":{"call_id":"c","duration_s":4294967296}})",
      // a \u escape
      R"({"id":"p:\u0031","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p","amount_minor":7}})",
      // an enum by number
      R"({"id":"r:1","account":"","time_us":1704067200000005,"body_type":"BillingRun","body":{"run_number":1,"as_of_day":20240203,"kind":1}})",
      // an unknown union type, and a union without its type
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Refund","body":{"payment_id":"p"}})",
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body":{"payment_id":"p","amount_minor":7}})",
      // not JSON, trailing text, not an object
      R"({"id":"p:1","account":)",
      kPayment + " {}",
      R"(["Payment"])",
  };
  for (const auto& line : declined) {
    INFO(line);
    CHECK_FALSE(builder.build(line).has_value());
    check_same_as_reference(codec, line);
  }

  // The union's body before its type, keys in any order: taken, same bytes.
  const std::string reordered =
      R"({"body":{"currency":"USD","method":"card","amount_minor":1500,"payment_id":"p-1"},)"
      R"("body_type":"Payment","time_us":1704067200000005,"account":"acc-1","id":"p:1"})";
  REQUIRE(builder.build(reordered).has_value());
  CHECK(*codec.from_json(reordered) == *codec.from_json(kPayment));
  // A field at its default value is kept by the builder, then canonical bytes drop it.
  const std::string zero =
      R"({"id":"p:1","account":"acc-1","time_us":1704067200000005,"body_type":"Payment","body":{"payment_id":"p-1","amount_minor":1500,"method":"card","currency":"USD","reference":""}})";
  check_same_as_reference(codec, zero);
  CHECK(*codec.from_json(zero) == *codec.from_json(kPayment));
}
