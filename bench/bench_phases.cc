#include "bench/bench_phases.h"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "bench/event_file.h"
#include "bench/memory_sampler.h"
#include "connectors/ingest/json_lines_ingester.h"
#include "engine/digest.h"
#include "engine/event_validation.h"
#include "projections/all_views.h"

namespace ledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Result<std::unique_ptr<Engine>> open_engine(const PhaseOptions& options, const std::string& dir) {
  EngineOptions engine_options;
  engine_options.data_dir = dir;
  engine_options.partitions = options.partitions;
  engine_options.projector.batch_events_max = options.project_batch;
  engine_options.projector.threads = options.project_threads;
  engine_options.projector.cached_bytes_max = options.cache_mib << 20;
  auto views = std::make_unique<ViewRegistry>();
  register_all_views(*views);
  return Engine::open(engine_options, std::move(views));
}

void add_stats(PhaseResult& result, const ProjectionStats& stats) {
  result.applied += stats.applied;
  result.rejected += stats.rejected;
  result.duplicates += stats.duplicates;
  result.commits += stats.batches;
}

//! Sums the log's entries over partitions (a broadcast event counts once per partition).
Result<uint64_t> log_entries(EmbeddedLog& log) {
  uint64_t total = 0;
  for (uint32_t partition = 0; partition < log.partition_count(); ++partition) {
    auto end = log.end_offset(partition);
    if (!end) return end.status();
    total += *end;
  }
  return total;
}

//! Appends `events` in one durable group commit.
Status append_batch(Log& log, const std::vector<std::string>& events, std::vector<AppendRequest>& requests) {
  requests.clear();
  for (const auto& bytes : events) {
    const schema::Event* event = schema::GetEvent(bytes.data());
    const std::string_view account = event->account() ? event->account()->string_view() : std::string_view();
    requests.push_back({account, bytes, is_broadcast(event->body_type())});
  }
  return log.append(requests, nullptr);
}

}  // namespace

uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

uint64_t directory_bytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) total += entry.file_size(error);
  }
  return total;
}

Result<PhaseResult> run_append(const PhaseOptions& options) {
  auto reader = EventFileReader::open(options.input);
  if (!reader) return Status::io_error("--input: " + reader.status().message());
  auto engine = open_engine(options, options.dir);
  if (!engine) return engine.status();
  PhaseResult result;
  result.phase = "append";
  std::vector<std::string> events(options.append_batch);
  std::vector<AppendRequest> requests;
  const auto start = Clock::now();
  for (bool more = true; more;) {
    size_t filled = 0;
    while (filled < options.append_batch) {
      auto got = (*reader)->next(events[filled]);
      if (!got) return got.status();
      if (!*got) break;
      result.bytes += events[filled++].size();
    }
    more = filled == options.append_batch;
    if (filled == 0) break;
    events.resize(filled);
    if (Status appended = append_batch((*engine)->log(), events, requests); !appended) return appended;
    result.events += filled;
    events.resize(options.append_batch);
  }
  result.seconds = seconds_since(start);
  return result;
}

Result<PhaseResult> run_project(const PhaseOptions& options) {
  auto engine = open_engine(options, options.dir);
  if (!engine) return engine.status();
  PhaseResult result;
  result.phase = "project";
  MemorySampler sampler(**engine);
  const auto start = Clock::now();
  auto stats = (*engine)->projector().catch_up();
  result.seconds = seconds_since(start);
  const MemoryPeaks peaks = sampler.stop();
  if (!stats) return stats.status();
  add_stats(result, *stats);
  result.events = stats->applied + stats->rejected + stats->duplicates;
  result.note =
      fmt::format("{} commits, row cache {} MiB; {}", stats->batches, options.cache_mib, describe(peaks));
  return result;
}

Result<PhaseResult> run_end_to_end(const PhaseOptions& options) {
  std::ifstream input(options.input);
  if (!input) return Status::io_error("--input: cannot open " + options.input);
  auto engine = open_engine(options, options.dir);
  if (!engine) return engine.status();
  PhaseResult result;
  result.phase = "end-to-end";
  std::atomic<bool> ingested{false};
  Status projector_status;
  MemorySampler sampler(**engine);
  const auto start = Clock::now();
  std::thread projector([&] {
    // Keeps projecting while the ingester appends; one last pass after it finishes.
    for (bool last = false; !last;) {
      last = ingested.load();
      auto stats = (*engine)->projector().catch_up();
      if (!stats) {
        projector_status = stats.status();
        return;
      }
      add_stats(result, *stats);
      // Idle: poll again shortly rather than spin on one of the cores the ingester needs.
      if (stats->applied + stats->rejected + stats->duplicates == 0 && !last) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  });
  JsonLinesIngester ingester((*engine)->log(), options.append_batch);
  auto report = ingester.ingest(input, nullptr, nullptr);
  ingested = true;
  projector.join();
  result.seconds = seconds_since(start);
  const MemoryPeaks peaks = sampler.stop();
  if (!report) return report.status();
  if (!projector_status) return projector_status;
  result.events = report->appended;
  if (report->refused != 0) result.note = std::to_string(report->refused) + " lines refused at ingestion; ";
  result.note += fmt::format("{} commits; {}", result.commits, describe(peaks));
  engine->reset();
  result.disk_bytes = directory_bytes(options.dir);
  return result;
}

Result<PhaseResult> run_replay(const PhaseOptions& options) {
  auto source = open_engine(options, options.from_dir);
  if (!source) return source.status();
  PhaseOptions target_options = options;
  target_options.partitions = (*source)->log().partition_count();
  auto target = open_engine(target_options, options.dir);
  if (!target) return target.status();
  PhaseResult result;
  result.phase = "replay";
  MemorySampler sampler(**target);
  const auto start = Clock::now();
  if (Status copied = (*target)->log().copy_from((*source)->log()); !copied) return copied;
  const double copy_seconds = seconds_since(start);
  auto stats = (*target)->projector().catch_up();
  result.seconds = seconds_since(start);
  const MemoryPeaks peaks = sampler.stop();
  if (!stats) return stats.status();
  add_stats(result, *stats);
  auto entries = log_entries((*target)->log());
  if (!entries) return entries.status();
  result.events = *entries;
  auto source_digest = compute_digest((*source)->store(), (*source)->views());
  auto target_digest = compute_digest((*target)->store(), (*target)->views());
  if (!source_digest) return source_digest.status();
  if (!target_digest) return target_digest.status();
  result.note = fmt::format(
      "log copy {:.2f} s, projection {:.2f} s; digest {}; {}", copy_seconds, result.seconds - copy_seconds,
      source_digest->hex == target_digest->hex ? "equal to the source's" : "DIFFERS", describe(peaks));
  return result;
}

}  // namespace ledger::bench
