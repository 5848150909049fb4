#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ledger::bench {

//! What the workload looks like. The same options always give the same events, byte for byte.
struct WorkloadOptions {
  uint64_t events = 100'000;     //!< exactly this many (unless the set-up alone needs more)
  uint32_t accounts = 0;         //!< 0: derived from events and months (about 18 events per account-month)
  int32_t months = 3;            //!< months of event time
  int32_t first_day = 20260101;  //!< YYYYMMDD of the first day
  double zipf_exponent = 0.9;    //!< skew of call activity across accounts (0 = uniform)
  uint64_t seed = 1;
};

//! The kinds the workload writes, for the per-kind counts.
enum class WorkloadKind : uint8_t {
  kOperator,
  kAccountOpened,
  kCdr,
  kSubscription,
  kOneOffCharge,
  kPayment,
  kRefill,
  kCorrection,
  kCreditNote,
  kBillingRun,
  kCount
};

//! The kind's name as the summary prints it.
const char* workload_kind_name(WorkloadKind kind);

struct WorkloadCounts {
  uint64_t total = 0;
  std::array<uint64_t, static_cast<size_t>(WorkloadKind::kCount)> by_kind{};
};

//! A telecom month after month: operators in three currencies with VAT per service type,
//! prepaid and postpaid accounts, monthly subscriptions on each account's invoice day,
//! Zipf-skewed calls (about 85% of events), monthly payments, fortnightly prepaid top-ups, rare
//! one-off charges, corrections and credit notes, and a scheduled billing run on the 3rd of
//! each month. Events stream out one at a time in log order (day by day); memory is bounded
//! by the number of accounts.
class WorkloadGenerator {
 public:
  using Sink = std::function<void(std::string_view json_line)>;

  explicit WorkloadGenerator(const WorkloadOptions& options);

  uint32_t accounts() const { return accounts_; }
  int32_t days() const { return days_; }

  //! Calls `sink` with each event's JSON (the `ledger ingest` format, no newline).
  WorkloadCounts generate(const Sink& sink);

 private:
  struct Emitter;
  void set_up(Emitter& out);
  void scheduled_day(int32_t day, Emitter& out);
  void account_day(uint32_t account, int32_t day, int32_t date, Emitter& out);
  uint64_t cdrs_on_day(int32_t day) const;

  WorkloadOptions options_;
  uint32_t accounts_ = 0;
  int32_t days_ = 0;
  uint64_t cdr_total_ = 0;
};

}  // namespace ledger::bench
