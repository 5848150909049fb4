#include "bench/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "bench/zipf_sampler.h"
#include "engine/calendar.h"

namespace ledger::bench {
namespace {

struct WorkloadOperator {
  const char* id;
  const char* name;
  const char* currency;
  int32_t terms_days;
  int64_t price_scale;  //!< micro-units per minor unit relative to USD: a yen is about a cent here
};

constexpr std::array<WorkloadOperator, 4> kOperators = {{
    {"acme-isp", "Acme Internet", "USD", 14, 1},
    {"nordtel", "Nordtel Reseller", "EUR", 30, 1},
    {"sakura-net", "Sakura Net", "JPY", 10, 100},
    {"pampa-tel", "Pampa Telecom", "USD", 21, 1},
}};

constexpr std::array<const char*, 8> kDestinations = {"US Mobile",    "US Landline",    "UK Mobile",
                                                      "UK Landline",  "Germany Mobile", "Japan Mobile",
                                                      "India Mobile", "Brazil Mobile"};

constexpr int64_t kMicrosPerSecond = 1'000'000;

const WorkloadOperator& operator_of(uint32_t account) {
  return kOperators[account % kOperators.size()];
}
bool is_prepaid(uint32_t account) {
  return (account / kOperators.size()) % 4 == 3;
}
int32_t invoice_day_of(uint32_t account) {
  return 1 + static_cast<int32_t>(mix64(account) % 28);
}
int32_t pay_day_of(uint32_t account) {
  return 1 + (invoice_day_of(account) + 12) % 28;
}
std::string account_id(uint32_t account) {
  return fmt::format("{}-{:07}", operator_of(account).id, account);
}

//! A stride coprime with n, near n times the golden ratio: maps Zipf ranks to accounts so that
//! the busiest accounts are spread over operators and partitions.
uint32_t coprime_stride(uint32_t n) {
  if (n <= 1) return 1;
  uint64_t stride = static_cast<uint64_t>(n * 0.6180339887) | 1;
  while (std::gcd<uint64_t, uint64_t>(stride, n) != 1) ++stride;
  return static_cast<uint32_t>(stride % n == 0 ? 1 : stride % n);
}

}  // namespace

const char* workload_kind_name(WorkloadKind kind) {
  static constexpr std::array<const char*, static_cast<size_t>(WorkloadKind::kCount)> kNames = {
      "OperatorConfigured", "AccountOpened", "Cdr",    "Charge (subscription)",
      "Charge (one-off)",   "Payment",       "Refill", "Correction",
      "CreditNote",         "BillingRun"};
  return kNames[static_cast<size_t>(kind)];
}

//! Counts every event; formats and writes it only when it has a sink (the counting pass has
//! none). Content draws come from `random`, decisions from mix64, so both passes agree.
struct WorkloadGenerator::Emitter {
  const Sink* sink = nullptr;
  WorkloadCounts counts;
  std::mt19937_64 random;
  int32_t first_day = 0;

  bool count(WorkloadKind kind) {
    ++counts.total;
    ++counts.by_kind[static_cast<size_t>(kind)];
    return sink != nullptr;
  }
  void write(const std::string& line) { (*sink)(line); }
  uint64_t next(uint64_t bound) { return random() % bound; }
  int64_t time_of(int32_t day, int64_t micros_of_day) const {
    return (days_since_epoch(first_day) + day) * kMicrosPerDay + micros_of_day;
  }

  void operator_configured(const WorkloadOperator& op) {
    if (!count(WorkloadKind::kOperator)) return;
    write(fmt::format(
        R"({{"id":"op-{0}","time_us":{1},"body_type":"OperatorConfigured","body":{{"operator":"{0}","name":"{2}",)"
        R"("currency":"{3}","invoice_number_format":"{{operator}}-{{yyyy}}{{mm}}-{{partition}}-{{seq:7}}",)"
        R"("payment_terms_days":{4},"max_bill_amount_minor":50000000,"max_credit_amount_minor":1000000,"tax_rates":[)"
        R"({{"service_type":"internet","code":"VAT20","name":"VAT 20%","rate_ppm":200000}},)"
        R"({{"service_type":"usage","code":"VAT20","name":"VAT 20%","rate_ppm":200000}},)"
        R"({{"service_type":"equipment","code":"VAT20","name":"VAT 20%","rate_ppm":200000}},)"
        R"({{"service_type":"hosting","code":"VAT10","name":"VAT 10% digital services","rate_ppm":100000}}]}}}})",
        op.id, time_of(0, 0), op.name, op.currency, op.terms_days));
  }

