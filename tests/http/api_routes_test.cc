// The OpenAPI document is true: every route the server registers is in it, and every path and
// method in it is a route the server has.

#include <catch2/catch.hpp>

#include <set>
#include <utility>

#include "connectors/http/api_context.h"
#include "tests/http/http_test_server.h"

namespace ledger::test {
namespace {

TEST_CASE("the OpenAPI document lists exactly the server's routes", "[http][openapi]") {
  TestServer server;
  auto client = server.client();
  auto response = client.Get("/v1/openapi.json");
  REQUIRE(response->status == 200);
  auto document = body_json(response);
  CHECK(document["openapi"].get<std::string>().rfind("3.", 0) == 0);

  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper;
      for (char c : method) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      documented.insert({upper, path});
      CHECK(operation.contains("responses"));
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : http::api_routes())
    served.insert({std::string(route.method), std::string(route.path)});
  CHECK(documented == served);

  // And each served route answers (not 404 for its path) when called with its parameters filled.
  for (const auto& [method, path] : served) {
    std::string concrete = path;
    for (size_t open; (open = concrete.find('{')) != std::string::npos;) {
      concrete.replace(open, concrete.find('}', open) - open + 1, "x");
    }
    auto result = method == "GET" ? client.Get(concrete) : client.Post(concrete, "{}", "application/json");
    REQUIRE(result);
    INFO(method << " " << concrete << " -> " << result->status << " " << result->body);
    if (result->status == 404) CHECK(body_json(result)["error"]["field"] != "path");
    CHECK(result->status < 500);
  }
}

}  // namespace
}  // namespace ledger::test
