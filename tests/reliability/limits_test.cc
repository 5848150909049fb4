// Every input bound of ops/LIMITS.md, at the bound (accepted) and one past it (refused with a
// message naming the field and the reason), through the real doors: the JSON-lines ingester
// (what `ledger ingest` and the connectors use), the log's append call, and the binary.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/ingest/json_lines_ingester.h"
#include "engine/embedded_log.h"
#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "engine/partitioner.h"
#include "projections/all_views.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

constexpr int64_t kTimeUs = 1'790'812'800'000'000;

std::string event(const std::string& id, const std::string& account, const char* body_type,
                  const std::string& body) {
  return fmt::format(R"({{"id":"{}","account":"{}","time_us":{},"body_type":"{}","body":{{{}}}}})", id,
                     account, kTimeUs, body_type, body);
}

std::string payment(const std::string& id, const std::string& account, const std::string& extra) {
  return event(id, account, "Payment", R"("payment_id":"P1","amount_minor":100)" + extra);
}

std::string operator_configured(const std::string& id, const std::string& extra) {
  return event(id, "", "OperatorConfigured", R"("operator":"acme","currency":"USD")" + extra);
}

std::string charge(const std::string& id, const std::string& extra) {
  return event(
      id, "acct-1", "Charge",
      R"("charge_id":"C1","service_type":"usage","quantity_milli":1000,"unit_price_micro":10000)" + extra);
}

std::string repeated(int n, const std::function<std::string(int)>& item) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i ? "," : "") + item(i);
  return text;
}

std::string tax_rate(int i) {
  return fmt::format(R"({{"service_type":"usage","code":"T{}","rate_ppm":1}})", i);
}

std::string explicit_tax(int i) {
  return fmt::format(R"({{"code":"T{}","amount_minor":1}})", i);
}

//! One bound: `line(n)` is an event whose bounded quantity is n.
struct Bound {
  const char* what;
  int64_t limit;
  const char* field;  //!< the field path the refusal names
  std::function<std::string(int64_t)> line;
};

std::string a(int64_t n) {
  return std::string(static_cast<size_t>(n), 'a');
}

std::vector<Bound> field_bounds() {
  using L = EventLimits;
  return {
      {"id bytes", L::kIdBytesMax, "id", [](int64_t n) { return payment(a(n), "acct-1", ""); }},
      {"account bytes", L::kAccountBytesMax, "account", [](int64_t n) { return payment("p-1", a(n), ""); }},
      {"identifier bytes", L::kIdBytesMax, "body.payment_id",
       [](int64_t n) {
         return event("p-2", "acct-1", "Payment", fmt::format(R"("payment_id":"{}","amount_minor":1)", a(n)));
       }},
      {"code bytes", L::kCodeBytesMax, "body.method",
       [](int64_t n) { return payment("p-3", "acct-1", fmt::format(R"(,"method":"{}")", a(n))); }},
      {"text bytes", L::kTextBytesMax, "body.reference",
       [](int64_t n) { return payment("p-4", "acct-1", fmt::format(R"(,"reference":"{}")", a(n))); }},
      {"name bytes", L::kNameBytesMax, "body.name",
       [](int64_t n) { return operator_configured("op-1", fmt::format(R"(,"name":"{}")", a(n))); }},
      {"payment terms days", L::kPaymentTermsDaysMax, "body.payment_terms_days",
       [](int64_t n) { return operator_configured("op-2", fmt::format(R"(,"payment_terms_days":{})", n)); }},
      {"tax rates per operator", L::kTaxRatesMax, "body.tax_rates",
       [](int64_t n) {
         return operator_configured("op-3",
                                    R"(,"tax_rates":[)" + repeated(static_cast<int>(n), tax_rate) + "]");
       }},
      {"tax rate ppm", L::kRatePpmMax, "body.tax_rates[0].rate_ppm",
       [](int64_t n) {
         return operator_configured(
             "op-4", fmt::format(R"(,"tax_rates":[{{"service_type":"usage","code":"T","rate_ppm":{}}}])", n));
       }},
      {"explicit taxes per charge", L::kExplicitTaxesMax, "body.taxes",
       [](int64_t n) {
         return charge("ch-1", R"(,"taxes":[)" + repeated(static_cast<int>(n), explicit_tax) + "]");
       }},
      {"duration months", L::kDurationMonthsMax, "body.duration_months",
       [](int64_t n) { return charge("ch-2", fmt::format(R"(,"duration_months":{})", n)); }},
  };
}