  void account_opened(uint32_t account) {
    if (!count(WorkloadKind::kAccountOpened)) return;
    const int64_t limit = is_prepaid(account) ? 0 : 5000;
    write(fmt::format(
        R"({{"id":"open-{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{"operator":"{2}",)"
        R"("name":"Customer {3}","currency":"{4}","credit_limit_minor":{5},"invoice_day":{6}}}}})",
        account_id(account), time_of(0, kMicrosPerSecond + account * 1000), operator_of(account).id, account,
        operator_of(account).currency, limit, invoice_day_of(account)));
  }

  void refill(uint32_t account, int32_t day, int64_t amount_minor) {
    if (!count(WorkloadKind::kRefill)) return;
    write(fmt::format(
        R"({{"id":"refill-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Refill","body":{{"refill_id":"R{1}",)"
        R"("amount_minor":{3},"description":"Top-up"}}}})",
        account_id(account), counts.total, time_of(day, 3600 * kMicrosPerSecond + next(kMicrosPerDay / 2)),
        amount_minor));
  }

  void subscription(uint32_t account, int32_t day, int32_t date) {
    if (!count(WorkloadKind::kSubscription)) return;
    const bool hosting = account % 5 == 0;
    const int64_t price_micro = (hosting ? 9'990'000 : 29'990'000) * operator_of(account).price_scale;
    const int32_t to_day = add_days(add_months(date, 1), -1);
    write(fmt::format(
        R"({{"id":"sub-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"C{1}",)"
        R"("description":"{3}","service_type":"{4}","subscription_id":"S-{0}","subscription_name":"{3}",)"
        R"("subscription_status":"Active","quantity_milli":1000,"unit_price_micro":{5},"duration_months":1,)"
        R"("discount_minor":{6},"service_from_day":{1},"service_to_day":{7}}}}})",
        account_id(account), date, time_of(day, 7200 * kMicrosPerSecond + account % 3600 * kMicrosPerSecond),
        hosting ? "Web hosting Basic" : "Fiber 500 Mbit/s", hosting ? "hosting" : "internet", price_micro,
        account % 7 == 0 ? 500 : 0, to_day));
  }

  void one_off_charge(uint32_t account, int32_t day) {
    if (!count(WorkloadKind::kOneOffCharge)) return;
    const int64_t quantity_milli = 1000 * (1 + static_cast<int64_t>(next(3)));
    write(fmt::format(
        R"({{"id":"chg-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"X{1}",)"
        R"("description":"Wi-Fi extender","service_type":"equipment","quantity_milli":{3},)"
        R"("unit_price_micro":{4},"duration_months":0}}}})",
        account_id(account), counts.total, time_of(day, 36000 * kMicrosPerSecond + next(kMicrosPerDay / 4)),
        quantity_milli, 19'500'000 * operator_of(account).price_scale));
  }

