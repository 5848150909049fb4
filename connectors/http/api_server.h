#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>

#include "connectors/http/api_context.h"
#include "connectors/http/metrics.h"
#include "connectors/http/projection_loop.h"
#include "engine/engine.h"
#include "engine/status.h"

namespace ledger::http {

//! The HTTP face of one engine: the API routes of api_routes(), the web console, health and
//! metrics, served by a bounded worker pool, with the projection loop running beside it.
class ApiServer {
 public:
  ApiServer(Engine& engine, ServeOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  //! Checks the options, binds the address and starts the projection loop. Returns the port
  //! bound (the one chosen when options.port is 0).
  Result<int> bind();
  //! Serves until stop(); call after bind(). Returns at once if stop() came first.
  void serve();
  //! Stops serving and the projection loop; safe from any thread, any number of times, and
  //! before serve() has started listening.
  void stop();

  ProjectionLoop& loop() { return loop_; }

 private:
  void register_api();
  void register_console();
  bool authorized(const httplib::Request& request) const;
  void write_error(httplib::Response& response, const ApiError& error) const;

  ServeOptions options_;
  Metrics metrics_;
  ProjectionLoop loop_;
  ApiContext context_;
  httplib::Server server_;
  //! httplib's stop() does nothing until its listen loop runs, so stop() and serve() meet here.
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> serve_entered_{false};
  std::atomic<bool> serve_returned_{false};
};

//! Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

}  // namespace ledger::http
