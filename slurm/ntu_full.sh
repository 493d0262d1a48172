#!/bin/bash
# NTU RGB+D from its raw .skeleton files to the augmentation study's report, in one submission:
#   sbatch slurm/ntu_full.sh
# 1. this job imports the raw files (the split below) into DATA;
# 2. it submits the study (STUDY, configs/ntu60_augment.yaml: per fraction and seed, generator training on all the
#    study's ranks, mass sampling sharded over them, the recognisers of every arm) as job arrays, one per wave of
#    stages, each waiting (afterok) for the earlier ones; a stage that fails ends the chain (--kill-on-invalid-dep)
#    and its log, under STUDY_DIR/slurm/logs, says which stage and why;
# 3. a last job writes the report (STUDY_DIR/report: report.md, results.csv, plots, clips).
# Submit from the project folder. Watch with `squeue -u $USER`, the logs, and each run's metrics.jsonl.
#
# ---- Edit for your site ----
#SBATCH --job-name=skelaug-ntu-full
#SBATCH --partition=cpu               # this job imports (CPU, about an hour for NTU 60) and submits the rest
##SBATCH --account=PROJECT           # your allocation, where your site charges one (remove one # to use it)
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%x-%j.out
SKELAUG=${SKELAUG:-skelaug}
RAW=${RAW:-data/nturgb+d_skeletons}    # the raw .skeleton files (NTU 60; NTU 120's folders too)
SPLIT=${SPLIT:-xsub}                   # xsub (cross-subject) or xview (cross-view); xset for NTU 120
CLASSES=${CLASSES:-60}                 # 60 or 120
DATA=${DATA:-data/ntu${CLASSES}_${SPLIT}.npz}
STUDY=${STUDY:-configs/ntu60_augment.yaml}
NODES=${NODES:-2}                      # nodes per training and sampling stage ...
GPUS_PER_NODE=${GPUS_PER_NODE:-4}      # ... times GPUs each: the ranks of every stage (one rank per GPU)
STAGE_SBATCH_ARGS=${STAGE_SBATCH_ARGS:---partition=gpu --time=24:00:00 --signal=B:USR1@300 --ntasks-per-node=$GPUS_PER_NODE}
RANK_SBATCH_ARGS=${RANK_SBATCH_ARGS---gpus-per-task=1 --cpus-per-task=8}
ARRAY_THROTTLE=${ARRAY_THROTTLE:-16}
# ---- end of the part to edit ----
set -uo pipefail
if [ -z "${SKELAUG_SLURM_DIR:-}" ]; then
  if [ -n "${SLURM_JOB_ID:-}" ]; then SKELAUG_SLURM_DIR=$SLURM_SUBMIT_DIR/slurm; else SKELAUG_SLURM_DIR=$(cd "$(dirname "$0")" && pwd); fi
fi
export SKELAUG SKELAUG_SLURM_DIR STAGE_SBATCH_ARGS RANK_SBATCH_ARGS ARRAY_THROTTLE
source "$SKELAUG_SLURM_DIR/lib.sh"

if [ -s "$DATA" ]; then
  skelaug_log "import: $DATA exists, kept"
else
  [ -d "$RAW" ] || { skelaug_log "FAILED: RAW=$RAW is not a folder of NTU .skeleton files"; exit 2; }
  mkdir -p "$(dirname "$DATA")"
  skelaug_log "import: $RAW ($SPLIT, $CLASSES classes) -> $DATA"
  "$SKELAUG" data import ntu-skeleton "$RAW" -o "$DATA" --split "$SPLIT" --classes "$CLASSES" ||
    { code=$?; skelaug_log "FAILED: the import (exit $code); nothing else was submitted"; exit "$code"; }
fi
skelaug_log "submitting $STUDY on $DATA: $NODES node(s) x $GPUS_PER_NODE GPU(s) per stage"
skelaug_submit_study "$STUDY" "" "augment.data=$DATA" "augment.ranks=$((NODES * GPUS_PER_NODE))" "$@" > /dev/null ||
  { skelaug_log "FAILED: submitting the study"; exit 1; }
