#include "skelaug/core/metrics_writer.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace skelaug::core {

MetricsWriter::MetricsWriter(const std::filesystem::path& path) : path_(path), out_(path, std::ios::app) {
  if (!out_) throw std::runtime_error("cannot open metrics file " + path.string());
}

void MetricsWriter::write(nlohmann::json record) {
  if (!record.contains("time")) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    record["time"] = std::chrono::duration<double>(now).count();
  }
  out_ << record.dump() << '\n';
  out_.flush();
  if (!out_) throw std::runtime_error(path_.string() + ": cannot write the metrics record: " + std::strerror(errno));
}

}  // namespace skelaug::core
