#include "engine/event_codec.h"

#include <flatbuffers/flatbuffers.h>
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/event_validation.h"

namespace {

using Catch::Matchers::Contains;
using ledger::EventCodec;
using ledger::Status;
namespace schema = ledger::schema;

// One event of each kind that needs no special envelope, as a producer would send it.
const std::vector<std::string> kValidEvents = {
    R"({"id":"op:1","account":"","time_us":1704067200000000,"body_type":"OperatorConfigured",
        "body":{"operator":"acme","name":"Acme","currency":"USD","invoice_number_format":"A-{seq:6}",
                "payment_terms_days":14,"tax_rates":[{"service_type":"usage","code":"VAT","name":"VAT 20%",
                "rate_ppm":200000}]}})",
    R"({"id":"acc-1:opened","account":"acc-1","time_us":1704067200000001,"body_type":"AccountOpened",
        "body":{"operator":"acme","name":"Riverside","currency":"USD","credit_limit_minor":20000,"invoice_day":28}})",
    R"({"id":"acc-1:limit","account":"acc-1","time_us":1704067200000002,"body_type":"CreditLimitSet",
        "body":{"credit_limit_minor":0}})",
    R"({"id":"acc-1:chg","account":"acc-1","time_us":1704067200000003,"body_type":"Charge",
        "body":{"charge_id":"chg-1","service_type":"internet","quantity_milli":2000,"unit_price_micro":4990000,
                "duration_months":1,"service_from_day":20240101,"service_to_day":20240131}})",
    R"({"id":"acc-1:cdr","account":"acc-1","time_us":1704067200000004,"body_type":"Cdr",
        "body":{"call_id":"c-1","calling":"+15550100","called":"+442071234567","destination":"UK",
                "start_us":1704067100000000,"duration_s":65,"cost_micro":123456}})",
    R"({"id":"acc-1:pay","account":"acc-1","time_us":1704067200000005,"body_type":"Payment",
        "body":{"payment_id":"p-1","amount_minor":1500,"method":"card","currency":"USD"}})",
    R"({"id":"acc-1:corr","account":"acc-1","time_us":1704067200000006,"body_type":"Correction",
        "body":{"correction_id":"k-1","amount_minor":-250,"approved_by":"manager","approved_at_us":1704067200000000}})",
    R"({"id":"run:1","account":"","time_us":1704067200000007,"body_type":"BillingRun",
        "body":{"run_number":1,"as_of_day":20240203,"kind":"Manual","accounts":["acc-1"]}})",
    R"({"id":"acc-1:erp","account":"acc-1","time_us":1704067200000008,"body_type":"ErpApproved",
        "body":{"invoice_number":"A-000001","external_total_minor":1500,"external_currency":"USD",
                "approved_at_us":1704067200000000}})",
};

// The canonical bytes of a JSON event that must be accepted.
std::string accepted(EventCodec& codec, std::string_view json) {
  ledger::Result<std::string> bytes = codec.from_json(json);
  INFO(json << "\n-> " << bytes.status().to_string());
  REQUIRE(bytes.is_ok());
  return *bytes;
}

// The status of a JSON event that must be refused as invalid input.
Status refused(EventCodec& codec, std::string_view json) {
  ledger::Result<std::string> bytes = codec.from_json(json);
  INFO(json);
  REQUIRE_FALSE(bytes.is_ok());
  REQUIRE(bytes.status().is_invalid_argument());
  return bytes.status();
}

// A Payment envelope around `body`, with `id`, `account` and `time_us` as given.
std::string payment_json(std::string_view id, std::string_view account, std::string_view body,
                         std::string_view time_us = "1704067200000000") {
  return R"({"id":")" + std::string(id) + R"(","account":")" + std::string(account) + R"(","time_us":)" +
         std::string(time_us) + R"(,"body_type":"Payment","body":)" + std::string(body) + "}";
}

