#!/usr/bin/env bash
# Downloads the .deb files of tools/gpu/packages.txt into OUT_DIR, on a Debian 12 machine with package access, for a
# GPU host that has none (README "GPU hosts"). Then unpacks a trial copy and writes OUT_DIR/MANIFEST.txt: each
# package's version, and the shared libraries the bundle's programs and libraries need that it does not hold itself
# (the host must have those; unpack-debs.sh checks them there).
#   tools/gpu/bundle-debs.sh OUT_DIR        # OUT_DIR inside the checkout must be git-ignored (/.gpu-debs/ is)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: tools/gpu/bundle-debs.sh OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
mapfile -t packages < <(sed 's/#.*//' "$here/packages.txt" | tr -s ' \t' '\n' | grep -v '^$')

download() { (cd "$out" && apt-get download -q "${packages[@]}" 2>&1 | grep -v "unsandboxed" || true); }
rm -f "$out"/*.deb
download
if [ "$(find "$out" -maxdepth 1 -name '*.deb' | wc -l)" -lt "${#packages[@]}" ]; then
  # The package lists may be stale (a version no longer on the mirror): refresh them once.
  apt-get update -qq
  download
fi
for package in "${packages[@]}"; do
  if ! compgen -G "$out/${package}_*.deb" >/dev/null; then
    echo "bundle-debs: $package could not be downloaded (apt-get download $package)" >&2
    exit 1
  fi
done

trial=$(mktemp -d)
trap 'rm -rf "$trial"' EXIT
"$here/unpack-debs.sh" "$out" "$trial" --quiet
{
  echo "# skelaug GPU-host bundle, made $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "# packages"
  for deb in "$out"/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/^Package: //; s/ Version: / /'; done
  echo "# host libraries"
  cat "$trial/host-libraries.txt"
} > "$out/MANIFEST.txt"
size=$(du -cm "$out"/*.deb | tail -1 | cut -f1)
echo "bundle-debs: ${#packages[@]} packages, $size MiB in $out (MANIFEST.txt lists what the host must have)"
