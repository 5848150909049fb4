#include "connectors/kafka/kafka_commands.h"

#include <CLI/CLI.hpp>

#include "connectors/cli/cli_context.h"

namespace ledger {

void add_kafka_commands(CLI::App&, CliContext&) {}

}  // namespace ledger