std::string_view view_of(const flatbuffers::FlatBufferBuilder& builder) {
  return std::string_view(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

// A valid Payment built by hand with body fields, strings and envelope fields added in an order
// unlike the object API's; `with_identifier` decides whether "LEV1" is written.
std::string hand_built_payment(bool with_identifier) {
  flatbuffers::FlatBufferBuilder builder;
  auto currency = builder.CreateString("USD");
  auto reference = builder.CreateString("bank transfer 42");
  auto method = builder.CreateString("wire");
  auto payment_id = builder.CreateString("p-77");
  schema::PaymentBuilder payment(builder);
  payment.add_currency(currency);
  payment.add_amount_minor(12345);
  payment.add_reference(reference);
  payment.add_method(method);
  payment.add_payment_id(payment_id);
  auto body = payment.Finish();
  auto account = builder.CreateString("acc-7");
  auto id = builder.CreateString("pay:77");
  schema::EventBuilder event(builder);
  event.add_body(body.Union());
  event.add_id(id);
  event.add_body_type(schema::Body::Payment);
  event.add_account(account);
  event.add_time_us(1704067200000000);
  auto root = event.Finish();
  if (with_identifier) {
    schema::FinishEventBuffer(builder, root);
  } else {
    builder.Finish(root);
  }
  return std::string(view_of(builder));
}

constexpr std::string_view kHandBuiltPaymentJson =
    R"({"id":"pay:77","account":"acc-7","time_us":1704067200000000,"body_type":"Payment",
        "body":{"payment_id":"p-77","amount_minor":12345,"method":"wire","reference":"bank transfer 42",
                "currency":"USD"}})";

}  // namespace

TEST_CASE("from_json accepts valid events of every common kind", "[event_codec]") {
  EventCodec codec;
  for (const auto& json : kValidEvents) {
    std::string bytes = accepted(codec, json);
    auto event = ledger::verify_event_buffer(bytes);
    REQUIRE(event.is_ok());
    REQUIRE(ledger::validate_event(**event).is_ok());
  }
  SECTION("the bytes carry what the JSON said") {
    std::string bytes = accepted(codec, kValidEvents[5]);
    const schema::Event* event = *ledger::verify_event_buffer(bytes);
    REQUIRE(event->id()->str() == "acc-1:pay");
    REQUIRE(event->account()->str() == "acc-1");
    REQUIRE(event->time_us() == 1704067200000005);
    REQUIRE(event->body_type() == schema::Body::Payment);
    REQUIRE(event->body_as_Payment()->amount_minor() == 1500);
    REQUIRE(event->body_as_Payment()->method()->str() == "card");
  }
  SECTION("union and enum values survive") {
    std::string bytes = accepted(codec, kValidEvents[7]);
    const schema::Event* event = *ledger::verify_event_buffer(bytes);
    REQUIRE(event->body_type() == schema::Body::BillingRun);
    REQUIRE(event->body_as_BillingRun()->kind() == schema::BillingRunKind::Manual);
    REQUIRE(event->body_as_BillingRun()->accounts()->size() == 1);
    REQUIRE(event->body_as_BillingRun()->accounts()->Get(0)->str() == "acc-1");
  }
  SECTION("the codec keeps working after a refusal") {
    refused(codec, "{not json");
    REQUIRE(accepted(codec, kValidEvents[1]) == accepted(codec, kValidEvents[1]));
  }
}

