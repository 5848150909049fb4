#pragma once

// The receivables index: every closed bill, keyed by the day it was cleared, so that the
// reports of what is owed on a day (aging, unpaid) read only the bills that still owed then,
// not every bill ever closed.
//
//   receivable_key := u32be(cleared_day) invoice_key   -> u32be(closed_day) u32be(last_day)   (receivables)
//
//   cleared_day := the first day the bill was both closed and fully settled: the later of its
//                  close day and the day of its last allocation; kNotCleared while part of what
//                  it billed is unpaid. A bill that billed nothing, or a credit, is cleared on
//                  the day it closed.
//   last_day    := the latest day the bill has seen: its close day or the day of an allocation.
//
// Settlement only grows, so a bill moves at most once: from kNotCleared to its cleared day,
// when the allocation that settles it is made. An allocation counts from the day of the money
// that made it (report_range.h, settled_by_day), so a bill owes on day D exactly when
// closed_day <= D < cleared_day: the bills owing on D are those keyed past u32be(D) whose
// closed_day is at most D. For the latest day, nearly all of them are the ones not cleared.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/read_snapshot.h"
#include "engine/status.h"
#include "engine/store.h"
#include "engine/view_state.h"
#include "schemas/views_generated.h"

namespace ledger {

struct ReceivablesIndex {
  static constexpr char kColumnFamily[] = "receivables";
  //! The cleared day of a bill that still owes: its rows sort after every cleared one.
  static constexpr uint32_t kNotCleared = 0xffffffff;
};

//! The day closed `bill` was cleared, or ReceivablesIndex::kNotCleared.
uint32_t cleared_day(const view::InvoiceRowT& bill);

//! Writes the index row of closed `bill`. `was_owing` says the bill had a row as not cleared,
//! which is dropped when `bill` is now cleared.
void index_receivable(ViewState& state, ColumnFamily receivables, const view::InvoiceRowT& bill,
                      bool was_owing);

//! The invoice keys of the bills that owed at the end of `day` (closed on or before it and not
//! cleared by then), in key order: account, then period.
Result<std::vector<std::string>> bills_owing_on(const Store& store, const ReadSnapshot& snapshot,
                                                int32_t day);

//! The latest day any bill has seen, its close or an allocation to it; 0 when none has closed.
Result<int32_t> latest_receivable_day(const Store& store, const ReadSnapshot& snapshot);

}  // namespace ledger
