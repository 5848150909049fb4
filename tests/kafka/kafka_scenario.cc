#include "tests/kafka/kafka_scenario.h"

#include <fmt/format.h>

#include <algorithm>

namespace ledger::test {
namespace {

constexpr int64_t kOpenedUs = 1704186900000000;  // 2024-01-02T09:15:00Z
constexpr int64_t kChargeUs = 1704412800000000;  // 2024-01-05
constexpr int64_t kCallUs = 1705329750000000;    // 2024-01-15
constexpr int64_t kRunUs = 1706853600000000;     // 2024-02-02T06:00:00Z
constexpr int64_t kPaidUs = 1707552000000000;    // 2024-02-10

std::string operator_line(const std::string& name, const std::string& currency, int rate_ppm) {
  return fmt::format(
      R"({{"id":"{0}:config:1","account":"","time_us":1704067200000000,"body_type":"OperatorConfigured","body":{{)"
      R"("operator":"{0}","name":"{0}","currency":"{1}","payment_terms_days":14,"tax_rates":[)"
      R"({{"service_type":"internet","code":"VAT","rate_ppm":{2}}},{{"service_type":"usage","code":"FET","rate_ppm":30000}}]}}}})",
      name, currency, rate_ppm);
}

std::string open_line(const std::string& account, const std::string& op, const std::string& currency,
                      int64_t limit_minor, int offset_us) {
  return fmt::format(
      R"({{"id":"crm:{0}:opened","account":"{0}","time_us":{1},"body_type":"AccountOpened","body":{{)"
      R"("operator":"{2}","name":"Customer {0}","currency":"{3}","credit_limit_minor":{4},"invoice_day":1}}}})",
      account, kOpenedUs + offset_us, op, currency, limit_minor);
}

std::string charge_line(const std::string& account, int n, int64_t price_micro) {
  return fmt::format(
      R"({{"id":"billing:{0}:chg-{1}","account":"{0}","time_us":{2},"body_type":"Charge","body":{{)"
      R"("charge_id":"chg-{0}-{1}","description":"Fiber, January","service_type":"internet",)"
      R"("quantity_milli":1000,"unit_price_micro":{3},"service_from_day":20240101,"service_to_day":20240131}}}})",
      account, n, kChargeUs + n, price_micro);
}

std::string call_line(const std::string& account, int n, int64_t cost_micro) {
  return fmt::format(
      R"({{"id":"rating:{0}:cdr-{1}","account":"{0}","time_us":{2},"body_type":"Cdr","body":{{)"
      R"("call_id":"cdr-{0}-{1}","destination":"UK Mobile","duration_s":120,"cost_micro":{3}}}}})",
      account, n, kCallUs + n, cost_micro);
}

std::string payment_line(const std::string& account, const std::string& id, int64_t amount_minor,
                         const std::string& currency) {
  return fmt::format(R"({{"id":"psp:{1}","account":"{0}","time_us":{2},"body_type":"Payment","body":{{)"
                     R"("payment_id":"{1}","amount_minor":{3},"method":"card","currency":"{4}"}}}})",
                     account, id, kPaidUs, amount_minor, currency);
}

}  // namespace

std::vector<std::string> kafka_scenario_lines() {
  std::vector<std::string> lines = {operator_line("acme-isp", "USD", 62500),
                                    operator_line("bolt-net", "EUR", 200000)};
  for (int a = 0; a < 8; ++a) {
    const bool acme = a % 2 == 0;
    lines.push_back(
        open_line(fmt::format("acc-{}", a), acme ? "acme-isp" : "bolt-net", acme ? "USD" : "EUR", 100000, a));
  }
  lines.push_back(open_line("pre-1", "acme-isp", "USD", 0, 9));
  for (int a = 0; a < 8; ++a) {
    const std::string account = fmt::format("acc-{}", a);
    lines.push_back(charge_line(account, 1, 29'990'000 + a * 1'000'000));
    for (int n = 0; n < 4; ++n) lines.push_back(call_line(account, n, 125'000 + 37'000 * n + a));
  }
  lines.push_back(call_line("pre-1", 1, 1'234'567));  // over a limit of 0: suspended
  lines.push_back(
      R"({"id":"portal:pre-1:refill-1","account":"pre-1","time_us":1705400000000000,"body_type":"Refill","body":{"refill_id":"refill-1","amount_minor":500}})");
  lines.push_back(charge_line("ghost-9", 1, 1'000'000));           // unknown_account
  lines.push_back(payment_line("acc-0", "pay-eur", 1000, "EUR"));  // acc-0 bills in USD
  lines.push_back(call_line("acc-1", 0, 999'999));                 // id reused, other payload
  lines.push_back(
      R"({"id":"scheduler:run-1","account":"","time_us":1706853600000000,"body_type":"BillingRun","body":{"run_number":1,"as_of_day":20240202,"kind":"Scheduled"}})");
  for (int a = 0; a < 8; a += 3) {
    lines.push_back(payment_line(fmt::format("acc-{}", a), fmt::format("pay-{}", a), 2000 + a,
                                 a % 2 == 0 ? "USD" : "EUR"));
  }
  lines.push_back(call_line("acc-2", 9, kRunUs % 1000));
  return lines;
}

std::vector<std::string> kafka_long_scenario_lines(int extra_calls) {
  std::vector<std::string> lines = kafka_scenario_lines();
  std::vector<std::string> calls;
  for (int n = 0; n < extra_calls; ++n) {
    calls.push_back(call_line(fmt::format("acc-{}", n % 8), 1000 + n, 10'000 + 7 * n));
  }
  // Before the prepaid account's call, so that its suspension comes late in the stream.
  const auto prepaid_call = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find(R"("id":"rating:pre-1:cdr-1")") != std::string::npos;
  });
  lines.insert(prepaid_call, calls.begin(), calls.end());
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace ledger::test
