#!/usr/bin/env bash
# Installs the Debian 12 packages skelaug builds and tests with, if any is missing. Needs root (or sudo) only when
# something must be installed. The CUDA toolkit and NCCL are optional and not installed here.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  libtorch-dev libopenblas0-pthread   # LibTorch 1.13 (CPU); OpenBLAS instead of the 20x slower reference BLAS
  libopenmpi-dev openmpi-bin          # MPI launch and the CPU backend
  libyaml-cpp-dev libboost-log-dev libcli11-dev nlohmann-json3-dev libfmt-dev libzip-dev
  libgtest-dev python3-numpy python3-joblib  # tests and the pickle readers (numpy brings /usr/bin/python3)
  xz-utils                            # tests unpack the MSR Action3D archive where it is beside the checkout
  libplplot-dev plplot-driver-cairo   # study plots (PNG and SVG through cairo)
  libgd-dev                           # rendered clips as animated GIF
  libavcodec-dev libavformat-dev libswscale-dev  # rendered clips as MP4 (H.264)
  chromium                            # tests load the rendered HTML page in a headless browser
  slurm-wlm munge                     # tests run slurm/ on a real local Slurm cluster (slurmctld, two slurmd)
  gdb                                 # a Slurm test's failure report carries the backtrace of a crashed step's core
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: missing packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
