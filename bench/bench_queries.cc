#include <chrono>
#include <functional>
#include <map>
#include <random>

#include <fmt/format.h>

#include "bench/bench_phases.h"
#include "bench/latency_stats.h"
#include "engine/calendar.h"
#include "projections/account_queries.h"
#include "projections/all_views.h"
#include "projections/invoice_queries.h"
#include "projections/reports.h"

namespace ledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

//! What the queries are asked about: real ids read from the store.
struct QueryTargets {
  std::vector<std::string> accounts;
  std::vector<std::string> invoice_numbers;
  int32_t month_from_day = 0;  //!< the month with the most bills closed
  int32_t month_to_day = 0;
  int32_t last_day = 0;  //!< the latest bill closing day: aging is as of it
};

Result<QueryTargets> find_targets(const Store& store, uint32_t partitions) {
  QueryTargets targets;
  ReadSnapshot snapshot(store, partitions);
  auto accounts = query_accounts(store, snapshot, "", 100'000'000);
  if (!accounts) return accounts.status();
  for (const auto& summary : *accounts) targets.accounts.push_back(summary.account.account);
  InvoiceFilter filter;
  filter.status = "Closed";
  filter.limit = 50'000;
  auto bills = query_invoices(store, snapshot, filter);
  if (!bills) return bills.status();
  std::map<int32_t, size_t> bills_by_month;
  for (const auto& bill : *bills) {
    targets.invoice_numbers.push_back(bill.invoice.invoice_number);
    ++bills_by_month[bill.invoice.closed_day / 100];
    targets.last_day = std::max(targets.last_day, bill.invoice.closed_day);
  }
  if (targets.accounts.empty() || targets.invoice_numbers.empty()) {
    return Status::not_found("the store has no accounts or no closed bills to query");
  }
  auto busiest = std::max_element(bills_by_month.begin(), bills_by_month.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
  targets.month_from_day = busiest->first * 100 + 1;
  targets.month_to_day = add_days(add_months(targets.month_from_day, 1), -1);
  return targets;
}

//! Runs `query` with a fresh snapshot until `samples` calls or the time budget, timing each.
Result<QueryResult> measure(const std::string& name, const Store& store, uint32_t partitions,
                            const PhaseOptions& options, size_t samples,
                            const std::function<Status(const ReadSnapshot&, size_t)>& query) {
  LatencyStats stats;
  const auto budget_end = Clock::now() + std::chrono::duration<double>(options.query_seconds);
  for (size_t i = 0; i < samples && Clock::now() < budget_end; ++i) {
    const auto start = Clock::now();
    ReadSnapshot snapshot(store, partitions);
    Status status = query(snapshot, i);
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    if (!status) return status;
    stats.add(elapsed);
  }
  return QueryResult{name, stats.count(), stats.percentile_ns(50), stats.percentile_ns(99), stats.max_ns(),
                     ""};
}

struct QuerySpec {
  std::string name;
  size_t samples = 0;
  std::string note;
  std::function<Status(const ReadSnapshot&, size_t)> query;
};

template <typename T>
Status status_of(const Result<T>& result) {
  return result ? Status::ok() : result.status();
}

}  // namespace

Result<std::vector<QueryResult>> run_queries(const PhaseOptions& options) {
  auto engine = open_ledger(options.dir, 0);
  if (!engine) return engine.status();
  const Store& store = (*engine)->store();
  const uint32_t partitions = (*engine)->log().partition_count();
  auto found = find_targets(store, partitions);
  if (!found) return found.status();
  const QueryTargets& targets = *found;
  std::mt19937_64 random(options.seed);
  std::vector<uint64_t> picks(options.query_samples);
  for (auto& pick : picks) pick = random();
  const auto account = [&](size_t i) { return targets.accounts[picks[i] % targets.accounts.size()]; };
  const auto invoice = [&](size_t i) {
    return targets.invoice_numbers[picks[i] % targets.invoice_numbers.size()];
  };
  const auto found_or = [](auto result, const char* what) -> Status {
    if (!result) return result.status();
    return result->has_value() ? Status::ok() : Status::not_found(std::string(what) + " not found");
  };
  ReportRequest summary;
  summary.report = "summary";
  summary.from_day = targets.month_from_day;
  summary.to_day = targets.month_to_day;
  ReportRequest aging;
  aging.report = "aging";
  aging.as_of_day = targets.last_day;
  const size_t n = options.query_samples;
  // The lines of a reply as the API gives them unless asked for more (lines_limit); the tables
  // and the total brought forward still read every line.
  LineWindow first_page;
  first_page.limit = 200;
  const std::vector<QuerySpec> specs = {
      {"balance", n, fmt::format("{} accounts, uniform", targets.accounts.size()),
       [&](const ReadSnapshot& s, size_t i) {
         return found_or(query_account(store, s, account(i)), "account");
       }},
      {"preview invoice", n, "an account's open previews, lines 1-200 and the tables of every line",
       [&](const ReadSnapshot& s, size_t i) {
         return status_of(query_previews(store, s, account(i), first_page));
       }},
      {"invoice detail", n, fmt::format("{} closed bills, lines 1-200", targets.invoice_numbers.size()),
       [&](const ReadSnapshot& s, size_t i) {
         return found_or(query_invoice(store, s, invoice(i), targets.last_day, first_page), "invoice");
       }},
      {"billing summary (month)", std::min<size_t>(n, 2000),
       fmt::format("{}..{}", targets.month_from_day, targets.month_to_day),
       [&](const ReadSnapshot& s, size_t) { return status_of(billing_summary_report(store, s, summary)); }},
      {"aging", std::min<size_t>(n, 200), fmt::format("as of {}, every account", targets.last_day),
       [&](const ReadSnapshot& s, size_t) { return status_of(aging_report(store, s, aging)); }},
  };
  std::vector<QueryResult> results;
  for (const auto& spec : specs) {
    if (!options.only_query.empty() && spec.name != options.only_query) continue;
    auto result = measure(spec.name, store, partitions, options, spec.samples, spec.query);
    if (!result) return result.status();
    result->note = spec.note;
    results.push_back(std::move(*result));
  }
  return results;
}

}  // namespace ledger::bench
