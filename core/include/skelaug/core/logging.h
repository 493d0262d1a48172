#pragma once

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_logger.hpp>
#include <filesystem>
#include <iosfwd>
#include <string_view>

namespace skelaug::core {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError };

std::ostream& operator<<(std::ostream& out, LogLevel level);
// Reads "trace", "debug", "info", "warning" or "error"; throws UserError naming the accepted values.
LogLevel parse_log_level(std::string_view text);

struct LogSetup {
  int rank = 0;
  int world_size = 1;
  LogLevel level = LogLevel::kInfo;
  std::filesystem::path file;  // empty: no file sink
  bool console = true;         // stderr sink; the launcher enables it on rank 0 only
};

// Replaces all sinks. Lines read "2026-11-24 00:15:33.123456 [r0/2] info: message". File sinks append and flush
// every record, so a crashed rank's log is complete up to its last line.
void configure_logging(const LogSetup& setup);

using Logger = boost::log::sources::severity_logger_mt<LogLevel>;
Logger& logger();
// Records only the files get: what the launcher has already said on stderr in its own one line (the error that ends
// a job), so the console shows it once and each rank's log still ends with it.
Logger& file_logger();

}  // namespace skelaug::core

#define SKELAUG_LOG(severity) BOOST_LOG_SEV(::skelaug::core::logger(), ::skelaug::core::LogLevel::severity)
#define SKELAUG_LOG_TO_FILE(severity) \
  BOOST_LOG_SEV(::skelaug::core::file_logger(), ::skelaug::core::LogLevel::severity)