TEST_CASE("from_json refuses bad input with a message naming the field", "[event_codec]") {
  EventCodec codec;
  SECTION("not JSON") {
    refused(codec, "this is not json");
    refused(codec, "");
    refused(codec, R"({"id":"x","account":"a")");
  }
  SECTION("unknown field") {
    Status status =
        refused(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":1,"colour":"red"})"));
    REQUIRE_THAT(status.message(), Contains("colour"));
    Status top = refused(codec, R"({"id":"p","account":"a","time_us":1,"shoe_size":9,"body_type":"Payment",
                                    "body":{"payment_id":"p","amount_minor":1}})");
    REQUIRE_THAT(top.message(), Contains("shoe_size"));
  }
  SECTION("wrong type") {
    // Every one is refused; the message should also say which field was wrong. CHECK, not
    // REQUIRE, so each case reports on its own.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {payment_json("p", "a", R"({"payment_id":"p","amount_minor":"a lot"})"), "amount_minor"},
        {payment_json("p", "a", R"({"payment_id":"p","amount_minor":1.5})"), "amount_minor"},
        {payment_json("p", "a", R"({"payment_id":"p","amount_minor":[1]})"), "amount_minor"},
        {payment_json("p", "a", R"({"payment_id":17,"amount_minor":1})"), "payment_id"},
        {payment_json("p", "a", R"({"payment_id":"p","amount_minor":1})", R"("noon")"), "time_us"},
    };
    for (const auto& [json, field] : cases) {
      Status status = refused(codec, json);
      INFO(json);
      CHECK_THAT(status.message(), Contains(field));
    }
  }
  SECTION("missing body_type") {
    Status no_body = refused(codec, R"({"id":"p","account":"a","time_us":1})");
    REQUIRE_THAT(no_body.message(), Contains("body_type"));
    // A body without its type: FlatBuffers cannot tell which table to parse it as.
    Status body_without_type =
        refused(codec, R"({"id":"p","account":"a","time_us":1,"body":{"payment_id":"p","amount_minor":1}})");
    CHECK_THAT(body_without_type.message(), Contains("body_type"));
  }
  SECTION("unknown body_type") {
    Status status = refused(codec, R"({"id":"p","account":"a","time_us":1,"body_type":"Gift","body":{}})");
    REQUIRE_THAT(status.message(), Contains("Gift"));
  }
  SECTION("id: empty or longer than 128 bytes") {
    const std::string body = R"({"payment_id":"p","amount_minor":1})";
    REQUIRE_THAT(refused(codec, payment_json("", "a", body)).message(), Contains("id"));
    REQUIRE_THAT(refused(codec, payment_json(std::string(129, 'i'), "a", body)).message(),
                 Contains("id") && Contains("129"));
    accepted(codec, payment_json(std::string(128, 'i'), "a", body));
  }
  SECTION("body.invoice_day 29") {
    Status status = refused(codec, R"({"id":"o","account":"a","time_us":1,"body_type":"AccountOpened",
        "body":{"operator":"acme","currency":"USD","invoice_day":29}})");
    REQUIRE_THAT(status.message(), Contains("body.invoice_day") && Contains("29"));
  }
  SECTION("negative payment amount") {
    Status status = refused(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":-1})"));
    REQUIRE_THAT(status.message(), Contains("body.amount_minor"));
  }
  SECTION("unknown currency") {
    Status status =
        refused(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":1,"currency":"XYZ"})"));
    REQUIRE_THAT(status.message(), Contains("body.currency") && Contains("XYZ"));
  }
  SECTION("a broadcast kind with an account") {
    Status status =
        refused(codec, R"({"id":"op","account":"acc-1","time_us":1,"body_type":"OperatorConfigured",
        "body":{"operator":"acme","currency":"USD"}})");
    REQUIRE_THAT(status.message(), Contains("account") && Contains("OperatorConfigured"));
  }
  SECTION("a per-account kind without an account") {
    Status status = refused(codec, payment_json("p", "", R"({"payment_id":"p","amount_minor":1})"));
    REQUIRE_THAT(status.message(), Contains("account"));
  }
  SECTION("service_to_day before service_from_day") {
    Status status = refused(codec, R"({"id":"c","account":"a","time_us":1,"body_type":"Charge",
        "body":{"charge_id":"c","service_type":"internet","service_from_day":20240201,
                "service_to_day":20240131}})");
    REQUIRE_THAT(status.message(), Contains("body.service_to_day"));
  }
  SECTION("time_us 0") {
    Status status = refused(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":1})", "0"));
    REQUIRE_THAT(status.message(), Contains("time_us"));
  }
}

