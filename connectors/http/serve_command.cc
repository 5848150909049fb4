#include "connectors/http/serve_command.h"

#include <CLI/CLI.hpp>

#include "connectors/cli/cli_context.h"

namespace ledger {

void add_serve_command(CLI::App&, CliContext&) {}

}  // namespace ledger
