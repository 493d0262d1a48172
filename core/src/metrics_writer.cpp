#include "skelaug/core/metrics_writer.h"

#include <chrono>
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
  if (!out_) throw std::runtime_error("cannot write metrics file " + path_.string());
}

}  // namespace skelaug::core
