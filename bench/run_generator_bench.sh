#!/usr/bin/env bash
# Runs the generator benchmark in C++ (bench_generator) and in Python PyTorch (bench/generator_bench.py, with PyTorch's
# Transformer layers and with the C++ layers' formulation) one after the other, with the same flags, and prints them
# side by side. Builds nothing.
#   bench/run_generator_bench.sh [path/to/bench_generator] [flags for both, e.g. --threads 2 --steps 10]
# The binary defaults to build/bench/bench_generator (or build/bin/bench_generator); PYTHON (default /usr/bin/python3)
# must import torch (Debian: python3-torch).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/side_by_side.sh" bench_generator "$@"
set -- "${args[@]}"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "load average before: $(load)"
echo "== C++: $binary $*"
"$binary" "$@" | tee "$workdir/cpp.txt"
echo "load average between: $(load)"
for layers in torch skelaug; do
  echo "== Python ($layers layers): $python $here/generator_bench.py $* --layers $layers"
  "$python" "$here/generator_bench.py" "$@" --layers "$layers" | tee "$workdir/py-$layers.txt"
  echo "load average after: $(load)"
done
echo

# Two references: Python with PyTorch's own Transformer layers (what the paper's released code runs), and Python
# with the formulation of skelaug's C++ layers (one-token memory attention reduced to its value path), which
# separates what the formulation buys from what the language buys.
awk -v cpp="$workdir/cpp.txt" -v py="$workdir/py-torch.txt" -v lean="$workdir/py-skelaug.txt" '
  function read(file, into,   line, f) {
    while ((getline line < file) > 0) {
      split(line, f, " ")
      if (f[1] == "RESULT") { into[f[2]] = substr(line, length("RESULT " f[2] " ") + 1) }
    }
    close(file)
  }
  # time rows: ratio = C++ / Python; rate rows: the time ratio is Python rate / C++ rate.
  function ratio(c, p, kind) { return (kind == "time") ? (p > 0 ? c / p : 0) : (c > 0 ? p / c : 0) }
  function row(name, key, kind, digits,   c, p, l) {
    c = C[key] + 0; p = P[key] + 0; l = L[key] + 0
    printf "| %-44s | %10." digits "f | %10." digits "f | %10." digits "f | %9.3f | %9.3f |\n", name, c, p, l, ratio(c, p, kind), ratio(c, l, kind)
  }
  BEGIN {
    read(cpp, C); read(py, P); read(lean, L)
    printf "threads: C++ %s, Python %s; parameters: C++ %s, Python torch layers %s, Python skelaug layers %s\n", C["threads"], P["threads"], C["parameters"], P["parameters"], L["parameters"]
    printf "C++: %s\nPython: %s / %s\n", C["implementation"], P["implementation"], L["implementation"]
    printf "model: %s\ndevice and precision: C++ %s, Python %s\n", C["config"], C["device"], P["device"]
    ddpm_note = (C["ddpm_measured_steps"] == 1000) ? "full run" : "from " C["ddpm_measured_steps"] " steps, scaled"
    printf "\n| %-44s | %10s | %10s | %10s | %9s | %9s |\n", "metric", "C++", "Py torch", "Py skelaug", "C++/torch", "C++/skel."
    printf "|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------", "------------", "------------", "------------", "-----------", "-----------"
    row("train step ms (median, batch " C["train_batch"] ")", "train_step_ms", "time", 1)
    row("train step ms (min)", "train_step_min_ms", "time", 1)
    row("train sequences/s", "train_seq_per_s", "rate", 1)
    row("DDPM-1000 s/batch of " C["sample_batch"] " (" ddpm_note ")", "ddpm1000_s_per_batch", "time", 1)
    row("DDPM-1000 clips/s", "ddpm1000_clips_per_s", "rate", 4)
    row("DDIM-" C["ddim_steps"] " s/batch of " C["sample_batch"], "ddim_s_per_batch", "time", 2)
    row("DDIM-" C["ddim_steps"] " clips/s", "ddim_clips_per_s", "rate", 3)
    cs = (C["ddpm1000_clips_per_s"] > 0) ? C["ddim_clips_per_s"] / C["ddpm1000_clips_per_s"] : 0
    printf "\nDDIM-%s speed-up over DDPM-1000 per clip (C++): %.1fx\n", C["ddim_steps"], cs
    printf "AdamW step alone, %s parameter tensors (C++): LibTorch per-tensor %s ms, skelaug multi-tensor %s ms: %sx\n", C["optimizer_tensors"], C["adamw_per_tensor_ms"], C["adamw_multi_tensor_ms"], C["adamw_multi_over_per_tensor"]
    train = ratio(C["train_step_ms"], P["train_step_ms"], "time")
    same = ratio(C["train_step_ms"], L["train_step_ms"], "time")
    printf "goal: C++ training step <= 0.9x Python (PyTorch layers): %.3fx -> %s\n", train, (train > 0 && train <= 0.9) ? "MET" : "NOT MET"
    printf "      against Python with the same formulation as the C++ layers: %.3fx\n", same
    printf "goal: DDIM-%s >= 15x faster than DDPM-1000 per clip (C++): %.1fx -> %s\n", C["ddim_steps"], cs, (cs >= 15) ? "MET" : "NOT MET"
  }'
