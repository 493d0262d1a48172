#include "skelaug/core/timeline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "skelaug/core/atomic_file.h"

namespace skelaug::core {

void Timeline::record(std::string name, std::string category, int lane, Clock::time_point start,
                      Clock::time_point end) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  events_.push_back({std::move(name), std::move(category), lane, start, end});
}

std::vector<Timeline::Event> Timeline::events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

void Timeline::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.clear();
}

void Timeline::write_chrome_trace(const std::filesystem::path& file, int rank) const {
  auto micros = [this](Clock::time_point t) {
    return std::chrono::duration<double, std::micro>(t - origin_).count();
  };
  nlohmann::json events = nlohmann::json::array();
  for (const auto& event : this->events()) {
    events.push_back({{"name", event.name}, {"cat", event.category}, {"ph", "X"}, {"pid", rank},
                      {"tid", event.lane}, {"ts", micros(event.start)}, {"dur", micros(event.end) - micros(event.start)}});
  }
  write_file_atomically(file, nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump());
}

double hidden_fraction(const std::vector<Timeline::Event>& communication, const std::vector<Timeline::Event>& compute) {
  using Interval = std::pair<Timeline::Clock::time_point, Timeline::Clock::time_point>;
  std::vector<Interval> covered;
  for (const auto& event : compute) covered.emplace_back(event.start, event.end);
  std::sort(covered.begin(), covered.end());
  std::vector<Interval> merged;
  for (const auto& interval : covered) {
    if (!merged.empty() && interval.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, interval.second);
    } else {
      merged.push_back(interval);
    }
  }
  double total = 0;
  double hidden = 0;
  for (const auto& event : communication) {
    total += std::chrono::duration<double>(event.end - event.start).count();
    for (const auto& [start, end] : merged) {
      const auto overlap_start = std::max(start, event.start);
      const auto overlap_end = std::min(end, event.end);
      if (overlap_end > overlap_start) hidden += std::chrono::duration<double>(overlap_end - overlap_start).count();
    }
  }
  return total > 0 ? hidden / total : 1.0;
}

}  // namespace skelaug::core
