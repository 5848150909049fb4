#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/engine.h"

namespace CLI {
class App;
}

namespace ledger {

//! Options every command shares, and the exit code the chosen command sets.
struct CliContext {
  std::string program = "ledger";  //!< how this binary was invoked (argv[0])
  std::string data_dir = "./data";
  uint32_t partitions = 0;
  //! The projector's row cache, all partitions together (ProjectorOptions::cached_bytes_max).
  size_t cache_mib = ProjectorOptions{}.cached_bytes_max >> 20;
  std::string format = "table";  //!< table | json
  bool verbose = false;
  int exit_code = 0;
  //! What the chosen command does; run after parsing, once logging is set up.
  std::function<void()> action;

  //! Opens the engine on data_dir with every view; prints the error and returns null on failure.
  std::unique_ptr<Engine> open_engine(const std::string& dir) const;
  std::unique_ptr<Engine> open_engine() const { return open_engine(data_dir); }
  bool json() const { return format == "json"; }
  //! Prints "ledger: <error>" to stderr and sets the exit code.
  void fail(const std::string& message);
};

//! Makes `run` the action of `command` when it is the one chosen.
void on_run(CLI::App* command, CliContext& context, std::function<void()> run);

void add_ingest_command(CLI::App& app, CliContext& context);
void add_account_commands(CLI::App& app, CliContext& context);
void add_replay_commands(CLI::App& app, CliContext& context);
void add_demo_command(CLI::App& app, CliContext& context);
void add_invoice_commands(CLI::App& app, CliContext& context);
void add_report_command(CLI::App& app, CliContext& context);

}  // namespace ledger
