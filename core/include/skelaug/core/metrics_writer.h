#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace skelaug::core {

// Appends one JSON object per line to a run's metrics.jsonl (rank 0 only). Each record gets a "time" field
// (Unix seconds) unless it has one, and is flushed at once so a killed job keeps every finished line.
class MetricsWriter {
 public:
  explicit MetricsWriter(const std::filesystem::path& path);
  void write(nlohmann::json record);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace skelaug::core
