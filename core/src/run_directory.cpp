#include "skelaug/core/run_directory.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"

namespace skelaug::core {

std::filesystem::path RunDirectory::log_file(int rank) const {
  return root_ / "logs" / fmt::format("rank-{}.log", rank);
}

std::string RunDirectory::slurm_run_name(const std::string& config_name) {
  const auto variable = [](const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
  };
  const auto array_job = variable("SLURM_ARRAY_JOB_ID");
  const auto array_task = variable("SLURM_ARRAY_TASK_ID");
  if (!array_job.empty() && !array_task.empty()) return fmt::format("{}-slurm{}_{}", config_name, array_job, array_task);
  const auto job = variable("SLURM_JOB_ID");
  return job.empty() ? std::string() : fmt::format("{}-slurm{}", config_name, job);
}

RunDirectory RunDirectory::create(const Config& config, const std::string& timestamp) {
  std::filesystem::path root(config.get_string("run.dir"));
  const auto& name = config.get_string("run.name").empty() ? config.name() : config.get_string("run.name");
  const auto slurm_name = slurm_run_name(name);
  if (root.empty() && !slurm_name.empty()) root = std::filesystem::path("runs") / slurm_name;
  if (root.empty()) {  // outside Slurm: a fresh directory per start
    const std::filesystem::path base = std::filesystem::path("runs") / fmt::format("{}-{}", name, timestamp);
    root = base;
    for (int suffix = 2; std::filesystem::exists(root); ++suffix) {
      root = base;
      root += fmt::format("-{}", suffix);
    }
  }
  RunDirectory run(root);
  std::error_code error;
  std::filesystem::create_directories(root / "logs", error);
  if (error) throw UserError(fmt::format("run.dir: cannot create '{}': {}", root.string(), error.message()));
  return run;
}

void RunDirectory::write_config(const Config& config) const {
  write_file_atomically(config_file(), config.to_yaml(/*comments=*/false));
}

std::string run_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

}  // namespace skelaug::core

namespace skelaug::core {

void add_run_config_keys(Schema& schema) {
  schema
      .add_string("run.name", "", "names the run directory; empty = the config file's name")
      .add_string("run.dir", "",
                  "run directory; empty = runs/<name>-<timestamp>, or under Slurm runs/<name>-slurm<job id>[_<array "
                  "task>] (the same after a requeue, so the job resumes)")
      .add_bool("run.allow_config_change", false,
                "resume even when the config differs from the run's in keys that change the result (logged)")
      .add_int("run.seed", 0, 0, 2147483647, "seed of every random choice the run makes")
      .add_float("run.progress_interval_s", 30.0, 0.1, 86400.0,
                 "seconds between progress lines in logs when not on a terminal");
}

}  // namespace skelaug::core
