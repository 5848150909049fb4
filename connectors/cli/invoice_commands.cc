// ledger billing-run | preview | invoices | invoice | bill-state: the invoices of BILLING.md
// sections 5 and 6.

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "connectors/cli/cli_context.h"
#include "connectors/cli/table.h"
#include "connectors/json/invoice_json.h"
#include "connectors/json/view_json.h"
#include "engine/calendar.h"
#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "engine/money.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/invoice_keys.h"
#include "projections/invoice_queries.h"
#include "projections/invoice_tables.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

//! Appends one event made by the CLI through the same door as `ingest`, then projects it.
//! Returns the rejection message when the projector rejected it.
Result<std::optional<std::string>> append_and_project(Engine& engine, const nlohmann::json& event) {
  EventCodec codec;
  auto bytes = codec.from_json(event.dump());
  if (!bytes) return bytes.status();
  const schema::Event* decoded = schema::GetEvent(bytes->data());
  std::string account = event.value("account", "");
  AppendRequest request{account, *bytes, is_broadcast(decoded->body_type())};
  if (Status appended = engine.log().append({&request, 1}, nullptr); !appended) return appended;
  auto stats = engine.projector().catch_up();
  if (!stats) return stats.status();
  if (stats->rejected == 0) return std::optional<std::string>();
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto rejections = query_rejections(engine.store(), snapshot, SIZE_MAX);
  if (!rejections) return rejections.status();
  for (auto it = rejections->rbegin(); it != rejections->rend(); ++it) {
    if (it->event_id == event["id"]) return std::optional<std::string>(it->reason + ": " + it->message);
  }
  return std::optional<std::string>("rejected");
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string amount(int64_t minor, const view::InvoiceRowT& invoice) {
  return format_minor(minor, invoice.exponent);
}

// ---------------------------------------------------------------------------------------
// billing-run

struct BillingRunArgs {
  std::string as_of;
  std::string operator_filter;
  std::vector<std::string> accounts;
  std::string kind;  // scheduled | manual; default: manual with a filter, else scheduled
  int64_t run_number = 0;
};

Result<int64_t> next_run_number(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  int64_t last = 0;
  Status scanned = snapshot.scan(engine.store().column_family(InvoiceFamilies::kRuns), "",
                                 [&](std::string_view key, std::string_view) {
                                   last = std::max(last, static_cast<int64_t>(get_be<uint64_t>(key, 0)));
                                   return true;
                                 });
  if (!scanned) return scanned;
  return last + 1;
}

void run_billing_run(CliContext& context, const BillingRunArgs& args) {
  auto as_of = parse_day(args.as_of, "--as-of");
  if (!as_of) return context.fail(as_of.status().message());
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  int64_t run_number = args.run_number;
  if (run_number == 0) {
    auto next = next_run_number(*engine);
    if (!next) return context.fail(next.status().to_string());
    run_number = *next;
  }
  const bool filtered = !args.operator_filter.empty() || !args.accounts.empty();
  const std::string kind = args.kind.empty() ? (filtered ? "Manual" : "Scheduled")
                                             : (args.kind == "manual" ? "Manual" : "Scheduled");
  nlohmann::json body = {{"run_number", run_number}, {"as_of_day", *as_of}, {"kind", kind}};
  if (!args.operator_filter.empty()) body["operator"] = args.operator_filter;
  if (!args.accounts.empty()) body["accounts"] = args.accounts;
  nlohmann::json event = {{"id", "billing-run-" + std::to_string(run_number)},
                          {"time_us", days_since_epoch(*as_of) * kMicrosPerDay},
                          {"body_type", "BillingRun"},
                          {"body", body}};
  auto rejected = append_and_project(*engine, event);
  if (!rejected) return context.fail(rejected.status().to_string());
  if (*rejected)
    return context.fail("billing run " + std::to_string(run_number) + " rejected: " + **rejected);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  uint32_t closed = 0;
  std::string prefix;
  put_u64_be(prefix, static_cast<uint64_t>(run_number));
  (void)snapshot.scan(engine->store().column_family(InvoiceFamilies::kRuns), prefix,
                      [&](std::string_view, std::string_view value) {
                        if (const auto* row = decode_row<view::BillingRunRow>(value))
                          closed += row->invoices_closed();
                        return true;
                      });
  if (context.json()) {
    std::cout << nlohmann::json({{"run_number", run_number},
                                 {"as_of_day", format_day(*as_of)},
                                 {"kind", kind},
                                 {"invoices_closed", closed}})
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << fmt::format("billing run {} as of {} ({}): {} invoices closed\n", run_number,
                           format_day(*as_of), kind, closed);
}

// ---------------------------------------------------------------------------------------
// preview, invoice, invoices

void print_statement(const InvoiceDetail& detail) {
  const auto& invoice = detail.invoice;
  TextTable table({"#", "date", "kind", "description", "amount", "balance", ""},
                  {true, false, false, false, true, true, false});
  table.add_row({"", format_day(invoice.from_day), "", "Balance brought forward", "",
                 amount(invoice.balance_brought_forward_minor, invoice), ""});
  int64_t running = invoice.balance_brought_forward_minor;
  for (const auto& line : detail.lines) {
    running += line.amount_minor;
    table.add_row({std::to_string(line.seq), format_time_us(line.time_us).substr(0, 10),
                   view::EnumNameLineKind(line.kind), line.description, amount(line.amount_minor, invoice),
                   amount(running, invoice), line.late ? "late" : ""});
  }
  table.print(std::cout);
}

void print_totals(const InvoiceDetail& detail) {
  const auto& i = detail.invoice;
  std::cout << fmt::format("brought forward {}  debited {}  credited {}  billed {}  paid {}  to pay {} {}\n",
                           amount(i.balance_brought_forward_minor, i), amount(i.total_debited_minor, i),
                           amount(i.total_credited_minor, i), amount(detail.total_billed_minor, i),
                           amount(i.total_paid_minor, i), amount(detail.total_to_pay_minor, i), i.currency);
}

void print_tables(const InvoiceDetail& detail) {
  const auto& i = detail.invoice;
  const InvoiceTables& tables = detail.tables;
  if (!tables.charges.empty()) {
    TextTable t({"#", "description", "quantity", "months", "unit price", "discount", "taxes", "amount"},
                {true, false, true, true, true, true, true, true});
    for (const auto& l : tables.charges) {
      t.add_row({std::to_string(l.seq), l.description, format_minor(l.quantity_milli, 3),
                 std::to_string(l.duration_months), format_minor(l.unit_price_micro, 6),
                 amount(l.discount_minor, i), amount(l.tax_minor, i), amount(l.amount_minor, i)});
    }
    std::cout << "\nCharges\n";
    t.print(std::cout);
  }
  if (!tables.usage.empty()) {
    TextTable t({"destination", "calls", "seconds", "amount"}, {false, true, true, true});
    for (const auto& u : tables.usage) {
      t.add_row(
          {u.destination, std::to_string(u.calls), std::to_string(u.seconds), amount(u.amount_minor, i)});
    }
    std::cout << "\nUsage\n";
    t.print(std::cout);
  }
  if (!tables.corrections.empty()) {
    TextTable t({"#", "description", "current debt changed", "approved at"}, {true, false, true, false});
    for (const auto& l : tables.corrections) {
      t.add_row({std::to_string(l.seq), l.description,
                 std::string(l.amount_minor >= 0 ? "▲ " : "▼ ") + amount(l.amount_minor, i),
                 format_time_us(l.approved_at_us)});
    }
    std::cout << "\nCorrections\n";
    t.print(std::cout);
  }
  if (!tables.taxes.empty()) {
    TextTable t({"code", "name", "amount"}, {false, false, true});
    for (const auto& tax : tables.taxes) t.add_row({tax.code, tax.name, amount(tax.amount_minor, i)});
    std::cout << "\nTaxes\n";
    t.print(std::cout);
  }
}

void run_preview(CliContext& context, const std::string& account) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto previews = query_previews(engine->store(), snapshot, account);
  auto offsets = snapshot.offsets();
  if (!previews || !offsets)
    return context.fail((previews ? offsets.status() : previews.status()).to_string());
  if (previews->empty())
    return context.fail("account: '" + account + "' has no preview invoice (never opened?)");
  if (context.json()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& p : *previews) items.push_back(invoice_json(p, true));
    std::cout << nlohmann::json({{"previews", items}, {"offsets", offsets_json(*offsets)}}).dump(2) << "\n";
    return;
  }
  for (const auto& p : *previews) {
    std::cout << fmt::format("Preview invoice  {}  {} .. {}  ({})\n", account, format_day(p.invoice.from_day),
                             format_day(p.invoice.to_day), p.invoice.operator_);
    print_statement(p);
    print_totals(p);
    print_tables(p);
    std::cout << "\n";
  }
}

