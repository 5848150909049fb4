#pragma once

#include "engine/status.h"
#include "schemas/events_generated.h"

namespace ledger {

//! Bounds on every field of an event, checked at the door. Documented in schemas/README.md.
struct EventLimits {
  static constexpr size_t kIdBytesMax = 128;
  static constexpr size_t kAccountBytesMax = 64;
  static constexpr size_t kCodeBytesMax = 64;  //!< operator, service type, tax code, state
  static constexpr size_t kNameBytesMax = 256;
  static constexpr size_t kTextBytesMax = 1024;  //!< descriptions, notes, references
  static constexpr size_t kTaxRatesMax = 64;
  static constexpr size_t kExplicitTaxesMax = 16;
  static constexpr size_t kRunAccountsMax = 10'000;
  static constexpr int32_t kPaymentTermsDaysMax = 3650;
  static constexpr int32_t kDurationMonthsMax = 1200;
  static constexpr int64_t kRatePpmMax = 1'000'000;
};

//! True for the kinds appended once to every partition (empty `account`).
bool is_broadcast(schema::Body body_type);

//! The name of a body kind as it appears in JSON ("Payment"), or "NONE".
const char* body_type_name(schema::Body body_type);

//! Checks every field of a verified event against its range. The error names the field as a
//! path ("body.amount_minor") and the reason. Says nothing about applicability (unknown
//! account, currency mismatch): that is the projector's decision, kept in the log.
Status validate_event(const schema::Event& event);

}  // namespace ledger
