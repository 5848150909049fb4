#include "connectors/demo/demo_data.h"

#include <fmt/format.h>

#include <array>
#include <random>
#include <string>

#include "engine/calendar.h"

namespace ledger {
namespace {

struct DemoOperator {
  const char* id;
  const char* name;
  const char* currency;
  int32_t terms_days;
};

constexpr std::array<DemoOperator, 3> kOperators = {{
    {"acme-isp", "Acme Internet", "USD", 14},
    {"nordtel", "Nordtel Reseller", "EUR", 30},
    {"sakura-net", "Sakura Net", "JPY", 10},
}};

constexpr std::array<const char*, 6> kDestinations = {"US Mobile",        "US Landline",  "UK Mobile",
                                                      "Germany Landline", "Japan Mobile", "India Mobile"};

class DemoWriter {
 public:
  DemoWriter(const DemoOptions& options, std::ostream& out)
      : options_(options), out_(out), random_(options.seed) {}

  uint64_t write() {
    for (const auto& op : kOperators) configure(op);
    for (uint32_t i = 0; i < options_.accounts; ++i) open_account(i);
    for (int32_t d = 0; d < options_.days; ++d) write_day(d);
    return count_;
  }

 private:
  int64_t time_of(int32_t day_index, int64_t second_of_day) const {
    return (days_since_epoch(options_.first_day) + day_index) * kMicrosPerDay + second_of_day * 1'000'000;
  }
  uint64_t next(uint64_t bound) { return random_() % bound; }
  const DemoOperator& operator_of(uint32_t account) const { return kOperators[account % kOperators.size()]; }
  std::string account_id(uint32_t account) const {
    return fmt::format("{}-{:05}", operator_of(account).id, account);
  }
  bool is_prepaid(uint32_t account) const { return account % 4 == 3; }

  void emit(const std::string& line) {
    out_ << line << '\n';
    ++count_;
  }

  void configure(const DemoOperator& op) {
    emit(fmt::format(
        R"({{"id":"op-{0}","time_us":{1},"body_type":"OperatorConfigured","body":{{"operator":"{0}","name":"{2}",)"
        R"("currency":"{3}","invoice_number_format":"{{operator}}-{{yyyy}}{{mm}}-{{seq:6}}","payment_terms_days":{4},)"
        R"("max_bill_amount_minor":50000000,"max_credit_amount_minor":1000000,"tax_rates":[)"
        R"({{"service_type":"internet","code":"VAT20","name":"VAT 20%","rate_ppm":200000}},)"
        R"({{"service_type":"usage","code":"VAT20","name":"VAT 20%","rate_ppm":200000}},)"
        R"({{"service_type":"hosting","code":"VAT10","name":"VAT 10% digital services","rate_ppm":100000}}]}}}})",
        op.id, time_of(0, 0), op.name, op.currency, op.terms_days));
  }

  void open_account(uint32_t account) {
    const int64_t limit = is_prepaid(account) ? 0 : 50000;
    emit(fmt::format(
        R"({{"id":"open-{0}","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{"operator":"{2}",)"
        R"("name":"Customer {3}","currency":"{4}","credit_limit_minor":{5},"invoice_day":{6}}}}})",
        account_id(account), time_of(0, 60 + account), operator_of(account).id, account,
        operator_of(account).currency, limit, 1 + account % 28));
    if (is_prepaid(account)) refill(account, 0, 2000);
  }

  void refill(uint32_t account, int32_t day, int64_t amount_minor) {
    emit(fmt::format(
        R"({{"id":"refill-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Refill","body":{{"refill_id":"R{1}",)"
        R"("amount_minor":{3},"description":"Top-up"}}}})",
        account_id(account), count_, time_of(day, 3600 + account), amount_minor));
  }

  void write_day(int32_t day) {
    const int32_t date = add_days(options_.first_day, day);
    if (date % 100 == 3) billing_run(day, date);
    for (uint32_t account = 0; account < options_.accounts; ++account) {
      if (day == static_cast<int32_t>(account % 28)) subscription(account, day);
      uint64_t calls = next(3);
      for (uint64_t c = 0; c < calls; ++c) call(account, day);
      if (!is_prepaid(account) && day == static_cast<int32_t>((account * 7) % 28) + 1) payment(account, day);
      if (is_prepaid(account) && next(10) == 0) refill(account, day, 1000);
      if (next(400) == 0) correction(account, day);
      if (next(600) == 0) credit_note(account, day);
    }
  }

