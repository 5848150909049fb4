// The route table: every route the server registers, as the OpenAPI document names it.

#include <fmt/format.h>

#include "connectors/http/api_context.h"
#include "connectors/http/embedded_assets.h"

namespace ledger::http {
namespace {

ApiOutcome get_healthz(ApiContext&, const httplib::Request&, httplib::Response& response) {
  response.set_content(R"({"status":"ok"})", "application/json");
  return std::nullopt;
}

ApiOutcome get_readyz(ApiContext& context, const httplib::Request&, httplib::Response& response) {
  const bool ready = context.loop.ready(context.options.ready_lag_bound);
  const auto projected = context.loop.projected();
  const auto ends = log_ends(context);
  uint64_t lag = 0;
  for (size_t p = 0; p < ends.size(); ++p) lag += ends[p] > projected[p] ? ends[p] - projected[p] : 0;
  response.status = ready ? 200 : 503;
  response.set_header("X-Ledger-Offsets", offsets_header(projected));
  response.set_content(
      nlohmann::json({{"status", ready ? "ready" : "catching_up"}, {"lag_events", lag}}).dump(),
      "application/json");
  return std::nullopt;
}

ApiOutcome get_metrics(ApiContext& context, const httplib::Request&, httplib::Response& response) {
  const auto projected = context.loop.projected();
  const auto ends = log_ends(context);
  std::vector<uint64_t> lag(ends.size(), 0);
  for (size_t p = 0; p < ends.size(); ++p) lag[p] = ends[p] > projected[p] ? ends[p] - projected[p] : 0;
  response.set_content(context.metrics.render(lag), "text/plain; version=0.0.4; charset=utf-8");
  return std::nullopt;
}

ApiOutcome get_openapi(ApiContext&, const httplib::Request&, httplib::Response& response) {
  const EmbeddedAsset* document = find_asset("openapi.json");
  if (!document) return ApiError{500, "internal", "", "the OpenAPI document is not embedded"};
  response.set_content(std::string(document->bytes), "application/json");
  return std::nullopt;
}

}  // namespace

const std::vector<RouteSpec>& api_routes() {
  static const std::vector<RouteSpec> kRoutes = {
      {"GET", "/healthz", get_healthz},
      {"GET", "/readyz", get_readyz},
      {"GET", "/metrics", get_metrics},
      {"GET", "/v1/openapi.json", get_openapi},
      {"GET", "/v1/offsets", get_offsets},
      {"POST", "/v1/events", post_event},
      {"POST", "/v1/events/batch", post_event_batch},
      {"GET", "/v1/accounts", get_accounts},
      {"GET", "/v1/accounts/{account}", get_account},
      {"GET", "/v1/accounts/{account}/preview", get_account_preview},
      {"GET", "/v1/invoices", get_invoices},
      {"GET", "/v1/invoices/{number}", get_invoice},
      {"POST", "/v1/invoices/{number}/state", post_bill_state},
      {"POST", "/v1/billing-runs", post_billing_run},
      {"GET", "/v1/reports/{report}", get_report},
      {"GET", "/v1/rejections", get_rejections},
      {"GET", "/v1/notifications", get_notifications},
  };
  return kRoutes;
}

}  // namespace ledger::http
