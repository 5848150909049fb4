#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/http/api_error.h"
#include "connectors/http/metrics.h"
#include "connectors/http/projection_loop.h"
#include "engine/engine.h"
#include "engine/read_snapshot.h"

namespace ledger::http {

//! How `ledger serve` listens and the bounds it keeps.
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  //!< 0: any free port
  //! When set, every route but /healthz and /readyz needs `Authorization: Bearer <token>`
  //! (or the console's cookie). Required when bound to a non-loopback address.
  std::string token;
  //! A keep-alive connection holds its worker between requests (httplib serves a connection
  //! on one thread), so a client with more connections than workers waits behind the others:
  //! measured, 10 connections on 8 workers gave a 2.5 ms p99 for a 200 µs p50.
  size_t worker_threads = 16;
  size_t queue_max = 64;  //!< accepted connections waiting for a worker
  size_t body_max_bytes = 8 * 1024 * 1024;
  size_t batch_max_events = 10'000;
  std::chrono::milliseconds wait_default{5'000};  //!< read-your-writes wait when not given
  std::chrono::milliseconds wait_max{30'000};
  std::chrono::milliseconds ready_lag_bound{5'000};  //!< /readyz: longest tolerated lag
};

//! What every handler works with.
struct ApiContext {
  Engine& engine;
  ProjectionLoop& loop;
  Metrics& metrics;
  const ServeOptions& options;
  //! Serialises the commands that number their own events (bill states, billing runs).
  std::mutex command_mutex;
};

using Handler = ApiOutcome (*)(ApiContext&, const httplib::Request&, httplib::Response&);

//! One route of the API: the method, the path as the OpenAPI document writes it
//! ("/v1/accounts/{account}"), and its handler.
struct RouteSpec {
  std::string_view method;
  std::string_view path;
  Handler handler;
};

//! Every route the server has, in the order registered; the OpenAPI test reads this.
const std::vector<RouteSpec>& api_routes();

// --- request helpers -------------------------------------------------------------------

//! Refuses any query parameter not in `allowed`, naming it.
ApiOutcome check_params(const httplib::Request& request, std::initializer_list<std::string_view> allowed);
//! A query parameter, or "" when absent.
std::string param(const httplib::Request& request, const std::string& name);
//! An optional YYYY-MM-DD parameter into `day` (unchanged when absent).
ApiOutcome day_param(const httplib::Request& request, const std::string& name, int32_t& day);
//! An optional positive integer parameter at most `max`.
ApiOutcome count_param(const httplib::Request& request, const std::string& name, size_t max, size_t& value);
//! The request body as a JSON object; errors name "body" and where the JSON broke.
ApiOutcome parse_body_object(const httplib::Request& request, nlohmann::json& out);
//! Refuses keys of `object` not in `allowed`, naming them under `where` ("body.x").
ApiOutcome check_keys(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                      const std::string& where);

//! Honours `after=P:O,...` (wait until partition P has projected offset O-1, i.e. its next
//! offset is at least O) within `wait_ms` (bounded by options.wait_max): 400 on a bad value,
//! 503 when the wait timed out.
ApiOutcome wait_after(ApiContext& context, const httplib::Request& request);
//! Every partition's end offset now: what a client waits for to read its own writes.
std::vector<uint64_t> log_ends(ApiContext& context);

//! "0:12,1:5": the offsets header value.
std::string offsets_header(const std::vector<uint64_t>& offsets);
//! Writes `body` with "offsets" added from the snapshot, and the X-Ledger-Offsets header.
ApiOutcome reply_json(httplib::Response& response, const ReadSnapshot& snapshot, nlohmann::json body,
                      int status = 200);
//! A snapshot of the store for reads.
inline ReadSnapshot snapshot_of(ApiContext& context) {
  return ReadSnapshot(context.engine.store(), context.engine.log().partition_count());
}

// --- handlers, by area ---------------------------------------------------------------------

ApiOutcome get_accounts(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_account(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_account_preview(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_invoices(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_invoice(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_rejections(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_notifications(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_offsets(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome get_report(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome post_event(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome post_event_batch(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome post_bill_state(ApiContext&, const httplib::Request&, httplib::Response&);
ApiOutcome post_billing_run(ApiContext&, const httplib::Request&, httplib::Response&);

}  // namespace ledger::http
