#!/usr/bin/env bash
# Runs the recogniser training-throughput benchmark in C++ (bench_recognizer) and in Python PyTorch
# (bench/recognizer_bench.py: the same five networks in torch.nn), one architecture at a time, C++ then Python, with
# the same flags (each program is started once per architecture: --arch is added after the flags given), and prints
# a markdown table: per architecture the training-step time of both, the C++/Python time ratio, clips/s of both and
# the parameter counts of both (which must be equal). Builds nothing.
#   bench/run_recognizer_bench.sh [path/to/bench_recognizer] [flags for both, e.g. --threads 2 --steps 3 --warmup 1]
#   bench/run_recognizer_bench.sh [path/to/bench_recognizer] --check [--arch NAME] [--device cuda] ...
# Flags (both programs): --arch all|stgcn_pp|ctrgcn|msg3d|blockgcn|a2m_gru, --topology hml22|smpl24|ntu25|vibe18,
# --classes 12, --clip 48, --batch 16, --steps 10, --warmup 2, --threads N, --base-channels 0 (= published widths),
# --stages 10, --device cpu|cuda, --precision float32|bf16, --check, --list-parameters.
# --check: instead of timing, both programs build every model with the same deterministic, seed-independent
# parameters and run one eval forward on the same formula input (see recognizer_bench.cpp's header); the table shows
# every check value of both, their relative difference and whether they agree to CHECK_TOLERANCE (default 1e-3)
# relative, and whether the parameter names and shapes are the same; exit status 1 if anything disagrees.
# The binary defaults to build/bench/bench_recognizer (or build/bin/bench_recognizer); PYTHON (default
# /usr/bin/python3) must import torch (Debian: python3-torch).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/side_by_side.sh" bench_recognizer "$@"
set -- "${args[@]}"
check=0
arch=all
previous=""
for flag in "$@"; do
  [[ "$flag" == "--check" ]] && check=1
  [[ "$previous" == "--arch" ]] && arch="$flag"
  previous="$flag"
done
tolerance="${CHECK_TOLERANCE:-1e-3}"
if [[ "$arch" == all ]]; then
  architectures="$("$binary" --list-architectures | tr '\n' ' ')"
else
  architectures="$arch"
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

# One architecture at a time, C++ then Python, so that both meet about the same load on a shared machine.
echo "load average before: $(load)"
for a in $architectures; do
  echo "== C++: $binary $* --arch $a"
  "$binary" "$@" --arch "$a" | tee -a "$workdir/cpp.txt"
  echo "load average: $(load)"
  echo "== Python: $python $here/recognizer_bench.py $* --arch $a"
  "$python" "$here/recognizer_bench.py" "$@" --arch "$a" | tee -a "$workdir/py.txt"
  echo "load average: $(load)"
done
echo

awk -v cpp="$workdir/cpp.txt" -v py="$workdir/py.txt" -v check="$check" -v tolerance="$tolerance" \
    -v architectures="$architectures" '
  function read(file, into,   line, f) {
    while ((getline line < file) > 0) {
      split(line, f, " ")
      if (f[1] == "RESULT") { into[f[2]] = substr(line, length("RESULT " f[2] " ") + 1) }
    }
    close(file)
  }
  function abs(x) { return x < 0 ? -x : x }
  function relative(c, p,   m) { m = abs(c) > abs(p) ? abs(c) : abs(p); return m > 0 ? abs(c - p) / m : 0 }
  BEGIN {
    read(cpp, C); read(py, P)
    printf "C++: %s; Python: %s\n", C["implementation"], P["implementation"]
    printf "threads: C++ %s, Python %s; device and precision: C++ %s, Python %s\n", C["threads"], P["threads"], C["device"], P["device"]
    printf "model inputs: %s\n\n", C["config"]
    n = split(architectures, archs, " ")
    bad = 0
    if (check) {
      split("logits_sum logits_abs_sum embed_abs_sum embed_weighted graphs", keys, " ")
      printf "| %-9s | %-21s | %-22s | %-22s | %9s | %-12s |\n", "arch", "check value", "C++", "Python", "rel. diff", "agree (" tolerance ")"
      printf "|-----------|-----------------------|------------------------|------------------------|-----------|--------------|\n"
      worst = 0
      for (i = 1; i <= n; ++i) {
        a = archs[i]
        same = (C[a "_check_names"] != "" && C[a "_check_names"] == P[a "_check_names"])
        if (!same) bad++
        printf "| %-9s | %-21s | %-22s | %-22s | %9s | %-12s |\n", a, "names:shapes (hash)", C[a "_check_names"], P[a "_check_names"], "", same ? "same" : "DIFFERENT"
        same = (C[a "_parameters"] != "" && C[a "_parameters"] == P[a "_parameters"])
        if (!same) bad++
        printf "| %-9s | %-21s | %-22s | %-22s | %9s | %-12s |\n", a, "parameters", C[a "_parameters"], P[a "_parameters"], "", same ? "same" : "DIFFERENT"
        for (k = 1; k <= 5; ++k) {
          key = a "_check_" keys[k]
          if (!(key in C) || !(key in P)) { bad++; printf "| %-9s | %-21s | %-22s | %-22s | %9s | %-12s |\n", a, keys[k], C[key], P[key], "", "MISSING"; continue }
          r = relative(C[key] + 0, P[key] + 0)
          if (r > worst) worst = r
          ok = r <= tolerance + 0
          if (!ok) bad++
          printf "| %-9s | %-21s | %-22s | %-22s | %9.2e | %-12s |\n", a, keys[k], C[key], P[key], r, ok ? "yes" : "NO"
        }
      }
      printf "\ncheck: %s (largest relative difference %.2e; values printed with 6 significant digits, so 0 means equal to\nthe printed digits)\n", bad ? bad " value(s) DISAGREE" : "C++ and Python agree to " tolerance " relative", worst
      exit(bad ? 1 : 0)
    }
    printf "| %-9s | %5s | %11s | %11s | %10s | %11s | %11s | %10s | %10s | %12s | %12s | %-6s |\n", "arch", "width", "C++ step ms", "Py step ms", "C++/Python", "C++ clips/s", "Py clips/s", "C++ min ms", "Py min ms", "C++ params", "Py params", "params"
    printf "|-----------|-------|-------------|-------------|------------|-------------|-------------|------------|------------|--------------|--------------|--------|\n"
    for (i = 1; i <= n; ++i) {
      a = archs[i]
      c = C[a "_step_ms"] + 0; p = P[a "_step_ms"] + 0
      same = (C[a "_parameters"] != "" && C[a "_parameters"] == P[a "_parameters"])
      if (!same) bad++
      printf "| %-9s | %5s | %11.1f | %11.1f | %10.3f | %11.2f | %11.2f | %10.1f | %10.1f | %12s | %12s | %-6s |\n", a, C[a "_base_channels"], c, p, (p > 0 ? c / p : 0), C[a "_clips_per_s"], P[a "_clips_per_s"], C[a "_step_min_ms"], P[a "_step_min_ms"], C[a "_parameters"], P[a "_parameters"], same ? "same" : "DIFFER"
    }
    printf "\nstep = forward + cross-entropy + backward + SGD step (momentum 0.9, Nesterov, wd 5e-4); median, %s (C++) / %s (Python);\nC++/Python < 1: C++ faster; min = fastest timed step; width = base_channels (a2m_gru: GRU hidden size)\n", C["timing"], P["timing"]
    if (bad) printf "parameter counts DIFFER for %d architecture(s)\n", bad
    exit(bad ? 1 : 0)
  }'
