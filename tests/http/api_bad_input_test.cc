// The caller's mistakes: each is a 4xx with a JSON error naming the field, never a 500, and
// nothing reaches the log (its end offsets do not move).

#include <catch2/catch.hpp>

#include <string>

#include "tests/http/http_test_server.h"

namespace ledger::test {
namespace {

struct Refusal {
  int status;
  std::string field;
};

//! Checks the response is `expected.status` with a JSON error naming `expected.field`.
void check_refused(const httplib::Result& result, const Refusal& expected) {
  REQUIRE(result);
  INFO(result->body);
  CHECK(result->status == expected.status);
  CHECK(result->get_header_value("Content-Type") == "application/json");
  auto body = body_json(result);
  REQUIRE(body.contains("error"));
  CHECK(body["error"]["field"] == expected.field);
  CHECK(!body["error"]["message"].get<std::string>().empty());
  CHECK(!body["error"]["code"].get<std::string>().empty());
}

TEST_CASE("bad events are refused at the door with the field named, and nothing is appended",
          "[http][bad-input]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  const auto ends = server.log_ends();

  SECTION("malformed JSON") {
    check_refused(client.Post("/v1/events", R"({"id": "x", )", "application/json"), {400, "body"});
    check_refused(client.Post("/v1/events/batch", "[1, 2", "application/json"), {400, "body"});
  }
  SECTION("an unknown field inside the body") {
    std::string event = charge_event("acct-0", "c-bad", 3, 100);
    event.replace(event.find(R"("charge_id")"), 0, R"("colour":"red",)");
    check_refused(client.Post("/v1/events", event, "application/json"), {400, "body.colour"});
  }
  SECTION("an unknown field beside the batch's events") {
    check_refused(client.Post("/v1/events/batch", R"({"events":[],"mode":"fast"})", "application/json"),
                  {400, "body.mode"});
  }
  SECTION("a wrong type") {
    std::string event = payment_event("acct-0", "p-bad", 3, 100);
    event.replace(event.find(R"("amount_minor":100)"), 18, R"("amount_minor":"100")");
    check_refused(client.Post("/v1/events", event, "application/json"), {400, "body.amount_minor"});
  }
  SECTION("a bad event in a batch names its index, and the good ones are not appended either") {
    std::string bad = payment_event("acct-0", "p-bad", 3, 100);
    bad.replace(bad.find(R"("amount_minor":100)"), 18, R"("amount_minor":true)");
    check_refused(client.Post("/v1/events/batch", batch_of({charge_event("acct-0", "c-good", 3, 100), bad}),
                              "application/json"),
                  {400, "events[1].body.amount_minor"});
  }
  SECTION("an unknown account") {
    check_refused(client.Post("/v1/events", charge_event("nobody", "c-x", 3, 100), "application/json"),
                  {422, "account"});
    check_refused(client.Get("/v1/accounts/nobody"), {404, "account"});
    check_refused(client.Get("/v1/accounts/nobody/preview"), {404, "account"});
  }
  SECTION("a body over the size limit is a 413") {
    const std::string huge(9 * 1024 * 1024, ' ');
    check_refused(client.Post("/v1/events/batch", huge, "application/json"), {413, "body"});
    // A JSON body sent as a form (curl -d without a Content-Type) is parsed as a form by the
    // HTTP layer within its own small bound: the error says what to send instead.
    check_refused(
        client.Post("/v1/events/batch", std::string(20'000, 'a'), "application/x-www-form-urlencoded"),
        {413, "Content-Type"});
  }
  SECTION("bill state and billing run bodies are checked field by field") {
    check_refused(client.Post("/v1/invoices/NOPE/state", R"({"state":"Presented"})", "application/json"),
                  {404, "invoice"});
    check_refused(
        client.Post("/v1/invoices/NOPE/state", R"({"state":"Presented","colour":1})", "application/json"),
        {400, "body.colour"});
    check_refused(client.Post("/v1/invoices/NOPE/state", R"({"state":7})", "application/json"),
                  {400, "body.state"});
    check_refused(client.Post("/v1/billing-runs", R"({})", "application/json"), {400, "body.as_of"});
    check_refused(client.Post("/v1/billing-runs", R"({"as_of":"2026-02-30"})", "application/json"),
                  {400, "body.as_of"});
    check_refused(
        client.Post("/v1/billing-runs", R"({"as_of":"2026-11-03","kind":"weekly"})", "application/json"),
        {400, "body.kind"});
    check_refused(
        client.Post("/v1/billing-runs", R"({"as_of":"2026-11-03","accounts":"acct-0"})", "application/json"),
        {400, "body.accounts"});
  }
  CHECK(server.log_ends() == ends);
}

TEST_CASE("bad query parameters are refused with the parameter named", "[http][bad-input]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  const auto ends = server.log_ends();

  check_refused(client.Get("/v1/reports/summary?from=2026-11-30&to=2026-11-01"), {400, "from"});
  check_refused(client.Get("/v1/reports/summary?from=2026-13-01"), {400, "from"});
  check_refused(client.Get("/v1/reports/summary?colour=red"), {400, "colour"});
  check_refused(client.Get("/v1/reports/summary?format=pdf"), {400, "format"});
  check_refused(client.Get("/v1/reports/revenue?basis=magic"), {400, "basis"});
  check_refused(client.Get("/v1/reports/unpaid?overdue=maybe"), {400, "overdue"});
  check_refused(client.Get("/v1/reports/transactions?limit=0"), {400, "limit"});
  check_refused(client.Get("/v1/reports/gossip"), {404, "report"});
  check_refused(client.Get("/v1/invoices?from=2026-11-30&to=2026-10-01"), {400, "from"});
  check_refused(client.Get("/v1/invoices?status=Lost"), {400, "status"});
  check_refused(client.Get("/v1/invoices?limit=abc"), {400, "limit"});
  check_refused(client.Get("/v1/invoices/NOPE"), {404, "invoice"});
  check_refused(client.Get("/v1/accounts?after=zero"), {400, "after"});
  check_refused(client.Get("/v1/accounts?after=99:1"), {400, "after"});
  check_refused(client.Get("/v1/accounts?wait_ms=-5"), {400, "wait_ms"});
  check_refused(client.Get("/v1/no-such-route"), {404, "path"});
  CHECK(server.log_ends() == ends);
}

TEST_CASE("a batch over the event limit is a 413 naming the events", "[http][bad-input]") {
  http::ServeOptions options;
  options.batch_max_events = 3;
  TestServer server(options);
  auto client = server.client();
  const auto ends = server.log_ends();
  check_refused(client.Post("/v1/events/batch",
                            batch_of({operator_event("a", "USD"), operator_event("b", "USD"),
                                      operator_event("c", "USD"), operator_event("d", "USD")}),
                            "application/json"),
                {413, "events"});
  CHECK(server.log_ends() == ends);
}

TEST_CASE("a token guards the API and the console but not health", "[http][auth]") {
  http::ServeOptions options;
  options.token = "s3cret";
  TestServer server(options);
  auto client = server.client();
  check_refused(client.Get("/v1/accounts"), {401, "Authorization"});
  CHECK(client.Get("/")->status == 401);
  CHECK(client.Get("/healthz")->status == 200);
  httplib::Headers wrong = {{"Authorization", "Bearer nope"}};
  check_refused(client.Get("/v1/accounts", wrong), {401, "Authorization"});
  httplib::Headers right = {{"Authorization", "Bearer s3cret"}};
  CHECK(client.Get("/v1/accounts", right)->status == 200);
  auto login = client.Get("/login?token=s3cret");
  REQUIRE(login->status == 302);
  const std::string cookie = login->get_header_value("Set-Cookie");
  CHECK(cookie.rfind("ledger_token=s3cret", 0) == 0);
  httplib::Headers with_cookie = {{"Cookie", "ledger_token=s3cret"}};
  CHECK(client.Get("/", with_cookie)->status == 200);
}

TEST_CASE("a non-loopback address needs a token", "[http][auth]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 2);
  http::ServeOptions options;
  options.host = "0.0.0.0";
  options.port = 0;
  http::ApiServer server(*engine, options);
  auto bound = server.bind();
  REQUIRE(!bound.is_ok());
  CHECK(bound.status().message().find("--token") != std::string::npos);
}

}  // namespace
}  // namespace ledger::test