  void cdr(uint32_t account, int32_t day) {
    if (!count(WorkloadKind::kCdr)) return;
    const int64_t start_us = time_of(day, 28800 * kMicrosPerSecond + next(50'000 * kMicrosPerSecond));
    const int64_t duration_s = 5 + static_cast<int64_t>(next(900));
    const int64_t rate_micro_per_minute = 4'500 + static_cast<int64_t>(next(20'000));
    const int64_t cost_micro = duration_s * rate_micro_per_minute / 60 * operator_of(account).price_scale;
    write(fmt::format(
        R"({{"id":"cdr-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Cdr","body":{{"call_id":"{1}",)"
        R"("calling":"+1555{3:07}","called":"+44{4:09}","destination":"{5}","start_us":{2},"duration_s":{6},)"
        R"("cost_micro":{7}}}}})",
        account_id(account), counts.total, start_us, account % 10'000'000, next(1'000'000'000),
        kDestinations[next(kDestinations.size())], duration_s, cost_micro));
  }

  void payment(uint32_t account, int32_t day) {
    if (!count(WorkloadKind::kPayment)) return;
    write(fmt::format(
        R"({{"id":"pay-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Payment","body":{{"payment_id":"P{1}",)"
        R"("amount_minor":{3},"method":"{4}","reference":"bank transfer {1}"}}}})",
        account_id(account), counts.total, time_of(day, 43200 * kMicrosPerSecond + next(kMicrosPerDay / 4)),
        3000 + next(2500), next(2) ? "card" : "bank"));
  }

  void correction(uint32_t account, int32_t day) {
    if (!count(WorkloadKind::kCorrection)) return;
    const bool up = next(2) == 0;
    const int64_t time_us = time_of(day, 50000 * kMicrosPerSecond + next(kMicrosPerDay / 8));
    write(fmt::format(
        R"({{"id":"corr-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Correction","body":{{)"
        R"("correction_id":"K{1}","amount_minor":{3},"description":"{4}","approved_by":"billing.manager",)"
        R"("approved_at_us":{2}}}}})",
        account_id(account), counts.total, time_us, up ? 350 : -500,
        up ? "Missed installation fee" : "Goodwill credit for outage"));
  }

  void credit_note(uint32_t account, int32_t day) {
    if (!count(WorkloadKind::kCreditNote)) return;
    write(
        fmt::format(R"({{"id":"cn-{0}-{1}","account":"{0}","time_us":{2},"body_type":"CreditNote","body":{{)"
                    R"("credit_note_id":"CN{1}","amount_minor":{3},"description":"Service level credit"}}}})",
                    account_id(account), counts.total,
                    time_of(day, 60000 * kMicrosPerSecond + next(kMicrosPerDay / 8)), 1000));
  }

  void billing_run(int32_t run_number, int32_t day, int32_t date) {
    if (!count(WorkloadKind::kBillingRun)) return;
    write(fmt::format(
        R"({{"id":"billing-run-{0}","time_us":{1},"body_type":"BillingRun","body":{{"run_number":{0},)"
        R"("as_of_day":{2},"kind":"Scheduled"}}}})",
        run_number, time_of(day, 0), date));
  }
};

WorkloadGenerator::WorkloadGenerator(const WorkloadOptions& options) : options_(options) {
  days_ =
      static_cast<int32_t>(days_between(options.first_day, add_months(options.first_day, options.months)));
  const uint64_t derived = options.events / (18 * static_cast<uint64_t>(std::max(options.months, 1)));
  accounts_ = options.accounts != 0 ? options.accounts
                                    : static_cast<uint32_t>(std::clamp<uint64_t>(derived, 8, 50'000'000));
}

void WorkloadGenerator::set_up(Emitter& out) {
  for (const auto& op : kOperators) out.operator_configured(op);
  for (uint32_t account = 0; account < accounts_; ++account) {
    out.account_opened(account);
    if (is_prepaid(account)) out.refill(account, 0, 2000);
  }
}

void WorkloadGenerator::account_day(uint32_t account, int32_t day, int32_t date, Emitter& out) {
  const int32_t day_of_month = date % 100;
  if (day_of_month == invoice_day_of(account)) out.subscription(account, day, date);
  if (is_prepaid(account)) {
    if ((static_cast<uint32_t>(day) + account) % 14 == 0) out.refill(account, day, 2000);
  } else if (day_of_month == pay_day_of(account)) {
    out.payment(account, day);
  }
  const uint64_t decision = mix64(options_.seed * 0x100000001b3ULL ^ (uint64_t{account} << 20) ^ day) % 4000;
  if (decision < 10) {
    out.correction(account, day);
  } else if (decision < 17) {
    out.credit_note(account, day);
  } else if (decision < 30) {
    out.one_off_charge(account, day);
  }
}

void WorkloadGenerator::scheduled_day(int32_t day, Emitter& out) {
  const int32_t date = add_days(options_.first_day, day);
  if (date % 100 == 3)
    out.billing_run(
        static_cast<int32_t>(out.counts.by_kind[static_cast<size_t>(WorkloadKind::kBillingRun)]) + 1, day,
        date);
  for (uint32_t account = 0; account < accounts_; ++account) account_day(account, day, date, out);
}

uint64_t WorkloadGenerator::cdrs_on_day(int32_t day) const {
  const auto days = static_cast<uint64_t>(days_);
  return (day + 1) * cdr_total_ / days - day * cdr_total_ / days;
}

WorkloadCounts WorkloadGenerator::generate(const Sink& sink) {
  // Counting pass: everything but the calls, so the calls can make up exactly the total.
  Emitter counter;
  counter.first_day = options_.first_day;
  set_up(counter);
  for (int32_t day = 0; day < days_; ++day) scheduled_day(day, counter);
  cdr_total_ = options_.events > counter.counts.total ? options_.events - counter.counts.total : 0;

  Emitter out;
  out.sink = &sink;
  out.first_day = options_.first_day;
  out.random.seed(options_.seed);
  const ZipfSampler zipf(accounts_, options_.zipf_exponent);
  const uint32_t stride = coprime_stride(accounts_);
  set_up(out);
  for (int32_t day = 0; day < days_; ++day) {
    scheduled_day(day, out);
    for (uint64_t c = cdrs_on_day(day); c > 0; --c) {
      const uint32_t rank = zipf.rank(out.random());
      out.cdr(static_cast<uint32_t>(uint64_t{rank} * stride % accounts_), day);
    }
  }
  return out.counts;
}

}  // namespace ledger::bench
