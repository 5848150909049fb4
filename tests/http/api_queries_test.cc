// The read side over real HTTP: accounts, previews, invoices, every report as JSON, CSV and
// XLSX (the same bytes as the exporters make from the same views), health and metrics.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "connectors/export/report_render.h"
#include "engine/read_snapshot.h"
#include "projections/reports.h"
#include "tests/http/http_test_server.h"

namespace ledger::test {
namespace {

TEST_CASE("accounts, previews and invoices say which offsets they reflect", "[http][queries]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);

  auto accounts = client.Get("/v1/accounts?operator=alpha");
  REQUIRE(accounts->status == 200);
  auto list = body_json(accounts)["accounts"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["account"] == "acct-0");
  CHECK(list[1]["account"] == "acct-2");

  auto account = client.Get("/v1/accounts/acct-0");
  REQUIRE(account->status == 200);
  auto json = body_json(account);
  CHECK(json["balance_minor"] == 10'000 + 2'550 - 5'000);
  REQUIRE(json["offsets"].size() == 4);
  // The header and the field agree.
  std::string header;
  for (const auto& p : json["offsets"]) {
    header += (header.empty() ? "" : ",") + std::to_string(p["partition"].get<int>()) + ":" +
              std::to_string(p["next_offset"].get<uint64_t>());
  }
  CHECK(account->get_header_value("X-Ledger-Offsets") == header);

  auto preview = body_json(client.Get("/v1/accounts/acct-0/preview"));
  REQUIRE(preview["previews"].size() >= 1);
  CHECK(preview["previews"][0]["status"] == "Open");

  auto invoices = body_json(client.Get("/v1/invoices?status=Closed&as_of=2026-11-05"));
  REQUIRE(invoices["invoices"].size() == 4);
  const std::string number = invoices["invoices"][0]["invoice_number"];
  auto bill = client.Get("/v1/invoices/" + number + "?as_of=2026-11-05");
  REQUIRE(bill->status == 200);
  auto detail = body_json(bill);
  CHECK(detail["tables"]["charges"].size() == 2);
  CHECK(detail["tables"]["payments"].size() == 1);
  CHECK(detail["bill"]["lifecycle_state"] == "Posted");
  CHECK(detail["as_of_day"] == "2026-11-05");

  auto offsets = body_json(client.Get("/v1/offsets"));
  CHECK(offsets["log_end"] == offsets["projected"]);
}

//! The report as the exporters render it straight from the engine's views.
std::string engine_csv(Engine& engine, ReportRequest request) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto table = run_report(engine.store(), snapshot, request);
  REQUIRE(table.is_ok());
  std::ostringstream out;
  REQUIRE(render_report_csv(*table, out).is_ok());
  return out.str();
}

//! A rated call of acct-0 on day `day_index` of November 2026 (its open preview).
std::string cdr_event(const std::string& id, int day_index) {
  const int64_t time_us = kOct1Us + (31 + day_index) * kDayUs;
  return fmt::format(
      R"({{"id":"{0}","account":"acct-0","time_us":{1},"body_type":"Cdr","body":{{"call_id":"{0}",)"
      R"("calling":"+15550100","called":"+15550199","destination":"US","start_us":{1},"duration_s":60,)"
      R"("cost_micro":1500000}}}})",
      id, time_us);
}

std::vector<uint32_t> seqs_of(const nlohmann::json& lines) {
  std::vector<uint32_t> out;
  for (const auto& line : lines) out.push_back(line["seq"].get<uint32_t>());
  return out;
}

TEST_CASE("a preview's and a bill's lines come in pages; the tables sum every line", "[http][queries]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  // November: a charge between five calls, so the page boundaries cut through CDRs and a charge.
  std::vector<std::string> events;
  for (int i = 0; i < 3; ++i) events.push_back(cdr_event(fmt::format("call-{}", i), 2 + i));
  events.push_back(charge_event("acct-0", "acct-0-nov", 31 + 6, 1'000));
  for (int i = 3; i < 5; ++i) events.push_back(cdr_event(fmt::format("call-{}", i), 2 + i + 5));
  auto appended = client.Post("/v1/events/batch", batch_of(events), "application/json");
  REQUIRE(appended);
  REQUIRE(body_json(appended)["applied"] == events.size());

  // Without paging parameters a small preview comes whole, with nothing after it.
  auto whole = body_json(client.Get("/v1/accounts/acct-0/preview"))["previews"][0];
  REQUIRE(whole["line_count"] == 6);
  CHECK(seqs_of(whole["lines"]) == std::vector<uint32_t>{1, 2, 3, 4, 5, 6});
  CHECK(whole["lines_from"] == 1);
  CHECK_FALSE(whole.contains("lines_next_from"));
  CHECK(whole["tables"]["usage_details"].size() == 5);

  // Pages of two: each says where the next starts; the last says nothing. The usage details are
  // the page's CDRs, while the usage table still sums all five calls.
  auto first = body_json(client.Get("/v1/accounts/acct-0/preview?lines_limit=2"))["previews"][0];
  CHECK(seqs_of(first["lines"]) == std::vector<uint32_t>{1, 2});
  CHECK(first["lines_next_from"] == 3);
  CHECK(first["line_count"] == 6);
  REQUIRE(first["tables"]["usage"].size() == 1);
  CHECK(first["tables"]["usage"][0]["calls"] == 5);
  auto middle =
      body_json(client.Get("/v1/accounts/acct-0/preview?lines_limit=2&lines_from=3"))["previews"][0];
  CHECK(seqs_of(middle["lines"]) == std::vector<uint32_t>{3, 4});
  CHECK(middle["lines_next_from"] == 5);
  CHECK(middle["tables"]["usage_details"].size() == 1);  // line 4 is the charge
  // Each page is brought forward from the lines before it, as a bank statement's next page.
  const int64_t forward_minor = whole["balance_brought_forward"]["minor"].get<int64_t>();
  CHECK(first["lines_brought_forward"]["minor"] == forward_minor);
  CHECK(middle["lines_brought_forward"]["minor"] == forward_minor +
                                                        whole["lines"][0]["amount_minor"].get<int64_t>() +
                                                        whole["lines"][1]["amount_minor"].get<int64_t>());
  CHECK(whole["lines"][1]["amount_minor"] == 150);  // a call of 1.50, without tax
  auto last = body_json(client.Get("/v1/accounts/acct-0/preview?lines_limit=2&lines_from=5"))["previews"][0];
  CHECK(seqs_of(last["lines"]) == std::vector<uint32_t>{5, 6});
  CHECK_FALSE(last.contains("lines_next_from"));
  auto past = body_json(client.Get("/v1/accounts/acct-0/preview?lines_from=99"))["previews"][0];
  CHECK(past["lines"].empty());
  CHECK(past["line_count"] == 6);

  // A closed bill pages the same way.
  auto invoices = body_json(client.Get("/v1/invoices?account=acct-0&status=Closed&as_of=2026-11-05"));
  REQUIRE(invoices["invoices"].size() == 1);
  const std::string number = invoices["invoices"][0]["invoice_number"];
  auto bill =
      body_json(client.Get("/v1/invoices/" + number + "?as_of=2026-11-05&lines_limit=1&lines_from=2"));
  REQUIRE(bill["line_count"] == 3);
  CHECK(seqs_of(bill["lines"]) == std::vector<uint32_t>{2});
  CHECK(bill["lines_next_from"] == 3);
  CHECK(bill["tables"]["charges"].size() == 2);

  // Out of range: refused, naming the parameter and its bounds.
  for (const std::string bad : {"lines_limit=0", "lines_limit=10001", "lines_from=0", "lines_from=x"}) {
    auto refused = client.Get("/v1/accounts/acct-0/preview?" + bad);
    REQUIRE(refused);
    INFO(bad << " -> " << refused->body);
    CHECK(refused->status == 400);
    CHECK(body_json(refused)["error"]["field"] == bad.substr(0, bad.find('=')));
  }
  auto refused = client.Get("/v1/invoices/" + number + "?lines_limit=10001");
  CHECK(body_json(refused)["error"]["message"] ==
        "lines_limit: '10001' is not a whole number from 1 to 10000");
}

TEST_CASE("every report answers as JSON, CSV and XLSX with the range in the file name", "[http][reports]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  const std::string reports[] = {"summary", "aging", "credits", "revenue", "transactions", "unpaid"};
  for (const auto& report : reports) {
    INFO(report);
    auto json = client.Get("/v1/reports/" + report + "?from=2026-10-01&to=2026-11-30&as_of=2026-11-30");
    if (report == "credits" || report == "aging" || report == "unpaid") {
      // These take no range but accept it as the CLI does; the call must not be a 5xx.
      REQUIRE(json->status < 500);
    }
    json = client.Get("/v1/reports/" + report);
    REQUIRE(json->status == 200);
    auto body = body_json(json);
    CHECK(body["report"] == report);
    CHECK(body.contains("offsets"));
    auto csv = client.Get("/v1/reports/" + report + "?format=csv");
    REQUIRE(csv->status == 200);
    CHECK(csv->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
    CHECK(csv->get_header_value("Content-Disposition").find(".csv") != std::string::npos);
    auto xlsx = client.Get("/v1/reports/" + report + "?format=xlsx");
    REQUIRE(xlsx->status == 200);
    CHECK(xlsx->body.rfind("PK", 0) == 0);  // a zip container
  }

  SECTION("the summary's CSV is the exporter's CSV, with the range in the file name") {
    auto csv = client.Get("/v1/reports/summary?from=2026-11-01&to=2026-11-30&format=csv");
    REQUIRE(csv->status == 200);
    CHECK(csv->get_header_value("Content-Disposition") ==
          "attachment; filename=\"billing-summary_2026-11-01_2026-11-30.csv\"");
    ReportRequest request;
    request.report = "summary";
    request.from_day = 20261101;
    request.to_day = 20261130;
    CHECK(csv->body == engine_csv(server.engine(), request));
    auto json = body_json(client.Get("/v1/reports/summary?from=2026-11-01&to=2026-11-30"));
    REQUIRE(json["rows"].size() >= 2);  // an operator row and a totals row per currency
  }
  SECTION("transactions page by cursor") {
    auto page = body_json(client.Get("/v1/reports/transactions?limit=2"));
    REQUIRE(page["rows"].size() == 2);
    const std::string cursor = page["next_cursor"];
    REQUIRE(!cursor.empty());
    auto next =
        client.Get("/v1/reports/transactions?limit=2&cursor=" + httplib::detail::encode_query_param(cursor));
    REQUIRE(next->status == 200);
    CHECK(body_json(next)["rows"] != page["rows"]);
  }
}

TEST_CASE("health, readiness and metrics", "[http][ops]") {
  TestServer server;
  auto client = server.client();
  seed_ledger(client);
  CHECK(client.Get("/healthz")->status == 200);
  auto ready = client.Get("/readyz");
  REQUIRE(ready->status == 200);
  CHECK(body_json(ready)["lag_events"] == 0);
  client.Post("/v1/events", "{", "application/json");
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics->status == 200);
  const std::string& text = metrics->body;
  // Every log entry this process projected was applied, rejected or a duplicate.
  auto metric = [&text](const std::string& name) {
    std::smatch match;
    REQUIRE(std::regex_search(text, match, std::regex("\\n" + name + " ([0-9]+)\\n")));
    return std::stoull(match[1].str());
  };
  uint64_t logged = 0;
  for (uint64_t end : server.log_ends()) logged += end;
  CHECK(metric("ledger_events_applied_total") + metric("ledger_events_duplicate_total") == logged);
  CHECK(text.find("ledger_events_refused_total{reason=\"malformed_json\"} 1") != std::string::npos);
  CHECK(text.find("ledger_projection_batch_seconds_count") != std::string::npos);
  CHECK(text.find("ledger_projection_lag_events{partition=\"3\"} 0") != std::string::npos);
  CHECK(text.find("ledger_http_request_seconds_bucket{route=\"/v1/events/batch\",method=\"POST\"") !=
        std::string::npos);
}

TEST_CASE("the console and its files are served from the binary", "[http][console]") {
  TestServer server;
  auto client = server.client();
  auto index = client.Get("/");
  REQUIRE(index->status == 200);
  CHECK(index->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(index->body.find("/console/console.js") != std::string::npos);
  for (const char* file : {"/console/console.js", "/console/console.css", "/console/charts.js"}) {
    INFO(file);
    auto asset = client.Get(file);
    REQUIRE(asset->status == 200);
    CHECK(!asset->body.empty());
  }
  CHECK(client.Get("/console/missing.js")->status == 404);
}

}  // namespace
}  // namespace ledger::test
