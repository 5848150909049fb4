// The OpenAPI document is true: every route the server registers is in it, and every path and
// method in it is a route the server has; each route takes exactly the query parameters the
// document gives it.

#include <catch2/catch.hpp>

#include <set>
#include <string>
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

// The query parameters the document gives an operation (its own and its path's).
std::set<std::string> documented_query_parameters(const nlohmann::json& document,
                                                  const nlohmann::json& path_item,
                                                  const nlohmann::json& operation) {
  std::set<std::string> names;
  auto add = [&](const nlohmann::json& parameters) {
    for (auto parameter : parameters) {
      if (parameter.contains("$ref")) {
        const std::string ref = parameter["$ref"];
        parameter = document["components"]["parameters"][ref.substr(ref.rfind('/') + 1)];
      }
      if (parameter["in"] == "query") names.insert(parameter["name"].get<std::string>());
    }
  };
  if (path_item.contains("parameters")) add(path_item["parameters"]);
  if (operation.contains("parameters")) add(operation["parameters"]);
  return names;
}

TEST_CASE("each API route takes exactly the query parameters the OpenAPI document gives it",
          "[http][openapi]") {
  TestServer server;
  auto client = server.client();
  auto document = body_json(client.Get("/v1/openapi.json"));
  // Every name documented anywhere, tried on every read route: the server must accept it where
  // the document lists it and refuse it, naming it, everywhere else.
  std::set<std::string> every_name = {"bogus"};
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      for (const auto& name : documented_query_parameters(document, item, operation)) every_name.insert(name);
    }
  }
  REQUIRE(every_name.size() > 10);
  // after and wait_ms (read your writes) and token (sign-in) are taken by every route.
  const std::set<std::string> everywhere = {"after", "wait_ms", "token"};
  size_t checked = 0;
  for (const auto& [path, item] : document["paths"].items()) {
    if (!path.starts_with("/v1/") || path == "/v1/openapi.json" || !item.contains("get")) continue;
    const auto documented = documented_query_parameters(document, item, item["get"]);
    std::string concrete = path;
    for (size_t open; (open = concrete.find('{')) != std::string::npos;) {
      const bool report = concrete.compare(open, 8, "{report}") == 0;
      concrete.replace(open, concrete.find('}', open) - open + 1, report ? "summary" : "x");
    }
    for (const auto& name : every_name) {
      if (everywhere.contains(name)) continue;
      auto result = client.Get(concrete + "?" + name + "=x");
      REQUIRE(result);
      const bool refused_as_unknown =
          result->status == 400 && result->body.find("is not a parameter of this route") != std::string::npos;
      INFO("GET " << concrete << "?" << name << "=x -> " << result->status << " " << result->body);
      CHECK(refused_as_unknown == !documented.contains(name));
      if (refused_as_unknown) CHECK(body_json(result)["error"]["field"] == name);
      ++checked;
    }
  }
  CHECK(checked > 100);
}

}  // namespace
}  // namespace ledger::test
