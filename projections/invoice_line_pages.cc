#include "projections/invoice_line_pages.h"

#include "engine/key_encoding.h"
#include "projections/invoice_keys.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

constexpr size_t kRecordHeaderBytes = 8;
constexpr size_t kRecordAlignBytes = 8;
constexpr size_t kSeqBytes = 4;

void put_u32_le(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint32_t get_u32_le(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return value;
}

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
    const size_t size = get_u32_le(page, at);
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
  const std::string bytes = encode_row(line);
  std::string record;
  record.reserve(kRecordHeaderBytes + padded(bytes.size()));
  put_u32_le(record, static_cast<uint32_t>(bytes.size()));
  put_u32_le(record, 0);
  record.append(bytes);
  record.resize(kRecordHeaderBytes + padded(bytes.size()), '\0');
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
