// The programs that project link jemalloc with options of their own (engine/jemalloc_options.cc):
// the `ledger` binary must start with them. Sanitizer builds use the sanitizer's allocator.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "tests/support/test_support.h"

namespace ledger::test {

#ifdef LEDGER_BINARY_HAS_JEMALLOC
TEST_CASE("the ledger binary returns freed pages to the system after 1 s", "[allocator][cli]") {
  // stats_print makes jemalloc print its options at exit; the environment adds to the
  // binary's own options without replacing the others.
  REQUIRE(setenv("MALLOC_CONF", "stats_print:true", 1) == 0);
  CommandResult result = run_ledger("--help");
  unsetenv("MALLOC_CONF");
  REQUIRE(result.exit_code == 0);
  const std::string printed = result.out + result.err;
  CHECK(printed.find("opt.dirty_decay_ms: 1000") != std::string::npos);
  CHECK(printed.find("opt.muzzy_decay_ms: 0") != std::string::npos);
}
#endif

}  // namespace ledger::test
