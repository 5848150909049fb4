#pragma once

#include "engine/view.h"

namespace ledger {

//! Adds every view of the product to `registry`, in the order they see each event: operators,
//! accounts (which reject what needs an account), charges, balances, invoices (which read the
//! balance after each line), rejections.
void register_all_views(ViewRegistry& registry);

}  // namespace ledger
