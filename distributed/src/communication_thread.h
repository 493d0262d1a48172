#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "skelaug/distributed/communicator.h"

namespace skelaug::distributed {

// The Work of a task run on a CommunicationThread.
class ThreadWork final : public Work {
 public:
  void wait() override;
  std::optional<Span> span() const override;

 private:
  friend class CommunicationThread;
  void finish(Span span, std::exception_ptr error);

  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  Span span_{};
  std::exception_ptr error_;
};

// Runs tasks (blocking collectives) one at a time in submission order on a dedicated thread, with a watchdog: a task
// running longer than `timeout_s` makes `on_timeout` run (it aborts the job; it must not return).
class CommunicationThread {
 public:
  CommunicationThread(double timeout_s, std::function<void(const std::string& what, double seconds)> on_timeout);
  ~CommunicationThread();  // runs what is queued, then stops
  CommunicationThread(const CommunicationThread&) = delete;
  CommunicationThread& operator=(const CommunicationThread&) = delete;

  std::shared_ptr<ThreadWork> submit(std::string what, std::function<void()> task);

 private:
  struct Task {
    std::string what;
    std::function<void()> run;
    std::shared_ptr<ThreadWork> work;
  };
  void run();
  void watch();

  double timeout_s_;
  std::function<void(const std::string&, double)> on_timeout_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::string running_;  // what the current task is; empty when idle
  Work::Clock::time_point running_since_;
  std::thread worker_;
  std::thread watchdog_;
};

}  // namespace skelaug::distributed
