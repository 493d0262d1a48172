#pragma once

#include <filesystem>
#include <string>

#include "skelaug/core/config.h"

namespace skelaug::core {

// The files of one run:
//   <root>/config.yaml          the fully resolved config
//   <root>/logs/rank-<r>.log    one log per rank
//   <root>/metrics.jsonl        one JSON object per line, written by rank 0
class RunDirectory {
 public:
  explicit RunDirectory(std::filesystem::path root) : root_(std::move(root)) {}

  // Chooses the run's directory: `run.dir` when set, else `runs/<config name>-<timestamp>`, with "-2", "-3", ...
  // appended if that already exists. Creates it with logs/ and writes config.yaml atomically. Called by rank 0 only;
  // the others are told the path. Throws UserError if the directory cannot be made.
  static RunDirectory create(const Config& config, const std::string& timestamp);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config_file() const { return root_ / "config.yaml"; }
  std::filesystem::path log_file(int rank) const;
  std::filesystem::path metrics_file() const { return root_ / "metrics.jsonl"; }

 private:
  std::filesystem::path root_;
};

// Local time as "YYYYMMDD-HHMMSS".
std::string run_timestamp();

}  // namespace skelaug::core

namespace skelaug::core {
class Schema;
// The `run` section of the config schema.
void add_run_config_keys(Schema& schema);
}  // namespace skelaug::core
