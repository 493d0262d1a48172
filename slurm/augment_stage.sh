#!/bin/bash
# One task of a study's job array (submitted by slurm/augment.sh or slurm/ntu_full.sh, not by hand): runs the stage on
# line SLURM_ARRAY_TASK_ID of LIST with `skelaug augment run --stage`, which records it as done in the study (so a
# rerun of the study, here or with `skelaug augment run`, skips it); requeued after preemption, it resumes.
#   augment_stage.sh STUDY.yaml LIST [key=value ...]
SKELAUG=${SKELAUG:-skelaug}
MAX_REQUEUES=${MAX_REQUEUES:-5}
set -uo pipefail
source "${SKELAUG_SLURM_DIR:-${SLURM_SUBMIT_DIR:-.}/slurm}/lib.sh" || { echo "slurm/lib.sh not found: set SKELAUG_SLURM_DIR" >&2; exit 2; }

study=${1:?usage: augment_stage.sh STUDY.yaml LIST [key=value ...]}
list=${2:?usage: augment_stage.sh STUDY.yaml LIST [key=value ...]}
shift 2
stage=$(sed -n "${SLURM_ARRAY_TASK_ID:?runs as an array task}p" "$list")
[ -n "$stage" ] || { skelaug_log "$list has no line $SLURM_ARRAY_TASK_ID"; exit 2; }
case "${SKELAUG_LAUNCHER:-srun}" in
  srun) launcher="srun --mpi=pmix --kill-on-bad-exit=1 -n {ranks}" ;;
  *) launcher="mpirun -np {ranks}" ;;
esac
skelaug_log "stage $stage of $study ($SLURM_NTASKS rank(s))"
skelaug_run_requeueable "$SKELAUG" augment run "$study" "$@" --stage "$stage" --mpiexec "$launcher"
