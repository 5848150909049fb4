// Writing through the API: single events and batches, idempotency by id, read your writes,
// bill state changes and billing runs, over real HTTP on loopback.

#include <catch2/catch.hpp>

#include "tests/http/http_test_server.h"

namespace ledger::test {
namespace {

TEST_CASE("an event is appended, applied, and replayed by id without appending again", "[http][events]") {
  TestServer server;
  auto client = server.client();
  REQUIRE(client.Post("/v1/events", operator_event("alpha", "USD"), "application/json")->status == 201);
  auto opened = client.Post("/v1/events", open_event("acct-1", "alpha", "USD"), "application/json");
  REQUIRE(opened->status == 201);
  auto first = body_json(opened);
  CHECK(first["outcome"] == "applied");
  CHECK(first["replay"] == false);
  CHECK(opened->has_header("X-Ledger-Offsets"));
  CHECK(first.contains("offsets"));

  const auto ends = server.log_ends();
  auto again = client.Post("/v1/events", open_event("acct-1", "alpha", "USD"), "application/json");
  REQUIRE(again->status == 200);
  auto replay = body_json(again);
  CHECK(replay["outcome"] == "applied");
  CHECK(replay["replay"] == true);
  CHECK(replay["id"] == first["id"]);
  CHECK(replay["partition"] == first["partition"]);
  CHECK(server.log_ends() == ends);

  SECTION("the same id with another payload is a 409 naming the id, and nothing is appended") {
    auto conflict = client.Post("/v1/events", open_event("acct-1", "alpha", "EUR"), "application/json");
    REQUIRE(conflict->status == 409);
    auto error = body_json(conflict)["error"];
    CHECK(error["code"] == "duplicate_id_conflict");
    CHECK(error["field"] == "id");
    CHECK(server.log_ends() == ends);
  }
}

TEST_CASE("a batch is appended at once and read back at the offsets it returned", "[http][events]") {
  TestServer server;
  auto client = server.client();
  auto result =
      client.Post("/v1/events/batch",
                  batch_of({operator_event("alpha", "USD"), open_event("acct-1", "alpha", "USD"),
                            charge_event("acct-1", "c-1", 1, 1'250), payment_event("acct-1", "p-1", 2, 250)}),
                  "application/json");
  REQUIRE(result->status == 200);
  auto body = body_json(result);
  CHECK(body["applied"] == 4);
  CHECK(body["appended"] == 4);
  REQUIRE(body["results"].size() == 4);
  const std::string wait_for = body["wait_for"];

  auto account = client.Get("/v1/accounts/acct-1?after=" + httplib::detail::encode_query_param(wait_for));
  REQUIRE(account->status == 200);
  auto json = body_json(account);
  CHECK(json["balance_minor"] == 1'000);

  SECTION("a batch in the bare array form, replayed, appends nothing") {
    const auto ends = server.log_ends();
    auto replay =
        client.Post("/v1/events/batch", "[" + open_event("acct-1", "alpha", "USD") + "]", "application/json");
    REQUIRE(replay->status == 200);
    CHECK(body_json(replay)["replayed"] == 1);
    CHECK(server.log_ends() == ends);
  }
  SECTION("waiting for an offset the log never reaches times out with 503") {
    auto late = client.Get("/v1/accounts/acct-1?after=0:999999&wait_ms=50");
    REQUIRE(late->status == 503);
    CHECK(body_json(late)["error"]["field"] == "after");
  }
}

TEST_CASE("an event the projector rejects is kept in the log and answered with 422 and its reason",
          "[http][events]") {
  TestServer server;
  auto client = server.client();
  REQUIRE(client.Post("/v1/events", operator_event("alpha", "USD"), "application/json")->status == 201);
  // An account under an operator that was never configured is rejected by the views.
  auto rejected = client.Post("/v1/events", open_event("acct-x", "ghost", "USD"), "application/json");
  REQUIRE(rejected);
  INFO(rejected->body);
  REQUIRE(rejected->status == 422);
  auto body = body_json(rejected);
  CHECK(body["outcome"] == "rejected");
  CHECK(!body["reason"].get<std::string>().empty());
  CHECK(!body["message"].get<std::string>().empty());
  auto rejections = body_json(client.Get("/v1/rejections"));
  REQUIRE(rejections["rejections"].size() == 1);
  CHECK(rejections["rejections"][0]["event_id"] == "open-acct-x");

  SECTION("replayed, it answers as the original did and appends nothing") {
    const auto ends = server.log_ends();
    auto again = client.Post("/v1/events", open_event("acct-x", "ghost", "USD"), "application/json");
    REQUIRE(again->status == 422);
    auto replay = body_json(again);
    CHECK(replay["replay"] == true);
    CHECK(replay["reason"] == body["reason"]);
    CHECK(replay["message"] == body["message"]);
    CHECK(replay["offset"] == body["offset"]);
    CHECK(server.log_ends() == ends);
  }
}

TEST_CASE("billing runs close bills and bill states move them through their lifecycle", "[http][commands]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  auto invoices = body_json(client.Get("/v1/invoices?account=acct-0&status=Closed&as_of=2026-11-05"));
  REQUIRE(invoices["invoices"].size() == 1);
  const std::string number = invoices["invoices"][0]["invoice_number"];

  auto changed = client.Post("/v1/invoices/" + number + "/state", R"({"state":"Presented","note":"mailed"})",
                             "application/json");
  REQUIRE(changed);
  INFO(changed->body);
  REQUIRE(changed->status == 200);
  CHECK(body_json(changed)["lifecycle_state"] == "Presented");
  auto bill = body_json(client.Get("/v1/invoices/" + number));
  CHECK(bill["bill"]["lifecycle_state"] == "Presented");

  SECTION("a second run with nothing left to close closes nothing") {
    auto run = client.Post("/v1/billing-runs", R"({"as_of":"2026-11-03","kind":"manual","operator":"alpha"})",
                           "application/json");
    REQUIRE(run);
    INFO(run->body);
    REQUIRE(run->status == 201);
    CHECK(body_json(run)["run_number"] == 2);
  }
}

}  // namespace
}  // namespace ledger::test
