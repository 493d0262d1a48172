#include "skelaug/training/resume_policy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "skelaug/core/error.h"
#include "skelaug/core/logging.h"
#include "skelaug/training/checkpoint.h"

namespace skelaug::training {
namespace {

// Keys (or whole sections, ending in '.') that do not change what a run computes: among them the sections only
// other commands read (a study's `augment`, sampling, evaluation), whose defaults may change between versions.
constexpr std::array<std::string_view, 18> kNeutralKeys{
    "run.name",          "run.dir",          "run.progress_interval_s", "run.allow_config_change",
    "distributed.",      "doctor.",          "evaluate.",               "sample.",       "augment.",
    "data.workers",      "train.checkpoint_every", "train.keep_checkpoints", "train.timeline",
    "train.resume",      "train.bucket_cap_mb",    "train.first_bucket_cap_mb", "train.nonfinite",
    "train.nonfinite_max_skips"};

bool is_neutral(const std::string& key) {
  return std::any_of(kNeutralKeys.begin(), kNeutralKeys.end(), [&](std::string_view neutral) {
    return neutral.back() == '.' ? key.rfind(neutral, 0) == 0 : key == neutral;
  });
}

}  // namespace

ResumeMode parse_resume_mode(const std::string& name) {
  if (name == "auto") return ResumeMode::kAuto;
  if (name == "never") return ResumeMode::kNever;
  if (name == "must") return ResumeMode::kMust;
  throw std::invalid_argument(fmt::format("train.resume: '{}' is not auto, never or must", name));
}

std::vector<std::string> result_changing_differences(const core::Config& before, const core::Config& now) {
  const bool cosine = before.get_string("train.lr_schedule") == "cosine" || now.get_string("train.lr_schedule") == "cosine";
  std::vector<std::string> changed;
  for (const auto& key : now.differing_keys(before)) {
    if (is_neutral(key)) continue;
    if (!cosine && (key == "train.epochs" || key == "train.max_steps")) continue;
    changed.push_back(key);
  }
  return changed;
}

bool continues_own_run(ResumeMode mode, const core::RunDirectory& run) {
  return mode != ResumeMode::kNever && CheckpointStore(run.checkpoints_folder(), 1).latest().has_value();
}

void check_resume(const core::Config& config, const core::RunDirectory& run) {
  const auto mode = parse_resume_mode(config.get_string("train.resume"));
  const CheckpointStore store(run.checkpoints_folder(), 1);
  const auto checkpoints = store.list();
  if (checkpoints.empty()) {
    if (mode == ResumeMode::kMust) {
      throw core::UserError(fmt::format("train.resume=must: {} holds no checkpoint to continue from",
                                        store.directory().string()));
    }
    return;
  }
  if (mode == ResumeMode::kNever) {
    throw core::UserError(fmt::format("train.resume=never: {} already holds {} checkpoint(s) of an earlier start, "
                                      "which this run would overwrite; choose another run.dir",
                                      store.directory().string(), checkpoints.size()));
  }
  std::ifstream in(run.config_file());
  if (!in) {
    throw core::UserError(fmt::format("{}: missing, so the checkpoints in {} cannot be checked against this config",
                                      run.config_file().string(), store.directory().string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> changed;
  try {
    changed = result_changing_differences(
        core::parse_config(config.schema(), text.str(), run.config_file().string(), config.name()), config);
  } catch (const core::UserError& error) {
    if (!config.get_bool("run.allow_config_change")) {
      throw core::UserError(fmt::format("{} (the config of the run being resumed; run.allow_config_change=true "
                                        "resumes regardless)",
                                        error.what()));
    }
    SKELAUG_LOG(kWarning) << fmt::format("resuming without comparing configs (run.allow_config_change=true): {}",
                                         error.what());
    return;
  }
  if (changed.empty()) return;
  if (!config.get_bool("run.allow_config_change")) {
    throw core::UserError(fmt::format("resuming {}: the config differs from the run's ({}) in {}, which change the "
                                      "result; set them back, choose another run.dir, or set "
                                      "run.allow_config_change=true",
                                      run.root().string(), run.config_file().string(), fmt::join(changed, ", ")));
  }
  SKELAUG_LOG(kWarning) << fmt::format("resuming {} with a changed config (run.allow_config_change=true): {}",
                                       run.root().string(), fmt::join(changed, ", "));
}

}  // namespace skelaug::training
