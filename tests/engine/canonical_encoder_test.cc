// The canonical encoder against the encoding it replaced: FlatBuffers' object API (UnPack, then
// Pack), which wrote the canonical bytes of every event stored before it. Both must give the
// same bytes for every event, except a list given empty, which only the encoder keeps.

#include "engine/canonical_encoder.h"

#include <flatbuffers/idl.h>
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/event_codec.h"
#include "engine/json_event_builder.h"
#include "tests/support/test_support.h"

namespace {

using ledger::CanonicalEncoder;
namespace schema = ledger::schema;

//! The event's buffer as FlatBuffers' own JSON parser builds it (not canonical).
std::string parsed(flatbuffers::Parser& parser, const std::string& json) {
  INFO(json);
  REQUIRE(parser.ParseJson(json.c_str()));
  return std::string(reinterpret_cast<const char*>(parser.builder_.GetBufferPointer()),
                     parser.builder_.GetSize());
}

//! The canonical bytes as the object API wrote them.
std::string packed_by_object_api(const std::string& bytes) {
  schema::EventT unpacked;
  schema::GetEvent(bytes.data())->UnPackTo(&unpacked);
  flatbuffers::FlatBufferBuilder builder;
  schema::FinishEventBuffer(builder, schema::Event::Pack(builder, &unpacked));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

std::string encoded(CanonicalEncoder& encoder, const std::string& bytes) {
  auto canonical =
      encoder.encode(*reinterpret_cast<const flatbuffers::Table*>(schema::GetEvent(bytes.data())));
  INFO(canonical.status().to_string());
  REQUIRE(canonical.is_ok());
  return *canonical;
}

//! One event of every kind, every field set, some at their defaults, some to extremes.
const std::vector<std::string> kEveryKind = {
    R"({"id":"op","time_us":1,"body_type":"OperatorConfigured","body":{"operator":"acme","name":"Acme",
        "currency":"USD","invoice_number_format":"A-{seq:6}","payment_terms_days":14,
        "max_bill_amount_minor":9223372036854775807,"max_credit_amount_minor":0,
        "tax_rates":[{"service_type":"usage","code":"VAT","name":"VAT 20%","rate_ppm":200000},
                     {"service_type":"*","code":"","name":"none","rate_ppm":0}]}})",
    R"({"id":"a","account":"acc","time_us":2,"body_type":"AccountOpened","body":{"operator":"acme",
        "name":"Riverside","currency":"USD","credit_limit_minor":-1,"invoice_day":28}})",
    R"({"id":"l","account":"acc","time_us":3,"body_type":"CreditLimitSet","body":{"credit_limit_minor":0}})",
    R"({"id":"x","account":"acc","time_us":4,"body_type":"AccountClosed","body":{"reason":"moved"}})",
    R"({"id":"c","account":"acc","time_us":5,"body_type":"Charge","body":{"charge_id":"c","description":"Fibre",
        "service_type":"internet","subscription_id":"s","subscription_name":"Fibre 1G","subscription_status":"active",
        "quantity_milli":1000,"unit_price_micro":-4990000,"duration_months":12,"discount_minor":5,
        "service_from_day":20240101,"service_to_day":20241231,
        "taxes":[{"code":"VAT","name":"VAT","amount_minor":200},{"code":"","name":"","amount_minor":0}],
        "currency":"USD"}})",
    R"({"id":"d","account":"acc","time_us":6,"body_type":"Cdr","body":{"call_id":"k","calling":"+1555",
        "called":"+44207","destination":"UK","start_us":-7,"duration_s":2147483647,"cost_micro":123456,
        "currency":"USD"}})",
    R"({"id":"p","account":"acc","time_us":7,"body_type":"Payment","body":{"payment_id":"p","amount_minor":1500,
        "method":"card","reference":"","currency":"USD"}})",
    R"({"id":"r","account":"acc","time_us":8,"body_type":"Refill","body":{"refill_id":"r","amount_minor":1,
        "description":"top-up","currency":"USD"}})",
    R"({"id":"k","account":"acc","time_us":9,"body_type":"Correction","body":{"correction_id":"k",
        "amount_minor":-250,"description":"goodwill","approved_by":"m","approved_at_us":1704067200000000,
        "currency":"USD"}})",
    R"({"id":"n","account":"acc","time_us":10,"body_type":"CreditNote","body":{"credit_note_id":"n",
        "amount_minor":300,"description":"outage","invoice_number":"A-000001","currency":"USD"}})",
    R"({"id":"t","account":"acc","time_us":11,"body_type":"TaxAdjustment","body":{"charge_id":"c","code":"VAT",
        "name":"VAT","amount_minor":-20,"currency":"USD"}})",
    R"({"id":"b","time_us":12,"body_type":"BillingRun","body":{"run_number":3,"as_of_day":20240203,
        "kind":"Scheduled","operator":"acme","accounts":["acc","","other"]}})",
    R"({"id":"m","time_us":13,"body_type":"BillingRun","body":{"run_number":0,"as_of_day":20240203,
        "kind":"Manual"}})",
    R"({"id":"s","account":"acc","time_us":14,"body_type":"BillStateChanged","body":{"invoice_number":"A-000001",
        "state":"Printed","note":"batch 7"}})",
    R"({"id":"e","account":"acc","time_us":15,"body_type":"ErpApproved","body":{"invoice_number":"A-000001",
        "external_total_minor":1500,"external_currency":"USD","approved_at_us":1704067200000000}})",
    R"({"id":"g","account":"acc","time_us":16,"body_type":"CommunicationLogged","body":{"invoice_number":"A-1",
        "channel":"email","subject":"Your bill","sent_at_us":1704067200000000}})",
    R"({"id":"","account":"","time_us":0})",
};

}  // namespace

