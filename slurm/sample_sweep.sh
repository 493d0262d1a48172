#!/bin/bash
# A sweep over sampling settings as a job array: each task samples one row of a small table from a trained generator,
# sharded over its ranks (the set is byte-identical for any number of ranks), and resumes after a requeue.
#   sbatch --array=0-5%2 slurm/sample_sweep.sh SWEEP.tsv GENERATOR_RUN_DIR [key=value ...]
# SWEEP.tsv: a header naming the columns, then one row per task (array index 0 = the first row). Columns are
# `per_clip` (generated clips per training clip) or `per_class` (clips per class), and any sample key, e.g.
#   per_clip  sample.dropout  sample.ddim_steps
#   5         0               50
#   5         0.1             50
# Task i writes OUT/point-i (OUT: $RUNS/sweep-<array job id>) and OUT/point-i.txt (its settings); merge a set with
# `skelaug data merge OUT/point-i -o set.npz`. Submit from the project folder.
#
# ---- Edit for your site ----
#SBATCH --job-name=skelaug-sweep
#SBATCH --partition=gpu
##SBATCH --account=PROJECT           # your allocation, where your site charges one (remove one # to use it)
#SBATCH --array=0-7%4                 # rows 0..7 of the table, at most 4 tasks at once (the %N throttle); the
                                      # sbatch command line's --array overrides this to match your table
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=4           # ranks per task: the shards run on one GPU each
#SBATCH --gpus-per-node=4
#SBATCH --cpus-per-task=8
#SBATCH --time=04:00:00
#SBATCH --signal=B:USR1@120           # USR1 before the limit: every rank writes its chunk in flight, exits 3, and
                                      # the task requeues itself to finish the set
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=slurm-%x-%A_%a.out   # %A array job id, %a task index
SKELAUG=${SKELAUG:-skelaug}
RUNS=${RUNS:-runs}
MAX_REQUEUES=${MAX_REQUEUES:-5}
# ---- end of the part to edit ----
set -uo pipefail
source "${SKELAUG_SLURM_DIR:-${SLURM_SUBMIT_DIR:-.}/slurm}/lib.sh" || { echo "slurm/lib.sh not found: submit from the project folder or set SKELAUG_SLURM_DIR" >&2; exit 2; }

table=${1:?usage: sbatch --array=0-N%K slurm/sample_sweep.sh SWEEP.tsv GENERATOR_RUN_DIR [key=value ...]}
generator=${2:?usage: sbatch --array=0-N%K slurm/sample_sweep.sh SWEEP.tsv GENERATOR_RUN_DIR [key=value ...]}
shift 2
task=${SLURM_ARRAY_TASK_ID:?sample_sweep.sh runs as a job array: sbatch --array=0-N%K ...}
[ -r "$table" ] || { skelaug_log "$table: cannot read the sweep table"; exit 2; }

# The header and this task's row (comments and blank lines skipped).
mapfile -t rows < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$table")
read -r -a columns <<< "${rows[0]:-}"
if [ "$task" -ge $(( ${#rows[@]} - 1 )) ]; then
  skelaug_log "$table: task $task has no row: the table has $(( ${#rows[@]} - 1 )) rows (use --array=0-$(( ${#rows[@]} - 2 )))"
  exit 2
fi
read -r -a values <<< "${rows[$((task + 1))]}"
if [ "${#values[@]}" -ne "${#columns[@]}" ]; then
  skelaug_log "$table: row $((task + 1)) has ${#values[@]} values for ${#columns[@]} columns (${columns[*]})"
  exit 2
fi
settings=()
for i in "${!columns[@]}"; do
  case "${columns[$i]}" in
    per_clip) settings+=(--per-clip "${values[$i]}") ;;
    per_class) settings+=(--per-class "${values[$i]}") ;;
    *=*|"") skelaug_log "$table: column '${columns[$i]}' is not a key"; exit 2 ;;
    *) settings+=("${columns[$i]}=${values[$i]}") ;;
  esac
done

out=${OUT:-$RUNS/sweep-${SLURM_ARRAY_JOB_ID}}
mkdir -p "$out"
echo "${settings[*]} $*" > "$out/point-$task.txt"
skelaug_log "sweep point $task of $table: ${settings[*]} from $generator, $SLURM_NTASKS rank(s) -> $out/point-$task"
# shellcheck disable=SC2046
skelaug_run_requeueable $(skelaug_launcher) "$SKELAUG" sample --config "$generator/config.yaml" --checkpoint "$generator" \
  "${settings[@]}" -o "$out/point-$task" "$@"
