#pragma once

// Keys of the invoice views:
//
//   invoice_key        := account 0x00 u32be(from_day)               -> InvoiceRow          (invoices)
//   line_key           := invoice_key u32be(seq)                     -> page of InvoiceLine (invoice_lines;
//                         the page of the lines from seq on that one batch added: invoice_line_pages.h)
//   number_key         := invoice_number                             -> invoice_key         (invoice_numbers)
//   billing_state_key  := u32be(partition) account                   -> BillingStateRow     (billing_state)
//   sequence_key       := u32be(partition) operator                  -> InvoiceSequenceRow
//   (invoice_sequences) run_key            := u64be(run_number) u32be(partition)         -> BillingRunRow
//   (billing_runs)
//
// An account's invoices sort by period; a partition's billing states are one prefix, which
// is what a billing run scans.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/key_encoding.h"
#include "engine/store.h"

namespace ledger {

inline std::string invoice_key(std::string_view account, int32_t from_day) {
  std::string key;
  put_terminated(key, account);
  put_u32_be(key, static_cast<uint32_t>(from_day));
  return key;
}

inline std::string invoice_line_key(std::string_view account, int32_t from_day, uint32_t seq) {
  std::string key = invoice_key(account, from_day);
  put_u32_be(key, seq);
  return key;
}

inline std::string billing_state_key(uint32_t partition, std::string_view account) {
  std::string key;
  put_u32_be(key, partition);
  key.append(account);
  return key;
}

inline std::string invoice_sequence_key(uint32_t partition, std::string_view operator_id) {
  std::string key;
  put_u32_be(key, partition);
  key.append(operator_id);
  return key;
}

inline std::string billing_run_key(int64_t run_number, uint32_t partition) {
  std::string key;
  put_u64_be(key, static_cast<uint64_t>(run_number));
  put_u32_be(key, partition);
  return key;
}

//! The column families of the invoice views, and those of other views they read.
struct InvoiceFamilies {
  ColumnFamily invoices = nullptr;
  ColumnFamily lines = nullptr;
  ColumnFamily numbers = nullptr;
  ColumnFamily billing_state = nullptr;
  ColumnFamily sequences = nullptr;
  ColumnFamily runs = nullptr;
  ColumnFamily accounts = nullptr;
  ColumnFamily operators = nullptr;
  ColumnFamily balances = nullptr;
  ColumnFamily notifications = nullptr;
  ColumnFamily summary = nullptr;      //!< billing summary counters (billing_summary_counters.h)
  ColumnFamily receivables = nullptr;  //!< closed bills by the day they were cleared (receivables.h)

  static constexpr char kInvoices[] = "invoices";
  static constexpr char kLines[] = "invoice_lines";
  static constexpr char kNumbers[] = "invoice_numbers";
  static constexpr char kBillingState[] = "billing_state";
  static constexpr char kSequences[] = "invoice_sequences";
  static constexpr char kRuns[] = "billing_runs";
};

}  // namespace ledger