struct DoorResult {
  IngestReport report;
  std::vector<LineError> errors;
};

DoorResult ingest_text(Engine& engine, const std::string& text) {
  std::istringstream input(text);
  JsonLinesIngester ingester(engine.log());
  DoorResult result;
  auto report = ingester.ingest(
      input, [&](const LineError& e) { result.errors.push_back(e); }, nullptr);
  INFO(report.status().to_string());
  REQUIRE(report.is_ok());
  result.report = *report;
  return result;
}

//! `at` is accepted and `past` refused with a message that contains `reason`.
void require_bound(Engine& engine, const std::string& at, const std::string& past,
                   const std::string& reason) {
  DoorResult result = ingest_text(engine, at + "\n" + past + "\n");
  for (const auto& e : result.errors) UNSCOPED_INFO("line " << e.line << ": " << e.message);
  REQUIRE(result.report.appended == 1);
  REQUIRE(result.report.refused == 1);
  REQUIRE(result.errors.size() == 1);
  REQUIRE(result.errors[0].line == 2);
  REQUIRE(result.errors[0].message.find(reason) != std::string::npos);
}

//! A BillingRun naming `n` accounts of 16 bytes: the biggest event a producer can make.
std::string billing_run(int n) {
  return event("run-1", "", "BillingRun",
               R"("run_number":1,"as_of_day":20261001,"accounts":[)" +
                   repeated(n, [](int i) { return fmt::format(R"("acct-{:011}")", i); }) + "]");
}

}  // namespace

TEST_CASE("limits: every field bound accepts its limit and refuses one more", "[limits]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  for (const Bound& bound : field_bounds()) {
    CAPTURE(bound.what, bound.limit);
    require_bound(*engine, bound.line(bound.limit), bound.line(bound.limit + 1), bound.field);
  }
  // What was accepted at the bounds projects (applied or rejected with a reason, never a crash).
  auto projected = engine->projector().catch_up();
  INFO(projected.status().to_string());
  REQUIRE(projected.is_ok());
  REQUIRE(check_invariants(*engine).empty());
}

TEST_CASE("limits: a JSON line of 256 KiB is read, one byte more is refused", "[limits]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  const std::string base = payment("p-json", "acct-1", "");
  auto padded = [&](size_t bytes) {  // spaces before the last brace keep it valid JSON
    std::string line = base;
    line.insert(line.size() - 1, std::string(bytes - base.size(), ' '));
    return line;
  };
  REQUIRE(padded(EventCodec::kMaxJsonBytes).size() == EventCodec::kMaxJsonBytes);
  require_bound(*engine, padded(EventCodec::kMaxJsonBytes), padded(EventCodec::kMaxJsonBytes + 1),
                "bytes of JSON is more than the limit 262144");
}

TEST_CASE("limits: the largest binary event is 64 KiB", "[limits]") {
  // BillingRun.accounts allows 10,000 entries, but 10,000 accounts do not fit in 64 KiB: the
  // event size is the bound a producer meets first. Find the largest run that fits.
  EventCodec codec;
  int low = 1;
  int high = static_cast<int>(EventLimits::kRunAccountsMax);
  REQUIRE(codec.from_json(billing_run(low)).is_ok());
  REQUIRE_FALSE(codec.from_json(billing_run(high)).is_ok());
  while (high - low > 1) {
    int mid = (low + high) / 2;
    (codec.from_json(billing_run(mid)).is_ok() ? low : high) = mid;
  }
  auto largest = codec.from_json(billing_run(low));
  REQUIRE(largest.is_ok());
  CAPTURE(low, largest->size());
  REQUIRE(largest->size() <= EmbeddedLog::kMaxEventBytes);
  REQUIRE(largest->size() > EmbeddedLog::kMaxEventBytes - 64);  // one more account would not fit
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  require_bound(*engine, billing_run(low), billing_run(low + 1), "is more than the limit 65536");
}

