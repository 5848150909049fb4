// The public event contract as integrators meet it: the examples in schemas/examples/ convert with
// the real flatc, canonicalize to the same bytes as the engine's own JSON parser, apply in file
// order to an empty store with the balance worked out by hand below, and are shown verbatim in
// schemas/README.md.

#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "tests/support/test_support.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const std::string kSourceDir = LEDGER_SOURCE_DIR;
const std::string kSchemaPath = kSourceDir + "/schemas/events.fbs";
const std::string kExamplesDir = kSourceDir + "/schemas/examples";
const std::string kReadmePath = kSourceDir + "/schemas/README.md";

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

//! Every example, sorted by file name: the order in which they are meant to be ingested.
std::vector<fs::path> example_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kExamplesDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

//! Runs the real flatc with `args`; its output goes to `out_dir`, its messages to a file shown
//! when it fails.
void run_flatc(const std::string& args, const std::string& out_dir) {
  const std::string log = out_dir + "/flatc.log";
  const std::string command =
      quoted(LEDGER_FLATC_PATH) + " -o " + quoted(out_dir) + " " + args + " > " + quoted(log) + " 2>&1";
  const int status = std::system(command.c_str());
  INFO(command);
  INFO(read_whole_file(log));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

//! `flatc -b`: the binary a producer would publish for `example`.
std::string flatc_binary(const fs::path& example, const std::string& out_dir) {
  run_flatc("-b " + quoted(kSchemaPath) + " " + quoted(example.string()), out_dir);
  return read_whole_file(out_dir + "/" + example.stem().string() + ".bin");
}

//! `flatc --json --strict-json --raw-binary`: the JSON text of a binary event.
std::string flatc_json(const std::string& bytes, const std::string& stem, const std::string& out_dir) {
  const std::string bin_path = out_dir + "/" + stem + ".bin";
  test::write_file(bin_path, bytes);
  run_flatc("--json --strict-json --raw-binary " + quoted(kSchemaPath) + " -- " + quoted(bin_path), out_dir);
  return read_whole_file(out_dir + "/" + stem + ".json");
}

std::string canonical_or_fail(std::string_view bytes) {
  auto canonical = canonicalize_event(bytes);
  INFO(canonical.status().to_string());
  REQUIRE(canonical.is_ok());
  return *canonical;
}

//! The JSON text without the whitespace between tokens (whitespace inside strings is kept), so
//! that indentation and line breaks do not matter when comparing.
std::string without_json_whitespace(std::string_view text) {
  std::string out;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

//! The contents of every ```json fenced block of a Markdown text.
std::vector<std::string> json_blocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  const std::string open = "```json\n";
  const std::string close = "\n```";
  for (size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
    const size_t begin = at + open.size();
    const size_t end = markdown.find(close, begin);
    REQUIRE(end != std::string::npos);
    blocks.push_back(markdown.substr(begin, end - begin));
    at = end + close.size();
  }
  return blocks;
}

//! Every body kind of the schema, by name ("Payment"), without NONE.
std::set<std::string> all_body_kinds() {
  std::set<std::string> kinds;
  for (schema::Body body : schema::EnumValuesBody()) {
    if (body != schema::Body::NONE) kinds.insert(body_type_name(body));
  }
  return kinds;
}

const schema::Event& event_of(const std::string& bytes) {
  return *schema::GetEvent(bytes.data());
}

std::string_view account_of(const schema::Event& event) {
  return event.account() ? event.account()->string_view() : std::string_view();
}

//! Appends `events` (canonical bytes) in order, as the door does, and projects them.
ProjectionStats append_and_project(Engine& engine, const std::vector<std::string>& events) {
  std::vector<AppendRequest> requests;
  for (const auto& bytes : events) {
    const schema::Event& event = event_of(bytes);
    requests.push_back({account_of(event), bytes, is_broadcast(event.body_type())});
  }
  Status appended = engine.log().append(requests, nullptr);
  INFO(appended.to_string());
  REQUIRE(appended.is_ok());
  auto stats = engine.projector().catch_up();
  INFO(stats.status().to_string());
  REQUIRE(stats.is_ok());
  return *stats;
}

TEST_CASE("every schema example converts with the real flatc and canonicalizes like the engine's JSON parser",
          "[schema]") {
  const auto files = example_files();
  REQUIRE_FALSE(files.empty());
  TempDir out;
  EventCodec codec;
  std::multiset<std::string> kinds_seen;
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string from_flatc = flatc_binary(file, out.path());
    const std::string canonical = canonical_or_fail(from_flatc);
    // The canonical form depends only on the content, not on which encoder built the buffer.
    auto from_codec = codec.from_json(read_whole_file(file));
    INFO(from_codec.status().to_string());
    REQUIRE(from_codec.is_ok());
    CHECK(*from_codec == canonical);
    // Canonicalizing is idempotent: what the log stores passes the door again unchanged.
    CHECK(canonical_or_fail(canonical) == canonical);
    kinds_seen.insert(body_type_name(event_of(canonical).body_type()));
  }
  // Exactly one example per kind, and every kind of the schema has one.
  CHECK(kinds_seen.size() == all_body_kinds().size());
  CHECK(std::set<std::string>(kinds_seen.begin(), kinds_seen.end()) == all_body_kinds());
}

