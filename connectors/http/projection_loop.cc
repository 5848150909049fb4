#include "connectors/http/projection_loop.h"

#include <spdlog/spdlog.h>

#include "engine/read_snapshot.h"
#include "projections/rejections.h"
#include "projections/row_codec.h"
#include "schemas/views_generated.h"

namespace ledger::http {
namespace {

//! A pass covering more offsets than this reports its rejections under "bulk" rather than
//! reading each rejection row back (a first catch-up of a large log).
constexpr uint64_t kReasonLookupMaxOffsets = 4096;
//! After a failed pass (disk full, I/O), the loop tries again after this long.
constexpr auto kRetryAfterError = std::chrono::seconds(1);

}  // namespace

ProjectionLoop::ProjectionLoop(Engine& engine, Metrics& metrics)
    : engine_(engine), metrics_(metrics), projected_(engine.log().partition_count(), 0) {}

ProjectionLoop::~ProjectionLoop() {
  stop();
}

void ProjectionLoop::start() {
  for (uint32_t p = 0; p < projected_.size(); ++p) {
    if (auto offset = engine_.projector().stored_offset(p)) projected_[p] = *offset;
  }
  last_pass_end_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { run(); });
}

void ProjectionLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  engine_.projector().request_stop();  // a long catch-up ends after its current batch
  wake_.notify_all();
  progressed_.notify_all();
  // `ledger serve` stops the server from its signal thread and again from the main thread once
  // serve() returns; two concurrent joins of one thread hang the second, so they take turns.
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

void ProjectionLoop::notify_appended() {
  {
    std::lock_guard lock(mutex_);
    ++appended_generation_;
  }
  wake_.notify_one();
}

void ProjectionLoop::run() {
  uint64_t seen = 0;
  for (;;) {
    project_once();
    std::unique_lock lock(mutex_);
    if (!healthy_) {
      wake_.wait_for(lock, kRetryAfterError, [&] { return stopping_; });
    } else {
      wake_.wait(lock, [&] { return stopping_ || appended_generation_ != seen; });
    }
    if (stopping_) return;
    seen = appended_generation_;
  }
}

void ProjectionLoop::project_once() {
  const std::vector<uint64_t> before = projected();
  const auto start = std::chrono::steady_clock::now();
  auto stats = engine_.projector().catch_up();
  const auto end = std::chrono::steady_clock::now();
  std::vector<uint64_t> after(before.size(), 0);
  for (uint32_t p = 0; p < after.size(); ++p) {
    auto offset = engine_.projector().stored_offset(p);
    after[p] = offset ? *offset : before[p];
  }
  if (stats) {
    metrics_.add_projection(stats->applied, stats->duplicates,
                            std::chrono::duration_cast<std::chrono::microseconds>(end - start).count());
    if (stats->rejected > 0) {
      auto by_reason = rejections_between(before, after);
      uint64_t found = 0;
      for (const auto& [reason, count] : by_reason) found += count;
      if (found < stats->rejected) by_reason["bulk"] += stats->rejected - found;
      metrics_.add_projector_rejections(by_reason);
    }
  } else {
    spdlog::error("projection failed: {}", stats.status().to_string());
  }
  {
    std::lock_guard lock(mutex_);
    healthy_ = stats.is_ok();
    projected_ = after;
    last_pass_end_ = end;
  }
  progressed_.notify_all();
}

std::map<std::string, uint64_t> ProjectionLoop::rejections_between(const std::vector<uint64_t>& from,
                                                                   const std::vector<uint64_t>& to) const {
  std::map<std::string, uint64_t> by_reason;
  ReadSnapshot snapshot(engine_.store(), engine_.log().partition_count());
  auto cf = engine_.store().column_family(RejectionsView::kColumnFamily);
  for (uint32_t p = 0; p < from.size(); ++p) {
    if (to[p] - from[p] > kReasonLookupMaxOffsets) continue;
    for (uint64_t offset = from[p]; offset < to[p]; ++offset) {
      auto value = snapshot.get(cf, rejection_key(p, offset));
      if (!value || !value->has_value()) continue;
      const std::string& bytes = **value;
      if (const auto* row = decode_row<view::RejectionRow>(bytes)) {
        ++by_reason[row->reason() ? row->reason()->str() : "unknown"];
      }
    }
  }
  return by_reason;
}

bool ProjectionLoop::wait_for(const std::vector<uint64_t>& targets, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return progressed_.wait_for(lock, timeout, [&] {
    if (stopping_) return true;
    for (size_t p = 0; p < targets.size() && p < projected_.size(); ++p) {
      if (projected_[p] < targets[p]) return false;
    }
    return true;
  });
}

std::vector<uint64_t> ProjectionLoop::projected() const {
  std::lock_guard lock(mutex_);
  return projected_;
}

std::vector<uint64_t> ProjectionLoop::end_offsets() const {
  std::vector<uint64_t> ends(engine_.log().partition_count(), 0);
  for (uint32_t p = 0; p < ends.size(); ++p) {
    if (auto end = engine_.log().end_offset(p)) ends[p] = *end;
  }
  return ends;
}

bool ProjectionLoop::ready(std::chrono::milliseconds bound) const {
  const std::vector<uint64_t> ends = end_offsets();
  std::lock_guard lock(mutex_);
  if (!healthy_ || !thread_.joinable()) return false;
  bool caught_up = true;
  for (size_t p = 0; p < ends.size(); ++p) caught_up = caught_up && projected_[p] >= ends[p];
  return caught_up || std::chrono::steady_clock::now() - last_pass_end_ < bound;
}

}  // namespace ledger::http