TEST_CASE("from_json gives one canonical encoding per content", "[event_codec]") {
  EventCodec codec;
  SECTION("key order does not matter") {
    std::string ordered = accepted(codec, R"({"id":"c1","account":"acc-1","time_us":1704067200000000,
        "body_type":"Charge","body":{"charge_id":"chg","description":"Fiber","service_type":"internet",
        "unit_price_micro":10000000,"taxes":[{"code":"VAT","name":"VAT","amount_minor":200}]}})");
    std::string shuffled = accepted(codec, R"({"time_us":1704067200000000,"body_type":"Charge",
        "account":"acc-1","body":{"taxes":[{"amount_minor":200,"name":"VAT","code":"VAT"}],
        "unit_price_micro":10000000,"service_type":"internet","description":"Fiber","charge_id":"chg"},
        "id":"c1"})");
    REQUIRE(ordered == shuffled);
  }
  SECTION("body_type after body") {
    std::string before = accepted(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":5})"));
    std::string after = accepted(codec, R"({"id":"p","account":"a","time_us":1704067200000000,
        "body":{"payment_id":"p","amount_minor":5},"body_type":"Payment"})");
    REQUIRE(before == after);
  }
  SECTION("a field written at its default value equals the field left out") {
    std::string defaulted = accepted(codec, R"({"id":"c","account":"a","time_us":1,"body_type":"Charge",
        "body":{"charge_id":"c","service_type":"usage","quantity_milli":1000,"discount_minor":0}})");
    std::string omitted = accepted(codec, R"({"id":"c","account":"a","time_us":1,"body_type":"Charge",
        "body":{"charge_id":"c","service_type":"usage"}})");
    REQUIRE(defaulted == omitted);
  }
  SECTION("different content gives different bytes") {
    REQUIRE(accepted(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":5})")) !=
            accepted(codec, payment_json("p", "a", R"({"payment_id":"p","amount_minor":6})")));
  }
  SECTION("a buffer built by hand canonicalizes to the bytes of the same JSON") {
    std::string hand_built = hand_built_payment(true);
    std::string from_json = accepted(codec, kHandBuiltPaymentJson);
    auto canonical = ledger::canonicalize_event(hand_built);
    INFO(canonical.status().to_string());
    REQUIRE(canonical.is_ok());
    REQUIRE(*canonical == from_json);
    // Canonical bytes are a fixed point.
    auto again = ledger::canonicalize_event(*canonical);
    REQUIRE(again.is_ok());
    REQUIRE(*again == *canonical);
  }
  SECTION("canonicalize_event validates the fields, not only the layout") {
    flatbuffers::FlatBufferBuilder builder;
    auto payment_id = builder.CreateString("p");
    auto body = schema::CreatePayment(builder, payment_id, -5);
    auto id = builder.CreateString("p");
    auto account = builder.CreateString("a");
    schema::FinishEventBuffer(
        builder, schema::CreateEvent(builder, id, account, 1, schema::Body::Payment, body.Union()));
    auto canonical = ledger::canonicalize_event(view_of(builder));
    REQUIRE_FALSE(canonical.is_ok());
    REQUIRE_THAT(canonical.status().message(), Contains("body.amount_minor"));
  }
}

TEST_CASE("verify_event_buffer refuses damaged buffers", "[event_codec]") {
  EventCodec codec;
  const std::string good = accepted(codec, kValidEvents[3]);
  REQUIRE(ledger::verify_event_buffer(good).is_ok());

  SECTION("garbage bytes") {
    REQUIRE_FALSE(ledger::verify_event_buffer(std::string(200, '\xab')).is_ok());
    REQUIRE_FALSE(ledger::verify_event_buffer("").is_ok());
    REQUIRE_FALSE(ledger::verify_event_buffer("LEV1").is_ok());
    // Garbage that carries the identifier, so only the verifier stands in the way: the root
    // offset points far past the end.
    std::string disguised(64, '\xff');
    disguised.replace(4, 4, "LEV1");
    auto status = ledger::verify_event_buffer(disguised).status();
    REQUIRE(status.is_invalid_argument());
    REQUIRE_THAT(status.message(), Contains("verifier"));
  }
  SECTION("a truncated buffer") {
    for (size_t length : {size_t{8}, size_t{16}, good.size() / 2, good.size() - 24}) {
      INFO("kept " << length << " of " << good.size() << " bytes");
      auto status = ledger::verify_event_buffer(std::string_view(good).substr(0, length)).status();
      REQUIRE(status.is_invalid_argument());
    }
  }
  SECTION("a wild offset inside the body") {
    // Point the root offset at the last bytes: the table it finds there is nonsense.
    std::string damaged = good;
    uint32_t root = static_cast<uint32_t>(good.size() - 4);
    for (int i = 0; i < 4; ++i) damaged[i] = static_cast<char>((root >> (8 * i)) & 0xff);
    REQUIRE(ledger::verify_event_buffer(damaged).status().is_invalid_argument());
  }
  SECTION("a buffer without the LEV1 identifier") {
    std::string plain = hand_built_payment(false);
    auto status = ledger::verify_event_buffer(plain).status();
    REQUIRE(status.is_invalid_argument());
    REQUIRE_THAT(status.message(), Contains("LEV1"));
    REQUIRE(ledger::verify_event_buffer(hand_built_payment(true)).is_ok());
  }
  SECTION("an oversized buffer") {
    // A well-formed event whose description alone is past the limit.
    flatbuffers::FlatBufferBuilder builder;
    auto description = builder.CreateString(std::string(ledger::VerifierLimits::kMaxEventBytes, 'd'));
    auto refill_id = builder.CreateString("r");
    auto body = schema::CreateRefill(builder, refill_id, 100, description);
    auto id = builder.CreateString("r");
    auto account = builder.CreateString("a");
    schema::FinishEventBuffer(
        builder, schema::CreateEvent(builder, id, account, 1, schema::Body::Refill, body.Union()));
    REQUIRE(builder.GetSize() > ledger::VerifierLimits::kMaxEventBytes);
    auto status = ledger::verify_event_buffer(view_of(builder)).status();
    REQUIRE(status.is_invalid_argument());
    REQUIRE_THAT(status.message(), Contains("limit"));
    REQUIRE_FALSE(ledger::canonicalize_event(view_of(builder)).is_ok());
  }
}

