// The one translation unit that holds Catch2's main(). The engine's start-up log (every store
// option) is useful in production and noise in a test run, so tests log warnings only.
#define CATCH_CONFIG_RUNNER
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  spdlog::set_level(spdlog::level::warn);
  return Catch::Session().run(argc, argv);
}
