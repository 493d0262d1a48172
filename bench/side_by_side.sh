# Sourced by the run_*_bench.sh scripts: finds the C++ benchmark binary and a Python that imports torch.
#   source side_by_side.sh NAME "$@"   sets: here, root, binary, python, and `args` (the arguments left for both sides)
# The binary is the first argument when it is not a flag, else build/bench/NAME or build/bin/NAME; PYTHON (default
# /usr/bin/python3) must import torch (Debian: python3-torch).
here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$(dirname "$here")"
bench_name="$1"
shift
binary=""
if [[ $# -gt 0 && "$1" != --* ]]; then
  binary="$1"
  shift
else
  for candidate in "$root/build/bench/$bench_name" "$root/build/bin/$bench_name"; do
    if [[ -x "$candidate" ]]; then binary="$candidate"; break; fi
  done
fi
if [[ -z "$binary" || ! -x "$binary" ]]; then
  echo "no $bench_name binary (give its path as the first argument)" >&2
  exit 2
fi
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "$python cannot import torch (Debian: apt-get install python3-torch)" >&2
  exit 2
fi
args=("$@")
# Both sides run under the caller's OpenMP wait policy. libgomp's default (unset) spins idle OpenMP threads on cores
# that OpenBLAS's threads need; `skelaug` itself applies PASSIVE unless told otherwise, so compare under both.
echo "OMP_WAIT_POLICY (both sides): ${OMP_WAIT_POLICY:-unset, the libgomp default: idle threads spin (skelaug runs PASSIVE)}"
