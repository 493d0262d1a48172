"""tools/gpu/: the Debian packages a GPU host lacks, bundled here (bundle-debs.sh), unpacked into a private prefix
(unpack-debs.sh) and used with the system's own copies of those packages hidden (a private mount namespace in which
each of their files is an empty file or folder), so that only the bundle can serve: the whole project configures
against it, a test program linking yaml-cpp, Boost.Log, fmt, nlohmann-json and GoogleTest builds and runs, and an MPI
program built by the bundle's compiler wrapper runs on two ranks under the bundle's mpirun.

SKELAUG_BUNDLE_FULL_BUILD=1 also builds and runs the whole skelaug program that way (half an hour on two cores)."""
import os
import shlex
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest  # noqa: E402

TOOLS = os.path.join(SOURCE_DIR, "tools", "gpu")


def bundled_packages():
    with open(os.path.join(TOOLS, "packages.txt")) as f:
        return [word for line in f for word in line.split("#", 1)[0].split()]


def system_copies(packages):
    """The installed files of `packages`: (folders to cover whole, files to cover one by one). A folder is covered
    whole when every file under it belongs to these packages (the Boost headers, Open MPI's plugins, ...)."""
    owned = set()
    for package in packages:
        listing = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
        if listing.returncode != 0:
            continue  # not installed here: nothing to hide
        for path in listing.stdout.splitlines():
            if os.path.lexists(path) and not os.path.isdir(path):
                owned.add(path)

    wholly_owned = {}

    def all_owned(folder):
        if folder not in wholly_owned:
            result = os.path.isdir(folder) and not os.path.islink(folder)
            for root, _, names in os.walk(folder) if result else ():
                if any(os.path.join(root, name) not in owned for name in names):
                    result = False
                    break
            wholly_owned[folder] = result
        return wholly_owned[folder]

    folders = set()
    for path in sorted(owned):
        folder = os.path.dirname(path)
        while folder not in ("/", "/usr", "/usr/lib", "/usr/include", "/usr/bin", "/usr/share", "/lib",
                             "/usr/lib/x86_64-linux-gnu", "/usr/share/doc", "/etc"):
            parent = os.path.dirname(folder)
            if not all_owned(parent):
                break
            folder = parent
        if folder not in ("/", "/usr") and all_owned(folder) and os.path.dirname(path) != "/usr/bin":
            folders.add(folder)
    folders = {f for f in folders if not any(f != g and f.startswith(g + "/") for g in folders)}
    # Links are left alone: what they point to is covered itself (and a link into a covered folder dangles).
    files = sorted(p for p in owned if os.path.isfile(p) and not os.path.islink(p)
                   and not any(p.startswith(f + "/") for f in folders))
    return sorted(folders), files


