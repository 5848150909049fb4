#pragma once

// Reading and writing view rows: FlatBuffers tables of schemas/views.fbs. A row is verified
// when it is read, so a damaged value is reported instead of projected.

#include <flatbuffers/flatbuffers.h>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "engine/view_state.h"
#include "schemas/views_generated.h"

namespace ledger {

//! The row in `bytes`, or nullptr when the verifier refuses it.
template <typename Row>
const Row* decode_row(std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!verifier.VerifyBuffer<Row>(nullptr)) return nullptr;
  return flatbuffers::GetRoot<Row>(data);
}

//! The unpacked row, or nullopt when absent or refused by the verifier.
template <typename Row>
std::optional<typename Row::NativeTableType> unpack_row(std::optional<std::string_view> bytes) {
  if (!bytes) return std::nullopt;
  const Row* row = decode_row<Row>(*bytes);
  if (!row) return std::nullopt;
  typename Row::NativeTableType native;
  row->UnPackTo(&native);
  return native;
}

//! Appends a native (object API) row, packed, to `out`.
template <typename NativeRow>
void append_encoded_row(std::string& out, const NativeRow& row) {
  // One builder per thread, cleared for each row: its buffer is allocated once. Clear() resets
  // every state, so the bytes are the same as a new builder's.
  thread_local flatbuffers::FlatBufferBuilder builder(1024);
  builder.Clear();
  builder.Finish(NativeRow::TableType::Pack(builder, &row));
  out.append(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

//! A native (object API) row packed into bytes.
template <typename NativeRow>
std::string encode_row(const NativeRow& row) {
  std::string bytes;
  append_encoded_row(bytes, row);
  return bytes;
}

//! The row at `key` unpacked, cached by `state` until it changes; nullptr when absent or refused.
template <typename Row>
const typename Row::NativeTableType* cached_row(ViewState& state, ColumnFamily cf, std::string_view key) {
  return state.decoded<typename Row::NativeTableType>(
      cf, key, [](std::string_view bytes) { return unpack_row<Row>(bytes); });
}

//! Writes `row` at `key` in unpacked form, for the next cached_row(); it is packed when its
//! bytes are asked for, at the latest when the batch is flushed.
template <typename NativeRow>
void put_row(ViewState& state, ColumnFamily cf, std::string_view key, NativeRow&& row) {
  using Row = std::remove_cvref_t<NativeRow>;
  state.put_encoded_later<Row, &encode_row<Row>>(cf, key, std::forward<NativeRow>(row));
}

inline std::string_view text_of(const flatbuffers::String* text) {
  return text ? std::string_view(text->c_str(), text->size()) : std::string_view();
}

}  // namespace ledger
