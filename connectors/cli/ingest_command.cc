// ledger ingest [FILE]: appends JSON-line events to the log, then projects them.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "connectors/cli/cli_context.h"
#include "connectors/ingest/json_lines_ingester.h"

namespace ledger {
namespace {

struct IngestArgs {
  std::string file = "-";
  bool progress = false;
  bool no_project = false;
};

void print_summary(const CliContext& context, const IngestReport& report, const ProjectionStats& stats) {
  if (context.json()) {
    std::cout
        << fmt::format(
               R"({{"lines_read":{},"appended":{},"refused":{},"applied":{},"rejected":{},"duplicates":{}}})",
               report.lines_read, report.appended, report.refused, stats.applied, stats.rejected,
               stats.duplicates)
        << "\n";
    return;
  }
  std::cout << fmt::format("ingest: {} lines read, {} appended, {} refused\n", report.lines_read,
                           report.appended, report.refused);
  std::cout << fmt::format(
      "project: {} applied, {} rejected (see `ledger rejections`), {} duplicates ignored\n", stats.applied,
      stats.rejected, stats.duplicates);
}

void run_ingest(CliContext& context, const IngestArgs& args) {
  std::ifstream file;
  std::istream* input = &std::cin;
  if (args.file != "-") {
    file.open(args.file);
    if (!file) return context.fail("cannot read " + args.file);
    input = &file;
  }
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  JsonLinesIngester ingester(engine->log());
  auto report = ingester.ingest(
      *input,
      [](const LineError& error) { std::cerr << "line " << error.line << ": " << error.message << "\n"; },
      [&](uint64_t last_line, uint64_t appended) {
        if (args.progress) std::cout << "acked " << last_line << " " << appended << std::endl;
      });
  if (!report) return context.fail("append failed: " + report.status().to_string());
  ProjectionStats stats;
  if (!args.no_project) {
    auto projected = engine->projector().catch_up();
    if (!projected) return context.fail("projection failed: " + projected.status().to_string());
    stats = *projected;
  }
  print_summary(context, *report, stats);
  if (report->refused > 0) context.exit_code = 1;
}

}  // namespace

void add_ingest_command(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<IngestArgs>();
  auto* command =
      app.add_subcommand("ingest", "Append JSON-line events (from FILE or stdin) and project them");
  command->add_option("file", args->file, "JSON lines file; - for stdin")->capture_default_str();
  command->add_flag("--progress", args->progress, "Print 'acked LINE TOTAL' after each durable append");
  command->add_flag("--no-project", args->no_project, "Only append; project later");
  on_run(command, context, [&context, args] { run_ingest(context, *args); });
}

}  // namespace ledger
