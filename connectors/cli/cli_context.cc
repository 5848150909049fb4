#include "connectors/cli/cli_context.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "projections/all_views.h"

namespace ledger {

std::unique_ptr<Engine> CliContext::open_engine(const std::string& dir) const {
  ProjectorOptions projector;
  projector.cached_bytes_max = cache_mib << 20;
  auto engine = open_ledger(dir, partitions, projector);
  if (!engine) {
    std::cerr << "ledger: cannot open the store: " << engine.status().to_string() << "\n";
    return nullptr;
  }
  return std::move(*engine);
}

void CliContext::fail(const std::string& message) {
  std::cerr << "ledger: " << message << "\n";
  exit_code = 1;
}

void on_run(CLI::App* command, CliContext& context, std::function<void()> run) {
  command->callback([&context, run = std::move(run)] { context.action = run; });
}

}  // namespace ledger
