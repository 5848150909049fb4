#include "connectors/http/bounded_work_queue.h"

namespace ledger::http {

BoundedWorkQueue::BoundedWorkQueue(size_t threads, size_t queue_max)
    : queue_max_(queue_max == 0 ? 1 : queue_max) {
  for (size_t i = 0; i < (threads == 0 ? 1 : threads); ++i) threads_.emplace_back([this] { work(); });
}

BoundedWorkQueue::~BoundedWorkQueue() {
  shutdown();
}

void BoundedWorkQueue::enqueue(std::function<void()> job) {
  {
    std::unique_lock lock(mutex_);
    has_room_.wait(lock, [&] { return shutting_down_ || jobs_.size() < queue_max_; });
    if (shutting_down_) return;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void BoundedWorkQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_ && threads_.empty()) return;
    shutting_down_ = true;
  }
  ready_.notify_all();
  has_room_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void BoundedWorkQueue::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return shutting_down_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shutting down with nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    has_room_.notify_one();
    job();
  }
}

}  // namespace ledger::http
