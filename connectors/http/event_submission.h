#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "connectors/http/api_context.h"

namespace ledger::http {

//! One event on its way in: its canonical bytes and where the projector will record its id.
struct SubmittedEvent {
  std::string bytes;
  std::string id;
  std::string account;
  std::string body_type;
  bool broadcast = false;
  uint32_t partition = 0;
  std::string dedup_key;   //!< as the projector writes it (engine/projector.cc)
  std::string hash;        //!< XXH3-128 of the canonical bytes, as the projector stores it
  char prior_outcome = 0;  //!< 'A' or 'R' when this id and payload were seen before
  uint64_t offset = 0;     //!< where it landed, once appended
};

//! The door every event of the API goes through, as `ledger ingest` does: decode and validate
//! each (FlatBuffers JSON to canonical bytes), refuse what the caller got wrong before anything
//! is appended (bad fields 400, an id reused with another payload 409, an unknown account 422),
//! append the new ones in one durable batch, wait for the projector, and report each outcome.
class EventSubmission {
 public:
  explicit EventSubmission(ApiContext& context) : context_(context) {}

  //! Decodes one event; `where` prefixes the fields its errors name ("events[3]").
  ApiOutcome add(const nlohmann::ordered_json& event, const std::string& where);
  //! Checks ids and accounts against the views, appends, waits; fills results().
  ApiOutcome submit();

  //! Per event: {"id", "account", "partition", "offset", "outcome", "reason", "message",
  //! "replay"}; outcome is applied, rejected or pending (not projected within the wait).
  const std::vector<nlohmann::json>& results() const { return results_; }
  //! The log's end offsets after the append: pass as `after` to read these writes.
  const std::vector<uint64_t>& wait_for() const { return wait_for_; }
  size_t appended() const { return appended_; }

 private:
  ApiOutcome check_against_views(const ReadSnapshot& snapshot);
  nlohmann::json outcome_of(const ReadSnapshot& snapshot, const SubmittedEvent& event, bool replay) const;

  ApiContext& context_;
  std::vector<SubmittedEvent> events_;
  std::vector<std::string> wheres_;
  std::vector<nlohmann::json> results_;
  std::vector<uint64_t> wait_for_;
  size_t appended_ = 0;
};

}  // namespace ledger::http
