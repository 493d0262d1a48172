# What every skelaug Slurm script shares: its log lines, the multi-rank launch line, and running a step so that a
# preempted job requeues itself and resumes. Sourced by the scripts in this folder; not a job script itself.

# A log line on the job's output, with the job (and array task) it comes from.
skelaug_log() {
  echo "[$(date -u +%Y-%m-%dT%H:%M:%SZ)] ${SLURM_JOB_NAME:-skelaug} ${SLURM_JOB_ID:-?}${SLURM_ARRAY_TASK_ID:+ (task $SLURM_ARRAY_TASK_ID)}: $*"
}

# The launch line of a multi-rank step (one rank per task of the allocation, one task per GPU):
#   srun   (default) srun --mpi=pmix --kill-on-bad-exit=1: Slurm starts the ranks and wires MPI through PMIx; one rank
#          that fails ends the step within a second instead of leaving the others waiting in a collective.
#   mpirun SKELAUG_LAUNCHER=mpirun, for sites whose srun lacks PMIx (srun --mpi=list shows none): Open MPI's mpirun
#          inside the allocation, which reads the nodes and task counts from Slurm itself.
skelaug_launcher() {
  case "${SKELAUG_LAUNCHER:-srun}" in
    srun) echo "srun --mpi=pmix --kill-on-bad-exit=1" ;;
    mpirun) echo "mpirun -np ${SLURM_NTASKS:?no SLURM_NTASKS: run inside a Slurm allocation}" ;;
    *) echo "SKELAUG_LAUNCHER='${SKELAUG_LAUNCHER}': use srun or mpirun" >&2; return 2 ;;
  esac
}

# The job to requeue: an array task by its own id, another job by its id.
skelaug_job_id() {
  if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then
    echo "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  else
    echo "${SLURM_JOB_ID:?not inside a Slurm job}"
  fi
}

# Runs "$@" (a skelaug step) in the background and waits for it, so the batch shell can pass signals on: bash runs a
# trap only after its foreground command ends. USR1 (Slurm's warning: --signal=B:USR1@T, or scancel --signal=USR1
# --batch) and TERM (preemption, scancel) go to the step, which saves a checkpoint at its next step boundary and exits
# 3 (srun and mpirun both forward USR1 and TERM to every rank). Exit 3 requeues this job with `scontrol requeue`: it
# keeps its job id, so its run directory and checkpoints, and resumes; at most MAX_REQUEUES (default 5) times. Any
# other exit code ends the job with that code.
skelaug_run_requeueable() {
  skelaug_log "run: $*"
  "$@" &
  local step=$!
  SKELAUG_STOP_FORWARDED=0
  trap 'skelaug_log "got USR1: passing it to the step (checkpoint, then exit 3)"; SKELAUG_STOP_FORWARDED=1; kill -USR1 '"$step"' 2>/dev/null' USR1
  trap 'skelaug_log "got TERM: passing it to the step"; SKELAUG_STOP_FORWARDED=1; kill -TERM '"$step"' 2>/dev/null' TERM
  # A trapped signal interrupts `wait` while the step runs on: wait again until it has ended, then read its status.
  while kill -0 "$step" 2>/dev/null; do wait "$step"; done
  wait "$step"
  local code=$?
  trap - USR1 TERM
  # After a stop, every rank checkpoints together and exits 3; but srun --kill-on-bad-exit ends the step as soon as
  # the first of them has exited (3 is not 0), and a rank still on its way out then dies of SIGTERM, so srun reports
  # 143. That is the same preemption: the checkpoint was complete before any rank could exit (a barrier).
  if [ "$code" -eq 143 ] && [ "$SKELAUG_STOP_FORWARDED" = 1 ]; then
    skelaug_log "the step ended with 143 after the stop signal (a rank was ended on its way out): preempted"
    code=3
  fi
  if [ "$code" -eq 3 ]; then
    local restarts=${SLURM_RESTART_COUNT:-0}
    if [ "$restarts" -ge "${MAX_REQUEUES:-5}" ]; then
      skelaug_log "preempted (exit 3) after $restarts requeues, the most MAX_REQUEUES=${MAX_REQUEUES:-5} allows: the job ends; submit it again to resume"
      exit 3
    fi
    skelaug_log "preempted (exit 3): requeueing $(skelaug_job_id) (requeue $((restarts + 1)) of at most ${MAX_REQUEUES:-5}); it resumes from its checkpoint"
    if ! scontrol requeue "$(skelaug_job_id)"; then
      skelaug_log "scontrol requeue failed: the job ends with exit 3; submit it again to resume"
      exit 3
    fi
    # Slurm ends this run of the job now; should the batch shell outlive the requeue, it leaves quietly.
    exit 0
  fi
  if [ "$code" -ne 0 ]; then
    skelaug_log "FAILED with exit code $code: $*"
    exit "$code"
  fi
  skelaug_log "done: $1 $2${3:+ $3}"
}

