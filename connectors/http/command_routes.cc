// The write side of the API: events (one or a batch, the JSON of `ledger ingest`), bill state
// changes (`ledger bill-state`) and billing runs (`ledger billing-run`).

#include <fmt/format.h>

#include <chrono>

#include "connectors/http/api_context.h"
#include "connectors/http/event_submission.h"
#include "connectors/json/view_json.h"
#include "engine/calendar.h"
#include "engine/key_encoding.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_queries.h"
#include "projections/row_codec.h"

namespace ledger::http {
namespace {

ApiOutcome parse_ordered(const httplib::Request& request, nlohmann::ordered_json& out) {
  try {
    out = nlohmann::ordered_json::parse(request.body);
  } catch (const nlohmann::json::parse_error& error) {
    return ApiError{400, "malformed_json", "body", fmt::format("body: not JSON ({})", error.what())};
  }
  return std::nullopt;
}

//! 201 when the event was appended and applied, 422 when the projector rejected it, 202 when
//! it is not projected yet; a replay answers as the original did.
int status_of(const nlohmann::json& result) {
  const std::string outcome = result.value("outcome", "");
  if (outcome == "rejected") return 422;
  if (outcome == "pending") return 202;
  return result.value("replay", false) ? 200 : 201;
}

ApiOutcome reply_submission(ApiContext& context, const EventSubmission& submission, nlohmann::json body,
                            int status, httplib::Response& response) {
  body["wait_for"] = offsets_header(submission.wait_for());
  auto snapshot = snapshot_of(context);
  return reply_json(response, snapshot, std::move(body), status);
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

//! A command's one event: submitted, and refused with the projector's reason when rejected.
ApiOutcome submit_command(const nlohmann::ordered_json& event, EventSubmission& submission) {
  if (auto bad = submission.add(event, "")) return bad;
  if (auto bad = submission.submit()) return bad;
  const nlohmann::json& result = submission.results().front();
  if (result.value("outcome", "") == "rejected") {
    const std::string message = result.value("message", result.value("reason", "rejected"));
    return ApiError{422, result.value("reason", "rejected"), field_of_message(message), message};
  }
  return std::nullopt;
}

}  // namespace

ApiOutcome post_event(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  nlohmann::ordered_json event;
  if (auto bad = parse_ordered(request, event)) {
    context.metrics.add_refused("malformed_json");
    return bad;
  }
  EventSubmission submission(context);
  if (auto bad = submission.add(event, "")) return bad;
  if (auto bad = submission.submit()) return bad;
  const nlohmann::json& result = submission.results().front();
  return reply_submission(context, submission, result, status_of(result), response);
}

ApiOutcome post_event_batch(ApiContext& context, const httplib::Request& request,
                            httplib::Response& response) {
  nlohmann::ordered_json body;
  if (auto bad = parse_ordered(request, body)) {
    context.metrics.add_refused("malformed_json");
    return bad;
  }
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key != "events")
        return bad_request("body." + key, "body." + key + ": unknown field (expected: events)");
    }
    if (!body.contains("events")) return bad_request("events", "events: required");
    body = body["events"];
  }
  if (!body.is_array()) return bad_request("events", "events: expected an array of events");
  if (body.empty()) return bad_request("events", "events: the batch is empty");
  if (body.size() > context.options.batch_max_events) {
    context.metrics.add_refused("batch_too_large", body.size());
    return ApiError{413, "batch_too_large", "events",
                    fmt::format("events: {} events, more than the {} a batch may hold", body.size(),
                                context.options.batch_max_events)};
  }
  EventSubmission submission(context);
  for (size_t i = 0; i < body.size(); ++i) {
    if (auto bad = submission.add(body[i], fmt::format("events[{}]", i))) return bad;
  }
  if (auto bad = submission.submit()) return bad;
  size_t applied = 0, rejected = 0, replayed = 0, pending = 0;
  for (const auto& r : submission.results()) {
    const std::string outcome = r.value("outcome", "");
    applied += outcome == "applied";
    rejected += outcome == "rejected";
    pending += outcome == "pending";
    replayed += r.value("replay", false);
  }
  nlohmann::json out = {{"results", submission.results()},
                        {"appended", submission.appended()},
                        {"applied", applied},
                        {"rejected", rejected},
                        {"replayed", replayed},
                        {"pending", pending}};
  return reply_submission(context, submission, std::move(out), pending > 0 ? 202 : 200, response);
}

ApiOutcome post_bill_state(ApiContext& context, const httplib::Request& request,
                           httplib::Response& response) {
  nlohmann::json body;
  if (auto bad = parse_body_object(request, body)) return bad;
  if (auto bad = check_keys(body, {"state", "note"}, "body")) return bad;
  if (!body.contains("state") || !body["state"].is_string() || body["state"].get<std::string>().empty()) {
    return bad_request("body.state", "body.state: required, a lifecycle state such as Presented");
  }
  if (body.contains("note") && !body["note"].is_string())
    return bad_request("body.note", "body.note: expected a string");
  const std::string number = request.matches[1];
  std::lock_guard lock(context.command_mutex);
  if (!context.loop.wait_for(log_ends(context), context.options.wait_default)) {
    return ApiError{503, "not_caught_up", "", "the projector is behind the log; try again"};
  }
  std::optional<InvoiceDetail> bill;
  {
    auto snapshot = snapshot_of(context);
    auto found = query_invoice(context.engine.store(), snapshot, number, 0);
    if (!found) return from_status(found.status());
    if (!found->has_value()) return not_found("invoice", "invoice: no bill is numbered '" + number + "'");
    bill = std::move(**found);
  }
  const std::string state = body["state"];
  nlohmann::ordered_json event = {
      {"id", fmt::format("bill-state/{}/{}", number, bill->invoice.lifecycle_history.size() + 1)},
      {"account", bill->invoice.account},
      {"time_us", now_us()},
      {"body_type", "BillStateChanged"},
      {"body", {{"invoice_number", number}, {"state", state}, {"note", body.value("note", "")}}}};
  EventSubmission submission(context);
  if (auto refused = submit_command(event, submission)) return refused;
  return reply_submission(context, submission,
                          {{"invoice_number", number},
                           {"previous_state", bill->invoice.lifecycle_state},
                           {"lifecycle_state", state},
                           {"event", submission.results().front()}},
                          200, response);
}

