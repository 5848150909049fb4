#include "engine/projector.h"

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include "engine/event_codec.h"
#include "engine/event_validation.h"
#include "engine/fault_point.h"
#include "engine/key_encoding.h"
#include "engine/meta_keys.h"
#include "engine/parallel_for.h"

namespace ledger {
namespace {

constexpr char kOutcomeApplied = 'A';
constexpr char kOutcomeRejected = 'R';

std::string dedup_key(uint32_t partition, std::string_view account, std::string_view id) {
  std::string key;
  key.reserve(4 + account.size() + 1 + id.size());
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

std::string_view text_of(const flatbuffers::String* text) {
  return text ? std::string_view(text->c_str(), text->size()) : std::string_view();
}

}  // namespace

Projector::Projector(Log& log, Store& store, const ViewRegistry& views, ProjectorOptions options)
    : log_(log), store_(store), views_(views), options_(options) {
  const size_t share_bytes =
      std::max<size_t>(kPartitionCacheBytesMin, options_.cached_bytes_max / log_.partition_count());
  for (uint32_t partition = 0; partition < log_.partition_count(); ++partition) {
    partitions_.push_back(std::make_unique<PartitionState>());
    partitions_.back()->state = std::make_unique<ViewState>(store_, share_bytes);
  }
  spdlog::info("projector: batch_events_max={} threads={} writes=no-wal cached_bytes_max={} ({} a partition)",
               options_.batch_events_max, options_.threads, options_.cached_bytes_max, share_bytes);
}

Projector::PartitionState& Projector::partition_state(uint32_t partition) {
  return *partitions_.at(partition);
}

size_t Projector::held_bytes() const {
  size_t total = 0;
  for (const auto& partition : partitions_) total += partition->held_bytes.load(std::memory_order_relaxed);
  return total;
}

Result<uint64_t> Projector::stored_offset(uint32_t partition) const {
  auto stored = store_.get(store_.meta(), meta_keys::offset(partition));
  if (!stored) return stored.status();
  if (!stored->has_value()) return uint64_t{0};
  if ((*stored)->size() != 8)
    return Status::corruption("meta: offset of partition " + std::to_string(partition));
  return get_be<uint64_t>(**stored, 0);
}

Result<ProjectionStats> Projector::catch_up() {
  const uint32_t partitions = log_.partition_count();
  std::vector<uint64_t> ends(partitions);
  for (uint32_t partition = 0; partition < partitions; ++partition) {
    auto end = log_.end_offset(partition);
    if (!end) return end.status();
    ends[partition] = *end;
  }
  std::vector<ProjectionStats> stats(partitions);
  std::vector<Status> statuses(partitions);
  parallel_for(partitions, options_.threads, [&](size_t partition) {
    statuses[partition] =
        project_partition(static_cast<uint32_t>(partition), ends[partition], stats[partition]);
  });
  ProjectionStats total;
  Status first_error;
  for (uint32_t partition = 0; partition < partitions; ++partition) {
    total.add(stats[partition]);
    if (!statuses[partition] && first_error) first_error = statuses[partition];
  }
  if (!first_error) return first_error;
  return total;
}

Status Projector::project(uint32_t partition, const LogBatch& batch, ProjectionStats& stats) {
  if (batch.empty()) return Status::ok();
  auto stored = stored_offset(partition);
  if (!stored) return stored.status();
  if (batch.offset(0) != *stored) {
    return Status::invalid_argument("project: partition " + std::to_string(partition) +
                                    " resumes at offset " + std::to_string(*stored) + ", not " +
                                    std::to_string(batch.offset(0)));
  }
  PartitionState& owned = partition_state(partition);
  std::lock_guard lock(owned.mutex);
  return project_batch(partition, batch, *owned.state, stats);
}

Status Projector::project_partition(uint32_t partition, uint64_t end_offset, ProjectionStats& stats) {
  auto offset = stored_offset(partition);
  if (!offset) return offset.status();
  uint64_t next = *offset;
  LogBatch batch;
  PartitionState& owned = partition_state(partition);
  std::lock_guard lock(owned.mutex);
  ViewState& state = *owned.state;
  while (next < end_offset && !stop_requested_.load(std::memory_order_relaxed)) {
    size_t wanted = static_cast<size_t>(std::min<uint64_t>(options_.batch_events_max, end_offset - next));
    if (Status read = log_.read(partition, next, wanted, batch); !read) return read;
    if (batch.empty()) {
      return Status::corruption("log: partition " + std::to_string(partition) + " ends at offset " +
                                std::to_string(next) + " but should reach " + std::to_string(end_offset));
    }
    if (Status projected = project_batch(partition, batch, state, stats); !projected) return projected;
    next = batch.offset(batch.size() - 1) + 1;
  }
  return Status::ok();
}

Status Projector::project_batch(uint32_t partition, const LogBatch& batch, ViewState& state,
                                ProjectionStats& stats) {
  PartitionState& owned = partition_state(partition);
  auto stored = stored_resume(partition, batch.offset(0));
  if (!stored) return stored.status();
  std::optional<Resume> resume = std::move(*stored);
  owned.resume_stored = resume.has_value();
  // Each event verified once, with its id's dedup key, so that the ids of the events ahead
  // can be looked up together.
  std::vector<const schema::Event*> events(batch.size(), nullptr);
  std::vector<std::string> dedup_keys(batch.size());
  for (size_t index = 0; index < batch.size(); ++index) {
    auto verified = verify_event_buffer(batch.bytes(index));
    if (!verified) continue;
    events[index] = *verified;
    dedup_keys[index] = dedup_key(partition, text_of(events[index]->account()), text_of(events[index]->id()));
  }
  for (size_t next = 0; next < batch.size();) {
    // A commit drops the prefetched rows not asked for yet: look them up again after one.
    size_t prefetched_end = next;
    // Up to the end of the batch, or fewer events when their rows pass the cache's bound, or up
    // to the part of an event that a view suspended.
    do {
      if (next == prefetched_end) prefetched_end = prefetch_ids(dedup_keys, next, state);
      Status projected = project_event(partition, batch.offset(next), batch.bytes(next), events[next],
                                       dedup_keys[next], state, stats, resume);
      if (!state.status()) projected = state.status();
      if (!projected) {
        state.clear();
        return projected;
      }
      if (resume) break;
      ++next;
    } while (next < batch.size() && !state.over_budget());
    const uint64_t next_offset = resume ? batch.offset(next) : batch.offset(next - 1) + 1;
    owned.held_bytes.store(state.bytes(), std::memory_order_relaxed);
    if (Status committed = commit(partition, next_offset, resume, state, stats); !committed) return committed;
    owned.held_bytes.store(state.bytes(), std::memory_order_relaxed);
  }
  return Status::ok();
}

Result<std::optional<Projector::Resume>> Projector::stored_resume(uint32_t partition, uint64_t offset) const {
  auto stored = store_.get(store_.meta(), meta_keys::resume(partition));
  if (!stored) return stored.status();
  if (!stored->has_value()) return std::optional<Resume>();
  const std::string& value = **stored;
  if (value.size() < 12 || get_be<uint64_t>(value, 0) != offset) {
    return Status::corruption("meta: the resume row of partition " + std::to_string(partition) +
                              " does not name offset " + std::to_string(offset));
  }
  return std::optional<Resume>(Resume{get_be<uint32_t>(value, 8), value.substr(12)});
}

Status Projector::commit(uint32_t partition, uint64_t next_offset, const std::optional<Resume>& resume,
                         ViewState& state, ProjectionStats& stats) {
  PartitionState& owned = partition_state(partition);
  rocksdb::WriteBatch write_batch;
  state.flush_into(write_batch);
  std::string offset_bytes;
  put_u64_be(offset_bytes, next_offset);
  write_batch.Put(store_.meta(), meta_keys::offset(partition), offset_bytes);
  if (resume) {
    std::string resume_bytes = offset_bytes;
    put_u32_be(resume_bytes, resume->view);
    resume_bytes.append(resume->cursor);
    write_batch.Put(store_.meta(), meta_keys::resume(partition), resume_bytes);
  } else if (owned.resume_stored) {
    write_batch.Delete(store_.meta(), meta_keys::resume(partition));
  }
  // A batch that did not reach the store leaves the cache ahead of it: drop the cache.
  if (Status fault = fault_point("projector.before_write_batch"); !fault) {
    state.clear();
    return fault;
  }
  if (Status written = store_.write_rebuildable(write_batch); !written) {
    state.clear();
    return written;
  }
  owned.resume_stored = resume.has_value();
  if (Status fault = fault_point("projector.after_write_batch"); !fault) return fault;
  ++stats.batches;
  if (resume) ++stats.partial_commits;
  return Status::ok();
}

size_t Projector::prefetch_ids(const std::vector<std::string>& dedup_keys, size_t from, ViewState& state) {
  const size_t end = std::min(dedup_keys.size(), from + kPrefetchEvents);
  std::vector<std::string_view> keys;
  keys.reserve(end - from);
  for (size_t index = from; index < end; ++index) {
    if (!dedup_keys[index].empty()) keys.push_back(dedup_keys[index]);
  }
  state.prefetch(store_.dedup(), keys);
  return end;
}

Status Projector::project_event(uint32_t partition, uint64_t offset, std::string_view bytes,
                                const schema::Event* verified, const std::string& key, ViewState& state,
                                ProjectionStats& stats, std::optional<Resume>& resume) {
  if (verified == nullptr) {
    resume.reset();
    reject_malformed(partition, offset, bytes, verify_event_buffer(bytes).status(), state);
    ++stats.rejected;
    return Status::ok();
  }
  const schema::Event& event = *verified;
  const EventContext context{event, bytes, partition, offset, log_.partition_count(), {}};
  const std::string hash = payload_hash(bytes);
  const bool resuming = resume.has_value();
  const auto& views = views_.views();
  if (resuming && resume->view >= views.size()) {
    return Status::corruption("meta: the resume row of partition " + std::to_string(partition) +
                              " names view " + std::to_string(resume->view) + " of " +
                              std::to_string(views.size()));
  }
  // A resumed event passed these checks before its first part was committed.
  if (!resuming) {
    if (auto seen = state.get(store_.dedup(), key)) {
      if (seen->substr(0, hash.size()) == hash || state.get(store_.dedup(), key + '\0' + hash)) {
        ++stats.duplicates;
        return Status::ok();
      }
      state.begin_event();
      reject(context,
             {"duplicate_id_conflict",
              "id: '" + std::string(text_of(event.id())) + "' was already used with a different payload"},
             state);
      state.put(store_.dedup(), key + '\0' + hash, "");
      ++stats.rejected;
      return Status::ok();
    }
  }
  state.begin_event();
  if (!resuming) {
    if (Status valid = validate_event(event); !valid) {
      reject(context, {"invalid_field", valid.message()}, state);
      state.put(store_.dedup(), key, hash + kOutcomeRejected);
      ++stats.rejected;
      return Status::ok();
    }
  }
  for (size_t index = resuming ? resume->view : 0; index < views.size(); ++index) {
    EventContext view_context = context;
    if (resuming && index == resume->view) view_context.resume = resume->cursor;
    Verdict verdict = views[index]->apply(view_context, state);
    std::optional<std::string> cursor = state.take_suspension();
    if (verdict && (resuming || cursor)) {
      return Status::corruption("view " + std::string(views[index]->name()) + " rejected event '" +
                                std::string(text_of(event.id())) + "' (" + verdict->reason +
                                ") after it was applied in part");
    }
    if (verdict) {
      state.rollback_event();
      reject(context, *verdict, state);
      state.put(store_.dedup(), key, hash + kOutcomeRejected);
      ++stats.rejected;
      return Status::ok();
    }
    if (cursor) {
      resume = Resume{static_cast<uint32_t>(index), std::move(*cursor)};
      return Status::ok();
    }
  }
  resume.reset();
  state.put(store_.dedup(), key, hash + kOutcomeApplied);
  ++stats.applied;
  return Status::ok();
}

void Projector::reject_malformed(uint32_t partition, uint64_t offset, std::string_view bytes,
                                 const Status& error, ViewState& state) {
  // Not an event at all, so there is no id to dedup by: it is recorded under a stand-in
  // envelope naming its place in the log, so that nothing in the log goes unaccounted for.
  spdlog::error("partition {} offset {}: {}", partition, offset, error.to_string());
  flatbuffers::FlatBufferBuilder builder(128);
  auto id = builder.CreateString("malformed@" + std::to_string(partition) + ":" + std::to_string(offset));
  schema::FinishEventBuffer(builder, schema::CreateEvent(builder, id));
  const schema::Event& stand_in = *schema::GetEvent(builder.GetBufferPointer());
  EventContext context{stand_in, bytes, partition, offset, log_.partition_count(), {}};
  state.begin_event();
  reject(context, {"malformed", error.message()}, state);
}

void Projector::reject(const EventContext& context, const Rejection& rejection, ViewState& state) {
  for (const auto& view : views_.views()) view->record_rejection(context, rejection, state);
}

}  // namespace ledger
