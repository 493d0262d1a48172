#!/bin/bash
# Any augmentation study as Slurm jobs: every stage of `skelaug augment plan STUDY.yaml` becomes a task of a job array,
# one array per wave (stages that read only earlier waves' results) and rank count, chained with afterok; then the
# report. Stages already done (recorded in the study folder) finish at once, so submitting again continues a study.
#   sbatch slurm/augment.sh STUDY.yaml [key=value ...]     # or: bash slurm/augment.sh ..., from a login node
# Submit from the project folder. This job only plans and submits (a minute at most); the stage jobs do the work.
#
# ---- Edit for your site ----
#SBATCH --job-name=skelaug-augment
#SBATCH --partition=cpu               # any partition: this job only submits the others
##SBATCH --account=PROJECT           # your allocation, where your site charges one (remove one # to use it)
#SBATCH --ntasks=1
#SBATCH --time=00:10:00
#SBATCH --output=slurm-%x-%j.out
SKELAUG=${SKELAUG:-skelaug}
STAGE_SBATCH_ARGS=${STAGE_SBATCH_ARGS:---partition=gpu --time=24:00:00 --signal=B:USR1@300}  # every stage job's flags
RANK_SBATCH_ARGS=${RANK_SBATCH_ARGS---gpus-per-task=1 --cpus-per-task=8}  # each rank: one GPU, its threads
ARRAY_THROTTLE=${ARRAY_THROTTLE:-16}   # tasks of one array running at once
# ---- end of the part to edit ----
set -uo pipefail
# The folder of these scripts: under sbatch the script runs from a spool copy, so the submit folder's slurm/.
if [ -z "${SKELAUG_SLURM_DIR:-}" ]; then
  if [ -n "${SLURM_JOB_ID:-}" ]; then SKELAUG_SLURM_DIR=$SLURM_SUBMIT_DIR/slurm; else SKELAUG_SLURM_DIR=$(cd "$(dirname "$0")" && pwd); fi
fi
export SKELAUG SKELAUG_SLURM_DIR STAGE_SBATCH_ARGS RANK_SBATCH_ARGS ARRAY_THROTTLE
source "$SKELAUG_SLURM_DIR/lib.sh"

study=${1:?usage: sbatch slurm/augment.sh STUDY.yaml [key=value ...]}
shift
skelaug_submit_study "$study" "" "$@" > /dev/null
