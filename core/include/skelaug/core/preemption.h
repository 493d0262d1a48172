#pragma once

#include <string>

#include "skelaug/core/error.h"

namespace skelaug::core {

// SIGTERM and SIGUSR1 (Slurm's warning before a time limit or preemption: `#SBATCH --signal=B:USR1@90`, and what
// scancel sends) only set a flag while a PreemptionFlag lives: a job holds one for its whole life, so a signal during
// data loading, resume, evaluation or sampling is never the default action (death without a checkpoint). The work
// looks at the flag where stopping is clean: the trainer's ranks agree on it at a step boundary (it rides on the
// per-step all-reduce), at start and after each epoch's evaluation, save a checkpoint and return kPreempted; sampling
// stops between batches and writes nothing half-made. Guards nest: the first installs the handlers, the last restores
// the previous ones; a signal is remembered until the last guard ends.
class PreemptionFlag {
 public:
  PreemptionFlag();
  ~PreemptionFlag();
  PreemptionFlag(const PreemptionFlag&) = delete;
  PreemptionFlag& operator=(const PreemptionFlag&) = delete;

  // The signal this process received while a guard lived, 0 if none.
  static int received();
};

// Thrown by work that stopped because a stop signal arrived (PreemptionFlag) before it could finish; the launcher
// prints its message and exits with kPreempted. The message says what was kept.
class Preempted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Work that holds no state worth saving (sampling, evaluation) calls this where it can stop cleanly: if a stop signal
// arrived while a PreemptionFlag lived, it throws Preempted("signal N <while_doing>"); while_doing says where it
// stopped and what was kept.
void stop_if_signalled(const std::string& while_doing);

}  // namespace skelaug::core