namespace {

Result<int64_t> next_run_number(ApiContext& context) {
  auto snapshot = snapshot_of(context);
  int64_t last = 0;
  Status scanned = snapshot.scan(context.engine.store().column_family(InvoiceFamilies::kRuns), "",
                                 [&](std::string_view key, std::string_view) {
                                   last = std::max(last, static_cast<int64_t>(get_be<uint64_t>(key, 0)));
                                   return true;
                                 });
  if (!scanned) return scanned;
  return last + 1;
}

uint32_t invoices_closed(ApiContext& context, int64_t run_number) {
  auto snapshot = snapshot_of(context);
  uint32_t closed = 0;
  std::string prefix;
  put_u64_be(prefix, static_cast<uint64_t>(run_number));
  (void)snapshot.scan(context.engine.store().column_family(InvoiceFamilies::kRuns), prefix,
                      [&](std::string_view, std::string_view value) {
                        if (const auto* row = decode_row<view::BillingRunRow>(value))
                          closed += row->invoices_closed();
                        return true;
                      });
  return closed;
}

//! The body of POST /v1/billing-runs, checked field by field.
ApiOutcome billing_run_body(const nlohmann::json& body, nlohmann::ordered_json& run, int32_t& as_of) {
  if (auto bad = check_keys(body, {"as_of", "operator", "accounts", "kind", "run_number"}, "body"))
    return bad;
  if (!body.contains("as_of") || !body["as_of"].is_string())
    return bad_request("body.as_of", "body.as_of: required, YYYY-MM-DD");
  auto day = parse_day(body["as_of"].get<std::string>(), "body.as_of");
  if (!day) return bad_request("body.as_of", day.status().message());
  as_of = *day;
  if (body.contains("operator") && !body["operator"].is_string())
    return bad_request("body.operator", "body.operator: expected a string");
  if (body.contains("accounts")) {
    const auto& accounts = body["accounts"];
    bool strings = accounts.is_array();
    for (const auto& a : accounts) strings = strings && a.is_string();
    if (!strings) return bad_request("body.accounts", "body.accounts: expected an array of account ids");
  }
  const std::string kind = body.value("kind", "");
  if (body.contains("kind") && (!body["kind"].is_string() || (kind != "scheduled" && kind != "manual")))
    return bad_request("body.kind", "body.kind: expected scheduled or manual");
  if (body.contains("run_number") &&
      (!body["run_number"].is_number_integer() || body["run_number"].get<int64_t>() < 1))
    return bad_request("body.run_number", "body.run_number: expected a positive integer");
  const bool filtered = body.contains("operator") || body.contains("accounts");
  run = {{"as_of_day", as_of},
         {"kind",
          kind.empty() ? (filtered ? "Manual" : "Scheduled") : (kind == "manual" ? "Manual" : "Scheduled")}};
  if (body.contains("operator")) run["operator"] = body["operator"];
  if (body.contains("accounts")) run["accounts"] = body["accounts"];
  return std::nullopt;
}

}  // namespace

ApiOutcome post_billing_run(ApiContext& context, const httplib::Request& request,
                            httplib::Response& response) {
  nlohmann::json body;
  if (auto bad = parse_body_object(request, body)) return bad;
  nlohmann::ordered_json run;
  int32_t as_of = 0;
  if (auto bad = billing_run_body(body, run, as_of)) return bad;
  std::lock_guard lock(context.command_mutex);
  if (!context.loop.wait_for(log_ends(context), context.options.wait_default)) {
    return ApiError{503, "not_caught_up", "", "the projector is behind the log; try again"};
  }
  int64_t run_number = body.value("run_number", int64_t{0});
  if (run_number == 0) {
    auto next = next_run_number(context);
    if (!next) return from_status(next.status());
    run_number = *next;
  }
  nlohmann::ordered_json fields = {{"run_number", run_number}};
  fields.update(run);
  nlohmann::ordered_json event = {{"id", "billing-run-" + std::to_string(run_number)},
                                  {"time_us", days_since_epoch(as_of) * kMicrosPerDay},
                                  {"body_type", "BillingRun"},
                                  {"body", fields}};
  EventSubmission submission(context);
  if (auto refused = submit_command(event, submission)) return refused;
  return reply_submission(context, submission,
                          {{"run_number", run_number},
                           {"as_of_day", format_day(as_of)},
                           {"kind", run["kind"]},
                           {"invoices_closed", invoices_closed(context, run_number)},
                           {"event", submission.results().front()}},
                          201, response);
}

}  // namespace ledger::http
