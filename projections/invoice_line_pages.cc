#include "projections/invoice_line_pages.h"

#include "engine/key_encoding.h"
#include "projections/invoice_keys.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

constexpr size_t kRecordHeaderBytes = 8;
constexpr size_t kRecordAlignBytes = 8;
constexpr size_t kSeqBytes = 4;

size_t padded(size_t size) {
  return (size + kRecordAlignBytes - 1) / kRecordAlignBytes * kRecordAlignBytes;
}

Status damaged_page(std::string_view page_key, std::string_view why) {
  return Status::corruption("invoice_lines: the page at key of " + std::to_string(page_key.size()) +
                            " bytes " + std::string(why));
}

//! Calls `visit(seq, line bytes)` for each record of the page until it returns false.
Status walk_records(std::string_view page_key, std::string_view page,
                    const std::function<bool(uint32_t seq, std::string_view bytes)>& visit, bool* stopped) {
  if (stopped) *stopped = false;
  if (page_key.size() < kSeqBytes) return damaged_page(page_key, "is too short to hold a line number");
  uint32_t seq = get_be<uint32_t>(page_key, page_key.size() - kSeqBytes);
  if (page.empty()) return damaged_page(page_key, "holds no line");
  for (size_t at = 0; at < page.size(); ++seq) {
    if (page.size() - at < kRecordHeaderBytes) return damaged_page(page_key, "ends inside a record's header");
    const size_t size = get_be<uint32_t>(page, at);
    if (size == 0 || page.size() - at - kRecordHeaderBytes < size)
      return damaged_page(page_key, "has a record longer than the page");
    if (!visit(seq, page.substr(at + kRecordHeaderBytes, size))) {
      if (stopped) *stopped = true;
      return Status::ok();
    }
    at += std::min(page.size() - at, kRecordHeaderBytes + padded(size));
  }
  return Status::ok();
}

std::string logical_key(std::string_view page_key, uint32_t seq) {
  std::string key(page_key.substr(0, page_key.size() - kSeqBytes));
  put_u32_be(key, seq);
  return key;
}

}  // namespace

std::string line_record(const view::InvoiceLineT& line) {
  std::string record(kRecordHeaderBytes, '\0');
  append_encoded_row(record, line);  // packed in place, after the header
  const size_t size = record.size() - kRecordHeaderBytes;
  std::string size_be;
  put_u32_be(size_be, static_cast<uint32_t>(size));
  record.replace(0, size_be.size(), size_be);
  record.resize(kRecordHeaderBytes + padded(size), '\0');
  return record;
}

Status for_each_page_line(std::string_view page_key, std::string_view page, const LineVisitor& visit,
                          bool* stopped) {
  Status failure;
  Status walked = walk_records(
      page_key, page,
      [&](uint32_t seq, std::string_view bytes) {
        const auto* line = decode_row<view::InvoiceLine>(bytes);
        if (!line || line->seq() != seq) {
          failure = Status::corruption("invoice_lines: line " + std::to_string(seq) +
                                       " of a page failed the FlatBuffers verifier or is misnumbered");
          return false;
        }
        return visit(logical_key(page_key, seq), *line, bytes);
      },
      stopped);
  if (!walked) return walked;
  if (!failure) {
    if (stopped) *stopped = true;
    return failure;
  }
  return Status::ok();
}

Status scan_invoice_lines(const Store& store, const ReadSnapshot& snapshot, std::string_view invoice_key,
                          const LineVisitor& visit) {
  Status failure;
  Status scanned = snapshot.scan(store.column_family(InvoiceFamilies::kLines), invoice_key,
                                 [&](std::string_view key, std::string_view page) {
                                   bool stopped = false;
                                   failure = for_each_page_line(key, page, visit, &stopped);
                                   return failure.is_ok() && !stopped;
                                 });
  if (!scanned) return scanned;
  return failure;
}

Status logical_line_rows(std::string_view page_key, std::string_view page,
                         const std::function<void(std::string_view key, std::string_view value)>& emit) {
  return walk_records(
      page_key, page,
      [&](uint32_t seq, std::string_view bytes) {
        emit(logical_key(page_key, seq), bytes);
        return true;
      },
      nullptr);
}

}  // namespace ledger
