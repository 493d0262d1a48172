#pragma once

namespace skelaug::training {

// SIGTERM and SIGUSR1 (Slurm's warning before a time limit or preemption: `#SBATCH --signal=B:USR1@90`) only set a
// flag; the trainer's ranks agree on it at a step boundary (it rides on the per-step loss all-reduce), save a
// checkpoint and exit with core::kPreempted so that the batch script can requeue the job.
class PreemptionFlag {
 public:
  PreemptionFlag();   // installs the handlers
  ~PreemptionFlag();  // restores the previous ones
  PreemptionFlag(const PreemptionFlag&) = delete;
  PreemptionFlag& operator=(const PreemptionFlag&) = delete;

  // The signal this rank received, 0 if none.
  static int received();
};

}  // namespace skelaug::training
