#pragma once

#include <string_view>

#include "engine/status.h"

namespace ledger {

//! Named points in the commit path where tests inject a failure or an abort. Compiled in only
//! when LEDGER_FAULT_POINTS is defined (test builds); elsewhere every point is an empty inline
//! that the optimiser removes.
//!
//! Points: "log.append.before_write", "log.append.after_write", "projector.before_write_batch",
//! "projector.after_write_batch".
#ifdef LEDGER_FAULT_POINTS
Status fault_point(std::string_view name);
#else
inline Status fault_point(std::string_view) {
  return Status::ok();
}
#endif

}  // namespace ledger
