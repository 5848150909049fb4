// ledger replay --into DIR | digest | project: rebuild, fingerprint and catch up the views.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "connectors/cli/cli_context.h"
#include "engine/digest.h"

namespace ledger {
namespace {

void print_digest(const CliContext& context, const Digest& digest, const std::string& dir) {
  if (context.json()) {
    std::cout << fmt::format(R"({{"digest":"{}","rows":{},"data":"{}"}})", digest.hex, digest.rows, dir)
              << "\n";
  } else {
    std::cout << digest.hex << "  " << digest.rows << " rows  " << dir << "\n";
  }
}

void run_replay(CliContext& context, const std::string& into) {
  std::error_code error;
  if (std::filesystem::exists(into, error) && !std::filesystem::is_empty(into, error)) {
    return context.fail("--into: " + into + " is not empty; replay builds a new store from scratch");
  }
  auto source = context.open_engine();
  if (!source) return void(context.exit_code = 1);
  CliContext target_context = context;
  target_context.partitions = source->log().partition_count();
  auto target = target_context.open_engine(into);
  if (!target) return void(context.exit_code = 1);
  if (Status copied = target->log().copy_from(source->log()); !copied) {
    return context.fail("copying the log: " + copied.to_string());
  }
  auto stats = target->projector().catch_up();
  if (!stats) return context.fail("replay failed: " + stats.status().to_string());
  auto digest = compute_digest(target->store(), target->views());
  if (!digest) return context.fail(digest.status().to_string());
  if (!context.json()) {
    std::cout << fmt::format("replay: {} applied, {} rejected, {} duplicates ignored\n", stats->applied,
                             stats->rejected, stats->duplicates);
  }
  print_digest(context, *digest, into);
}

void run_digest(CliContext& context) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  auto digest = compute_digest(engine->store(), engine->views());
  if (!digest) return context.fail(digest.status().to_string());
  print_digest(context, *digest, context.data_dir);
}

void run_project(CliContext& context) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  auto stats = engine->projector().catch_up();
  if (!stats) return context.fail("projection failed: " + stats.status().to_string());
  std::cout << fmt::format("project: {} applied, {} rejected, {} duplicates ignored\n", stats->applied,
                           stats->rejected, stats->duplicates);
}

}  // namespace

void add_replay_commands(CLI::App& app, CliContext& context) {
  auto into = std::make_shared<std::string>();
  auto* replay = app.add_subcommand("replay", "Rebuild every view from the log into a new, empty store");
  replay->add_option("--into", *into, "Directory of the new store (must not exist or be empty)")->required();
  on_run(replay, context, [&context, into] { run_replay(context, *into); });

  auto* digest = app.add_subcommand("digest", "A hash of every view's contents, in key order");
  on_run(digest, context, [&context] { run_digest(context); });

  auto* project = app.add_subcommand("project", "Project whatever the log holds beyond the stored offsets");
  on_run(project, context, [&context] { run_project(context); });
}

}  // namespace ledger
