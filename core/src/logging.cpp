#include "skelaug/core/logging.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/clock.hpp>
#include <boost/log/attributes/constant.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/support/date_time.hpp>
#include <boost/log/utility/setup/common_attributes.hpp>
#include <boost/smart_ptr/make_shared_object.hpp>
#include <array>
#include <fstream>
#include <iostream>
#include <ostream>
#include <stdexcept>

#include "skelaug/core/error.h"

namespace skelaug::core {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {"trace", "debug", "info", "warning", "error"};

namespace logging = boost::log;
namespace expr = boost::log::expressions;
using TextSink = logging::sinks::synchronous_sink<logging::sinks::text_ostream_backend>;

constexpr const char* kFileOnly = "FileOnly";

boost::shared_ptr<TextSink> make_sink(boost::shared_ptr<std::ostream> stream, const LogSetup& setup, bool console) {
  auto backend = boost::make_shared<logging::sinks::text_ostream_backend>();
  backend->add_stream(std::move(stream));
  backend->auto_flush(true);
  auto sink = boost::make_shared<TextSink>(backend);
  if (console) {
    sink->set_filter(expr::attr<LogLevel>("Severity") >= setup.level && !expr::has_attr<bool>(kFileOnly));
  } else {
    sink->set_filter(expr::attr<LogLevel>("Severity") >= setup.level);
  }
  const auto prefix = fmt::format(" [r{}/{}] ", setup.rank, setup.world_size);
  sink->set_formatter(expr::stream << expr::format_date_time<boost::posix_time::ptime>("TimeStamp",
                                                                                    "%Y-%m-%d %H:%M:%S.%f")
                                   << prefix << expr::attr<LogLevel>("Severity") << ": " << expr::smessage);
  return sink;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, LogLevel level) {
  return out << kLevelNames.at(static_cast<std::size_t>(level));
}

LogLevel parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == text) return static_cast<LogLevel>(i);
  }
  throw UserError(fmt::format("--log-level: '{}' is not one of: {}", text, fmt::join(kLevelNames, ", ")));
}

void configure_logging(const LogSetup& setup) {
  auto core = logging::core::get();
  core->remove_all_sinks();
  static const bool attributes_added = (logging::add_common_attributes(), true);
  (void)attributes_added;
  if (setup.console) {
    core->add_sink(make_sink(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()), setup, true));
  }
  if (!setup.file.empty()) {
    auto file = boost::make_shared<std::ofstream>(setup.file, std::ios::app);
    if (!*file) throw std::runtime_error("cannot open log file " + setup.file.string());
    core->add_sink(make_sink(file, setup, false));
  }
}

Logger& logger() {
  static Logger instance;
  return instance;
}

Logger& file_logger() {
  static Logger instance = [] {
    Logger made;
    made.add_attribute(kFileOnly, logging::attributes::constant<bool>(true));
    return made;
  }();
  return instance;
}

}  // namespace skelaug::core
