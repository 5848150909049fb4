#include "connectors/http/event_submission.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <set>

#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "engine/key_encoding.h"
#include "engine/partitioner.h"
#include "projections/account_queries.h"
#include "projections/rejections.h"
#include "projections/row_codec.h"

namespace ledger::http {
namespace {

// The dedup grammar of engine/projector.cc: u32be(partition) account 0x00 id -> hash outcome.
std::string dedup_key(uint32_t partition, std::string_view account, std::string_view id) {
  std::string key;
  put_u32_be(key, partition);
  put_terminated(key, account);
  key.append(id);
  return key;
}

std::string payload_hash(std::string_view bytes) {
  XXH128_hash_t hash = XXH3_128bits(bytes.data(), bytes.size());
  std::string out;
  put_u64_be(out, hash.high64);
  put_u64_be(out, hash.low64);
  return out;
}

std::string text_of(const flatbuffers::String* text) {
  return text ? text->str() : std::string();
}

//! FlatBuffers' JSON parser takes "100" for an integer and 1 for a bool; the API does not. The
//! canonical JSON of the decoded event says what each field is: a quoted value where it has a
//! number (or the other way round) names the field. Keys only in one of the two are skipped:
//! the parser already refused unknown fields, and defaults are left out of the canonical form.
std::optional<std::string> type_mismatch(const nlohmann::ordered_json& given, const nlohmann::json& canonical,
                                         const std::string& path) {
  if (given.is_object() && canonical.is_object()) {
    for (const auto& [key, value] : given.items()) {
      auto it = canonical.find(key);
      if (it == canonical.end()) continue;
      if (auto found = type_mismatch(value, *it, path.empty() ? key : path + "." + key)) return found;
    }
    return std::nullopt;
  }
  if (given.is_array() && canonical.is_array()) {
    for (size_t i = 0; i < given.size() && i < canonical.size(); ++i) {
      if (auto found = type_mismatch(given[i], canonical[i], path + "[" + std::to_string(i) + "]"))
        return found;
    }
    return std::nullopt;
  }
  auto kind = [](const auto& v) -> std::string {
    if (v.is_number_integer()) return "an integer";
    if (v.is_number()) return "a number";
    if (v.is_boolean()) return "a boolean";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    if (v.is_object()) return "an object";
    return "null";
  };
  const bool numeric_mismatch = canonical.is_number() != given.is_number();
  const bool bool_mismatch = canonical.is_boolean() != given.is_boolean();
  const bool string_mismatch = canonical.is_string() && !given.is_string();
  if (numeric_mismatch || bool_mismatch || string_mismatch) {
    return path + ": expected " + kind(canonical) + ", got " + kind(given);
  }
  return std::nullopt;
}

//! The projector's record of this id: (hash + outcome), or nothing.
std::optional<std::string> dedup_row(ApiContext& context, const ReadSnapshot& snapshot,
                                     const SubmittedEvent& e) {
  auto row = snapshot.get(context.engine.store().dedup(), e.dedup_key);
  if (!row || !row->has_value()) return std::nullopt;
  return **row;
}

}  // namespace

ApiOutcome EventSubmission::add(const nlohmann::ordered_json& event, const std::string& where) {
  const std::string prefix = where.empty() ? "" : where + ".";
  if (!event.is_object()) {
    context_.metrics.add_refused("invalid_field");
    return bad_request(where.empty() ? "body" : where,
                       (where.empty() ? "body" : where) + ": expected an event object");
  }
  thread_local EventCodec codec;
  auto bytes = codec.from_json(event.dump());
  if (!bytes) {
    context_.metrics.add_refused("invalid_field");
    ApiError error = from_status(bytes.status());
    if (error.http_status >= 500) return error;
    error.field = prefix + error.field;
    if (!where.empty()) error.message = where + ": " + error.message;
    return error;
  }
  if (auto canonical = codec.to_json(*bytes)) {
    // Enum fields are written as their names in both forms, so a string stays a string.
    auto parsed = nlohmann::json::parse(*canonical, nullptr, false);
    if (!parsed.is_discarded()) {
      if (auto mismatch = type_mismatch(event, parsed, "")) {
        context_.metrics.add_refused("invalid_field");
        return bad_request(prefix + field_of_message(*mismatch),
                           (where.empty() ? "" : where + ": ") + *mismatch);
      }
    }
  }
  const schema::Event* decoded = schema::GetEvent(bytes->data());
  SubmittedEvent e;
  e.id = text_of(decoded->id());
  e.account = text_of(decoded->account());
  e.body_type = schema::EnumNameBody(decoded->body_type());
  e.broadcast = is_broadcast(decoded->body_type());
  const uint32_t partitions = context_.engine.log().partition_count();
  e.partition = e.broadcast ? 0 : partition_for(e.account, partitions);
  e.dedup_key = dedup_key(e.partition, e.account, e.id);
  e.hash = payload_hash(*bytes);
  e.bytes = std::move(*bytes);
  events_.push_back(std::move(e));
  wheres_.push_back(prefix);
  return std::nullopt;
}

//! Every id reused with another payload is a 409; every event of an account that was never
//! opened (and is not opened earlier in this request) is a 422. Nothing is appended then.
ApiOutcome EventSubmission::check_against_views(const ReadSnapshot& snapshot) {
  std::set<std::string> opened_here;
  for (size_t i = 0; i < events_.size(); ++i) {
    SubmittedEvent& e = events_[i];
    if (auto row = dedup_row(context_, snapshot, e)) {
      const bool same = row->compare(0, e.hash.size(), e.hash) == 0;
      if (!same) {
        context_.metrics.add_refused("duplicate_id_conflict");
        return ApiError{409, "duplicate_id_conflict", wheres_[i] + "id",
                        wheres_[i] + "id: '" + e.id + "' was already used with a different payload"};
      }
      e.prior_outcome = row->size() > e.hash.size() ? (*row)[e.hash.size()] : 'A';
      continue;
    }
    if (e.body_type == "AccountOpened") opened_here.insert(e.account);
    if (e.broadcast || e.body_type == "AccountOpened" || opened_here.count(e.account)) continue;
    auto account = query_account(context_.engine.store(), snapshot, e.account);
    if (!account) return from_status(account.status());
    if (!account->has_value()) {
      context_.metrics.add_refused("unknown_account");
      return ApiError{422, "unknown_account", wheres_[i] + "account",
                      wheres_[i] + "account: '" + e.account + "' was never opened"};
    }
  }
  return std::nullopt;
}

ApiOutcome EventSubmission::submit() {
  // Events appended before this request (by others) are projected first, so that the checks
  // below see every account and id the log already holds.
  if (!context_.loop.wait_for(log_ends(context_), context_.options.wait_default)) {
    return ApiError{503, "not_caught_up", "", "the projector is behind the log; try again"};
  }
  {
    auto snapshot = snapshot_of(context_);
    if (auto refused = check_against_views(snapshot)) return refused;
  }
  std::vector<AppendRequest> requests;
  std::vector<size_t> fresh;
  for (size_t i = 0; i < events_.size(); ++i) {
    if (events_[i].prior_outcome != 0) continue;
    requests.push_back({events_[i].account, events_[i].bytes, events_[i].broadcast});
    fresh.push_back(i);
  }
  if (!requests.empty()) {
    std::vector<LogPosition> positions;
    if (Status appended = context_.engine.log().append(requests, &positions); !appended)
      return from_status(appended);
    for (size_t k = 0; k < fresh.size() && k < positions.size(); ++k)
      events_[fresh[k]].offset = positions[k].offset;
    appended_ = requests.size();
    context_.metrics.add_appended(appended_);
    context_.loop.notify_appended();
  }
  wait_for_ = log_ends(context_);
  context_.loop.wait_for(wait_for_, context_.options.wait_default);
  auto snapshot = snapshot_of(context_);
  for (const auto& e : events_) results_.push_back(outcome_of(snapshot, e, e.prior_outcome != 0));
  return std::nullopt;
}

nlohmann::json EventSubmission::outcome_of(const ReadSnapshot& snapshot, const SubmittedEvent& e,
                                           bool replay) const {
  nlohmann::json out = {{"id", e.id},
                        {"account", e.account},
                        {"body_type", e.body_type},
                        {"partition", e.partition},
                        {"replay", replay}};
  if (!replay) out["offset"] = e.offset;
  auto row = dedup_row(context_, snapshot, e);
  if (!row) {
    out["outcome"] = "pending";
    return out;
  }
  const bool same = row->compare(0, e.hash.size(), e.hash) == 0;
  const char outcome = row->size() > e.hash.size() ? (*row)[e.hash.size()] : 'A';
  if (same && outcome == 'A') {
    out["outcome"] = "applied";
    return out;
  }
  out["outcome"] = "rejected";
  out["reason"] = same ? "rejected" : "duplicate_id_conflict";
  auto rejections = context_.engine.store().column_family(RejectionsView::kColumnFamily);
  if (!replay) {
    auto rejection = snapshot.get(rejections, rejection_key(e.partition, e.offset));
    if (rejection && rejection->has_value()) {
      if (const auto* r = decode_row<view::RejectionRow>(**rejection)) {
        out["reason"] = text_of(r->reason());
        out["message"] = text_of(r->message());
      }
    }
    return out;
  }
  // A replay has no offset of its own: the first rejection of this id in its partition is the
  // original's (rejections are few; the scan covers one partition's).
  std::string prefix;
  put_u32_be(prefix, e.partition);
  (void)snapshot.scan(rejections, prefix, [&](std::string_view, std::string_view value) {
    const auto* r = decode_row<view::RejectionRow>(value);
    if (!r || text_of(r->event_id()) != e.id || text_of(r->account()) != e.account) return true;
    out["reason"] = text_of(r->reason());
    out["message"] = text_of(r->message());
    out["offset"] = r->offset();
    return false;
  });
  return out;
}

}  // namespace ledger::http
