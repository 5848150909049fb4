#pragma once

namespace CLI {
class App;
}

namespace ledger {

struct CliContext;

//! `ledger serve`: the projector and the HTTP API and web console.
void add_serve_command(CLI::App& app, CliContext& context);

}  // namespace ledger