TEST_CASE("the canonical encoder writes the object API's bytes for every kind and every demo event",
          "[event_codec]") {
  auto reference = ledger::test::compiled_events_schema();
  CanonicalEncoder encoder(*reference);
  std::vector<std::string> events = kEveryKind;
  for (const auto& line : ledger::test::demo_event_lines(40)) events.push_back(line);
  REQUIRE(events.size() > 1000);
  std::set<uint8_t> kinds;
  for (const auto& json : events) {
    INFO(json);
    const std::string input = parsed(*reference, json);
    const std::string canonical = encoded(encoder, input);
    CHECK(canonical == packed_by_object_api(input));
    // A fixed point: canonical bytes encode to themselves.
    CHECK(encoded(encoder, canonical) == canonical);
    kinds.insert(static_cast<uint8_t>(schema::GetEvent(input.data())->body_type()));
  }
  // Every member of the union, and an event without a body.
  CHECK(kinds.size() == static_cast<size_t>(schema::Body::MAX) + 1);
}

TEST_CASE("the canonical encoder keeps a list given empty, which the object API dropped", "[event_codec]") {
  auto reference = ledger::test::compiled_events_schema();
  CanonicalEncoder encoder(*reference);
  const std::string empty = parsed(*reference, R"({"id":"c","account":"acc","time_us":5,"body_type":"Charge",
      "body":{"charge_id":"c","service_type":"internet","unit_price_micro":1000000,"taxes":[]}})");
  const std::string absent = parsed(*reference, R"({"id":"c","account":"acc","time_us":5,"body_type":"Charge",
      "body":{"charge_id":"c","service_type":"internet","unit_price_micro":1000000}})");
  const std::string canonical_empty = encoded(encoder, empty);
  const std::string canonical_absent = encoded(encoder, absent);
  CHECK(canonical_empty != canonical_absent);
  const auto* taxes = schema::GetEvent(canonical_empty.data())->body_as_Charge()->taxes();
  REQUIRE(taxes != nullptr);
  CHECK(taxes->size() == 0);
  CHECK(schema::GetEvent(canonical_absent.data())->body_as_Charge()->taxes() == nullptr);
  CHECK(canonical_absent == packed_by_object_api(absent));

  SECTION("through the codec, from JSON and back") {
    ledger::EventCodec codec;
    auto from_json = codec.from_json(R"({"id":"c","account":"acc","time_us":5,"body_type":"Charge",
        "body":{"charge_id":"c","service_type":"internet","unit_price_micro":1000000,"taxes":[]}})");
    REQUIRE(from_json.is_ok());
    CHECK(*from_json == canonical_empty);
    auto json = codec.to_json(*from_json);
    REQUIRE(json.is_ok());
    CHECK(json->find("\"taxes\": []") != std::string::npos);
    auto back = codec.from_json(*json);
    REQUIRE(back.is_ok());
    CHECK(*back == canonical_empty);
  }
}

TEST_CASE("JSON read by the fast path is canonical as built: the reference's bytes for every kind",
          "[event_codec]") {
  auto schema = ledger::test::compiled_events_schema();
  ledger::JsonEventBuilder builder(*schema);
  ledger::EventCodec codec;
  for (const auto& json : kEveryKind) {
    INFO(json);
    auto built = builder.build(json);
    REQUIRE(built.has_value());  // plain JSON: no fallback to the reference
    CHECK(std::string(*built) == packed_by_object_api(parsed(*schema, json)));
    auto fast = codec.from_json(json);
    auto reference = codec.from_json_by_reference(json);
    REQUIRE(fast.is_ok() == reference.is_ok());
    if (fast.is_ok()) CHECK(*fast == *reference);
  }
}
