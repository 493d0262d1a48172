#!/usr/bin/env bash
# The first run on a GPU host, in one go (../shared/design/gpu-first-run.md's checklist): every step runs under a
# time limit with its own log under OUT_DIR/steps, a failed step never stops the ones after it, and OUT_DIR/summary.txt
# lists each step's outcome and every number measured. Runs from the project folder.
#
#   tools/gpu-check.sh OUT_DIR [--bundle DIR] [--build-dir DIR]     # on the GPU host (CUDA LibTorch, NCCL, one GPU)
#   tools/gpu-check.sh OUT_DIR --cpu [--build-dir build]             # every step that needs no GPU, here
#
# --bundle DIR: the Debian packages the host lacks, unpacked there by tools/gpu/unpack-debs.sh (README "GPU hosts");
# its env.sh is sourced first.
# --build-dir DIR: where to build (default OUT_DIR/build); with --cpu an existing build folder is used as it is
#   (neither configured nor rebuilt: tests may be running from it), and its programs must be built.
# --steps N: generator training steps per precision (default 200 on a GPU, 4 with --cpu).
# --skip NAME,...: steps not to run (recorded as SKIPPED), e.g. the Python baselines on a second try within one lease.
set -uo pipefail

usage() { echo "usage: tools/gpu-check.sh OUT_DIR [--cpu] [--bundle DIR] [--build-dir DIR] [--steps N] [--skip NAME,...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
OUT=$(mkdir -p "$1" && cd "$1" && pwd) || usage
shift
MODE=gpu BUNDLE="" BUILD="" STEPS="" SKIP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) MODE=cpu ;;
    --bundle) BUNDLE=$(cd "${2:?--bundle needs a folder}" && pwd) || usage; shift ;;
    --build-dir) BUILD=${2:?--build-dir needs a folder}; shift ;;
    --steps) STEPS=${2:?--steps needs a number}; shift ;;
    --skip) SKIP=,${2:?--skip needs step names},; shift ;;
    *) usage ;;
  esac
  shift
done
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$SOURCE"
BUILD=$(mkdir -p "${BUILD:-$OUT/build}" && cd "${BUILD:-$OUT/build}" && pwd)
mkdir -p "$OUT/steps" "$OUT/runs"
if [ "$MODE" = gpu ]; then
  DEVICE=cuda BACKEND=nccl STEPS=${STEPS:-200} SAMPLE_DDIM=50 PER_CLASS=20
  GENERATOR_BENCH="--steps 20"  # the paper's model size (the benchmarks' defaults)
  RECOGNIZER_BENCH="--steps 20"
else
  # The CPU run proves the script, not the speed: small models, few steps.
  DEVICE=cpu BACKEND=mpi STEPS=${STEPS:-4} SAMPLE_DDIM=5 PER_CLASS=1
  GENERATOR_BENCH="--steps 2 --warmup 1 --width 64 --heads 2 --ff 128 --encoder-layers 1 --decoder-layers 1 --ddpm-steps 2 --ddim-steps 2 --sample-batch 8"
  RECOGNIZER_BENCH="--steps 2 --warmup 1 --base-channels 16 --stages 4"
fi
PYTHON=${PYTHON:-python3}
# The carried packages (tools/gpu/unpack-debs.sh) come with the environment that finds them.
if [ -n "$BUNDLE" ]; then
  [ -f "$BUNDLE/env.sh" ] || { echo "gpu-check: $BUNDLE/env.sh missing: unpack with tools/gpu/unpack-debs.sh" >&2; exit 2; }
  # shellcheck source=/dev/null
  source "$BUNDLE/env.sh"
fi
MPIRUN=$(command -v mpirun || command -v mpirun.openmpi || echo mpirun)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OUT BUILD SOURCE DEVICE BACKEND STEPS \
  GENERATOR_BENCH RECOGNIZER_BENCH SAMPLE_DDIM PER_CLASS PYTHON MPIRUN BUNDLE MODE
SKELAUG=$BUILD/bin/skelaug
export SKELAUG

SUMMARY=$OUT/summary.txt
echo "gpu-check ($MODE) of $SOURCE at $(git -C "$SOURCE" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$SUMMARY"
index=0 failed=0

