#pragma once

#include <string>
#include <vector>

#include "skelaug/core/config.h"
#include "skelaug/core/run_directory.h"

namespace skelaug::training {

// train.resume: what a job does with checkpoints already in its run directory.
enum class ResumeMode {
  kAuto,   // continue from the newest good one if there is one, else start
  kNever,  // start from scratch; a run directory that already has checkpoints is refused (they would be overwritten)
  kMust,   // continue, or fail when there is nothing to continue from
};
ResumeMode parse_resume_mode(const std::string& name);  // "auto" | "never" | "must"

// The keys in which `now` differs from `before` (the config a run's checkpoints were made with) such that resuming
// would not compute what the run was computing: everything except where the run writes, how it logs and checkpoints,
// how ranks talk, how many loader threads work, and the sample, evaluate and doctor sections (other commands'). The
// length of the run (train.epochs, train.max_steps) may change, so that a finished run can be extended, except under
// the cosine schedule, whose rates depend on it.
std::vector<std::string> result_changing_differences(const core::Config& before, const core::Config& now);

// Checks, on rank 0 before a job writes its config into `run`, what the checkpoints already there allow:
// train.resume=never with checkpoints, and train.resume=must without, are refused; with checkpoints, the config they
// were made with (the run's config.yaml) must not differ from `config` in result_changing_differences, unless
// run.allow_config_change=true, which logs the keys and goes on. core::UserError naming the keys otherwise.
void check_resume(const core::Config& config, const core::RunDirectory& run);

// Whether a job in `run` continues from a checkpoint of its own (train.resume is not never and one is there) rather
// than starting afresh: what it would otherwise read to start from (recognizer.init) is then not read.
bool continues_own_run(ResumeMode mode, const core::RunDirectory& run);

}  // namespace skelaug::training
