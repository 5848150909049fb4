#pragma once

#include <string>
#include <vector>

namespace ledger::test {

//! A billing month as JSON lines: two operators (broadcast), accounts in two currencies, charges,
//! calls, a prepaid account suspended and re-enabled, payments, a billing run (broadcast) and
//! events the views reject (unknown account, currency mismatch, an id reused with another
//! payload).
std::vector<std::string> kafka_scenario_lines();

//! kafka_scenario_lines() with `extra_calls` more calls spread over the eight postpaid accounts
//! (before the billing run), for a stream long enough to stop a consumer in the middle of.
std::vector<std::string> kafka_long_scenario_lines(int extra_calls);

//! The lines joined with newlines.
std::string join_lines(const std::vector<std::string>& lines);

}  // namespace ledger::test
