#include "tests/http/http_test_server.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

namespace ledger::test {

TestServer::TestServer(http::ServeOptions options) {
  engine_ = open_engine(dir_.sub("data"), 4);
  REQUIRE(engine_);
  options.host = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<http::ApiServer>(*engine_, options);
  auto port = server_->bind();
  REQUIRE(port.is_ok());
  port_ = *port;
  thread_ = std::thread([this] { server_->serve(); });
}

TestServer::~TestServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

httplib::Client TestServer::client() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(30));
  return client;
}

std::vector<uint64_t> TestServer::log_ends() {
  std::vector<uint64_t> ends;
  for (uint32_t p = 0; p < engine_->log().partition_count(); ++p) {
    auto end = engine_->log().end_offset(p);
    REQUIRE(end.is_ok());
    ends.push_back(*end);
  }
  return ends;
}

nlohmann::json body_json(const httplib::Result& result) {
  REQUIRE(result);
  try {
    return nlohmann::json::parse(result->body);
  } catch (const nlohmann::json::parse_error&) {
    FAIL("not JSON: " << result->body);
  }
  return {};
}

std::string operator_event(const std::string& op, const std::string& currency) {
  return fmt::format(
      R"({{"id":"op-{0}","time_us":{1},"body_type":"OperatorConfigured","body":{{"operator":"{0}","currency":"{2}",)"
      R"("payment_terms_days":10}}}})",
      op, kOct1Us, currency);
}

std::string open_event(const std::string& account, const std::string& op, const std::string& currency) {
  return fmt::format(
      R"({{"id":"open-{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{"operator":"{2}",)"
      R"("currency":"{3}","credit_limit_minor":1000000,"invoice_day":1}}}})",
      account, kOct1Us + 1, op, currency);
}

std::string charge_event(const std::string& account, const std::string& id, int day_index,
                         int64_t amount_minor) {
  return fmt::format(
      R"({{"id":"{0}","account":"{1}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"{0}",)"
      R"("service_type":"internet","quantity_milli":1000,"unit_price_micro":{3}}}}})",
      id, account, kOct1Us + day_index * kDayUs + 3'600'000'000LL, amount_minor * 10'000);
}

std::string payment_event(const std::string& account, const std::string& id, int day_index,
                          int64_t amount_minor) {
  return fmt::format(
      R"({{"id":"{0}","account":"{1}","time_us":{2},"body_type":"Payment","body":{{"payment_id":"{0}","amount_minor":{3}}}}})",
      id, account, kOct1Us + day_index * kDayUs + 7'200'000'000LL, amount_minor);
}

std::string batch_of(const std::vector<std::string>& events) {
  std::string out = R"({"events":[)";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
  return out + "]}";
}

void seed_ledger(const httplib::Client& const_client) {
  httplib::Client& client = const_cast<httplib::Client&>(const_client);
  std::vector<std::string> events = {operator_event("alpha", "USD"), operator_event("beta", "EUR")};
  for (int i = 0; i < 4; ++i) {
    const std::string account = fmt::format("acct-{}", i);
    const std::string op = i % 2 == 0 ? "alpha" : "beta";
    events.push_back(open_event(account, op, i % 2 == 0 ? "USD" : "EUR"));
    events.push_back(charge_event(account, account + "-c1", 2, 10'000 + i * 100));
    events.push_back(charge_event(account, account + "-c2", 12, 2'550));
    if (i < 2) events.push_back(payment_event(account, account + "-p1", 20, 5'000));
  }
  auto appended = client.Post("/v1/events/batch", batch_of(events), "application/json");
  REQUIRE(appended);
  INFO(appended->body);
  REQUIRE(appended->status == 200);
  const auto result = nlohmann::json::parse(appended->body);
  REQUIRE(result["applied"] == events.size());
  auto run = client.Post("/v1/billing-runs", R"({"as_of":"2026-11-03"})", "application/json");
  REQUIRE(run);
  INFO(run->body);
  REQUIRE(run->status == 201);
  REQUIRE(nlohmann::json::parse(run->body)["invoices_closed"].get<int>() == 4);
}

}  // namespace ledger::test