void run_invoice(CliContext& context, const std::string& number, const std::string& as_of_text) {
  int32_t as_of = 0;
  if (!as_of_text.empty()) {
    auto parsed = parse_day(as_of_text, "--as-of");
    if (!parsed) return context.fail(parsed.status().message());
    as_of = *parsed;
  }
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  if (as_of == 0) as_of = day_of_time_us(now_us());
  auto detail = query_invoice(engine->store(), snapshot, number, as_of);
  auto offsets = snapshot.offsets();
  if (!detail || !offsets) return context.fail((detail ? offsets.status() : detail.status()).to_string());
  if (!detail->has_value()) return context.fail("invoice: no bill is numbered '" + number + "'");
  const InvoiceDetail& d = **detail;
  if (context.json()) {
    nlohmann::json out = invoice_json(d, true);
    out["as_of_day"] = format_day(as_of);
    out["offsets"] = offsets_json(*offsets);
    std::cout << out.dump(2) << "\n";
    return;
  }
  const auto& i = d.invoice;
  const auto& s = *d.standing;
  std::cout << fmt::format("Invoice {}  bill to {}  operator {}  {}\n", i.invoice_number, i.account,
                           i.operator_, i.currency);
  std::cout << fmt::format("period {} .. {}  closed {} ({}, run {} as of {})  due {}\n",
                           format_day(i.from_day), format_day(i.to_day), format_day(i.closed_day),
                           i.close_type, i.run_number, i.run_as_of_day ? format_day(i.run_as_of_day) : "-",
                           format_day(i.due_day));
  std::cout << fmt::format("lifecycle {}  settlement {}  payment request {} (as of {})  classification {}\n",
                           i.lifecycle_state, s.settlement, s.payment_request, format_day(as_of),
                           i.classification);
  std::cout << fmt::format("outstanding {}  unsettled {}\n", amount(s.outstanding_minor, i),
                           amount(s.unsettled_minor, i));
  if (!i.external_currency.empty()) {
    std::cout << fmt::format("external total {} {}  approved {}\n",
                             format_minor(i.external_total_minor, i.exponent), i.external_currency,
                             format_time_us(i.erp_approved_at_us));
  }
  print_totals(d);
  std::cout << "\n";
  print_statement(d);
  print_tables(d);
}