# step NAME SECONDS COMMAND: runs COMMAND (a bash snippet) under `timeout`, its output in steps/NN-NAME.log, and
# records "ok", "FAILED (exit N)", "TIMEOUT" or "SKIPPED (why)" (a step that exits 77 after printing why).
step() {
  local name=$1 limit=$2 command=$3
  index=$((index + 1))
  local log
  log=$OUT/steps/$(printf %02d $index)-$name.log
  local begin=$SECONDS
  if [[ $SKIP == *",$name,"* ]]; then
    printf '%-22s %-40s %5d s\n' "$name" "SKIPPED (--skip)" 0 | tee -a "$SUMMARY"
    return
  fi
  echo "== $name (at most $limit s): $command" > "$log"
  timeout --kill-after=10 "$limit" bash -c "$command" >> "$log" 2>&1
  local code=$? outcome
  case $code in
    0) outcome=ok ;;
    77) outcome="SKIPPED ($(tail -n 1 "$log"))" ;;
    124|137) outcome=TIMEOUT; failed=$((failed + 1)) ;;
    *) outcome="FAILED (exit $code)"; failed=$((failed + 1)) ;;
  esac
  printf '%-22s %-40s %5d s  %s\n' "$name" "$outcome" $((SECONDS - begin)) "steps/$(basename "$log")" | tee -a "$SUMMARY"
}

# 1. The host: GPU, PyTorch, CUDA, NCCL, compilers, MPI.
step probe 60 '
  if command -v nvidia-smi >/dev/null; then nvidia-smi; else echo "no nvidia-smi"; fi
  "$PYTHON" -c "import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, \"cudnn\", torch.backends.cudnn.version(), \"nccl\", torch.cuda.nccl.version() if torch.cuda.is_available() else None, \"cxx11abi\", torch.compiled_with_cxx11_abi(), \"gpus\", torch.cuda.device_count()); print(\"cmake_prefix_path\", torch.utils.cmake_prefix_path)" || echo "python: no torch"
  for tool in nvcc cmake ninja g++; do command -v $tool >/dev/null && $tool --version | head -n 1 || echo "$tool: not found"; done
  find / -xdev \( -name "libnccl.so*" -o -name "libcudart.so*" \) 2>/dev/null | head -n 20
  "$MPIRUN" -np 1 true && echo "mpirun -np 1: ok"'

# 2. The Python baseline first: useful even when the build fails.
for precision in float32 bf16; do
  step "python-bench-$precision" 300 '
    "$PYTHON" -c "import torch" 2>/dev/null || { echo "python3 cannot import torch: no Python baseline"; exit 77; }
    [ "$DEVICE" = cpu ] && [ '"$precision"' = bf16 ] && { echo "bf16 is measured on the GPU only"; exit 77; }
    "$PYTHON" bench/generator_bench.py --device "$DEVICE" --precision '"$precision"' $GENERATOR_BENCH'
done

# 3-4. Configure (or reuse a configured folder on the CPU) and build only what the run needs.
if [ "$MODE" = cpu ] && [ -f "$BUILD/CMakeCache.txt" ]; then
  step configure 600 'grep -E "^(CMAKE_BUILD_TYPE|SKELAUG_WITH_NCCL|SKELAUG_WITH_VIDEO|Torch_DIR):" "$BUILD/CMakeCache.txt"'
else
  step configure 900 '
    torch_cmake=$("$PYTHON" -c "import torch; print(torch.utils.cmake_prefix_path)" 2>/dev/null)
    # The NCCL that LibTorch loads is the nvidia-nccl wheel beside torch; nvidia.nccl may be a namespace package
    # (no __file__), so the wheel is found by its library, whatever the folder layout of the CUDA wheels.
    nccl_root=$("$PYTHON" -c "import glob, os, torch; hits = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), \"nvidia\", \"**\", \"libnccl.so.2\"), recursive=True)); print(os.path.dirname(os.path.dirname(hits[0])) if hits else \"\")" 2>/dev/null)
    echo "torch cmake: ${torch_cmake:-not found}; NCCL wheel: ${nccl_root:-not found}"
    [ -n "$nccl_root" ] && ls "$nccl_root"/include/nccl*.h "$nccl_root"/lib
    flags=(-DCMAKE_BUILD_TYPE=Release -DSKELAUG_BUILD_TESTS=OFF "-DCMAKE_PREFIX_PATH=${torch_cmake}${BUNDLE:+;$BUNDLE/usr}")
    if [ "$MODE" = gpu ]; then
      # The bundle carries no PLplot, libgd or FFmpeg (tools/gpu/packages.txt): no pictures there.
      flags+=(-DSKELAUG_WITH_NCCL=ON -DSKELAUG_WITH_PICTURES=OFF -DSKELAUG_WITH_VIDEO=OFF -DCMAKE_CUDA_ARCHITECTURES=90
              -DTORCH_CUDA_ARCH_LIST=9.0)
      command -v nvcc >/dev/null && flags+=("-DCMAKE_CUDA_COMPILER=$(command -v nvcc)")
      [ -n "$nccl_root" ] && flags+=("-DNCCL_ROOT=$nccl_root")
      command -v mpicc >/dev/null || flags+=(-DMPI_EXECUTABLE_SUFFIX=.openmpi)
    fi
    cmake -S "$SOURCE" -B "$BUILD" -G Ninja "${flags[@]}"
    code=$?; cp "$BUILD/CMakeCache.txt" "$OUT/" 2>/dev/null; exit $code'
