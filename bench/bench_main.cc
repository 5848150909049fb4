// ledger-bench: the engine's benchmarks, one phase per process so each reports its own peak
// memory. Each prints rows of a Markdown table (bench/run.sh prints the headers and the runs).

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "bench/bench_phases.h"

namespace {

using ledger::bench::PhaseResult;

std::string grouped(double value) {
  std::string digits = fmt::format("{:.0f}", value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

//! | phase | events | seconds | events/s | MB/s | applied | rejected | peak RSS MiB | disk B/event | note |
void print_phase(const PhaseResult& r) {
  const double per_second = r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0;
  const std::string mb_per_s =
      r.bytes > 0 ? fmt::format("{:.1f}", static_cast<double>(r.bytes) / 1e6 / r.seconds) : "";
  const bool projected = r.applied + r.rejected + r.duplicates > 0;
  const std::string disk = r.disk_bytes > 0 && r.events > 0
                               ? fmt::format("{:.0f}", static_cast<double>(r.disk_bytes) / r.events)
                               : "";
  std::cout << fmt::format("| {} | {} | {:.2f} | {} | {} | {} | {} | {:.0f} | {} | {} |\n", r.phase,
                           grouped(static_cast<double>(r.events)), r.seconds, grouped(per_second), mb_per_s,
                           projected ? grouped(static_cast<double>(r.applied)) : "",
                           projected ? grouped(static_cast<double>(r.rejected)) : "",
                           static_cast<double>(ledger::bench::peak_rss_bytes()) / (1 << 20), disk, r.note);
}

int report(const ledger::Result<PhaseResult>& result) {
  if (!result) {
    std::cerr << "ledger-bench: " << result.status().to_string() << "\n";
    return 1;
  }
  print_phase(*result);
  return 0;
}

int report_queries(const ledger::Result<std::vector<ledger::bench::QueryResult>>& results) {
  if (!results) {
    std::cerr << "ledger-bench: " << results.status().to_string() << "\n";
    return 1;
  }
  // | query | samples | p50 µs | p99 µs | max µs | peak RSS MiB | asked |
  for (const auto& q : *results) {
    std::cout << fmt::format("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.0f} | {} |\n", q.query, q.samples,
                             q.p50_ns / 1e3, q.p99_ns / 1e3, q.max_ns / 1e3,
                             static_cast<double>(ledger::bench::peak_rss_bytes()) / (1 << 20), q.note);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ledger::bench::PhaseOptions options;
  CLI::App app{"ledger-bench: throughput, latency and memory of the ledger engine"};
  app.require_subcommand(1);
  app.add_option("--dir", options.dir, "The store this phase writes or reads")->required();
  app.add_option("--partitions", options.partitions, "Partitions of a new store")->capture_default_str();
  app.add_option("--append-batch", options.append_batch, "Events per durable append")->capture_default_str();
  app.add_option("--project-batch", options.project_batch, "Events per projection batch")
      ->capture_default_str();
  app.add_option("--threads", options.project_threads, "Projector threads")->capture_default_str();
  app.add_option("--cache-mib", options.cache_mib, "Projector row cache, MiB for all partitions")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  auto* append = app.add_subcommand("append", "Append an event file (ledger-workload --format fb), durably");
  append->add_option("--input", options.input, "Event file")->required();
  app.add_subcommand("project", "Project every view from the log in --dir");
  auto* e2e = app.add_subcommand("e2e", "Ingest JSON lines durably while projecting, until all is projected");
  e2e->add_option("--input", options.input, "JSON lines (ledger-workload --format json)")->required();
  auto* replay = app.add_subcommand("replay", "Copy the log of --from into a new store --dir and project it");
  replay->add_option("--from", options.from_dir, "A finished store")->required();
  auto* query = app.add_subcommand("query", "Query latencies on the store in --dir");
  query->add_option("--samples", options.query_samples, "Calls per query kind (at most)")
      ->capture_default_str();
  query->add_option("--only", options.only_query, "Only this query kind (\"balance\", \"aging\", ...)");
  query->add_option("--seconds", options.query_seconds, "Time budget per query kind")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  if (append->parsed()) return report(ledger::bench::run_append(options));
  if (app.got_subcommand("project")) return report(ledger::bench::run_project(options));
  if (e2e->parsed()) return report(ledger::bench::run_end_to_end(options));
  if (replay->parsed()) return report(ledger::bench::run_replay(options));
  if (query->parsed()) return report_queries(ledger::bench::run_queries(options));
  return 1;
}
