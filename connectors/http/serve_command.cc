// ledger serve: the projector running continuously, the HTTP JSON API and the web console.

#include "connectors/http/serve_command.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "connectors/cli/cli_context.h"
#include "connectors/http/api_server.h"

namespace ledger {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  std::string token;
  http::ServeOptions options;
};

//! "HOST:PORT" or "[V6]:PORT"; an error names --listen.
Status parse_listen(const std::string& text, http::ServeOptions& options) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::invalid_argument("--listen: '" + text + "' is not HOST:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) return Status::invalid_argument("--listen: '" + text + "' has no valid port");
  options.host = host;
  options.port = port;
  return Status::ok();
}

void run_serve(CliContext& context, ServeArgs& args) {
  if (Status parsed = parse_listen(args.listen, args.options); !parsed) return context.fail(parsed.message());
  args.options.token = args.token;
  if (args.options.token.empty()) {
    if (const char* token = std::getenv("LEDGER_TOKEN")) args.options.token = token;
  }
  // SIGINT and SIGTERM go to one thread that stops the server, whatever thread the kernel picks.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  http::ApiServer server(*engine, args.options);
  auto port = server.bind();
  if (!port) return context.fail(port.status().message());
  const std::string host =
      args.options.host.find(':') != std::string::npos ? "[" + args.options.host + "]" : args.options.host;
  std::cout << fmt::format("ledger serve: listening on http://{}:{}/ (data {}, {} workers, queue {})", host,
                           *port, context.data_dir, args.options.worker_threads, args.options.queue_max)
            << std::endl;
  std::thread waiter([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
  });
  server.serve();
  server.stop();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes sigwait when the server stopped on its own
  waiter.join();
  std::cout << "ledger serve: stopped" << std::endl;
}

}  // namespace

void add_serve_command(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve =
      app.add_subcommand("serve", "Project continuously and serve the HTTP API (/v1) and web console");
  serve->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option(
      "--token", args->token,
      "Bearer token guarding the API and console (default: $LEDGER_TOKEN; required off loopback)");
  serve->add_option("--threads", args->options.worker_threads, "HTTP worker threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve->add_option("--queue", args->options.queue_max, "Accepted connections waiting for a worker, at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve->add_option("--max-body-bytes", args->options.body_max_bytes, "Largest request body (413 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1 << 30));
  serve
      ->add_option("--max-batch-events", args->options.batch_max_events,
                   "Most events in one batch (413 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  on_run(serve, context, [&context, args] { run_serve(context, *args); });
}

}  // namespace ledger
