// Crash recovery: the real `ledger` binary ingests and projects a seeded workload of ~6,000
// events and is killed with SIGKILL at random points, many times (200 by default,
// LEDGER_CRASH_KILLS for more), in both phases (appending and projecting), and `ledger project`
// is killed too. After every kill the store is opened here and must hold every acknowledged line
// and show exactly the balances of the part of the log it has projected (nothing lost, nothing
// applied twice), and BILLING.md section 8 must hold (after every restart by default;
// LEDGER_CRASH_INVARIANTS_EVERY=N for every Nth). Every
// LEDGER_CRASH_FULL_CHECK_EVERY cycles (10 by default), half the time, the cycle also projects
// and re-ingests in process. At the end a run to completion must give exactly the balances
// computed here, and a replay the same digest.
//
// Why the workload is small: a kill cycle costs a run of the binary over the whole file, so the
// file's length sets the test's run time; two durable batches (4096 lines each) are enough for
// kills between acks, inside a batch and during projection.
//
// Why the checks are exact although kills land anywhere: every run appends the file from its
// first line, in batches that are each one atomic WriteBatch (and lines ingested again here are
// already in the log), so the lines in the log are always a prefix of the file, and within a
// partition the first copy of each line comes in file order.
// The projected part of partition p is therefore "every line of p up to some line L_p", and
// no line's outcome here depends on state (accounts are opened before use, nothing overflows),
// so the expected balances of p's accounts are the effects of their lines up to L_p.

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/event_codec.h"
#include "engine/read_snapshot.h"
#include "projections/account_queries.h"
#include "tests/support/test_support.h"

namespace ledger::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kDefaultSeed = 0x5eed'2026'0c4a'5411;
constexpr uint32_t kPartitions = 4;
constexpr int kAccounts = 50;
constexpr uint64_t kDefaultMixedLines = 6'000;
constexpr uint64_t kDefaultKills = 200;
constexpr uint64_t kDefaultFullCheckEvery = 10;
// Section 8 after every restart: a scan of the accounts and the event ids, under a second in all
// for a 200-kill run of the debug build (the summary prints the time).
constexpr uint64_t kDefaultInvariantsEvery = 1;
constexpr uint64_t kAckBatchLines = 4096;                // the ingester's durable batch: one ack line each
constexpr int64_t kStartUs = 1'790'812'800'000'000;      // 2026-10-01T00:00:00Z
constexpr auto kStallLimit = std::chrono::seconds(300);  // a run that says nothing this long hangs

//! n / d rounded half to even, for n >= 0 and d > 0; written here, independently of engine/money.
int64_t round_half_even(int64_t n, int64_t d) {
  int64_t q = n / d;
  int64_t r = n % d;
  if (2 * r > d || (2 * r == d && q % 2 == 1)) ++q;
  return q;
}

