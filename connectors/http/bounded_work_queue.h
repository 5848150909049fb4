#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ledger::http {

//! httplib's worker pool with a bound on waiting work: a fixed number of threads and at most
//! `queue_max` accepted connections waiting for one. When the queue is full, enqueue blocks the
//! accept loop, so further clients wait in the kernel's listen backlog rather than in memory.
class BoundedWorkQueue final : public httplib::TaskQueue {
 public:
  BoundedWorkQueue(size_t threads, size_t queue_max);
  ~BoundedWorkQueue() override;

  void enqueue(std::function<void()> job) override;
  void shutdown() override;

 private:
  void work();

  const size_t queue_max_;
  std::mutex mutex_;
  std::condition_variable ready_;           //!< a job is waiting, or shutting down
  std::condition_variable has_room_;        //!< the queue is below its bound
  std::deque<std::function<void()>> jobs_;  //!< guarded by mutex_
  bool shutting_down_ = false;              //!< guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace ledger::http
