// Bad input: refused at the door with the line, the field and the reason (nothing lost around
// it), or kept in the log and rejected by the projector with a reason code.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

const std::string kOperator =
    R"({"id":"op-1","time_us":1790812800000000,"body_type":"OperatorConfigured","body":{"operator":"acme",)"
    R"("currency":"USD","tax_rates":[{"service_type":"usage","code":"VAT","rate_ppm":200000}]}})";
const std::string kOpenPrepaid =
    R"({"id":"open-1","account":"pre-1","time_us":1790812800000001,"body_type":"AccountOpened","body":{"operator":"acme",)"
    R"("currency":"USD","credit_limit_minor":0,"invoice_day":1}})";

std::string payment(const std::string& id, const std::string& account, int64_t amount) {
  return R"({"id":")" + id + R"(","account":")" + account +
         R"(","time_us":1790900000000000,"body_type":"Payment","body":{"payment_id":"P-)" + id +
         R"(","amount_minor":)" + std::to_string(amount) + "}}";
}

nlohmann::json cli_json(const std::string& data, const std::string& command) {
  CommandResult result = run_ledger("--data '" + data + "' --format json " + command);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("bad lines are refused with their number, field and reason; good lines around them land",
          "[bad-input][ingest]") {
  TempDir dir;
  const std::string data = dir.sub("data");
  const std::string input =
      kOperator + "\n" + kOpenPrepaid + "\n" + "this is not json\n" +  // line 3
      R"({"id":"x","account":"pre-1","time_us":1,"body_type":"Payment","body":{"amount":5}})" +
      "\n" +  // line 4
      R"({"id":"y","account":"pre-1","time_us":1,"body_type":"AccountOpened","body":{"operator":"acme","currency":"USD","invoice_day":31}})" +
      "\n" +                                  // line 5
      payment("neg", "pre-1", -5) + "\n" +    // line 6
      payment("good", "pre-1", 1250) + "\n";  // line 7
  write_file(dir.sub("in.jsonl"), input);
  CommandResult result = run_ledger("--data '" + data + "' ingest '" + dir.sub("in.jsonl") + "'");
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("line 3:") != std::string::npos);
  CHECK(result.err.find("line 4:") != std::string::npos);
  CHECK(result.err.find("amount") != std::string::npos);
  CHECK(result.err.find("line 5: body.invoice_day: 31 is out of range [1, 28]") != std::string::npos);
  CHECK(result.err.find("line 6: body.amount_minor: -5 must not be negative") != std::string::npos);
  CHECK(result.out.find("7 lines read, 3 appended, 4 refused") != std::string::npos);
  auto account = cli_json(data, "account pre-1");
  CHECK(account["balance_minor"] == -1250);
}

TEST_CASE("well-formed but inapplicable events are kept and rejected with a reason code",
          "[bad-input][rejections]") {
  TempDir dir;
  const std::string data = dir.sub("data");
  auto engine = open_engine(data, 4);
  ingest_json_lines(
      *engine,
      {kOperator, kOpenPrepaid, payment("p1", "pre-1", 1000), payment("p-unknown", "nobody", 500),
       R"({"id":"eur","account":"pre-1","time_us":1790900000000001,"body_type":"Refill","body":{"refill_id":"R1","amount_minor":100,"currency":"EUR"}})",
       payment("big-1", "pre-1", INT64_MAX - 1000), payment("big-2", "pre-1", INT64_MAX),
       payment("p1", "pre-1", 999),   // the id of an applied event with another payload
       payment("p1", "pre-1", 1000),  // an exact duplicate: a no-op
       R"({"id":"corr","account":"pre-1","time_us":1790900000000002,"body_type":"Correction","body":{"correction_id":"K","amount_minor":50}})",
       payment("zero", "pre-1", 0),
       R"({"id":"tax","account":"pre-1","time_us":1790900000000003,"body_type":"TaxAdjustment","body":{"charge_id":"nope","code":"VAT","amount_minor":10}})"});
  engine.reset();

  auto rejections = cli_json(data, "rejections");
  std::map<std::string, std::string> reason_by_id;
  for (const auto& r : rejections["rejections"]) reason_by_id[r["event_id"]] = r["reason"];
  CHECK(reason_by_id["p-unknown"] == "unknown_account");
  CHECK(reason_by_id["eur"] == "currency_mismatch");
  CHECK(reason_by_id.count("big-1") == 0);
  CHECK(reason_by_id["big-2"] == "amount_overflow");
  CHECK(reason_by_id["p1"] == "duplicate_id_conflict");
  CHECK(reason_by_id["corr"] == "unapproved_correction");
  CHECK(reason_by_id["zero"] == "zero_amount");
  CHECK(reason_by_id["tax"] == "unknown_charge");
  CHECK(reason_by_id.size() == 7);

  // Only p1 (1000) and big-1 (INT64_MAX - 1000) changed the balance: credited is exactly INT64_MAX.
  auto account = cli_json(data, "account pre-1");
  CHECK(account["credited_minor"].get<int64_t>() == INT64_MAX);
  CHECK(account["balance_minor"].get<int64_t>() == -INT64_MAX);

  SECTION("re-sending the same events changes nothing, rejections included") {
    auto digest_before = run_ledger("--data '" + data + "' digest").out;
    auto again = open_engine(data, 0);
    auto stats = ingest_json_lines(*again, {payment("p1", "pre-1", 999), payment("p-unknown", "nobody", 500),
                                            payment("big-2", "pre-1", INT64_MAX)});
    CHECK(stats.applied == 0);
    CHECK(stats.rejected == 0);
    CHECK(stats.duplicates == 3);
    again.reset();
    CHECK(run_ledger("--data '" + data + "' digest").out == digest_before);
  }
}

