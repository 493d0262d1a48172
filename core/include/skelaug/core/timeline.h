#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace skelaug::core {

// A per-rank record of what ran when (forward, backward, each bucket's all-reduce, the optimiser step), written as
// a Chrome trace (chrome://tracing, Perfetto) like Horovod's timeline, so anyone can see whether communication is
// hidden behind backward. Thread-safe; disabled timelines record nothing.
class Timeline {
 public:
  using Clock = std::chrono::steady_clock;
  struct Event {
    std::string name;
    std::string category;  // "compute", "communication", ...
    int lane = 0;          // the trace's thread id: 0 compute, 1 communication
    Clock::time_point start;
    Clock::time_point end;
  };

  explicit Timeline(bool enabled = true) : enabled_(enabled), origin_(Clock::now()) {}

  bool enabled() const { return enabled_; }
  void record(std::string name, std::string category, int lane, Clock::time_point start, Clock::time_point end);
  std::vector<Event> events() const;
  void clear();
  // Writes {"traceEvents": [...]} with complete ("X") events in microseconds since the timeline began; `rank` is
  // the trace's process id. Atomic (temporary file + rename).
  void write_chrome_trace(const std::filesystem::path& file, int rank) const;

 private:
  bool enabled_;
  Clock::time_point origin_;
  mutable std::mutex mutex_;
  std::vector<Event> events_;
};

// The fraction of the time covered by `communication` events that falls inside `compute` events' intervals
// (intervals merged first): 1 when all communication is hidden behind computation.
double hidden_fraction(const std::vector<Timeline::Event>& communication, const std::vector<Timeline::Event>& compute);

}  // namespace skelaug::core
