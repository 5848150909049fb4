// `ledger serve` stops the server twice: from the thread that waits for SIGTERM, and from the
// main thread once serve() returns. Both calls must return, whatever their order.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "connectors/http/api_server.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

TEST_CASE("the server stops when told from two threads at once", "[http][stop]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 2);
  REQUIRE(engine);
  for (int round = 0; round < 20; ++round) {
    http::ServeOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    http::ApiServer server(*engine, options);
    REQUIRE(server.bind().is_ok());
    std::promise<void> stopped;
    std::thread both([&] {
      std::thread serving([&] {
        server.serve();
        server.stop();  // as run_serve() does after serve() returns
      });
      server.stop();  // as the signal thread does
      serving.join();
      stopped.set_value();
    });
    // A hang here is the failure: report it and end the process instead of waiting forever.
    if (stopped.get_future().wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      std::fprintf(stderr, "round %d: ApiServer::stop() from two threads did not return\n", round);
      std::abort();
    }
    both.join();
  }
  SUCCEED("20 rounds of concurrent stops returned");
}

}  // namespace
}  // namespace ledger::test