TEST_CASE("a prepaid account is suspended past its limit and re-enabled by a refill",
          "[balances][suspension]") {
  TempDir dir;
  const std::string data = dir.sub("data");
  auto engine = open_engine(data, 2);
  ingest_json_lines(
      *engine,
      {kOperator, kOpenPrepaid,
       // 0.123456 USD -> 12 cents, + 20% VAT = 2.4 -> 2 cents: balance 14 > limit 0.
       R"({"id":"call-1","account":"pre-1","time_us":1790900000000000,"body_type":"Cdr","body":{"call_id":"c1","duration_s":60,"cost_micro":123456}})",
       R"({"id":"refill-1","account":"pre-1","time_us":1790900000000001,"body_type":"Refill","body":{"refill_id":"r1","amount_minor":500}})"});
  engine.reset();
  auto notifications = cli_json(data, "notifications")["notifications"];
  REQUIRE(notifications.size() == 2);
  CHECK(notifications[0]["notification_id"] == "suspended/pre-1/call-1");
  CHECK(notifications[0]["balance_minor"] == 14);
  CHECK(notifications[1]["notification_id"] == "reenabled/pre-1/refill-1");
  CHECK(notifications[1]["balance_minor"] == 14 - 500);
  auto account = cli_json(data, "account pre-1");
  CHECK(account["suspended"] == false);
  CHECK(account["available_minor"] == 486);
}

TEST_CASE("an unknown account asked for is an error naming it", "[bad-input][cli]") {
  TempDir dir;
  CommandResult result = run_ledger("--data '" + dir.sub("data") + "' account nobody");
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("account: 'nobody' was never opened") != std::string::npos);
}

}  // namespace ledger::test

namespace ledger::test {

TEST_CASE("bytes in the log that are not an event are rejected as malformed, never projected",
          "[bad-input][rejections]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 2);
  ingest_json_lines(*engine, {kOperator, kOpenPrepaid});
  const std::string garbage = "\x10\x00\x00\x00LEV1 this is not a flatbuffer at all";
  std::vector<AppendRequest> requests = {{"pre-1", garbage, false}};
  std::vector<LogPosition> positions;
  REQUIRE(engine->log().append(requests, &positions).is_ok());
  auto stats = engine->projector().catch_up();
  REQUIRE(stats.is_ok());
  CHECK(stats->rejected == 1);
  CHECK(stats->applied == 0);
  engine.reset();
  auto rejections = cli_json(dir.sub("data"), "rejections")["rejections"];
  REQUIRE(rejections.size() == 1);
  CHECK(rejections[0]["reason"] == "malformed");
  CHECK(rejections[0]["offset"] == positions[0].offset);
  CHECK(rejections[0]["event_id"] ==
        "malformed@" + std::to_string(positions[0].partition) + ":" + std::to_string(positions[0].offset));
}

}  // namespace ledger::test

namespace ledger::test {

TEST_CASE("the first ingest into a new data folder reports no error", "[ingest][cli]") {
  TempDir dir;
  write_file(dir.sub("in.jsonl"), kOperator + "\n" + kOpenPrepaid + "\n");
  CommandResult result = run_ledger("--data '" + dir.sub("data") + "' ingest '" + dir.sub("in.jsonl") + "'");
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("2 lines read, 2 appended, 0 refused") != std::string::npos);
  // A new store is the normal case: nothing on stderr may read as an error.
  CHECK(result.err.find("error") == std::string::npos);
  CHECK(result.err.find("NotFound") == std::string::npos);
}

}  // namespace ledger::test