# Submits a study (`skelaug augment plan STUDY --list`) as dependent job arrays, one per wave and rank count: a
# wave's stages read only earlier waves' results, so each array waits (afterok) for every earlier one, and
# --kill-on-invalid-dep ends the rest of the chain when a stage fails. Each task runs one stage through
# slurm/augment_stage.sh; a last one-task job writes the report. Prints the report job's id.
#   skelaug_submit_study STUDY.yaml AFTER_JOB_ID|"" [key=value ...]
# Settings: RANK_SBATCH_ARGS (per rank, default one GPU: --gpus-per-task=1), STAGE_SBATCH_ARGS (site flags for every
# stage job: partition, account, time), ARRAY_THROTTLE (tasks of one array at once, default 16).
skelaug_submit_study() {
  local study=$1 after=$2
  shift 2
  local listing
  listing=$("$SKELAUG" augment plan "$study" "$@" --list) || { skelaug_log "cannot plan $study"; return 2; }
  local name directory
  IFS=$'\t' read -r _ name directory <<< "$(head -n 1 <<< "$listing")"
  local lists="$directory/slurm"
  mkdir -p "$lists/logs"
  rm -f "$lists"/wave*.txt
  local wave ranks id
  while IFS=$'\t' read -r wave ranks id; do
    [ "$wave" = "#" ] && continue
    echo "$id" >> "$lists/wave$(printf %03d "$wave")-ranks$ranks.txt"
  done <<< "$listing"

  local dependency=${after:+afterok:$after} submitted=() current_wave="" list job
  for list in "$lists"/wave*.txt; do
    wave=$(basename "$list" | sed -E 's/^wave0*([0-9]+)-.*/\1/')
    ranks=$(basename "$list" .txt | sed -E 's/.*-ranks//')
    # Every array of a new wave waits for all arrays submitted before it (the earlier waves).
    if [ "$wave" != "$current_wave" ] && [ ${#submitted[@]} -gt 0 ]; then
      dependency="afterok$(printf ':%s' "${submitted[@]}")"
    fi
    current_wave=$wave
    # shellcheck disable=SC2086  # the site's flags are several words
    job=$(sbatch --parsable --job-name="skelaug-$name-w$wave" --array="1-$(wc -l < "$list")%${ARRAY_THROTTLE:-16}" \
            --ntasks="$ranks" ${RANK_SBATCH_ARGS---gpus-per-task=1} ${STAGE_SBATCH_ARGS:-} \
            ${dependency:+--dependency=$dependency --kill-on-invalid-dep=yes} \
            --requeue --open-mode=append --output="$lists/logs/wave$wave-ranks$ranks-%A_%a.out" \
            "$SKELAUG_SLURM_DIR/augment_stage.sh" "$study" "$list" "$@") || { skelaug_log "sbatch failed for $list"; return 1; }
    job=${job%%;*}
    skelaug_log "study $name: wave $wave, $ranks rank(s): $(wc -l < "$list") stage(s) as array job $job${dependency:+ after ${dependency#afterok:}}"
    submitted+=("$job")
  done
  # shellcheck disable=SC2086
  job=$(sbatch --parsable --job-name="skelaug-$name-report" --ntasks=1 ${STAGE_SBATCH_ARGS:-} \
          --dependency="afterok$(printf ':%s' "${submitted[@]}")" --kill-on-invalid-dep=yes \
          --output="$lists/logs/report-%j.out" --wrap="'$SKELAUG' augment report '$directory'") || return 1
  job=${job%%;*}
  skelaug_log "study $name: the report (job $job) goes to $directory/report once every stage is done; logs in $lists/logs"
  echo "$job"
}
