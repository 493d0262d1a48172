#include "skelaug/core/run_directory.h"

#include <fmt/format.h>

#include <ctime>

#include "skelaug/core/atomic_file.h"
#include "skelaug/core/error.h"

namespace skelaug::core {

std::filesystem::path RunDirectory::log_file(int rank) const {
  return root_ / "logs" / fmt::format("rank-{}.log", rank);
}

RunDirectory RunDirectory::create(const Config& config, const std::string& timestamp) {
  std::filesystem::path root(config.get_string("run.dir"));
  if (root.empty()) {
    const auto& name = config.get_string("run.name").empty() ? config.name() : config.get_string("run.name");
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
  write_file_atomically(run.config_file(), config.to_yaml(/*comments=*/false));
  return run;
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
      .add_string("run.dir", "", "run directory; empty = runs/<name>-<timestamp>")
      .add_int("run.seed", 0, 0, 2147483647, "seed of every random choice the run makes")
      .add_float("run.progress_interval_s", 30.0, 0.1, 86400.0,
                 "seconds between progress lines in logs when not on a terminal");
}

}  // namespace skelaug::core