struct InvoicesArgs {
  InvoiceFilter filter;
  std::string from;
  std::string to;
  std::string as_of;
};

void run_invoices(CliContext& context, InvoicesArgs args) {
  for (auto [text, out, name] : {std::tuple{&args.from, &args.filter.from_day, "--from"},
                                 std::tuple{&args.to, &args.filter.to_day, "--to"},
                                 std::tuple{&args.as_of, &args.filter.as_of_day, "--as-of"}}) {
    if (text->empty()) continue;
    auto day = parse_day(*text, name);
    if (!day) return context.fail(day.status().message());
    *out = *day;
  }
  if (args.filter.from_day && args.filter.to_day && args.filter.from_day > args.filter.to_day) {
    return context.fail("--from: " + args.from + " is after --to " + args.to);
  }
  if (args.filter.as_of_day == 0) args.filter.as_of_day = day_of_time_us(now_us());
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto invoices = query_invoices(engine->store(), snapshot, args.filter);
  auto offsets = snapshot.offsets();
  if (!invoices || !offsets)
    return context.fail((invoices ? offsets.status() : invoices.status()).to_string());
  if (context.json()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : *invoices) items.push_back(invoice_json(d, false));
    std::cout << nlohmann::json({{"invoices", items}, {"offsets", offsets_json(*offsets)}}).dump(2) << "\n";
    return;
  }
  TextTable table({"number", "account", "from", "to", "status", "billed", "to pay", "currency", "settlement",
                   "due", "lifecycle"},
                  {false, false, false, false, false, true, true, false, false, false, false});
  for (const auto& d : *invoices) {
    const auto& i = d.invoice;
    const bool closed = i.status == view::InvoiceStatus::Closed;
    table.add_row({closed ? i.invoice_number : "(preview)", i.account, format_day(i.from_day),
                   format_day(i.to_day), view::EnumNameInvoiceStatus(i.status),
                   amount(d.total_billed_minor, i), amount(d.total_to_pay_minor, i), i.currency,
                   closed ? d.standing->settlement : "", closed ? format_day(i.due_day) : "",
                   i.lifecycle_state});
  }
  table.print(std::cout);
}

// ---------------------------------------------------------------------------------------
// bill-state

