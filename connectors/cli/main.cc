// ledger: the command line of the ledger engine.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "connectors/cli/cli_context.h"
#include "connectors/http/serve_command.h"
#include "connectors/kafka/kafka_commands.h"

int main(int argc, char** argv) {
  ledger::CliContext context;
  context.program = argv[0];
  CLI::App app{"ledger: an event-sourced transaction ledger for ISP and telecom billing"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: `ledger account X --format json`
  app.add_option("--data", context.data_dir, "Data directory of the store and the embedded log")
      ->capture_default_str();
  app.add_option("--partitions", context.partitions,
                 "Partitions of a new store (default 8; fixed at creation)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--cache-mib", context.cache_mib,
                 "MiB of rows the projector keeps, all partitions together: with RocksDB's memtables "
                 "(256 MiB) and block cache (64 MiB), what bounds a projection's memory")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  app.add_option("--format", context.format, "Output: table for people, json for programs")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_flag("-v,--verbose", context.verbose, "Log what the engine does (options, batches) to stderr");

  ledger::add_ingest_command(app, context);
  ledger::add_account_commands(app, context);
  ledger::add_replay_commands(app, context);
  ledger::add_demo_command(app, context);
  ledger::add_invoice_commands(app, context);
  ledger::add_report_command(app, context);
  ledger::add_serve_command(app, context);
  ledger::add_kafka_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  auto logger = spdlog::stderr_color_mt("ledger");
  spdlog::set_default_logger(logger);
  spdlog::set_level(context.verbose ? spdlog::level::info : spdlog::level::warn);
  try {
    if (context.action) context.action();
  } catch (const std::exception& error) {
    std::cerr << "ledger: internal error: " << error.what() << "\n";
    return 70;
  }
  return context.exit_code;
}
