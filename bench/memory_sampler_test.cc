#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bench/memory_sampler.h"
#include "bench/workload.h"
#include "tests/support/test_support.h"

namespace ledger::bench {

TEST_CASE("the memory sampler reports the parts of a projection's memory", "[bench]") {
  test::TempDir dir;
  auto engine = test::open_engine(dir.path());
  WorkloadOptions options;
  options.events = 5000;
  options.seed = 3;
  std::vector<std::string> lines;
  WorkloadGenerator(options).generate([&](std::string_view line) { lines.emplace_back(line); });

  MemorySampler sampler(*engine);
  const auto stats = test::ingest_json_lines(*engine, lines);
  const MemoryPeaks peaks = sampler.stop();
  REQUIRE(stats.applied >= lines.size());  // broadcast events count once per partition
  CHECK(peaks.samples >= 2);               // the first, and the one stop() takes
  CHECK(peaks.resident > 0);
  CHECK(peaks.memtables > 0);       // the projection's rows are in the memtables at the end
  CHECK(peaks.projector_rows > 0);  // the rows kept after the commits
  CHECK(peaks.projector_rows < (128u << 20));
  CHECK(sampler.stop().samples == peaks.samples);  // a second stop() samples nothing more

  const std::string line = describe(peaks);
  CHECK_THAT(line, Catch::Matchers::Contains("projector rows"));
  CHECK_THAT(line, Catch::Matchers::Contains("memtables"));
}

}  // namespace ledger::bench
