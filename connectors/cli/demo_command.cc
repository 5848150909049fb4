// ledger demo: generates a realistic data set, ingests it and shows where to look.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "connectors/cli/cli_context.h"
#include "connectors/cli/table.h"
#include "connectors/demo/demo_data.h"
#include "connectors/ingest/json_lines_ingester.h"
#include "engine/digest.h"
#include "engine/money.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "projections/invoice_queries.h"

namespace ledger {
namespace {

void print_where_to_look(const CliContext& context, const std::string& events_file, const std::string& bill) {
  const std::string ledger = context.program + " --data " + context.data_dir;
  std::cout << "\nWhere to look:\n"
            << fmt::format("  events (JSON lines)   {}\n", events_file)
            << fmt::format("  one account           {} account acme-isp-00000\n", ledger)
            << fmt::format("  its preview invoice   {} preview acme-isp-00000\n", ledger)
            << fmt::format("  its bills             {} invoices --account acme-isp-00000\n", ledger)
            << fmt::format("  one bill              {} invoice {}\n", ledger, bill)
            << fmt::format("  unpaid bills          {} invoices --status Unsettled\n", ledger)
            << fmt::format("  next billing run      {} billing-run --as-of 2026-12-03\n", ledger)
            << fmt::format("  balances by operator  {} accounts --operator nordtel\n", ledger)
            << fmt::format("  suspensions           {} notifications\n", ledger)
            << fmt::format("  rejected events       {} rejections\n", ledger)
            << fmt::format("  audit: rebuild views  {} replay --into /tmp/ledger-replay && {} digest\n",
                           ledger, ledger)
            << "  (every query takes --format json)\n";
}

void print_balances(Engine& engine) {
  ReadSnapshot snapshot(engine.store(), engine.log().partition_count());
  auto accounts = query_accounts(engine.store(), snapshot, "", 15);
  if (!accounts) return;
  TextTable table({"account", "operator", "currency", "balance", "credit limit", "available", "status"},
                  {false, false, false, true, true, true, false});
  for (const auto& s : *accounts) {
    const auto& a = s.account;
    table.add_row({a.account, a.operator_, a.currency, format_minor(s.balance.balance_minor, a.exponent),
                   format_minor(a.credit_limit_minor, a.exponent),
                   format_minor(s.available_minor, a.exponent), s.balance.suspended ? "suspended" : "open"});
  }
  std::cout << "\nBalances (first 15 accounts):\n";
  table.print(std::cout);
}

void run_demo(CliContext& context, const DemoOptions& options) {
  std::filesystem::create_directories(context.data_dir);
  const std::string events_file = (std::filesystem::path(context.data_dir) / "demo-events.jsonl").string();
  {
    std::ofstream out(events_file);
    if (!out) return context.fail("cannot write " + events_file);
    uint64_t written = write_demo_events(options, out);
    std::cout << fmt::format("demo: generated {} events for {} accounts over {} days -> {}\n", written,
                             options.accounts, options.days, events_file);
  }
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  std::ifstream in(events_file);
  JsonLinesIngester ingester(engine->log());
  auto report = ingester.ingest(
      in, [](const LineError& e) { std::cerr << "line " << e.line << ": " << e.message << "\n"; }, nullptr);
  if (!report) return context.fail("append failed: " + report.status().to_string());
  auto stats = engine->projector().catch_up();
  if (!stats) return context.fail("projection failed: " + stats.status().to_string());
  std::cout << fmt::format(
      "demo: {} appended; projected {} applied, {} rejected, {} duplicates (already there)\n",
      report->appended, stats->applied, stats->rejected, stats->duplicates);
  print_balances(*engine);
  if (auto digest = compute_digest(engine->store(), engine->views()))
    std::cout << "\ndigest: " << digest->hex << "\n";
  std::string bill = "NUMBER";
  {
    ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
    InvoiceFilter filter;
    filter.account = "acme-isp-00000";
    filter.status = "Closed";
    if (auto bills = query_invoices(engine->store(), snapshot, filter); bills && !bills->empty()) {
      bill = bills->back().invoice.invoice_number;
    }
  }
  print_where_to_look(context, events_file, bill);
}

}  // namespace

void add_demo_command(CLI::App& app, CliContext& context) {
  auto options = std::make_shared<DemoOptions>();
  auto* demo = app.add_subcommand("demo", "Generate a demo data set, ingest it and show the balances");
  demo->add_option("--accounts", options->accounts, "Accounts to generate")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  demo->add_option("--days", options->days, "Days of activity")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  demo->add_option("--seed", options->seed, "Random seed (same seed, same events)")->capture_default_str();
  on_run(demo, context, [&context, options] { run_demo(context, *options); });
}

}  // namespace ledger
