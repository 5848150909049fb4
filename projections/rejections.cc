#include "projections/rejections.h"

#include "engine/key_encoding.h"
#include "projections/row_codec.h"

namespace ledger {

std::string rejection_key(uint32_t partition, uint64_t offset) {
  std::string key;
  put_u32_be(key, partition);
  put_u64_be(key, offset);
  return key;
}

void RejectionsView::record_rejection(const EventContext& context, const Rejection& rejection,
                                      ViewState& state) {
  view::RejectionRowT row;
  row.event_id = text_of(context.event.id());
  row.account = text_of(context.event.account());
  row.body_type = schema::EnumNameBody(context.event.body_type());
  row.partition = context.partition;
  row.offset = context.offset;
  row.time_us = context.event.time_us();
  row.reason = rejection.reason;
  row.message = rejection.message;
  state.put(cf_, rejection_key(context.partition, context.offset), encode_row(row));
}

}  // namespace ledger
