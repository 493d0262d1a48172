#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace skelaug::core {

// Progress of long work. On a terminal it redraws one live line on stderr; otherwise (batch jobs, files) it writes a
// log line every `log_interval_s` seconds and one at the end, so a Slurm log shows progress without flooding.
// A disabled Progress (ranks other than 0) does nothing.
class Progress {
 public:
  Progress(std::string label, std::int64_t total, double log_interval_s, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Marks `count` more items done; `detail` (e.g. "loss 0.41") is shown after the counts.
  void advance(std::int64_t count = 1, const std::string& detail = {});
  void finish();

 private:
  std::string line(const std::string& detail) const;

  using Clock = std::chrono::steady_clock;
  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  double log_interval_s_;
  bool enabled_;
  bool live_;
  bool finished_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_report_ = Clock::now();
  std::string last_detail_;
};

}  // namespace skelaug::core