TEST_CASE("limits: BillingRun.accounts refuses more than 10,000 entries by count", "[limits]") {
  // One-byte accounts are the smallest: 10,001 of them are refused, by count or by size.
  EventCodec codec;
  auto run = [](int n) {
    return event("run-2", "", "BillingRun",
                 R"("run_number":1,"as_of_day":20261001,"accounts":[)" +
                     repeated(n, [](int) { return std::string(R"("a")"); }) + "]");
  };
  auto refused = codec.from_json(run(static_cast<int>(EventLimits::kRunAccountsMax) + 1));
  REQUIRE_FALSE(refused.is_ok());
  INFO(refused.status().to_string());
  REQUIRE((refused.status().message().find("body.accounts") != std::string::npos ||
           refused.status().message().find("more than the limit 65536") != std::string::npos));
}

TEST_CASE("limits: one append takes at most 65,536 events", "[limits]") {
  TempDir dir;
  auto engine = open_engine(dir.sub("data"), 4);
  EventCodec codec;
  auto bytes = codec.from_json(payment("p-batch", "acct-1", ""));
  REQUIRE(bytes.is_ok());
  std::vector<AppendRequest> requests(EmbeddedLog::kMaxAppendEvents + 1,
                                      AppendRequest{"acct-1", *bytes, false});
  Status too_many = engine->log().append(requests, nullptr);
  INFO(too_many.to_string());
  REQUIRE(too_many.is_invalid_argument());
  REQUIRE(too_many.message().find("more than 65536") != std::string::npos);
  REQUIRE(*engine->log().end_offset(partition_for("acct-1", 4)) == 0);
  requests.pop_back();
  REQUIRE(engine->log().append(requests, nullptr).is_ok());
  REQUIRE(*engine->log().end_offset(partition_for("acct-1", 4)) == EmbeddedLog::kMaxAppendEvents);
}

TEST_CASE("limits: a store has at most 1024 partitions", "[limits]") {
  TempDir dir;
  CommandResult at = run_ledger(fmt::format("--data '{}' --partitions 1024 ingest -", dir.sub("at")), "");
  INFO(at.out << at.err);
  REQUIRE(at.exit_code == 0);
  CommandResult past = run_ledger(fmt::format("--data '{}' --partitions 1025 ingest -", dir.sub("past")), "");
  INFO(past.out << past.err);
  REQUIRE(past.exit_code != 0);
  REQUIRE(past.err.find("1025 not in range 1 to 1024") != std::string::npos);
  // The engine holds the same bound for any other door.
  auto engine = open_ledger(dir.sub("engine"), kMaxPartitionCount + 1);
  REQUIRE_FALSE(engine.is_ok());
  INFO(engine.status().to_string());
  REQUIRE(engine.status().message().find("1025 is more than the limit 1024") != std::string::npos);
  REQUIRE(open_ledger(dir.sub("engine-at"), kMaxPartitionCount).is_ok());
}

TEST_CASE("limits: `ledger ingest` acknowledges every 4096 lines", "[limits]") {
  TempDir dir;
  const auto lines = small_workload(4, 4096, 0x11);  // 1 + 4 + 4096 = 4101 lines
  write_file(dir.sub("events.jsonl"), join_lines(lines));
  CommandResult result =
      run_ledger(fmt::format("--data '{}' ingest --progress '{}'", dir.sub("data"), dir.sub("events.jsonl")));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  REQUIRE(result.out.find("acked 4096 4096\n") != std::string::npos);
  REQUIRE(result.out.find("acked 4101 4101\n") != std::string::npos);
}

}  // namespace ledger::test