class GpuBundle(TempDirTest):
    def setUp(self):
        super().setUp()
        if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
            self.skipTest("no apt-get/dpkg: the bundle is made on a Debian machine")
        probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            self.skipTest(f"cannot make a private mount namespace to hide the system copies: {probe.stderr.strip()}")

    def test_the_project_builds_and_runs_against_the_bundle_alone(self):
        debs = os.path.join(self.tmp, "debs")
        prefix = os.path.join(self.tmp, "prefix")
        made = subprocess.run([os.path.join(TOOLS, "bundle-debs.sh"), debs], capture_output=True, text=True,
                              timeout=900)
        self.assertEqual(made.returncode, 0, made.stdout + made.stderr)
        with open(os.path.join(debs, "MANIFEST.txt")) as f:
            manifest = f.read()
        host = manifest.split("# host libraries\n", 1)[1].split()
        # What the bundle leaves to the host is the C and C++ runtimes and a few base-image libraries.
        self.assertLessEqual(set(host), {"ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libstdc++.so.6",
                                         "libgcc_s.so.1", "libatomic.so.1", "libz.so.1", "libbz2.so.1.0",
                                         "libcrypto.so.3", "libudev.so.1", "libuuid.so.1"}, manifest)
        unpacked = subprocess.run([os.path.join(TOOLS, "unpack-debs.sh"), debs, prefix], capture_output=True,
                                  text=True, timeout=300)
        self.assertEqual(unpacked.returncode, 0, unpacked.stderr)
        self.assertEqual(unpacked.stderr, "", "the host lacks a library the bundle needs")

        folders, files = system_copies(bundled_packages())
        self.assertTrue(any(f.startswith("/usr/include/boost") for f in folders), folders[:20])
        build = os.path.join(self.tmp, "build")
        full = os.environ.get("SKELAUG_BUNDLE_FULL_BUILD") == "1"
        targets = "core_tests skelaug" if full else "core_tests"
        hide = "\n".join([f"mount -t tmpfs -o size=1m,mode=755 none {shlex.quote(f)}" for f in folders] +
                         [f"mount --bind /dev/null {shlex.quote(f)}" for f in files])
        script = f"""set -euo pipefail
mount --make-rprivate /
{hide}
# The system's copies are gone: a header or library of theirs is empty now.
! test -s /usr/include/yaml-cpp/yaml.h 2>/dev/null
source {shlex.quote(prefix)}/env.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
cmake -S {shlex.quote(SOURCE_DIR)} -B {shlex.quote(build)} -G Ninja -DCMAKE_BUILD_TYPE=Release \\
  -DSKELAUG_WITH_PICTURES=OFF -DSKELAUG_WITH_VIDEO=OFF -DSKELAUG_BUILD_BENCH=OFF -DSKELAUG_BUILD_TESTS=ON
cmake --build {shlex.quote(build)} -j 2 --target {targets}
{shlex.quote(build)}/tests/core/core_tests --gtest_brief=1
cat > {shlex.quote(self.tmp)}/ranks.c <<'EOT'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char** argv) {{
  MPI_Init(&argc, &argv);
  int rank, size, sum = 0, one = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("ranks: %d of %d agree\\n", sum, size);
  MPI_Finalize();
  return sum == size ? 0 : 1;
}}
EOT
mpicc -o {shlex.quote(self.tmp)}/ranks {shlex.quote(self.tmp)}/ranks.c
mpirun --oversubscribe -np 2 {shlex.quote(self.tmp)}/ranks
if [ -x {shlex.quote(build)}/bin/skelaug ]; then
  {shlex.quote(build)}/bin/skelaug --version
  # Without pictures: GIF is refused, saying why; HTML still renders.
  {shlex.quote(build)}/bin/skelaug data demo -o {shlex.quote(self.tmp)}/demo.npz
  ! {shlex.quote(build)}/bin/skelaug render {shlex.quote(self.tmp)}/demo.npz --per-class 1 -o {shlex.quote(self.tmp)}/c.gif 2> {shlex.quote(self.tmp)}/gif.err
  grep "built without pictures" {shlex.quote(self.tmp)}/gif.err
  test ! -e {shlex.quote(self.tmp)}/c.gif
  {shlex.quote(build)}/bin/skelaug render {shlex.quote(self.tmp)}/demo.npz --per-class 1 -o {shlex.quote(self.tmp)}/c.html
  mpirun --oversubscribe -np 2 {shlex.quote(build)}/bin/skelaug doctor --config {shlex.quote(SOURCE_DIR)}/configs/demo.yaml
fi
"""
        with open(os.path.join(self.tmp, "inside.sh"), "w") as out:
            out.write(script)
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("CMAKE_", "PKG_CONFIG"))}
        result = subprocess.run(["unshare", "--mount", "bash", os.path.join(self.tmp, "inside.sh")],
                                capture_output=True, text=True, timeout=3600 if full else 1200, env=environment)
        self.assertEqual(result.returncode, 0, result.stdout[-6000:] + result.stderr[-6000:])
        self.assertIn("ranks: 2 of 2 agree", result.stdout)
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            cache = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line and not line.startswith(("#", "//")))
        for key in ("yaml-cpp_DIR:PATH", "Boost_DIR:PATH", "CLI11_DIR:PATH", "nlohmann_json_DIR:PATH", "GTest_DIR:PATH",
                    "PKG_CONFIG_EXECUTABLE:FILEPATH", "MPI_C_HEADER_DIR:PATH"):
            self.assertTrue(cache.get(key, "").startswith(prefix), f"{key} = {cache.get(key)}")
        self.assertEqual(cache.get("SKELAUG_WITH_PICTURES:STRING"), "OFF")


if __name__ == "__main__":
    unittest.main()
