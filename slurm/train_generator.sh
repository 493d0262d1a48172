#!/bin/bash
# Generator training on several nodes, for any generator config (e.g. NTU-VIBE scaling):
#   sbatch slurm/train_generator.sh configs/ntu_vibe.yaml [key=value ...]
# Submit from the project folder (the one holding slurm/ and configs/). One task per GPU, NCCL between them (the config's
# run.backend); the run directory derives from the job id, so a requeued job resumes from its newest checkpoint.
#
# ---- Edit for your site: these #SBATCH lines (or override any of them on the sbatch command line) ----
#SBATCH --job-name=skelaug-generator
#SBATCH --partition=gpu               # the GPU partition
##SBATCH --account=PROJECT           # your allocation, where your site charges one (remove one # to use it)
#SBATCH --nodes=2                     # nodes; the global batch (train.batch_size) is split over all ranks
#SBATCH --ntasks-per-node=4           # one task (rank) per GPU ...
#SBATCH --gpus-per-node=4             # ... and as many GPUs
#SBATCH --cpus-per-task=8             # data-loading threads and LibTorch's intra-op threads per rank
#SBATCH --time=24:00:00               # wall time; with --signal below, a job at its limit checkpoints and requeues
#SBATCH --signal=B:USR1@300           # USR1 to this script 300 s before the limit: passed to the ranks, which
                                      # checkpoint at their next step and exit 3
#SBATCH --requeue                     # allow `scontrol requeue` (and requeue after a node failure)
#SBATCH --open-mode=append            # a requeued job appends to the same log
#SBATCH --output=slurm-%x-%j.out      # the log: %x job name, %j job id
# And these variables (environment or here):
SKELAUG=${SKELAUG:-skelaug}            # the skelaug program: a path, or on PATH (e.g. <prefix>/bin/skelaug)
RUNS=${RUNS:-runs}                     # where run directories go
MAX_REQUEUES=${MAX_REQUEUES:-5}        # how often a preempted job requeues itself
# ---- end of the part to edit ----
set -uo pipefail
source "${SKELAUG_SLURM_DIR:-${SLURM_SUBMIT_DIR:-.}/slurm}/lib.sh" || { echo "slurm/lib.sh not found: submit from the project folder or set SKELAUG_SLURM_DIR" >&2; exit 2; }

config=${1:?usage: sbatch slurm/train_generator.sh CONFIG.yaml [key=value ...]}
shift
run_dir=${RUN_DIR:-$RUNS/$(basename "$config" .yaml)-slurm${SLURM_JOB_ID}}
skelaug_log "generator training: $config on $SLURM_JOB_NUM_NODES node(s) x ${SLURM_NTASKS_PER_NODE:-?} task(s) ($SLURM_NTASKS ranks), run directory $run_dir, restart ${SLURM_RESTART_COUNT:-0}"
# shellcheck disable=SC2046  # the launcher is several words
skelaug_run_requeueable $(skelaug_launcher) "$SKELAUG" train generator --config "$config" "run.dir=$run_dir" "$@"
