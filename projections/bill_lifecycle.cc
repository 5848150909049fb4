#include "projections/bill_lifecycle.h"

namespace ledger {

bool is_core_lifecycle_state(std::string_view state) {
  return state == "Posted" || state == "Presented" || state == "Presented and Confirmed" ||
         state == "Presented and Rejected";
}

std::optional<std::string> check_lifecycle_transition(std::string_view last_core_state,
                                                      std::string_view current_state, std::string_view to) {
  if (to == current_state) return "the bill is already " + std::string(to);
  if (!is_core_lifecycle_state(to)) return std::nullopt;  // an integration state
  if (to == "Posted") return std::string("a bill is Posted only when it is closed");
  if (to == "Presented" && last_core_state == "Posted") return std::nullopt;
  if ((to == "Presented and Confirmed" || to == "Presented and Rejected") && last_core_state == "Presented") {
    return std::nullopt;
  }
  return "'" + std::string(to) + "' cannot follow '" + std::string(last_core_state) + "'";
}

}  // namespace ledger
