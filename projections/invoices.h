#pragma once

#include <string>

#include "engine/view.h"
#include "projections/invoice_keys.h"

namespace ledger {

//! Preview invoices, billing runs, closed bills, settlement and the bill lifecycle (BILLING.md
//! sections 5 and 6): the bank-statement model. Every balance-changing event becomes a line of
//! the open preview of its period (or, when that period is closed, of the oldest open one,
//! marked late); BillingRun and AccountClosed close previews into numbered bills and open the
//! next with the balance carried; payments settle bills oldest first.
//! Key grammar: projections/invoice_keys.h.
class InvoicesView final : public View {
 public:
  std::string_view name() const override { return "invoices"; }
  std::vector<std::string> column_families() const override;
  Status bind(const Store& store) override;
  Verdict apply(const EventContext& context, ViewState& state) override;
  //! A page of invoice lines is the rows of its lines (invoice_line_pages.h).
  Status logical_rows(ColumnFamily cf, std::string_view key, std::string_view value,
                      const std::function<void(std::string_view, std::string_view)>& emit) const override;

 private:
  Verdict open_account(const EventContext& context, ViewState& state);
  Verdict add_line(const EventContext& context, ViewState& state);
  Verdict close_account(const EventContext& context, ViewState& state);
  Verdict run_billing(const EventContext& context, ViewState& state);
  Verdict change_bill(const EventContext& context, ViewState& state);

  InvoiceFamilies families_;
};

}  // namespace ledger
