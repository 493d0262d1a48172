#include "communication_thread.h"

namespace skelaug::distributed {

void ThreadWork::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return finished_; });
  if (error_) std::rethrow_exception(error_);
}

std::optional<Work::Span> ThreadWork::span() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!finished_) return std::nullopt;
  return span_;
}

void ThreadWork::finish(Span span, std::exception_ptr error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    span_ = span;
    error_ = std::move(error);
    finished_ = true;
  }
  done_.notify_all();
}

CommunicationThread::CommunicationThread(double timeout_s,
                                         std::function<void(const std::string&, double)> on_timeout)
    : timeout_s_(timeout_s), on_timeout_(std::move(on_timeout)) {
  worker_ = std::thread([this] { run(); });
  watchdog_ = std::thread([this] { watch(); });
}

CommunicationThread::~CommunicationThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
  watchdog_.join();
}

std::shared_ptr<ThreadWork> CommunicationThread::submit(std::string what, std::function<void()> task) {
  auto work = std::make_shared<ThreadWork>();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back({std::move(what), std::move(task), work});
  }
  changed_.notify_all();
  return work;
}

void CommunicationThread::run() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
      running_ = task.what;
      running_since_ = Work::Clock::now();
    }
    std::exception_ptr error;
    const auto start = Work::Clock::now();
    try {
      task.run();
    } catch (...) {
      error = std::current_exception();
    }
    const auto end = Work::Clock::now();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.clear();
    }
    task.work->finish({start, end}, error);
  }
}

void CommunicationThread::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping_ && queue_.empty() && running_.empty()) return;
    if (running_.empty()) continue;
    const double seconds = std::chrono::duration<double>(Work::Clock::now() - running_since_).count();
    if (seconds > timeout_s_) {
      const auto what = running_;
      lock.unlock();
      on_timeout_(what, seconds);  // does not return
      lock.lock();
    }
  }
}

}  // namespace skelaug::distributed