fi
if [ "$MODE" = cpu ] && [ -f "$BUILD/CMakeCache.txt" ]; then
  # A folder in use (tests may be running from it) is not rebuilt: its programs must be there.
  step build 60 '
    for program in "$SKELAUG" "$BUILD/bench/bench_generator" "$BUILD/bench/bench_recognizer"; do
      [ -x "$program" ] || { echo "$program: not built"; exit 1; }
    done
    ldd "$SKELAUG" | grep -E "nccl|torch|cudart|fmt|mpi|c10" || true'
else
  step build 1200 '
    # -k 0: one failing file hides no other error (a lease is too short to find them one at a time).
    cmake --build "$BUILD" -j "$(nproc)" --target skelaug bench_generator bench_recognizer -- -k 0 || exit $?
    ldd "$SKELAUG" | grep -E "nccl|torch|cudart|fmt|mpi|c10" || true'
fi

# 5. The program, and the distributed check with one rank.
step version 60 '"$SKELAUG" --version'
step doctor 180 'NCCL_DEBUG=${NCCL_DEBUG:-INFO} "$MPIRUN" -np 1 "$SKELAUG" doctor --config configs/demo.yaml \
  distributed.backend=$BACKEND distributed.timeout_s=60'

# 6. Generator training, float32 then bf16, with a timeline; the last checkpoint is kept for sampling.
step demo-data 120 '"$SKELAUG" data demo -o "$OUT/runs/demo.npz"'
for precision in float32 bf16; do
  step "train-$precision" 600 '
    [ "$DEVICE" = cpu ] && [ '"$precision"' = bf16 ] && { echo "bf16 autocast is for GPUs"; exit 77; }
    "$MPIRUN" -np 1 "$SKELAUG" train generator --config configs/demo.yaml "data.train=$OUT/runs/demo.npz" \
      "run.dir=$OUT/runs/generator-'"$precision"'" distributed.backend=$BACKEND train.epochs=1000000 \
      train.max_steps=$STEPS train.checkpoint_every=0 train.timeline=true train.precision='"$precision"' &&
    tail -n 2 "$OUT/runs/generator-'"$precision"'/metrics.jsonl"'
done

# 7. The C++ generator benchmark beside the Python one, float32 and bf16.
for precision in float32 bf16; do
  step "cpp-bench-$precision" 300 '
    [ "$DEVICE" = cpu ] && [ '"$precision"' = bf16 ] && { echo "bf16 is measured on the GPU only"; exit 77; }
    "$BUILD/bench/bench_generator" --device "$DEVICE" --precision '"$precision"' $GENERATOR_BENCH'
done

# 8. Sampling from the trained checkpoint.
step sample 600 '"$SKELAUG" sample --config "$OUT/runs/generator-float32/config.yaml" \
  --checkpoint "$OUT/runs/generator-float32" --per-class $PER_CLASS --device "$DEVICE" -o "$OUT/runs/samples" \
  sample.ddim_steps=$SAMPLE_DDIM'

# 9. A recogniser step benchmark.
step recognizer-bench 300 '"$BUILD/bench/bench_recognizer" --arch stgcn_pp --device "$DEVICE" $RECOGNIZER_BENCH'

# 10. The GPU-labelled tests (ctest -L gpu; they skip, saying why, without a GPU): last, since turning the tests on
# reconfigures the build folder and needs GoogleTest (the bundle carries it), and a failure here costs no number above.
# In --cpu mode the folder in use is not reconfigured: its tests must be built already.
step gpu-tests 600 '
  if [ "$MODE" = gpu ] || [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$SOURCE" -B "$BUILD" -DSKELAUG_BUILD_TESTS=ON >/dev/null || exit $?
    cmake --build "$BUILD" -j "$(nproc)" --target nccl_communicator_gpu_test models_cuda_models_gpu_test \
      training_generator_step_gpu_test -- -k 0 || exit $?
  fi
  ctest --test-dir "$BUILD" -L gpu --output-on-failure'

{
  echo
  echo "numbers (benchmark RESULT lines, the last training steps, sampling rates):"
  for log in "$OUT"/steps/*.log; do
    grep -h -E '^RESULT|"event":"(train_step|trained)"|items/s per rank|busbw|GFLOP' "$log" 2>/dev/null |
      sed "s|^|  $(basename "$log" .log): |"
  done
  echo
  echo "$index steps, $failed failed or timed out"
} >> "$SUMMARY"
tail -n 1 "$SUMMARY"
[ "$failed" -eq 0 ]
