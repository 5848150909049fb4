#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ledger {

//! The lifecycle of a closed bill (seed 003): Posted at close; then Presented; then Presented
//! and Confirmed or Presented and Rejected. Any other state name is an integration state
//! (Printed, Emailed, Exported, ...): allowed once the bill is Posted, it does not move the core
//! lifecycle, so the next core state is checked against the last core state.
//!
//! Returns nullopt when `to` may follow, else the reason it may not.
std::optional<std::string> check_lifecycle_transition(std::string_view last_core_state,
                                                      std::string_view current_state, std::string_view to);

//! True for Posted, Presented, Presented and Confirmed, Presented and Rejected.
bool is_core_lifecycle_state(std::string_view state);

}  // namespace ledger
