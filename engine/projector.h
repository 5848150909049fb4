#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/log.h"
#include "engine/status.h"
#include "engine/store.h"
#include "engine/view.h"
#include "engine/view_state.h"

namespace ledger {

struct ProjectorOptions {
  //! Events polled and committed together in one WriteBatch. Larger batches rewrite each hot
  //! row (balance, preview, billing state) less often and hand RocksDB longer sorted runs:
  //! 16,384 costs 12% fewer instructions per event than 4,096 (bench/README.md).
  size_t batch_events_max = 16384;
  //! Worker threads; each owns whole partitions at a time.
  size_t threads = 2;
  //! Bytes of rows the projector holds in memory, all partitions together: each partition's
  //! share caches its hot accounts between batches, and a batch whose rows pass the share is
  //! committed early. This bounds the projector's memory whatever the number of accounts or
  //! the length of the log (ViewState).
  size_t cached_bytes_max = 128 << 20;
};

//! What a projection run did.
struct ProjectionStats {
  uint64_t applied = 0;     //!< events applied to the views
  uint64_t rejected = 0;    //!< events kept in the log and rejected with a reason
  uint64_t duplicates = 0;  //!< events whose id and payload repeat an earlier one: no-ops
  uint64_t batches = 0;
  //! Commits that ended inside an event applied in parts (ViewState::suspend).
  uint64_t partial_commits = 0;

  //! Adds another run's counts (a partition's, say) to these.
  void add(const ProjectionStats& other) {
    applied += other.applied;
    rejected += other.rejected;
    duplicates += other.duplicates;
    batches += other.batches;
    partial_commits += other.partial_commits;
  }
};

//! Projects the log into the views, partition by partition. For each batch: verify each
//! event, drop exact duplicates by id, let every view apply it or reject it, and commit the
//! view rows, the event ids and the partition's next offset in one WriteBatch, without the WAL
//! (Store::write_rebuildable): a crash takes the views back to the last flush, all column
//! families together, and the next run projects again from the offsets that survived.
//!
//! A batch is committed early when its rows pass the partition's share of the cache. An event
//! whose own rows would (a billing run closes every account of the partition) is applied in
//! parts: the view suspends it (ViewState::suspend), the projector commits the rows so far with
//! the event's own offset and a resume row (engine/meta_keys.h), and calls the view again from
//! its cursor. A crash between two parts resumes at the cursor; the event's id is recorded with
//! its last part. Readers between two parts see the accounts done so far.
//!
//! Dedup keys (the `dedup` column family):
//!
//!   dedup_key    := u32be(partition) account 0x00 id            -> hash128(event bytes) outcome:u8
//!   conflict_key := u32be(partition) account 0x00 id 0x00 hash  -> ""  (a rejected different payload)
//!
//! outcome is 'A' (applied) or 'R' (rejected). The partition is in the key because broadcast
//! events carry the same id in every partition.
class Projector {
 public:
  Projector(Log& log, Store& store, const ViewRegistry& views, ProjectorOptions options = {});

  //! Projects every partition up to the log's end as of this call, then returns.
  Result<ProjectionStats> catch_up();
  //! Projects one batch of `partition` read by the caller (a Kafka consumer, say) and commits
  //! it. The batch must start at stored_offset(partition).
  Status project(uint32_t partition, const LogBatch& batch, ProjectionStats& stats);
  //! Makes a running catch_up() return after the batches in flight, as if the log ended there
  //! (each batch is committed whole); later calls return at once. Safe from any thread.
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }
  //! Estimated bytes of rows the partitions hold (ViewState::bytes()), as each last published
  //! them: at each commit, with the batch's rows just before it and the cache kept after it.
  //! Safe from any thread (a memory sampler's, say).
  size_t held_bytes() const;
  //! The next offset `partition` will project (0 for a new store).
  Result<uint64_t> stored_offset(uint32_t partition) const;

 private:
  //! The least cache a partition gets, whatever the partition count.
  static constexpr size_t kPartitionCacheBytesMin = 256 << 10;
  //! The events whose ids are looked up together (ViewState::prefetch) before they are applied.
  static constexpr size_t kPrefetchEvents = 2048;

  Status project_partition(uint32_t partition, uint64_t end_offset, ProjectionStats& stats);
  //! Projects `batch` in one or more commits: more when its rows pass the cache's bound.
  Status project_batch(uint32_t partition, const LogBatch& batch, ViewState& state, ProjectionStats& stats);
  //! Where an event applied in parts goes on: the view's index in the registry and its cursor.
  struct Resume {
    uint32_t view = 0;
    std::string cursor;
  };
  //! The resume row of `partition`, which must name `offset` when there is one.
  Result<std::optional<Resume>> stored_resume(uint32_t partition, uint64_t offset) const;
  //! Writes the rows `state` holds and the partition's `next_offset` in one WriteBatch, with
  //! the resume row when `resume` is set (the event at next_offset is done in part), or its
  //! deletion when one was stored.
  Status commit(uint32_t partition, uint64_t next_offset, const std::optional<Resume>& resume,
                ViewState& state, ProjectionStats& stats);
  //! Looks up the dedup keys of the events from `from` on, kPrefetchEvents of them (empty keys,
  //! of malformed events, skipped), in one read; returns the index after the last.
  size_t prefetch_ids(const std::vector<std::string>& dedup_keys, size_t from, ViewState& state);
  //! Applies one event, or continues it from `resume`; leaves `resume` set when a view
  //! suspended it (the event is not finished), reset otherwise. An error only for a view that
  //! rejects an event after it was suspended. `event` is the event in `bytes` as
  //! verify_event_buffer() passed it, nullptr when the verifier refused it; `dedup_key` is its
  //! key in the dedup column family.
  Status project_event(uint32_t partition, uint64_t offset, std::string_view bytes,
                       const schema::Event* event, const std::string& dedup_key, ViewState& state,
                       ProjectionStats& stats, std::optional<Resume>& resume);
  void reject_malformed(uint32_t partition, uint64_t offset, std::string_view bytes, const Status& error,
                        ViewState& state);
  void reject(const EventContext& context, const Rejection& rejection, ViewState& state);

  //! One partition's cache of rows, used by one worker at a time.
  struct PartitionState {
    std::mutex mutex;
    std::unique_ptr<ViewState> state;
    //! state->bytes() as of its last commit and the rows just before it, for held_bytes().
    std::atomic<size_t> held_bytes{0};
    //! Whether the store holds a resume row for this partition (deleted at the next commit).
    bool resume_stored = false;
  };
  PartitionState& partition_state(uint32_t partition);

  Log& log_;
  Store& store_;
  const ViewRegistry& views_;
  ProjectorOptions options_;
  std::vector<std::unique_ptr<PartitionState>> partitions_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace ledger