//! The operator's rates (see add_operator): internet 12.5% + 2.5%, usage 20%, equipment none.
int64_t tax_minor(const std::string& service_type, int64_t net_minor) {
  if (service_type == "internet") {
    return round_half_even(net_minor * 125'000, 1'000'000) + round_half_even(net_minor * 25'000, 1'000'000);
  }
  if (service_type == "usage") return round_half_even(net_minor * 200'000, 1'000'000);
  return 0;
}

//! What one line does to the balances the first time it is projected.
struct LineEffect {
  int account = -1;  //!< the account it is applied to; -1 when it applies nothing
  int64_t debit_minor = 0;
  int64_t credit_minor = 0;
  bool rejected = false;  //!< kept in the log and rejected by the projector
  bool repeat = false;    //!< an exact copy of an earlier line: a no-op
};

struct Workload {
  std::vector<std::string> lines;
  std::vector<std::string> ids;  //!< the event id of each line
  std::vector<LineEffect> effects;
  std::vector<std::string> accounts;
  std::vector<int> open_line;  //!< per account, the line that opens it
  uint64_t rejected = 0;
  uint64_t repeats = 0;
};

std::string event_json(const std::string& id, const std::string& account, int64_t time_us,
                       const char* body_type, const std::string& body) {
  return fmt::format(R"({{"id":"{}","account":"{}","time_us":{},"body_type":"{}","body":{{{}}}}})", id,
                     account, time_us, body_type, body);
}

//! A seeded workload. Every choice is `random() % n`: std::uniform_*_distribution differ between
//! standard libraries, and the same seed must give the same file everywhere.
class WorkloadBuilder {
 public:
  WorkloadBuilder(uint64_t seed, uint64_t mixed_lines) : random_(seed), mixed_lines_(mixed_lines) {}

  Workload build() {
    add_operator();
    for (int a = 0; a < kAccounts; ++a) add_account(a);
    for (int i = 0; i < static_cast<int>(mixed_lines_); ++i) add_mixed(i);
    return std::move(w_);
  }

 private:
  int64_t pick(uint64_t n) { return static_cast<int64_t>(random_() % n); }
  int64_t next_time_us() { return time_us_ += 1 + pick(120'000'000); }

  void add(const std::string& id, const std::string& account, const char* body_type, const std::string& body,
           LineEffect effect) {
    w_.lines.push_back(event_json(id, account, next_time_us(), body_type, body));
    w_.ids.push_back(id);
    if (effect.rejected) ++w_.rejected;
    w_.effects.push_back(effect);
  }

  void add_operator() {
    add("op-acme", "", "OperatorConfigured",
        R"("operator":"acme","name":"Acme Telecom","currency":"USD","payment_terms_days":14,"tax_rates":[)"
        R"({"service_type":"usage","code":"VAT20","name":"VAT 20%","rate_ppm":200000},)"
        R"({"service_type":"internet","code":"VAT12.5","name":"VAT 12.5%","rate_ppm":125000},)"
        R"({"service_type":"internet","code":"USF","name":"Universal service 2.5%","rate_ppm":25000}])",
        {});
  }

  void add_account(int a) {
    std::string account = fmt::format("acct-{:03}", a);
    int64_t credit_limit_minor = a % 4 == 0 ? 0 : 50'000 + pick(500'000);  // every 4th is prepaid
    w_.accounts.push_back(account);
    w_.open_line.push_back(static_cast<int>(w_.lines.size()));
    add("open-" + account, account, "AccountOpened",
        fmt::format(R"("operator":"acme","name":"Customer {}","currency":"USD","credit_limit_minor":{},)"
                    R"("invoice_day":{})",
                    a, credit_limit_minor, 1 + pick(28)),
        {.account = a});
  }

  void add_mixed(int i) {
    int a = static_cast<int>(pick(kAccounts));
    int64_t kind = pick(100);
    if (kind < 30) return add_charge(i, a);
    if (kind < 55) return add_cdr(i, a);
    if (kind < 69) return add_credit(i, a, "Payment", "payment_id", 1 + pick(40'000));
    if (kind < 70) return add_credit(i, a, "Payment", "payment_id", 0);  // zero: rejected
    if (kind < 77) return add_credit(i, a, "Refill", "refill_id", 1 + pick(20'000));
    if (kind < 85) return add_correction(i, a);
    if (kind < 91) return add_credit(i, a, "CreditNote", "credit_note_id", 1 + pick(15'000));
    if (kind < 94) return add_unknown_account(i);
    if (kind < 97) return add_wrong_currency(i, a);
    add_repeat();
  }

  void add_charge(int i, int a) {
    static const char* const kServiceTypes[] = {"internet", "internet", "internet", "usage", "equipment"};
    std::string service_type = kServiceTypes[pick(5)];
    int64_t quantity_milli = 1 + pick(20'000);
    int64_t unit_price_micro = pick(30'000'000);
    if (pick(8) == 0) {  // half a unit at a whole-cent price: a tie whenever the cents are odd
      quantity_milli = 500;
      unit_price_micro = 10'000 * (1 + pick(200));
    }
    int64_t gross_minor = round_half_even(quantity_milli * unit_price_micro, 10'000'000);
    int64_t discount_minor = pick(2) == 0 ? pick(gross_minor / 5 + 1) : 0;
    int64_t net_minor = gross_minor - discount_minor;
    std::string taxes;
    int64_t tax = tax_minor(service_type, net_minor);
    if (pick(20) == 0) {  // explicit taxes replace the operator's rates
      tax = pick(500);
      taxes = fmt::format(R"(,"taxes":[{{"code":"LOCAL","name":"Local levy","amount_minor":{}}}])", tax);
    }
    std::string currency = pick(10) == 0 ? R"(,"currency":"USD")" : "";
    add(fmt::format("ch-{}", i), w_.accounts[a], "Charge",
        fmt::format(R"("charge_id":"C{}","description":"Service","service_type":"{}","quantity_milli":{},)"
                    R"("unit_price_micro":{},"discount_minor":{}{}{})",
                    i, service_type, quantity_milli, unit_price_micro, discount_minor, taxes, currency),
        {.account = a, .debit_minor = net_minor + tax});
  }

  void add_cdr(int i, int a) {
    int64_t cost_micro = pick(2'000'000);
    if (pick(8) == 0) cost_micro = 10'000 * pick(200) + 5'000;  // exactly half a cent: a tie
    int64_t cost_minor = round_half_even(cost_micro, 10'000);
    add(fmt::format("cdr-{}", i), w_.accounts[a], "Cdr",
        fmt::format(R"("call_id":"K{}","calling":"+15550100","called":"+44770090","destination":"UK Mobile",)"
                    R"("start_us":{},"duration_s":{},"cost_micro":{})",
                    i, time_us_, 1 + pick(3600), cost_micro),
        {.account = a, .debit_minor = cost_minor + tax_minor("usage", cost_minor)});
  }

  void add_credit(int i, int a, const char* body_type, const char* id_field, int64_t amount_minor) {
    LineEffect effect{.account = a, .credit_minor = amount_minor};
    if (amount_minor == 0) effect = {.rejected = true};  // a payment of zero changes nothing
    add(fmt::format("{}-{}", body_type, i), w_.accounts[a], body_type,
        fmt::format(R"("{}":"M{}","amount_minor":{})", id_field, i, amount_minor), effect);
  }

  void add_correction(int i, int a) {
    int64_t amount_minor = pick(20'001) - 10'000;
    if (amount_minor == 0) amount_minor = 1;
    bool approved = pick(10) != 0;
    LineEffect effect{.account = a};
    if (amount_minor > 0) effect.debit_minor = amount_minor;
    if (amount_minor < 0) effect.credit_minor = -amount_minor;
    if (!approved) effect = {.rejected = true};
    std::string approval =
        approved ? fmt::format(R"(,"approved_by":"manager-{}","approved_at_us":{})", pick(5), time_us_) : "";
    add(fmt::format("corr-{}", i), w_.accounts[a], "Correction",
        fmt::format(R"("correction_id":"X{}","amount_minor":{},"description":"Fix"{})", i, amount_minor,
                    approval),
        effect);
  }

  void add_unknown_account(int i) {
    add(fmt::format("ghost-{}", i), fmt::format("ghost-{:03}", pick(20)), "Payment",
        fmt::format(R"("payment_id":"G{}","amount_minor":{})", i, 1 + pick(10'000)), {.rejected = true});
  }

  void add_wrong_currency(int i, int a) {
    add(fmt::format("eur-{}", i), w_.accounts[a], "Payment",
        fmt::format(R"("payment_id":"E{}","amount_minor":{},"currency":"EUR")", i, 1 + pick(10'000)),
        {.rejected = true});
  }

  //! The same line again, later: same id, same payload.
  void add_repeat() {
    size_t first_mixed = 1 + kAccounts;
    if (w_.lines.size() <= first_mixed) return;
    size_t original = first_mixed + pick(w_.lines.size() - first_mixed);
    w_.lines.push_back(w_.lines[original]);
    w_.ids.push_back(w_.ids[original]);
    w_.effects.push_back({.repeat = true});
    ++w_.repeats;
  }

  std::mt19937_64 random_;
  uint64_t mixed_lines_;
  Workload w_;
  int64_t time_us_ = kStartUs;
};

// ---------------------------------------------------------------------------------------------
// What the log holds.

//! Which workload lines are in the log and where, read incrementally: the log only grows, so
//! each partition is read from where the previous look stopped.
class LogIndex {
 public:
  explicit LogIndex(const Workload& w)
      : present_(w.lines.size(), 0), partition_(w.lines.size(), -1), max_line_by_offset_(kPartitions) {
    for (size_t i = 0; i < w.ids.size(); ++i) line_of_id_.emplace(w.ids[i], static_cast<int>(i));
  }

  void update(Engine& engine) {
    for (uint32_t p = 0; p < kPartitions; ++p) update_partition(engine, p);
  }

  bool present(int line) const { return present_[line] != 0; }
  //! The partition a line was appended to; -1 when it is not in the log or is a broadcast.
  int partition_of(int line) const { return partition_[line]; }
  //! The highest line among offsets [0, end) of `partition`; -1 for none.
  int max_line_below(uint32_t partition, uint64_t end) const {
    return end == 0 ? -1 : max_line_by_offset_[partition].at(end - 1);
  }
  uint64_t end(uint32_t partition) const { return max_line_by_offset_[partition].size(); }

 private:
  void update_partition(Engine& engine, uint32_t p) {
    auto end_offset = engine.log().end_offset(p);
    REQUIRE(end_offset.is_ok());
    std::vector<int>& max_lines = max_line_by_offset_[p];
    LogBatch batch;
    while (max_lines.size() < *end_offset) {
      Status read = engine.log().read(p, max_lines.size(), 16384, batch);
      INFO(read.to_string());
      REQUIRE(read.is_ok());
      REQUIRE(!batch.empty());
      for (size_t i = 0; i < batch.size(); ++i) {
        int line = line_of(batch.bytes(i), p, batch.offset(i));
        present_[line] = 1;
        if (line != 0) partition_[line] = static_cast<int>(p);  // line 0 is broadcast to all
        max_lines.push_back(max_lines.empty() ? line : std::max(max_lines.back(), line));
      }
    }
  }

  //! Fails the test (checked per event without Catch2 macros: the log holds a million events).
  int line_of(std::string_view bytes, uint32_t p, uint64_t offset) const {
    auto event = verify_event_buffer(bytes);
    if (!event) FAIL("partition " << p << " offset " << offset << ": " << event.status().to_string());
    std::string_view id = (*event)->id() ? (*event)->id()->string_view() : std::string_view();
    auto found = line_of_id_.find(std::string(id));
    if (found == line_of_id_.end())
      FAIL("partition " << p << " offset " << offset << ": id '" << id << "' is not in the workload");
    return found->second;
  }

  std::unordered_map<std::string, int> line_of_id_;
  std::vector<char> present_;
  std::vector<int> partition_;
  std::vector<std::vector<int>> max_line_by_offset_;  //!< per partition, per offset
};

// ---------------------------------------------------------------------------------------------
// The expected state and the checks.

struct AccountTotals {
  int64_t balance_minor = 0;
  int64_t debited_minor = 0;
  int64_t credited_minor = 0;
  uint64_t events_applied = 0;
  bool operator==(const AccountTotals&) const = default;
};

std::string describe(const AccountTotals& t) {
  return fmt::format("balance {} debited {} credited {} events {}", t.balance_minor, t.debited_minor,
                     t.credited_minor, t.events_applied);
}

struct ProjectedState {
  std::map<std::string, AccountTotals> accounts;
  uint64_t rejections = 0;
};

//! The state after projecting, in each partition p, every line of p up to `limit[p]`.
ProjectedState expected_state(const Workload& w, const LogIndex& index, const std::vector<int>& limit) {
  ProjectedState state;
  for (size_t i = 0; i < w.lines.size(); ++i) {
    const LineEffect& effect = w.effects[i];
    int line = static_cast<int>(i);
    int p = index.partition_of(line);
    if (effect.rejected && p >= 0 && line <= limit[p]) ++state.rejections;
    if (effect.account < 0) continue;
    int account_p = index.partition_of(w.open_line[effect.account]);
    if (account_p < 0 || line > limit[account_p]) continue;
    AccountTotals& t = state.accounts[w.accounts[effect.account]];
    t.debited_minor += effect.debit_minor;
    t.credited_minor += effect.credit_minor;
    t.balance_minor += effect.debit_minor - effect.credit_minor;
    t.events_applied += 1;
  }
  return state;
}

//! The state the views show, and the offsets of each partition that snapshot reflects.
ProjectedState actual_state(Engine& engine, std::vector<uint64_t>& offsets) {
  ReadSnapshot snapshot(engine.store(), kPartitions);
  auto projected = snapshot.offsets();
  REQUIRE(projected.is_ok());
  offsets = *projected;
  auto accounts = query_accounts(engine.store(), snapshot, "", SIZE_MAX);
  REQUIRE(accounts.is_ok());
  auto rejections = query_rejections(engine.store(), snapshot, SIZE_MAX);
  REQUIRE(rejections.is_ok());
  ProjectedState state;
  state.rejections = rejections->size();
  for (const auto& s : *accounts) {
    state.accounts[s.account.account] = {s.balance.balance_minor, s.balance.debited_minor,
                                         s.balance.credited_minor, s.balance.events_applied};
  }
  return state;
}

//! Accounts whose events were applied more often than the log allows, and other differences.
struct StateDiff {
  uint64_t double_applied = 0;
  uint64_t other = 0;
  std::string text;
};

StateDiff diff_states(const ProjectedState& expected, const ProjectedState& actual) {
  StateDiff diff;
  std::map<std::string, std::pair<AccountTotals, AccountTotals>> both;
  for (const auto& [account, t] : expected.accounts) both[account].first = t;
  for (const auto& [account, t] : actual.accounts) both[account].second = t;
  for (const auto& [account, pair] : both) {
    if (pair.first == pair.second) continue;
    (pair.second.events_applied > pair.first.events_applied ? diff.double_applied : diff.other) += 1;
    diff.text +=
        fmt::format("{}: expected {}, actual {}\n", account, describe(pair.first), describe(pair.second));
  }
  if (expected.accounts.size() != actual.accounts.size()) ++diff.other;
  if (expected.rejections != actual.rejections) {
    ++diff.other;
    diff.text += fmt::format("rejections: expected {}, actual {}\n", expected.rejections, actual.rejections);
  }
  return diff;
}

struct Totals {
  uint64_t kills = 0;
  uint64_t completed_runs = 0;
  uint64_t kills_by_plan[4] = {};
  uint64_t lost = 0;
  uint64_t double_applied = 0;
  uint64_t state_mismatches = 0;
  uint64_t reingests = 0;
  uint64_t full_checks = 0;        //!< checks of BILLING.md section 8
  int64_t invariant_check_us = 0;  //!< time those checks took
};

//! BILLING.md section 8, as far as the views show it (check_invariants).
void check_billing_invariants(Engine& engine, Totals& totals) {
  ++totals.full_checks;
  auto violations = check_invariants(engine);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  REQUIRE(violations.empty());
}

//! The views must show exactly the effects of the projected part of the log; with
//! `invariants`, BILLING.md section 8 must hold too.
void check_projected_state(Engine& engine, const Workload& w, LogIndex& index, Totals& totals,
                           bool invariants = true) {
  index.update(engine);
  std::vector<uint64_t> offsets;
  ProjectedState actual = actual_state(engine, offsets);
  std::vector<int> limit(kPartitions);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    REQUIRE(offsets[p] <= index.end(p));
    limit[p] = index.max_line_below(p, offsets[p]);
  }
  StateDiff diff = diff_states(expected_state(w, index, limit), actual);
  totals.double_applied += diff.double_applied;
  totals.state_mismatches += diff.other;
  INFO(diff.text);
  REQUIRE(diff.double_applied == 0);
  REQUIRE(diff.other == 0);
  if (invariants) check_billing_invariants(engine, totals);
}

// ---------------------------------------------------------------------------------------------
// The acknowledgement record: the highest line any run acknowledged, in a file that survives.

void write_ack_record(const std::string& path, uint64_t max_acked_line) {
  write_file(path + ".tmp", fmt::format("max_acked_line {}\n", max_acked_line));
  std::filesystem::rename(path + ".tmp", path);
}

uint64_t read_ack_record(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  uint64_t line = 0;
  in >> word >> line;
  REQUIRE(word == "max_acked_line");
  return line;
}

//! "acked <last_line> <appended_total>" gives last_line; any other line gives 0.
uint64_t acked_line_of(const std::string& line) {
  std::istringstream in(line);
  std::string word;
  uint64_t last_line = 0;
  in >> word >> last_line;
  return word == "acked" ? last_line : 0;
}

// ---------------------------------------------------------------------------------------------
// A `ledger` process on a pipe.

//! Runs the `ledger` binary with stdout on a pipe, to be read line by line and killed at will.
class LedgerProcess {
 public:
  LedgerProcess(const std::vector<std::string>& args, const std::string& stderr_path) {
    std::vector<std::string> words = {ledger_binary()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(err_fd >= 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {  // only async-signal-safe calls between fork and exec
      dup2(fds[1], STDOUT_FILENO);
      dup2(err_fd, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    close(err_fd);
    out_fd_ = fds[0];
  }
  //! Kills and reaps a process a failed check left running; no checks here (no throwing).
  ~LedgerProcess() {
    if (!reaped_) {
      kill_now();
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    close(out_fd_);
  }
  LedgerProcess(const LedgerProcess&) = delete;
  LedgerProcess& operator=(const LedgerProcess&) = delete;

  enum class Next { kLine, kTimeout, kEnd };

  //! The next stdout line; kTimeout at `deadline`, kEnd once the process closed its stdout.
  Next next_line(Clock::time_point deadline, std::string& line) {
    for (;;) {
      if (size_t newline = buffer_.find('\n'); newline != std::string::npos) {
        line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return Next::kLine;
      }
      if (eof_) return Next::kEnd;
      auto now = Clock::now();
      if (now >= deadline) return Next::kTimeout;
      if (wait_readable(deadline - now)) read_some();
    }
  }

  void kill_now() { ::kill(pid_, SIGKILL); }

  //! Reaps the process; true when SIGKILL ended it, false when it exited with code 0.
  bool wait() {
    int status = 0;
    pid_t reaped = 0;
    do reaped = waitpid(pid_, &status, 0);
    while (reaped < 0 && errno == EINTR);
    REQUIRE(reaped == pid_);
    reaped_ = true;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return true;
    INFO("ledger exited with status " << status);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return false;
  }

 private:
  bool wait_readable(Clock::duration timeout) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd fd{out_fd_, POLLIN, 0};
    int ready = ppoll(&fd, 1, &ts, nullptr);
    if (ready < 0 && errno != EINTR) FAIL("ppoll: " << errno);
    return ready > 0;
  }
  void read_some() {
    char chunk[4096];
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
      eof_ = true;
      return;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  bool reaped_ = false;
};

// ---------------------------------------------------------------------------------------------
// Kill plans.

int64_t us_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

//! How long the phases of a run take on this machine, first timed in a scratch store. A phase
//! changes length as the log grows (projecting duplicates is faster than projecting fresh
//! events), so a run that finished before its kill shrinks the phase to what it took, and a
//! kill grows it a little: kill delays keep landing inside the phase.
struct Timing {
  int64_t first_ack_us = 1;
  int64_t batch_us = 1;            //!< between two acks: parsing and appending one batch
  int64_t projection_us = 1;       //!< from the last ack to the exit
  int64_t run_us = 1;              //!< from the spawn to the exit
  int64_t project_command_us = 1;  //!< `ledger project` after a whole file was appended

  static void adapt(int64_t& phase_us, bool killed, Clock::time_point phase_start) {
    phase_us = killed ? phase_us + phase_us / 16 : std::max<int64_t>(1, us_since(phase_start));
  }
};

enum class KillPlan { kAfterAcks = 0, kDuringProjection = 1, kAtRandomTime = 2, kProjectCommand = 3 };
const char* const kPlanNames[] = {"after-acks", "during-projection", "random-time", "project-command"};

struct Paths {
  std::string data;
  std::string events;
  std::string ack_record;
  std::string child_stderr;
};

std::vector<std::string> ingest_args(const std::string& data, const std::string& events) {
  return {"--data", data, "--partitions", std::to_string(kPartitions), "ingest", "--progress", events};
}

enum class ReadEnd { kStopped, kTimeout, kEnd };

//! Reads the process's output, recording every ack, until `stop(line)` is true, the deadline
//! passes or the output ends.
template <typename Stop>
ReadEnd read_acks(LedgerProcess& process, Clock::time_point deadline, uint64_t& max_acked_line, Stop stop) {
  std::string line;
  for (;;) {
    auto next = process.next_line(deadline, line);
    if (next == LedgerProcess::Next::kTimeout) return ReadEnd::kTimeout;
    if (next == LedgerProcess::Next::kEnd) return ReadEnd::kEnd;
    max_acked_line = std::max(max_acked_line, acked_line_of(line));
    if (stop(line)) return ReadEnd::kStopped;
  }
}

bool never(const std::string&) {
  return false;
}

//! Lets the process run `delay_us` more, kills it, reaps it, and reads what it printed before
//! dying: an ack in the pipe was printed after a durable append, so it counts. Returns whether
//! SIGKILL ended it (false: it finished first).
bool kill_in(LedgerProcess& process, int64_t delay_us, uint64_t& max_acked_line) {
  read_acks(process, Clock::now() + std::chrono::microseconds(delay_us), max_acked_line, never);
  process.kill_now();
  bool killed = process.wait();
  REQUIRE(read_acks(process, Clock::now() + kStallLimit, max_acked_line, never) == ReadEnd::kEnd);
  return killed;
}

//! Waits until the output shows `stage` (or ends), then kills `delay_us` later.
template <typename Stage>
bool kill_after_stage(LedgerProcess& process, Stage stage, int64_t delay_us, uint64_t& max_acked_line) {
  ReadEnd end = read_acks(process, Clock::now() + kStallLimit, max_acked_line, stage);
  INFO("the run printed nothing for " << kStallLimit.count() << " s");
  REQUIRE(end != ReadEnd::kTimeout);
  return kill_in(process, delay_us, max_acked_line);
}

//! One spawn of the binary under `plan`; returns whether SIGKILL ended it.
bool run_and_kill(KillPlan plan, const Paths& paths, const Workload& w, Timing& timing,
                  std::mt19937_64& random, uint64_t& max_acked_line) {
  auto pick = [&](int64_t n) {
    return static_cast<int64_t>(random() % static_cast<uint64_t>(std::max<int64_t>(n, 1)));
  };
  if (plan == KillPlan::kProjectCommand) {
    // A whole copy of the file appended first, so that `project` has a file's worth to project.
    std::vector<std::string> append_only = ingest_args(paths.data, paths.events);
    append_only.insert(append_only.end() - 1, "--no-project");
    LedgerProcess appender(append_only, paths.child_stderr);
    REQUIRE(read_acks(appender, Clock::now() + kStallLimit, max_acked_line, never) == ReadEnd::kEnd);
    REQUIRE_FALSE(appender.wait());
    LedgerProcess process({"--data", paths.data, "--partitions", std::to_string(kPartitions), "project"},
                          paths.child_stderr);
    const auto start = Clock::now();
    bool killed = kill_in(process, pick(timing.project_command_us), max_acked_line);
    Timing::adapt(timing.project_command_us, killed, start);
    return killed;
  }
  LedgerProcess process(ingest_args(paths.data, paths.events), paths.child_stderr);
  const uint64_t last_line = w.lines.size();
  if (plan == KillPlan::kDuringProjection) {
    auto reached = Clock::now();
    auto last_ack = [&](const std::string& line) {
      if (acked_line_of(line) != last_line) return false;
      reached = Clock::now();
      return true;
    };
    bool killed = kill_after_stage(process, last_ack, pick(timing.projection_us), max_acked_line);
    Timing::adapt(timing.projection_us, killed, reached);
    return killed;
  }
  if (plan == KillPlan::kAtRandomTime) {
    const auto start = Clock::now();
    bool killed = kill_in(process, pick(timing.run_us), max_acked_line);
    Timing::adapt(timing.run_us, killed, start);
    return killed;
  }
  const uint64_t batches = (last_line + kAckBatchLines - 1) / kAckBatchLines;
  const uint64_t acks_wanted = random() % batches;  // 0 .. batches - 1: always before the last
  if (acks_wanted == 0) return kill_in(process, pick(timing.first_ack_us), max_acked_line);
  uint64_t acks_seen = 0;
  auto enough_acks = [&](const std::string& line) {
    return acked_line_of(line) > 0 && ++acks_seen == acks_wanted;
  };
  return kill_after_stage(process, enough_acks, pick(timing.batch_us), max_acked_line);
}

KillPlan pick_plan(std::mt19937_64& random) {
  switch (random() % 8) {
    case 0:
    case 1:
    case 2:
      return KillPlan::kAfterAcks;
    case 3:
    case 4:
      return KillPlan::kDuringProjection;
    case 5:
    case 6:
      return KillPlan::kAtRandomTime;
    default:
      return KillPlan::kProjectCommand;
  }
}

//! Times a full run in a scratch store, so that kill delays fall inside the phases on this
//! machine, whatever the build type.
Timing calibrate(const std::string& data, const Paths& paths, const Workload& w) {
  LedgerProcess process(ingest_args(data, paths.events), paths.child_stderr);
  const auto start = Clock::now();
  int64_t first_ack_us = -1;
  int64_t last_ack_us = -1;
  uint64_t acks = 0;
  std::string line;
  for (;;) {
    auto next = process.next_line(start + kStallLimit, line);
    REQUIRE(next != LedgerProcess::Next::kTimeout);
    if (next == LedgerProcess::Next::kEnd) break;
    if (acked_line_of(line) == 0) continue;
    last_ack_us = us_since(start);
    if (first_ack_us < 0) first_ack_us = last_ack_us;
    ++acks;
  }
  REQUIRE_FALSE(process.wait());
  REQUIRE(acks == (w.lines.size() + kAckBatchLines - 1) / kAckBatchLines);
  Timing timing;
  timing.first_ack_us = first_ack_us;
  timing.batch_us = acks > 1 ? (last_ack_us - first_ack_us) / static_cast<int64_t>(acks - 1) : first_ack_us;
  timing.run_us = us_since(start);
  timing.projection_us = timing.run_us - last_ack_us;
  timing.project_command_us = timing.projection_us;
  return timing;
}

// ---------------------------------------------------------------------------------------------
// After each kill.

//! Every line up to the highest acknowledged one is in the log.
void check_acked_lines_present(Engine& engine, const Workload& w, LogIndex& index, uint64_t acked,
                               Totals& totals) {
  index.update(engine);
  uint64_t lost = 0;
  std::string missing;
  for (uint64_t i = 0; i < acked; ++i) {
    if (w.effects[i].repeat || index.present(static_cast<int>(i))) continue;
    if (++lost <= 10) missing += fmt::format(" {}", i + 1);
  }
  totals.lost += lost;
  INFO(lost << " acknowledged lines missing from the log, e.g. lines" << missing);
  REQUIRE(lost == 0);
}

//! Appends lines [first, end) again in-process and projects them: each must be a duplicate of
//! an event already applied or rejected once, so nothing is applied or rejected.
void reingest_lines(Engine& engine, const Workload& w, LogIndex& index, uint64_t first, uint64_t end,
                    Totals& totals) {
  if (first == end) return;
  std::vector<std::string> lines(w.lines.begin() + static_cast<std::ptrdiff_t>(first),
                                 w.lines.begin() + static_cast<std::ptrdiff_t>(end));
  ProjectionStats stats = ingest_json_lines(engine, lines);
  INFO("lines " << first + 1 << " to " << end << " ingested again");
  REQUIRE(stats.applied == 0);
  REQUIRE(stats.rejected == 0);
  // The operator line is broadcast: one event in every partition.
  REQUIRE(stats.duplicates == end - first + (first == 0 ? kPartitions - 1 : 0));
  ++totals.reingests;
  check_projected_state(engine, w, index, totals);
}

//! Projects the rest in-process, then ingests the last acknowledged batch's worth of lines
//! again (the lines a kill is likeliest to lose; check_acked_lines_present looked at them all).
//! Only a window: the whole prefix every time would double the log and the test's run time.
void catch_up_and_reingest(Engine& engine, const Workload& w, LogIndex& index, uint64_t acked,
                           Totals& totals) {
  auto caught_up = engine.projector().catch_up();
  INFO(caught_up.status().to_string());
  REQUIRE(caught_up.is_ok());
  check_projected_state(engine, w, index, totals);
  reingest_lines(engine, w, index, acked > kAckBatchLines ? acked - kAckBatchLines : 0, acked, totals);
}

//! One spawn, kill and check: no acknowledged line lost, the exact projected balances (which
//! catch any double application) and, with `invariants`, BILLING.md section 8. A `full` cycle,
//! half the time, also projects and re-ingests in process.
void run_cycle(const Paths& paths, const Workload& w, Timing& timing, std::mt19937_64& random,
               LogIndex& index, Totals& totals, bool invariants, bool full) {
  const KillPlan plan = pick_plan(random);
  uint64_t max_acked_line = read_ack_record(paths.ack_record);
  const bool killed = run_and_kill(plan, paths, w, timing, random, max_acked_line);
  write_ack_record(paths.ack_record, max_acked_line);
  if (killed) {
    ++totals.kills;
    ++totals.kills_by_plan[static_cast<int>(plan)];
  } else {
    ++totals.completed_runs;
  }
  INFO("cycle after " << totals.kills << " kills, plan " << kPlanNames[static_cast<int>(plan)]
                      << (killed ? ", killed" : ", finished"));
  auto engine = open_engine(paths.data, kPartitions);
  const uint64_t acked = read_ack_record(paths.ack_record);
  check_acked_lines_present(*engine, w, index, acked, totals);
  check_projected_state(*engine, w, index, totals, /*invariants=*/false);
  if (invariants) {
    const auto start = Clock::now();
    check_billing_invariants(*engine, totals);
    totals.invariant_check_us += us_since(start);
  }
  // Half the time the rest is left for the next run, so that runs are killed while projecting
  // fresh events, not only duplicates.
  if (full && random() % 2 == 0) catch_up_and_reingest(*engine, w, index, acked, totals);
}

// ---------------------------------------------------------------------------------------------
// The end.

std::map<std::string, int64_t> expected_balances(const Workload& w) {
  std::map<std::string, int64_t> balances;
  for (const auto& account : w.accounts) balances[account] = 0;
  for (const auto& effect : w.effects) {
    if (effect.account >= 0) balances[w.accounts[effect.account]] += effect.debit_minor - effect.credit_minor;
  }
  return balances;
}

struct DigestLine {
  std::string hex;
  std::string rows;
};

//! The last line of `ledger digest` or `ledger replay`: "<32 hex>  <rows> rows  <dir>".
DigestLine digest_of(const CommandResult& result) {
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  std::istringstream in(result.out);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  std::istringstream words(last);
  DigestLine digest;
  words >> digest.hex >> digest.rows;
  REQUIRE(digest.hex.size() == 32);
  return digest;
}

//! A run to completion, then the exact balances, and a replay with the same digest.
uint64_t finish(const TempDir& dir, const Paths& paths, const Workload& w, LogIndex& index, Totals& totals) {
  CommandResult full = run_ledger(
      fmt::format("--data '{}' --partitions {} ingest '{}'", paths.data, kPartitions, paths.events));
  INFO(full.out << full.err);
  REQUIRE(full.exit_code == 0);
  REQUIRE(full.out.find(fmt::format("{} lines read", w.lines.size())) != std::string::npos);
  REQUIRE(full.out.find(" 0 refused") != std::string::npos);
  {
    auto engine = open_engine(paths.data, kPartitions);
    check_projected_state(*engine, w, index, totals);
    for (uint32_t p = 0; p < kPartitions; ++p) {
      auto stored = engine->projector().stored_offset(p);
      REQUIRE(stored.is_ok());
      REQUIRE(*stored == index.end(p));
    }
    REQUIRE(balances_by_account(*engine) == expected_balances(w));
    REQUIRE(check_invariants(*engine).empty());
    reingest_lines(*engine, w, index, 0, w.lines.size(), totals);  // re-sending a file changes nothing
  }
  DigestLine replayed =
      digest_of(run_ledger(fmt::format("--data '{}' replay --into '{}'", paths.data, dir.sub("replayed"))));
  DigestLine original = digest_of(run_ledger(fmt::format("--data '{}' digest", paths.data)));
  uint64_t mismatches = replayed.hex == original.hex && replayed.rows == original.rows ? 0 : 1;
  INFO("original " << original.hex << " " << original.rows << " rows, replayed " << replayed.hex << " "
                   << replayed.rows << " rows");
  REQUIRE(mismatches == 0);
  return mismatches;
}

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  uint64_t value = std::strtoull(text, &end, 0);
  INFO(name << "='" << text << "' is not a number");
  REQUIRE(*end == '\0');
  return value;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

TEST_CASE("SIGKILL at random points loses no acknowledged event and applies none twice", "[crash][slow]") {
  const uint64_t seed = env_u64("LEDGER_CRASH_SEED", kDefaultSeed);
  const uint64_t kills_wanted = env_u64("LEDGER_CRASH_KILLS", kDefaultKills);
  const uint64_t mixed_lines = env_u64("LEDGER_CRASH_LINES", kDefaultMixedLines);
  const uint64_t full_check_every =
      std::max<uint64_t>(1, env_u64("LEDGER_CRASH_FULL_CHECK_EVERY", kDefaultFullCheckEvery));
  const uint64_t invariants_every =
      std::max<uint64_t>(1, env_u64("LEDGER_CRASH_INVARIANTS_EVERY", kDefaultInvariantsEvery));
  const auto test_start = Clock::now();
  INFO(fmt::format("seed {:#x} (LEDGER_CRASH_SEED reproduces the workload; kill timing varies)", seed));
  std::cout << fmt::format("crash: seed {:#x}, {} kills wanted\n", seed, kills_wanted) << std::flush;

  const Workload w = WorkloadBuilder(seed, mixed_lines).build();
  TempDir dir;
  const Paths paths{dir.sub("data"), dir.sub("events.jsonl"), dir.sub("acked"), dir.sub("ledger.stderr")};
  write_file(paths.events, join_lines(w.lines));
  write_ack_record(paths.ack_record, 0);
  Timing timing = calibrate(dir.sub("calibration"), paths, w);
  std::cout << fmt::format(
                   "crash: a full run takes {} ms: first ack {} ms, a batch {} ms, projection {} ms\n",
                   timing.run_us / 1000, timing.first_ack_us / 1000, timing.batch_us / 1000,
                   timing.projection_us / 1000)
            << std::flush;

  LogIndex index(w);
  Totals totals;
  std::mt19937_64 random(seed ^ 0x9e37'79b9'7f4a'7c15);
  for (uint64_t cycle = 0; totals.kills < kills_wanted; ++cycle) {
    if (cycle >= 4 * kills_wanted + 10)
      FAIL("the kills keep missing the runs: the timing calibration is off");
    run_cycle(paths, w, timing, random, index, totals, (cycle + 1) % invariants_every == 0,
              (cycle + 1) % full_check_every == 0);
  }
  const uint64_t digest_mismatches = finish(dir, paths, w, index, totals);

  uint64_t log_events = 0;
  for (uint32_t p = 0; p < kPartitions; ++p) log_events += index.end(p);
  std::cout
      << fmt::format(
             "crash: {} kills ({} after acks, {} during projection, {} at random times, {} of `project`), "
             "{} runs finished, {} in-process re-ingests; {} lines ({} rejected, {} repeats), {} events in "
             "the log; lost = {}, double-applied = {}, other mismatches = {}, digest mismatches = {}; "
             "{} checks of section 8 ({} ms after restarts); {} s; seed {:#x}\n",
             totals.kills, totals.kills_by_plan[0], totals.kills_by_plan[1], totals.kills_by_plan[2],
             totals.kills_by_plan[3], totals.completed_runs, totals.reingests, w.lines.size(), w.rejected,
             w.repeats, log_events, totals.lost, totals.double_applied, totals.state_mismatches,
             digest_mismatches, totals.full_checks, totals.invariant_check_us / 1000,
             us_since(test_start) / 1'000'000, seed)
      << std::flush;
}

}  // namespace ledger::test
