#!/usr/bin/env bash
# Unpacks the .deb files of DEBS_DIR (made by bundle-debs.sh) into PREFIX, never into /, and makes the copy usable
# from there:
# - absolute symbolic links (Debian's library and include links) point into PREFIX;
# - MPI's programs get their plain names (mpirun, mpicc, ...): Debian installs them as *.openmpi and names them through
#   the alternatives system, which unpacking does not run;
# - pkg-config files name PREFIX instead of /usr;
# - PREFIX/env.sh sets PATH, LD_LIBRARY_PATH, CMAKE_PREFIX_PATH, PKG_CONFIG_PATH and Open MPI's and PMIx's
#   relocation variables: `source PREFIX/env.sh`, then configure with -DSKELAUG_WITH_PICTURES=OFF.
# It also writes PREFIX/host-libraries.txt (what the bundle needs from the host) and warns about any of them the
# host's dynamic linker does not know.
#   tools/gpu/unpack-debs.sh DEBS_DIR PREFIX [--quiet]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: tools/gpu/unpack-debs.sh DEBS_DIR PREFIX [--quiet]" >&2; exit 2; }
debs=$(cd "$1" && pwd)
mkdir -p "$2"
prefix=$(cd "$2" && pwd)
quiet=${3:-}
[ "$prefix" != / ] || { echo "unpack-debs: refusing to unpack into /" >&2; exit 2; }
compgen -G "$debs/*.deb" >/dev/null || { echo "unpack-debs: no .deb files in $debs" >&2; exit 1; }

for deb in "$debs"/*.deb; do
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" "$prefix"
  else  # a host without dpkg: a .deb is an ar archive holding data.tar.<xz|zst|gz>, which tar unpacks from a file
    member=$(ar t "$deb" | grep '^data\.tar')
    scratch=$(mktemp -d)
    (cd "$scratch" && ar x "$deb" "$member")
    tar -xf "$scratch/$member" -C "$prefix"
    rm -rf "$scratch"
  fi
done

# Debian 12 merges /lib into /usr/lib, yet a few packages still ship files under /lib (libnl): merge them the same
# way, so that the one library folder on LD_LIBRARY_PATH holds every library (the linker follows the dependencies of
# what it links through it).
for top in lib bin sbin; do
  if [ -d "$prefix/$top" ] && [ ! -L "$prefix/$top" ]; then
    mkdir -p "$prefix/usr/$top"
    cp -a "$prefix/$top/." "$prefix/usr/$top/"
    rm -rf "${prefix:?}/$top"
    ln -s "usr/$top" "$prefix/$top"
  fi
done

lib=$prefix/usr/lib/x86_64-linux-gnu
find "$prefix" -type l | while read -r link; do
  target=$(readlink "$link")
  case $target in /*) [ -e "$prefix$target" ] || [ -L "$prefix$target" ] && ln -sfn "$prefix$target" "$link" ;; esac
done
for program in "$prefix"/usr/bin/*.openmpi; do
  [ -e "$program" ] || continue
  name=$(basename "$program" .openmpi)
  [ -e "$prefix/usr/bin/$name" ] || ln -s "$(basename "$program")" "$prefix/usr/bin/$name"
done
[ -e "$prefix/usr/bin/mpiexec" ] || { [ -e "$prefix/usr/bin/orterun" ] && ln -s orterun "$prefix/usr/bin/mpiexec"; }
[ -e "$prefix/usr/bin/mpirun" ] || { [ -e "$prefix/usr/bin/orterun" ] && ln -s orterun "$prefix/usr/bin/mpirun"; }
# Named through the alternatives system too: PSM's library (for Open MPI's and libfabric's PSM transports).
[ -e "$prefix/usr/lib/libpsm1/libpsm_infinipath.so.1.16" ] && [ ! -e "$lib/libpsm_infinipath.so.1" ] &&
  ln -s ../../libpsm1/libpsm_infinipath.so.1.16 "$lib/libpsm_infinipath.so.1"
[ -e "$prefix/usr/bin/pkg-config" ] || { [ -e "$prefix/usr/bin/pkgconf" ] && ln -s pkgconf "$prefix/usr/bin/pkg-config"; }
find "$prefix/usr" -name '*.pc' -path '*pkgconfig*' -print0 |
  xargs -0 -r sed -i -E "s#^(prefix|libdir|includedir|exec_prefix)=/usr#\1=$prefix/usr#; s#-([IL])/usr/#-\1$prefix/usr/#g"

cat > "$prefix/env.sh" <<EOT
# Made by tools/gpu/unpack-debs.sh: source it to build and run skelaug against the packages unpacked here.
export SKELAUG_BUNDLE="$prefix"
export PATH="$prefix/usr/bin\${PATH:+:\$PATH}"
export LD_LIBRARY_PATH="$lib:$lib/openmpi/lib:$lib/ucx\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export CMAKE_PREFIX_PATH="$prefix/usr\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}"
export PKG_CONFIG_PATH="$lib/pkgconfig:$prefix/usr/share/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
export OPAL_PREFIX="$prefix/usr"
export PMIX_INSTALL_PREFIX="$prefix/usr"
EOT

# What the bundle's ELF files need that its library folders (those env.sh puts on LD_LIBRARY_PATH) do not hold: the
# host's part. (Plugins are loaded by path, but what they need is looked up like any other library; UCX's plugins
# name their folder by an absolute RUNPATH, which points nowhere here, so that folder is on LD_LIBRARY_PATH too.)
provided=$(find "$lib" "$lib/openmpi/lib" "$lib/ucx" -maxdepth 1 \( -type f -o -type l \) -name 'lib*.so*' -printf '%f\n' | sort -u)
find "$prefix" -type f \( -name '*.so*' -o -path '*/bin/*' \) -print0 |
  xargs -0 -r readelf -d 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u |
  grep -vxF -f <(echo "$provided") > "$prefix/host-libraries.txt" || true
missing=()
if command -v ldconfig >/dev/null; then
  known=$(ldconfig -p | awk '{print $1}')
  while read -r soname; do
    grep -qxF "$soname" <<<"$known" || missing+=("$soname")
  done < "$prefix/host-libraries.txt"
fi
if [ -z "$quiet" ]; then
  echo "unpack-debs: $(ls "$debs"/*.deb | wc -l) packages in $prefix; now: source $prefix/env.sh"
  [ ${#missing[@]} -eq 0 ] || echo "unpack-debs: the host lacks ${missing[*]} (needed by the bundle)" >&2
fi
exit 0
