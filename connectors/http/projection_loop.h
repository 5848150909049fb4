#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/http/metrics.h"
#include "engine/engine.h"

namespace ledger::http {

//! Runs the projector continuously: a thread that sleeps on a condition variable until an
//! append is announced, then catches up with everything the log holds. Readers wait on the
//! projected offsets (read your writes) through another condition variable.
class ProjectionLoop {
 public:
  ProjectionLoop(Engine& engine, Metrics& metrics);
  ~ProjectionLoop();
  ProjectionLoop(const ProjectionLoop&) = delete;
  ProjectionLoop& operator=(const ProjectionLoop&) = delete;

  //! Starts the thread; it projects once at once, then after each notify_appended().
  void start();
  //! Stops the thread after the pass in progress. Safe from several threads at once: each
  //! returns once the thread is joined.
  void stop();
  //! Wakes the loop: the log has new events.
  void notify_appended();
  //! Waits until every partition p has projected up to targets[p] (its next offset is at least
  //! that); false when `timeout` passed first.
  bool wait_for(const std::vector<uint64_t>& targets, std::chrono::milliseconds timeout);
  //! The next offset to project of each partition, as of the last pass.
  std::vector<uint64_t> projected() const;
  //! The log's end offsets now, one per partition.
  std::vector<uint64_t> end_offsets() const;
  //! Whether the last pass succeeded, everything appended before it is projected, or the
  //! lag is younger than `bound`.
  bool ready(std::chrono::milliseconds bound) const;

 private:
  void run();
  void project_once();
  std::map<std::string, uint64_t> rejections_between(const std::vector<uint64_t>& from,
                                                     const std::vector<uint64_t>& to) const;

  Engine& engine_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::condition_variable progressed_;
  uint64_t appended_generation_ = 0;                     //!< guarded by mutex_
  bool stopping_ = false;                                //!< guarded by mutex_
  bool healthy_ = true;                                  //!< guarded by mutex_: the last pass succeeded
  std::vector<uint64_t> projected_;                      //!< guarded by mutex_
  std::chrono::steady_clock::time_point last_pass_end_;  //!< guarded by mutex_
  std::mutex join_mutex_;  //!< stop() may run on two threads at once (a signal and the server's end)
  std::thread thread_;     //!< joined under join_mutex_
};

}  // namespace ledger::http
