#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "bench/event_file.h"
#include "bench/workload.h"
#include "bench/zipf_sampler.h"
#include "engine/event_codec.h"
#include "tests/support/test_support.h"

namespace ledger::bench {

using test::check_invariants;
using test::ingest_json_lines;
using test::open_engine;
using test::TempDir;
using test::write_file;
namespace {

std::vector<std::string> generate_lines(const WorkloadOptions& options, WorkloadCounts* counts = nullptr) {
  std::vector<std::string> lines;
  WorkloadGenerator generator(options);
  WorkloadCounts made = generator.generate([&](std::string_view line) { lines.emplace_back(line); });
  if (counts != nullptr) *counts = made;
  return lines;
}

}  // namespace

TEST_CASE("the workload writes exactly the events asked, the same for the same seed", "[bench]") {
  WorkloadOptions options;
  options.events = 3000;
  options.seed = 5;
  WorkloadCounts counts;
  const auto first = generate_lines(options, &counts);
  CHECK(first.size() == 3000);
  CHECK(counts.total == 3000);
  CHECK(generate_lines(options) == first);
  options.seed = 6;
  CHECK(generate_lines(options) != first);
  // Calls dominate, as in a telecom's event stream.
  const auto cdrs = counts.by_kind[static_cast<size_t>(WorkloadKind::kCdr)];
  CHECK(cdrs > counts.total * 70 / 100);
  CHECK(counts.by_kind[static_cast<size_t>(WorkloadKind::kBillingRun)] == 3);
}

TEST_CASE("every workload event is accepted and applied, and the ledger's invariants hold", "[bench]") {
  WorkloadOptions options;
  options.events = 4000;
  options.months = 2;
  const auto lines = generate_lines(options);
  TempDir dir;
  auto engine = open_engine(dir.sub("store"));
  const ProjectionStats stats = ingest_json_lines(*engine, lines);
  CHECK(stats.rejected == 0);
  CHECK(stats.applied >= lines.size());
  CHECK(check_invariants(*engine).empty());
}

TEST_CASE("every workload event takes the fast JSON path to the reference parser's bytes", "[bench]") {
  WorkloadOptions options;
  options.events = 20000;
  options.months = 2;
  WorkloadCounts counts;
  const auto lines = generate_lines(options, &counts);
  for (size_t kind = 0; kind < counts.by_kind.size(); ++kind) {
    INFO(workload_kind_name(static_cast<WorkloadKind>(kind)));
    CHECK(counts.by_kind[kind] > 0);  // every kind the workload writes is among the lines
  }
  EventCodec codec;
  for (const auto& line : lines) {
    auto fast = codec.from_json(line);
    auto reference = codec.from_json_by_reference(line);
    INFO(line << "\n" << fast.status().to_string());
    REQUIRE(fast.is_ok());
    REQUIRE(reference.is_ok());
    REQUIRE(*fast == *reference);
  }
}

TEST_CASE("an event file gives back the canonical bytes written", "[bench]") {
  WorkloadOptions options;
  options.events = 200;
  EventCodec codec;
  std::vector<std::string> written;
  for (const auto& line : generate_lines(options)) {
    auto bytes = codec.from_json(line);
    REQUIRE(bytes);
    written.push_back(*bytes);
  }
  TempDir dir;
  auto writer = EventFileWriter::open(dir.sub("events.fb"));
  REQUIRE(writer);
  for (const auto& bytes : written) REQUIRE((*writer)->write(bytes));
  REQUIRE((*writer)->close());
  auto reader = EventFileReader::open(dir.sub("events.fb"));
  REQUIRE(reader);
  std::vector<std::string> read;
  std::string bytes;
  for (auto more = (*reader)->next(bytes); more && *more; more = (*reader)->next(bytes))
    read.push_back(bytes);
  CHECK(read == written);

  write_file(dir.sub("not-events"), "{\"id\":\"x\"}\n");
  auto refused = EventFileReader::open(dir.sub("not-events"));
  REQUIRE_FALSE(refused);
  CHECK(refused.status().message().find("LEDGEVB1") != std::string::npos);
}

TEST_CASE("the Zipf sampler favours low ranks and stays in range", "[bench]") {
  const ZipfSampler zipf(100, 1.0);
  std::map<uint32_t, int> hits;
  for (uint64_t i = 0; i < 20'000; ++i) hits[zipf.rank(mix64(i))]++;
  CHECK(hits.rbegin()->first < 100);
  CHECK(hits[0] > hits[1]);
  CHECK(hits[1] > hits[9]);
  // rank 0 has 1/H(100) of the weight, about 19%.
  CHECK(hits[0] > 3000);
  CHECK(hits[0] < 4600);
}

}  // namespace ledger::bench
