#pragma once

// A real `ledger serve` in the test process: an engine on a real RocksDB in a temporary folder,
// the ApiServer bound to a free loopback port, served from a thread, stopped by the destructor.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/http/api_server.h"
#include "tests/support/test_support.h"

namespace ledger::test {

class TestServer {
 public:
  explicit TestServer(http::ServeOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  //! A client of this server (loopback, the bound port).
  httplib::Client client() const;
  Engine& engine() { return *engine_; }
  int port() const { return port_; }
  //! The log's end offset of every partition: what "nothing appended" is checked against.
  std::vector<uint64_t> log_ends();

 private:
  TempDir dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<http::ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
};

//! Parses a response body as JSON; FAILs with the body when it is not JSON.
nlohmann::json body_json(const httplib::Result& result);

// Events of a small ledger, as JSON text (the format of `ledger ingest`).
constexpr int64_t kOct1Us = 1'790'812'800'000'000;  // 2026-10-01T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;
std::string operator_event(const std::string& op, const std::string& currency);
std::string open_event(const std::string& account, const std::string& op, const std::string& currency);
//! A charge of `amount_minor` (quantity 1) on day `day_index` of October 2026.
std::string charge_event(const std::string& account, const std::string& id, int day_index,
                         int64_t amount_minor);
std::string payment_event(const std::string& account, const std::string& id, int day_index,
                          int64_t amount_minor);
//! {"events": [lines...]}
std::string batch_of(const std::vector<std::string>& events);

//! Two operators (USD, EUR), four accounts, charges and payments in October, and a scheduled
//! billing run as of 2026-11-03 that closes October's bills; REQUIREs every step succeeded.
void seed_ledger(const httplib::Client& client);

}  // namespace ledger::test
