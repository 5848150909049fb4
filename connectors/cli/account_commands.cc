// ledger account ID | accounts | rejections | notifications: read the account views.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "connectors/cli/cli_context.h"
#include "connectors/cli/table.h"
#include "connectors/json/view_json.h"
#include "engine/money.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"

namespace ledger {
namespace {

struct ListArgs {
  std::string operator_filter;
  size_t limit = 50;
};

void print_json(const nlohmann::json& items, const std::string& name, const std::vector<uint64_t>& offsets) {
  nlohmann::json out = {{name, items}, {"offsets", offsets_json(offsets)}};
  std::cout << out.dump(2) << "\n";
}

std::vector<std::string> account_row(const AccountSummary& s) {
  const auto& a = s.account;
  return {a.account,
          a.operator_,
          a.currency,
          format_minor(s.balance.balance_minor, a.exponent),
          format_minor(a.credit_limit_minor, a.exponent),
          format_minor(s.available_minor, a.exponent),
          s.balance.suspended ? "suspended" : view::EnumNameAccountStatus(a.status)};
}

TextTable account_table() {
  return TextTable({"account", "operator", "currency", "balance", "credit limit", "available", "status"},
                   {false, false, false, true, true, true, false});
}

void run_account(CliContext& context, const std::string& account_id) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto offsets = snapshot.offsets();
  auto account = query_account(engine->store(), snapshot, account_id);
  if (!account || !offsets) return context.fail((account ? offsets.status() : account.status()).to_string());
  if (!account->has_value()) {
    context.fail("account: '" + account_id + "' was never opened (or its events are not projected yet)");
    return;
  }
  const AccountSummary& s = **account;
  if (context.json()) {
    nlohmann::json out = account_json(s);
    out["offsets"] = offsets_json(*offsets);
    std::cout << out.dump(2) << "\n";
    return;
  }
  const auto& a = s.account;
  std::cout << fmt::format("account       {}\nname          {}\noperator      {}\nstatus        {}{}\n",
                           a.account, a.name, a.operator_, view::EnumNameAccountStatus(a.status),
                           s.balance.suspended ? " (suspended)" : "");
  std::cout << fmt::format("balance       {} {}  (owed; negative = credit)\n",
                           format_minor(s.balance.balance_minor, a.exponent), a.currency);
  std::cout << fmt::format("credit limit  {} {}\navailable     {} {}\n",
                           format_minor(a.credit_limit_minor, a.exponent), a.currency,
                           format_minor(s.available_minor, a.exponent), a.currency);
  std::cout << fmt::format("debited       {}\ncredited      {}\ninvoice day   {}\nevents        {}\n",
                           format_minor(s.balance.debited_minor, a.exponent),
                           format_minor(s.balance.credited_minor, a.exponent), a.invoice_day,
                           s.balance.events_applied);
}

void run_accounts(CliContext& context, const ListArgs& args) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto offsets = snapshot.offsets();
  auto accounts = query_accounts(engine->store(), snapshot, args.operator_filter, args.limit);
  if (!accounts || !offsets)
    return context.fail((accounts ? offsets.status() : accounts.status()).to_string());
  if (context.json()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : *accounts) items.push_back(account_json(s));
    return print_json(items, "accounts", *offsets);
  }
  TextTable table = account_table();
  for (const auto& s : *accounts) table.add_row(account_row(s));
  table.print(std::cout);
}

void run_rejections(CliContext& context, const ListArgs& args) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto offsets = snapshot.offsets();
  auto rows = query_rejections(engine->store(), snapshot, args.limit);
  if (!rows || !offsets) return context.fail((rows ? offsets.status() : rows.status()).to_string());
  if (context.json()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row : *rows) items.push_back(rejection_json(row));
    return print_json(items, "rejections", *offsets);
  }
  TextTable table({"partition", "offset", "event id", "account", "kind", "reason", "message"},
                  {true, true, false, false, false, false, false});
  for (const auto& r : *rows) {
    table.add_row({std::to_string(r.partition), std::to_string(r.offset), r.event_id, r.account, r.body_type,
                   r.reason, r.message});
  }
  table.print(std::cout);
}

void run_notifications(CliContext& context, const ListArgs& args) {
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto offsets = snapshot.offsets();
  auto rows = query_notifications(engine->store(), snapshot, args.limit);
  if (!rows || !offsets) return context.fail((rows ? offsets.status() : rows.status()).to_string());
  if (context.json()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row : *rows) items.push_back(notification_json(row));
    return print_json(items, "notifications", *offsets);
  }
  TextTable table({"notification id", "kind", "account", "balance", "credit limit", "time"},
                  {false, false, false, true, true, false});
  for (const auto& n : *rows) {
    table.add_row({n.notification_id, view::EnumNameNotificationKind(n.kind), n.account,
                   std::to_string(n.balance_minor), std::to_string(n.credit_limit_minor),
                   format_time_us(n.time_us)});
  }
  table.print(std::cout);
}

void add_list_options(CLI::App* command, ListArgs& args) {
  command->add_option("--limit", args.limit, "At most this many rows")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

}  // namespace

void add_account_commands(CLI::App& app, CliContext& context) {
  auto account_id = std::make_shared<std::string>();
  auto* account = app.add_subcommand("account", "An account's profile and balance");
  account->add_option("id", *account_id, "Account id")->required();
  on_run(account, context, [&context, account_id] { run_account(context, *account_id); });

  auto accounts_args = std::make_shared<ListArgs>();
  auto* accounts = app.add_subcommand("accounts", "Accounts with their balances, in id order");
  accounts->add_option("--operator", accounts_args->operator_filter, "Only this operator's accounts");
  add_list_options(accounts, *accounts_args);
  on_run(accounts, context, [&context, accounts_args] { run_accounts(context, *accounts_args); });

  auto rejections_args = std::make_shared<ListArgs>();
  auto* rejections = app.add_subcommand("rejections", "Events kept in the log but rejected, with the reason");
  add_list_options(rejections, *rejections_args);
  on_run(rejections, context, [&context, rejections_args] { run_rejections(context, *rejections_args); });

  auto notifications_args = std::make_shared<ListArgs>();
  auto* notifications = app.add_subcommand("notifications", "Suspension and re-enable notifications");
  add_list_options(notifications, *notifications_args);
  on_run(notifications, context,
         [&context, notifications_args] { run_notifications(context, *notifications_args); });
}

}  // namespace ledger