void run_bill_state(CliContext& context, const std::string& number, const std::string& state,
                    const std::string& note) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  std::optional<InvoiceDetail> bill;
  {
    ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
    auto found = query_invoice(engine->store(), snapshot, number, 0);
    if (!found) return context.fail(found.status().to_string());
    if (!found->has_value()) return context.fail("invoice: no bill is numbered '" + number + "'");
    bill = std::move(**found);
  }
  nlohmann::json event = {
      {"id", fmt::format("bill-state/{}/{}", number, bill->invoice.lifecycle_history.size() + 1)},
      {"account", bill->invoice.account},
      {"time_us", now_us()},
      {"body_type", "BillStateChanged"},
      {"body", {{"invoice_number", number}, {"state", state}, {"note", note}}}};
  auto rejected = append_and_project(*engine, event);
  if (!rejected) return context.fail(rejected.status().to_string());
  if (*rejected) return context.fail("bill " + number + ": " + **rejected);
  if (context.json()) {
    std::cout << nlohmann::json({{"invoice_number", number}, {"lifecycle_state", state}}).dump(2) << "\n";
  } else {
    std::cout << fmt::format("bill {}: {} -> {}\n", number, bill->invoice.lifecycle_state, state);
  }
}

}  // namespace

void add_invoice_commands(CLI::App& app, CliContext& context) {
  auto run_args = std::make_shared<BillingRunArgs>();
  auto* run = app.add_subcommand("billing-run", "Append a BillingRun event and project it (closes invoices)");
  run->add_option("--as-of", run_args->as_of, "As-of day, YYYY-MM-DD")->required();
  run->add_option("--operator", run_args->operator_filter, "Only this operator's accounts (a manual run)");
  run->add_option("--account", run_args->accounts, "Only these accounts (a manual run); repeatable");
  run->add_option("--kind", run_args->kind, "scheduled or manual (default: manual with a filter)")
      ->check(CLI::IsMember({"scheduled", "manual"}));
  run->add_option("--run-number", run_args->run_number, "Run number (default: the next one)")
      ->check(CLI::PositiveNumber);
  on_run(run, context, [&context, run_args] { run_billing_run(context, *run_args); });

  auto preview_account = std::make_shared<std::string>();
  auto* preview = app.add_subcommand("preview", "An account's open preview invoice(s), as a bank statement");
  preview->add_option("account", *preview_account, "Account id")->required();
  on_run(preview, context, [&context, preview_account] { run_preview(context, *preview_account); });

  auto invoices_args = std::make_shared<InvoicesArgs>();
  auto* invoices = app.add_subcommand("invoices", "Invoices: previews and closed bills");
  invoices->add_option("--account", invoices_args->filter.account, "Only this account");
  invoices
      ->add_option("--status", invoices_args->filter.status,
                   "Open, Closed, Settled, Partially Settled, Unsettled, Overdue")
      ->check(CLI::IsMember({"Open", "Closed", "Settled", "Partially Settled", "Unsettled", "Overdue"}));
  invoices->add_option("--from", invoices_args->from, "Periods ending on or after this day");
  invoices->add_option("--to", invoices_args->to, "Periods starting on or before this day");
  invoices->add_option("--as-of", invoices_args->as_of, "Day for settlement and overdue (default: today)");
  invoices->add_option("--limit", invoices_args->filter.limit, "At most this many")->capture_default_str();
  on_run(invoices, context, [&context, invoices_args] { run_invoices(context, *invoices_args); });

  auto number = std::make_shared<std::string>();
  auto as_of = std::make_shared<std::string>();
  auto* invoice = app.add_subcommand("invoice", "One bill with every field and table");
  invoice->add_option("number", *number, "Invoice number")->required();
  invoice->add_option("--as-of", *as_of,
                      "Day the settlement and payment request are computed for (default: today)");
  on_run(invoice, context, [&context, number, as_of] { run_invoice(context, *number, *as_of); });

  auto state_number = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto* bill_state =
      app.add_subcommand("bill-state", "Move a bill through its lifecycle (appends BillStateChanged)");
  bill_state->add_option("number", *state_number, "Invoice number")->required();
  bill_state
      ->add_option("state", *state,
                   "Presented | Presented and Confirmed | Presented and Rejected | Printed | ...")
      ->required();
  bill_state->add_option("--note", *note, "A note kept in the history");
  on_run(bill_state, context,
         [&context, state_number, state, note] { run_bill_state(context, *state_number, *state, *note); });
}

}  // namespace ledger
