#pragma once

#include <string>
#include <vector>

#include "skelaug/augment/study_plan.h"

namespace skelaug::augment {

struct StudyRunOptions {
  std::string program;             // the skelaug executable the stages run
  // Launches stages of more than one rank (launcher_words: "mpirun --oversubscribe", "srun --mpi=pmix -n {ranks}").
  std::string mpiexec = "mpirun";
  std::vector<std::string> only;   // the ids of the stages to run; empty = every stage
};

// Runs the plan's stages in order on this machine. Each stage's output goes to <study>/logs/<stage id>.log; a stage
// that finished is recorded in <study>/stages/<stage id>.json with its command line, and is skipped when the study runs
// again (a recorded stage whose command line changed since is a core::UserError naming it: its results belong to
// other settings). A stage stopped midway simply runs again: its own resume (checkpoints, sample chunks) continues it.
// Writes <study>/plan.json first. Prints one line per stage (started, done or skipped, with the study's elapsed time).
// With `only`, runs just those stages (a Slurm array task runs one): core::UserError for an id the plan lacks, or for a
// stage that reads one neither named nor finished.
// Returns 0 when every stage is done, 3 when a stage was preempted (SIGTERM/SIGUSR1: run the study again to
// continue), and otherwise the failing stage's exit code, after printing its log's last lines.
int run_study(const StudyPlan& plan, const StudyRunOptions& options);

}  // namespace skelaug::augment
