#include "skelaug/core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "skelaug/core/logging.h"

namespace skelaug::core {

Progress::Progress(std::string label, std::int64_t total, double log_interval_s, bool enabled)
    : label_(std::move(label)),
      total_(total),
      log_interval_s_(log_interval_s),
      enabled_(enabled),
      live_(enabled && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!finished_) finish();
}

std::string Progress::line(const std::string& detail) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  std::string text = fmt::format("{}: {}/{} ({:.0f}%) {:.2f}/s", label_, done_, total_,
                                 total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0,
                                 rate);
  if (rate > 0 && done_ < total_) text += fmt::format(" eta {:.0f}s", static_cast<double>(total_ - done_) / rate);
  if (!detail.empty()) text += " " + detail;
  return text;
}

void Progress::advance(std::int64_t count, const std::string& detail) {
  done_ += count;
  last_detail_ = detail;
  if (!enabled_) return;
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_report_).count();
  if (live_) {
    if (since < 0.1 && done_ < total_) return;
    std::fprintf(stderr, "\r\033[K%s", line(detail).c_str());
    std::fflush(stderr);
    last_report_ = now;
  } else if (since >= log_interval_s_) {
    SKELAUG_LOG(kInfo) << line(detail);
    last_report_ = now;
  }
}

void Progress::finish() {
  finished_ = true;
  if (!enabled_) return;
  if (live_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  SKELAUG_LOG(kInfo) << line(last_detail_) << " done";
}

}  // namespace skelaug::core
