#pragma once

#include <filesystem>
#include <string>

#include "skelaug/core/config.h"

namespace skelaug::core {

// The files of one run:
//   <root>/config.yaml          the fully resolved config (of the latest start, when a run resumes)
//   <root>/logs/rank-<r>.log    one log per rank
//   <root>/metrics.jsonl        one JSON object per line, written by rank 0
//   <root>/checkpoints/         checkpoint-<step>.pt with their checksums (training::CheckpointStore)
class RunDirectory {
 public:
  explicit RunDirectory(std::filesystem::path root) : root_(std::move(root)) {}

  // Chooses the run's directory: `run.dir` when set; else, in a Slurm job, runs/<config name>-slurm<job id> (an array
  // task: runs/<config name>-slurm<array job id>_<task id>), the same directory when the job is requeued, so that it
  // finds its checkpoints; else runs/<config name>-<timestamp>, with "-2", "-3", ... appended if that exists.
  // Creates it with logs/; config.yaml is the caller's (write_config), once it has compared the one already there.
  // Called by rank 0 only; the others are told the path. Throws UserError if the directory cannot be made.
  static RunDirectory create(const Config& config, const std::string& timestamp);
  // The directory's name under Slurm from the job's variables, or "" outside a Slurm job.
  static std::string slurm_run_name(const std::string& config_name);

  // Writes config.yaml (atomically).
  void write_config(const Config& config) const;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config_file() const { return root_ / "config.yaml"; }
  std::filesystem::path log_file(int rank) const;
  std::filesystem::path metrics_file() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path checkpoints_folder() const { return root_ / "checkpoints"; }

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
