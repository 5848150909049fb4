#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/view.h"
#include "schemas/events_generated.h"
#include "schemas/views_generated.h"

namespace ledger {

//! One tax of a priced line. Its texts point into the operator row or the event it was priced
//! from, both valid until the end of the event: pricing a call copies no text.
struct TaxLine {
  std::string_view code;
  std::string_view name;
  int64_t amount_minor = 0;
};

//! A priced line (BILLING.md section 1): every amount in whole minor units.
struct PricedLine {
  int64_t gross_minor = 0;  //!< quantity x unit price, or the CDR's rounded cost
  int64_t discount_minor = 0;
  int64_t net_minor = 0;  //!< gross - discount: what taxes apply to
  std::vector<TaxLine> taxes;
  int64_t tax_minor = 0;    //!< sum of taxes
  int64_t total_minor = 0;  //!< net + tax: what the line adds to the balance
};

//! The operator's tax rates for a service type: the rates named for that exact type, or, when
//! there are none, the rates for "*". Rounded per tax, half-even, on the line's net amount.
Result<std::vector<TaxLine>> operator_taxes(const view::OperatorRowT& operator_row,
                                            std::string_view service_type, int64_t net_minor);

//! Prices a Charge: explicit `taxes` when the event carries them, else the operator's rates.
//! A Rejection-worthy failure comes back as a Status whose message names the field.
Result<PricedLine> price_charge(const schema::Charge& charge, const view::OperatorRowT& operator_row,
                                uint8_t exponent);

//! Prices a CDR: its cost rounded to the minor unit, taxed as one `usage` line.
Result<PricedLine> price_cdr(const schema::Cdr& cdr, const view::OperatorRowT& operator_row,
                             uint8_t exponent);

//! The service type CDRs are taxed as.
inline constexpr char kUsageServiceType[] = "usage";

}  // namespace ledger
