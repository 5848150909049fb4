#pragma once

#include <cstdint>
#include <ostream>

namespace ledger {

//! A small, realistic data set: operators in three currencies with VAT per service type,
//! prepaid and postpaid accounts, a month of subscriptions, calls, payments, refills,
//! corrections and credit notes, with a scheduled billing run on the 3rd of each month.
//! Deterministic from the seed.
struct DemoOptions {
  uint32_t accounts = 300;
  int32_t first_day = 20261001;  //!< YYYYMMDD; the month starts here
  int32_t days = 61;
  uint64_t seed = 42;
};

//! Writes the demo events to `out` as JSON lines; returns how many.
uint64_t write_demo_events(const DemoOptions& options, std::ostream& out);

}  // namespace ledger
