// The read side of the API: accounts, previews, invoices, rejections, notifications, offsets.
// Each reads one snapshot and says which log offsets it reflects.

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "connectors/http/api_context.h"
#include "connectors/json/invoice_json.h"
#include "connectors/json/view_json.h"
#include "engine/calendar.h"
#include "projections/account_queries.h"
#include "projections/invoice_queries.h"

namespace ledger::http {
namespace {

constexpr size_t kListMax = 10'000;
//! Lines an invoice reply carries unless asked (`lines_limit`), and at most: a month of the
//! busiest account can hold tens of thousands of CDRs, megabytes of JSON in one reply.
constexpr size_t kLinesDefault = 200;
constexpr size_t kLinesMax = 10'000;

//! `lines_from` (the first line's number, default 1) and `lines_limit`.
ApiOutcome line_window_params(const httplib::Request& request, LineWindow& window) {
  size_t from_seq = 1;
  if (auto bad = count_param(request, "lines_from", UINT32_MAX, from_seq)) return bad;
  window.from_seq = static_cast<uint32_t>(from_seq);
  window.limit = kLinesDefault;
  return count_param(request, "lines_limit", kLinesMax, window.limit);
}

int32_t today() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return day_of_time_us(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

template <typename Row, typename ToJson>
nlohmann::json json_array(const std::vector<Row>& rows, ToJson to_json) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(to_json(row));
  return items;
}

}  // namespace

ApiOutcome get_accounts(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {"operator", "limit"})) return bad;
  size_t limit = 100;
  if (auto bad = count_param(request, "limit", kListMax, limit)) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  auto snapshot = snapshot_of(context);
  auto accounts = query_accounts(context.engine.store(), snapshot, param(request, "operator"), limit);
  if (!accounts) return from_status(accounts.status());
  return reply_json(response, snapshot, {{"accounts", json_array(*accounts, account_json)}});
}

ApiOutcome get_account(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {})) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  const std::string id = request.matches[1];
  auto snapshot = snapshot_of(context);
  auto account = query_account(context.engine.store(), snapshot, id);
  if (!account) return from_status(account.status());
  if (!account->has_value()) return not_found("account", "account: '" + id + "' was never opened");
  return reply_json(response, snapshot, account_json(**account));
}

ApiOutcome get_account_preview(ApiContext& context, const httplib::Request& request,
                               httplib::Response& response) {
  if (auto bad = check_params(request, {"lines_from", "lines_limit"})) return bad;
  LineWindow window;
  if (auto bad = line_window_params(request, window)) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  const std::string id = request.matches[1];
  auto snapshot = snapshot_of(context);
  auto previews = query_previews(context.engine.store(), snapshot, id, window);
  if (!previews) return from_status(previews.status());
  if (previews->empty()) return not_found("account", "account: '" + id + "' has no preview invoice");
  auto to_json = [](const InvoiceDetail& detail) { return invoice_json(detail, true); };
  return reply_json(response, snapshot, {{"previews", json_array(*previews, to_json)}});
}

ApiOutcome get_invoices(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {"account", "status", "from", "to", "as_of", "limit"})) return bad;
  InvoiceFilter filter;
  filter.account = param(request, "account");
  filter.status = param(request, "status");
  static const std::vector<std::string> kStatuses = {
      "", "Open", "Closed", "Settled", "Partially Settled", "Unsettled", "Overdue"};
  if (std::find(kStatuses.begin(), kStatuses.end(), filter.status) == kStatuses.end()) {
    return bad_request("status", "status: '" + filter.status +
                                     "' is not one of Open, Closed, Settled, Partially Settled, "
                                     "Unsettled, Overdue");
  }
  if (auto bad = day_param(request, "from", filter.from_day)) return bad;
  if (auto bad = day_param(request, "to", filter.to_day)) return bad;
  if (auto bad = day_param(request, "as_of", filter.as_of_day)) return bad;
  if (filter.from_day && filter.to_day && filter.from_day > filter.to_day) {
    return bad_request("from", "from: " + format_day(filter.from_day) + " is after to " +
                                   format_day(filter.to_day) + ": the range is empty");
  }
  if (auto bad = count_param(request, "limit", kListMax, filter.limit)) return bad;
  if (filter.as_of_day == 0) filter.as_of_day = today();
  if (auto bad = wait_after(context, request)) return bad;
  auto snapshot = snapshot_of(context);
  auto invoices = query_invoices(context.engine.store(), snapshot, filter);
  if (!invoices) return from_status(invoices.status());
  auto to_json = [](const InvoiceDetail& detail) { return invoice_json(detail, false); };
  return reply_json(
      response, snapshot,
      {{"invoices", json_array(*invoices, to_json)}, {"as_of_day", format_day(filter.as_of_day)}});
}

ApiOutcome get_invoice(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {"as_of", "lines_from", "lines_limit"})) return bad;
  int32_t as_of = 0;
  if (auto bad = day_param(request, "as_of", as_of)) return bad;
  LineWindow window;
  if (auto bad = line_window_params(request, window)) return bad;
  if (as_of == 0) as_of = today();
  if (auto bad = wait_after(context, request)) return bad;
  const std::string number = request.matches[1];
  auto snapshot = snapshot_of(context);
  auto detail = query_invoice(context.engine.store(), snapshot, number, as_of, window);
  if (!detail) return from_status(detail.status());
  if (!detail->has_value()) return not_found("invoice", "invoice: no bill is numbered '" + number + "'");
  nlohmann::json body = invoice_json(**detail, true);
  body["as_of_day"] = format_day(as_of);
  return reply_json(response, snapshot, std::move(body));
}

ApiOutcome get_rejections(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {"limit"})) return bad;
  size_t limit = 100;
  if (auto bad = count_param(request, "limit", kListMax, limit)) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  auto snapshot = snapshot_of(context);
  auto rows = query_rejections(context.engine.store(), snapshot, limit);
  if (!rows) return from_status(rows.status());
  return reply_json(response, snapshot, {{"rejections", json_array(*rows, rejection_json)}});
}

ApiOutcome get_notifications(ApiContext& context, const httplib::Request& request,
                             httplib::Response& response) {
  if (auto bad = check_params(request, {"limit"})) return bad;
  size_t limit = 100;
  if (auto bad = count_param(request, "limit", kListMax, limit)) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  auto snapshot = snapshot_of(context);
  auto rows = query_notifications(context.engine.store(), snapshot, limit);
  if (!rows) return from_status(rows.status());
  return reply_json(response, snapshot, {{"notifications", json_array(*rows, notification_json)}});
}

ApiOutcome get_offsets(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {})) return bad;
  if (auto bad = wait_after(context, request)) return bad;
  auto snapshot = snapshot_of(context);
  return reply_json(
      response, snapshot,
      {{"log_end", offsets_json(log_ends(context))}, {"projected", offsets_json(context.loop.projected())}});
}

}  // namespace ledger::http
