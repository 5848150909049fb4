#pragma once

// The invariants of the invoice views (BILLING.md sections 5, 6 and 8), checked over every
// account through the read API (query_accounts, query_invoices, query_invoice, query_previews).

#include <string>
#include <vector>

#include "engine/engine.h"

namespace ledger::test {

//! Checks, for every account, and returns a description of each violation (empty when all
//! hold):
//!  (a) each invoice's totals are the sums of its lines by kind (debited: charges, CDRs, taxes,
//!      positive corrections; credited: credit notes, negative corrections; paid: payments and
//!      refills), its line count and late count match its lines, and a closed bill's
//!      total_to_pay = brought_forward + billed - paid;
//!  (b) each bill's brought_forward = the previous bill's total_to_pay (0 for the first), and
//!      the oldest open preview's = the last bill's;
//!  (c) the account's balance = the oldest open preview's brought_forward + the amounts of the
//!      lines of every open preview;
//!  (d) invoice numbers are unique across the store, closed bills have one, previews none, and
//!      each number finds its own bill;
//!  (e) 0 <= settled_minor <= max(billed, 0) and the allocations add up to settled_minor;
//!  (f) the lines' running balances chain from 0 to the balance: as multisets,
//!      {0} + {running_balance} = {running_balance - amount} + {balance};
//!  (g) periods tile time: each invoice starts the day after the one before ends, and closed
//!      bills all come before open previews; a line not marked late is dated inside its
//!      invoice's period, a late one before it;
//!  (h) a charge line's net + discount is quantity x unit price rounded half-even, and every
//!      priced line's amount is its net plus its taxes;
//!  (i) settlement agrees with the statement: the unpaid remainders of the bills minus the
//!      unallocated credit = the last bill's total_to_pay - payments and refills since; and
//!      credit is left unallocated only when no bill is unpaid (payments and credits are
//!      allocated oldest first, what is left is unallocated: BILLING.md section 6);
//!  (j) the receivables index has one row per closed bill and no other: keyed by the day the bill
//!      was cleared (the later of its close and its last allocation, once it is fully settled)
//!      or 0xffffffff while it owes, holding its close day and the last day it has seen.
std::vector<std::string> check_invoice_invariants(Engine& engine);

}  // namespace ledger::test