// A Refill built in binary (bypassing the JSON parser's own UTF-8 check) with `description`.
std::string refill_with_description(std::string_view description) {
  flatbuffers::FlatBufferBuilder builder;
  auto text = builder.CreateString(description.data(), description.size());
  auto refill_id = builder.CreateString("r-1");
  auto body = schema::CreateRefill(builder, refill_id, 100, text);
  auto id = builder.CreateString("acc-1:refill");
  auto account = builder.CreateString("acc-1");
  schema::FinishEventBuffer(builder, schema::CreateEvent(builder, id, account, 1704067200000000,
                                                         schema::Body::Refill, body.Union()));
  return std::string(view_of(builder));
}

TEST_CASE("canonicalize_event checks UTF-8 wherever the first non-ASCII byte falls", "[event_codec]") {
  const std::string ascii = "Top-up at the Riverside kiosk, counter 12";
  for (size_t at : {size_t{0}, size_t{7}, size_t{8}, size_t{15}, size_t{16}, ascii.size()}) {
    INFO("at byte " << at);
    std::string valid = ascii;
    valid.insert(at, "\xc3\xa9\xe2\x82\xac");  // "é€": two and three bytes
    CHECK(ledger::canonicalize_event(refill_with_description(valid)).is_ok());
    for (std::string_view bad : {"\xe4j", "\xc0\xaf", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80", "\x80"}) {
      std::string invalid = ascii;
      invalid.insert(at, bad);  // a broken sequence, an overlong '/', a surrogate, five bytes, a lone tail
      auto refused = ledger::canonicalize_event(refill_with_description(invalid));
      REQUIRE_FALSE(refused.is_ok());
      CHECK(refused.status().message() == "body.description: is not valid UTF-8");
    }
  }
}

TEST_CASE("to_json and from_json round trip", "[event_codec]") {
  EventCodec codec;
  for (const auto& json : kValidEvents) {
    std::string bytes = accepted(codec, json);
    ledger::Result<std::string> text = codec.to_json(bytes);
    INFO(text.status().to_string());
    REQUIRE(text.is_ok());
    REQUIRE(text->find('\n') == std::string::npos);  // one line
    REQUIRE(accepted(codec, *text) == bytes);
  }
  SECTION("the text names the kind and the values") {
    std::string text = *codec.to_json(accepted(codec, kValidEvents[5]));
    REQUIRE_THAT(text, Contains(R"("body_type": "Payment")") && Contains(R"("amount_minor": 1500)") &&
                           Contains(R"("id": "acc-1:pay")"));
  }
  SECTION("to_json refuses a damaged buffer") {
    REQUIRE_FALSE(codec.to_json(std::string(100, '\x01')).is_ok());
  }
}
