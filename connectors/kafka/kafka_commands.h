#pragma once

namespace CLI {
class App;
}

namespace ledger {

struct CliContext;

//! `ledger produce`, `ledger consume` and the Kafka options of the engine.
void add_kafka_commands(CLI::App& app, CliContext& context);

}  // namespace ledger
