#!/usr/bin/env bash
# Runs the generator benchmark in C++ (bench_generator) and in Python PyTorch (bench/generator_bench.py) one after the
# other, with the same flags, and prints them side by side. Builds nothing.
#   bench/run_generator_bench.sh [path/to/bench_generator] [flags for both, e.g. --threads 2 --steps 10]
# The binary defaults to build/bench/bench_generator (or build/bin/bench_generator); PYTHON (default /usr/bin/python3)
# must import torch (Debian: python3-torch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

binary=""
if [[ $# -gt 0 && "$1" != --* ]]; then
  binary="$1"
  shift
else
  for candidate in "$root/build/bench/bench_generator" "$root/build/bin/bench_generator"; do
    if [[ -x "$candidate" ]]; then binary="$candidate"; break; fi
  done
fi
if [[ -z "$binary" || ! -x "$binary" ]]; then
  echo "no bench_generator binary (give its path as the first argument)" >&2
  exit 2
fi
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "$python cannot import torch (Debian: apt-get install python3-torch)" >&2
  exit 2
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "load average before: $(load)"
echo "== C++: $binary $*"
"$binary" "$@" | tee "$workdir/cpp.txt"
echo "load average between: $(load)"
echo "== Python: $python $here/generator_bench.py $*"
"$python" "$here/generator_bench.py" "$@" | tee "$workdir/py.txt"
echo "load average after: $(load)"
echo

awk -v cpp="$workdir/cpp.txt" -v py="$workdir/py.txt" '
  function read(file, into,   line, f) {
    while ((getline line < file) > 0) {
      split(line, f, " ")
      if (f[1] == "RESULT") { into[f[2]] = substr(line, length("RESULT " f[2] " ") + 1) }
    }
    close(file)
  }
  # time rows: ratio = C++ / Python; rate rows: the time ratio is Python rate / C++ rate.
  function row(name, key, kind, digits,   c, p, r) {
    c = C[key] + 0; p = P[key] + 0
    r = (kind == "time") ? (p > 0 ? c / p : 0) : (c > 0 ? p / c : 0)
    printf "| %-48s | %12." digits "f | %12." digits "f | %11.3f |\n", name, c, p, r
  }
  BEGIN {
    read(cpp, C); read(py, P)
    printf "threads: C++ %s, Python %s; parameters: C++ %s, Python %s\n", C["threads"], P["threads"], C["parameters"], P["parameters"]
    printf "C++: %s\nPython: %s\n", C["implementation"], P["implementation"]
    printf "model: %s\n", C["config"]
    ddpm_note = (C["ddpm_measured_steps"] == 1000) ? "full run" : "from " C["ddpm_measured_steps"] " steps, scaled"
    printf "\n| %-48s | %12s | %12s | %11s |\n", "metric", "C++", "Python", "C++/Py time"
    printf "|%s|%s|%s|%s|\n", "--------------------------------------------------", "--------------", "--------------", "-------------"
    row("train step ms (median, batch " C["train_batch"] ")", "train_step_ms", "time", 1)
    row("train step ms (min)", "train_step_min_ms", "time", 1)
    row("train sequences/s", "train_seq_per_s", "rate", 1)
    row("DDPM-1000 s/batch of " C["sample_batch"] " (" ddpm_note ")", "ddpm1000_s_per_batch", "time", 1)
    row("DDPM-1000 clips/s", "ddpm1000_clips_per_s", "rate", 4)
    row("DDIM-" C["ddim_steps"] " s/batch of " C["sample_batch"], "ddim_s_per_batch", "time", 2)
    row("DDIM-" C["ddim_steps"] " clips/s", "ddim_clips_per_s", "rate", 3)
    cs = (C["ddpm1000_clips_per_s"] > 0) ? C["ddim_clips_per_s"] / C["ddpm1000_clips_per_s"] : 0
    ps = (P["ddpm1000_clips_per_s"] > 0) ? P["ddim_clips_per_s"] / P["ddpm1000_clips_per_s"] : 0
    printf "| %-48s | %11.1fx | %11.1fx | %11s |\n", "DDIM-" C["ddim_steps"] " speed-up over DDPM-1000/clip", cs, ps, "-"
    train = (P["train_step_ms"] > 0) ? C["train_step_ms"] / P["train_step_ms"] : 0
    printf "\ngoal: C++ training step <= 0.9x Python: %.3fx -> %s\n", train, (train > 0 && train <= 0.9) ? "MET" : "NOT MET"
    printf "goal: DDIM-%s >= 15x faster than DDPM-1000 per clip (C++): %.1fx -> %s\n", C["ddim_steps"], cs, (cs >= 15) ? "MET" : "NOT MET"
  }'