TEST_CASE("schema examples ingested in file order apply every event and give the balance computed by hand",
          "[schema]") {
  TempDir out;
  TempDir data;
  constexpr uint32_t kPartitions = 4;
  auto engine = test::open_engine(data.path(), kPartitions);
  std::vector<std::string> events;
  size_t broadcasts = 0;
  for (const auto& file : example_files()) {
    INFO(file.filename().string());
    events.push_back(canonical_or_fail(flatc_binary(file, out.path())));
    if (is_broadcast(event_of(events.back()).body_type())) ++broadcasts;
  }
  REQUIRE(broadcasts == 2);  // OperatorConfigured and BillingRun

  const ProjectionStats first = append_and_project(*engine, events);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto rejections = query_rejections(engine->store(), snapshot, 100);
  REQUIRE(rejections.is_ok());
  for (const auto& row : *rejections)
    UNSCOPED_INFO(row.event_id << ": " << row.reason << ": " << row.message);
  CHECK(rejections->empty());
  REQUIRE(first.rejected == 0);
  CHECK(first.duplicates == 0);
  // A broadcast is appended once to every partition and applied in each.
  CHECK(first.applied == events.size() - broadcasts + broadcasts * kPartitions);

  // acc-1001, USD (exponent 2), operator acme-isp; taxes half-even on each line's net amount:
  //   Charge:  1.000 x 59.990000 = 5999, - discount 1000 = net 4999;
  //            internet rates: STATE 6.25% of 4999 = 312.4375 -> 312, CITY 2% = 99.98 -> 100
  //            -> +5411
  //   Cdr:     2.125000 USD = 212.5 cents -> 212 (half-even: 212 is even);
  //            usage rate FET 3% of 212 = 6.36 -> 6                               -> +218
  //   TaxAdjustment  CITY refund                                                   -> -100
  //   Correction     approved goodwill credit                                      -> -500
  //   Payment                                                                      -> -3000
  //   Refill                                                                       -> -1000
  //   CreditNote                                                                   -> -500
  //   CreditLimitSet, BillingRun, BillStateChanged, CommunicationLogged, ErpApproved,
  //   AccountClosed: no money.
  // debited = 5411 + 218 - 100 = 5529; credited = 500 + 3000 + 1000 + 500 = 5000; balance = 529.
  constexpr int64_t kDebitedMinor = 5411 + 218 - 100;
  constexpr int64_t kCreditedMinor = 500 + 3000 + 1000 + 500;
  const std::map<std::string, int64_t> expected_balances = {{"acc-1001", kDebitedMinor - kCreditedMinor}};
  CHECK(test::balances_by_account(*engine) == expected_balances);
  auto account = query_account(engine->store(), snapshot, "acc-1001");
  REQUIRE(account.is_ok());
  REQUIRE(account->has_value());
  const AccountSummary& summary = **account;
  CHECK(summary.balance.balance_minor == 529);
  CHECK(summary.balance.debited_minor == kDebitedMinor);
  CHECK(summary.balance.credited_minor == kCreditedMinor);
  CHECK(summary.account.operator_ == "acme-isp");
  CHECK(summary.account.currency == "USD");
  CHECK(summary.account.credit_limit_minor == 30000);  // raised by CreditLimitSet
  CHECK(summary.account.status == view::AccountStatus::Closed);
  CHECK(summary.available_minor == 30000 - 529);
  const auto violations = test::check_invariants(*engine);
  for (const auto& violation : violations) UNSCOPED_INFO(violation);
  CHECK(violations.empty());

  // Re-sending every example, this time built from its JSON by the engine's own parser, is a
  // no-op: same id and same payload, and the log holds the canonical bytes of both encoders.
  EventCodec codec;
  std::vector<std::string> resent;
  for (const auto& file : example_files()) {
    auto bytes = codec.from_json(read_whole_file(file));
    REQUIRE(bytes.is_ok());
    resent.push_back(*bytes);
  }
  const ProjectionStats second = append_and_project(*engine, resent);
  CHECK(second.applied == 0);
  CHECK(second.rejected == 0);
  CHECK(second.duplicates == first.applied);
  CHECK(test::balances_by_account(*engine) == expected_balances);
}

TEST_CASE("the log's canonical bytes convert back to JSON with flatc and parse to the same bytes",
          "[schema]") {
  TempDir out;
  EventCodec codec;
  for (const auto& file : example_files()) {
    INFO(file.filename().string());
    const std::string canonical = canonical_or_fail(flatc_binary(file, out.path()));
    const std::string json = flatc_json(canonical, file.stem().string() + ".canonical", out.path());
    INFO(json);
    auto parsed = codec.from_json(json);
    INFO(parsed.status().to_string());
    REQUIRE(parsed.is_ok());
    CHECK(*parsed == canonical);
  }
}

TEST_CASE("schemas/README.md shows every example verbatim, one per kind", "[schema]") {
  const std::string readme = read_whole_file(kReadmePath);
  const auto blocks = json_blocks(readme);
  std::set<std::string> shown;
  std::set<std::string> kinds_shown;
  EventCodec codec;
  for (const auto& block : blocks) {
    INFO(block);
    // Every JSON block of the README is an event the engine accepts.
    auto bytes = codec.from_json(block);
    INFO(bytes.status().to_string());
    REQUIRE(bytes.is_ok());
    kinds_shown.insert(body_type_name(event_of(*bytes).body_type()));
    shown.insert(without_json_whitespace(block));
  }
  for (const auto& file : example_files()) {
    INFO(file.filename().string() << " is not shown in schemas/README.md as a ```json block");
    CHECK(shown.count(without_json_whitespace(read_whole_file(file))) == 1);
  }
  CHECK(kinds_shown == all_body_kinds());
}

}  // namespace
}  // namespace ledger
