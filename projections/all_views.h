#pragma once

#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine/view.h"

namespace ledger {

//! Adds every view of the product to `registry`, in the order they see each event: operators,
//! accounts (which reject what needs an account), charges, balances, invoices (which read the
//! balance after each line), rejections.
void register_all_views(ViewRegistry& registry);

//! The ledger on one machine: an engine over `data_dir` feeding every view of the product.
//! `partitions` is for a new store (0: the stored count, or the default).
Result<std::unique_ptr<Engine>> open_ledger(const std::string& data_dir, uint32_t partitions,
                                            const ProjectorOptions& projector = {});

}  // namespace ledger