  //! The monthly scheduled run on the 3rd closes every period that ended by the 1st.
  void billing_run(int32_t day, int32_t date) {
    ++runs_;
    emit(fmt::format(
        R"({{"id":"billing-run-{0}","time_us":{1},"body_type":"BillingRun","body":{{"run_number":{0},"as_of_day":{2},)"
        R"("kind":"Scheduled"}}}})",
        runs_, time_of(day, 0), date));
  }

  void subscription(uint32_t account, int32_t day) {
    const bool hosting = account % 5 == 0;
    const int32_t from = add_days(options_.first_day, day);
    const int64_t price = hosting ? 9'990'000 : 29'990'000;
    const int64_t price_micro =
        std::string_view(operator_of(account).currency) == "JPY" ? price * 100 : price;
    emit(fmt::format(
        R"({{"id":"sub-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Charge","body":{{"charge_id":"C{1}",)"
        R"("description":"{3}","service_type":"{4}","subscription_id":"S-{0}","subscription_name":"{3}",)"
        R"("subscription_status":"Active","quantity_milli":1000,"unit_price_micro":{5},"duration_months":1,)"
        R"("discount_minor":{6},"service_from_day":{7},"service_to_day":{8}}}}})",
        account_id(account), from, time_of(day, 7200 + account),
        hosting ? "Web hosting Basic" : "Fiber 500 Mbit/s", hosting ? "hosting" : "internet", price_micro,
        account % 7 == 0 ? 500 : 0, from, add_days(from, 29)));
  }

  void call(uint32_t account, int32_t day) {
    const int64_t second = 28800 + static_cast<int64_t>(next(50000));
    const int64_t duration_s = 5 + static_cast<int64_t>(next(900));
    const int64_t rate_micro_per_minute = 4'500 + static_cast<int64_t>(next(20'000));  // sub-cent rates
    const int64_t cost_micro = duration_s * rate_micro_per_minute / 60;
    emit(fmt::format(
        R"({{"id":"cdr-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Cdr","body":{{"call_id":"{1}",)"
        R"("calling":"+1555{3:07}","called":"+44{4:09}","destination":"{5}","start_us":{2},"duration_s":{6},)"
        R"("cost_micro":{7}}}}})",
        account_id(account), count_, time_of(day, second), account, next(1'000'000'000),
        kDestinations[next(kDestinations.size())], duration_s,
        std::string_view(operator_of(account).currency) == "JPY" ? cost_micro * 100 : cost_micro));
  }

  void payment(uint32_t account, int32_t day) {
    emit(fmt::format(
        R"({{"id":"pay-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Payment","body":{{"payment_id":"P{1}",)"
        R"("amount_minor":{3},"method":"{4}","reference":"bank transfer {1}"}}}})",
        account_id(account), count_, time_of(day, 43200 + account), 2500 + next(3000),
        next(2) ? "card" : "bank"));
  }

  void correction(uint32_t account, int32_t day) {
    const bool up = next(2) == 0;
    emit(fmt::format(
        R"({{"id":"corr-{0}-{1}","account":"{0}","time_us":{2},"body_type":"Correction","body":{{)"
        R"("correction_id":"K{1}","amount_minor":{3},"description":"{4}","approved_by":"billing.manager",)"
        R"("approved_at_us":{2}}}}})",
        account_id(account), count_, time_of(day, 50000 + account), up ? 350 : -500,
        up ? "Missed installation fee" : "Goodwill credit for outage"));
  }

  void credit_note(uint32_t account, int32_t day) {
    emit(
        fmt::format(R"({{"id":"cn-{0}-{1}","account":"{0}","time_us":{2},"body_type":"CreditNote","body":{{)"
                    R"("credit_note_id":"CN{1}","amount_minor":{3},"description":"Service level credit"}}}})",
                    account_id(account), count_, time_of(day, 60000 + account), 1000));
  }

  const DemoOptions& options_;
  std::ostream& out_;
  std::mt19937_64 random_;
  uint64_t count_ = 0;
  int64_t runs_ = 0;
};

}  // namespace

uint64_t write_demo_events(const DemoOptions& options, std::ostream& out) {
  return DemoWriter(options, out).write();
}

}  // namespace ledger
