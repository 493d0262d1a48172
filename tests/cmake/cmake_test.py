"""The build files as a GPU host meets them: FindNCCL finds a pip wheel's NCCL (libnccl.so.2 without the unversioned
link), fmt headers in LibTorch's include folder are used on purpose (header-only), and a C++ standard given on the
command line is kept; the discovered GoogleTests get their labels and no
half environment."""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest  # noqa: E402

CMAKE = shutil.which("cmake") or "cmake"


class FindNccl(TempDirTest):
    def find(self, root, system_library_dir=None):
        project = os.path.join(self.tmp, "project")
        os.makedirs(project, exist_ok=True)
        with open(os.path.join(project, "CMakeLists.txt"), "w") as out:
            out.write("cmake_minimum_required(VERSION 3.18)\nproject(probe LANGUAGES NONE)\n"
                      f"list(APPEND CMAKE_MODULE_PATH {os.path.join(SOURCE_DIR, 'cmake')})\n"
                      "find_package(NCCL)\nmessage(STATUS \"probe: ${NCCL_FOUND};${NCCL_LIBRARY};${NCCL_VERSION}\")\n")
        build = os.path.join(self.tmp, "build-" + os.path.basename(root))
        # Without a system folder, the search is confined to the root (this machine's own NCCL stays out of it);
        # with one, that folder is searched as the system's libraries are.
        confine = ([f"-DCMAKE_LIBRARY_PATH={system_library_dir}"] if system_library_dir else
                   ["-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY", f"-DCMAKE_FIND_ROOT_PATH={root}"])
        result = subprocess.run([CMAKE, "-S", project, "-B", build, f"-DNCCL_ROOT={root}", *confine,
                                 "-DCUDAToolkit_ROOT=/nonexistent"],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        line = [line for line in result.stdout.splitlines() if "probe: " in line][0]
        return line.split("probe: ")[1].split(";")

    def wheel_layout(self, name, libraries):
        """A folder laid out like nvidia/nccl of the pip wheel: include/nccl.h and lib/<libraries>."""
        root = os.path.join(self.tmp, name)
        os.makedirs(os.path.join(root, "include"))
        os.makedirs(os.path.join(root, "lib"))
        with open(os.path.join(root, "include", "nccl.h"), "w") as out:
            out.write("#define NCCL_MAJOR 2\n#define NCCL_MINOR 27\n#define NCCL_PATCH 7\n")
        for library in libraries:
            open(os.path.join(root, "lib", library), "w").close()
        return root

    def test_a_wheel_with_only_the_versioned_library_is_found(self):
        root = self.wheel_layout("wheel", ["libnccl.so.2"])
        found, library, version = self.find(root)
        self.assertEqual(found, "TRUE")
        self.assertEqual(library, os.path.join(root, "lib", "libnccl.so.2"))
        self.assertEqual(version, "2.27.7")

    def test_the_library_beside_the_header_wins_over_a_system_libnccl_so(self):
        # The first GPU host: the wheel has libnccl.so.2 only, the system has libnccl.so of another version. Searching
        # every folder for libnccl.so first paired the wheel's header with the system's library.
        root = self.wheel_layout("wheel", ["libnccl.so.2"])
        system = os.path.join(self.tmp, "system", "lib")
        os.makedirs(system)
        for library in ("libnccl.so", "libnccl.so.2"):
            open(os.path.join(system, library), "w").close()
        found, library, _ = self.find(root, system_library_dir=system)
        self.assertEqual(found, "TRUE")
        self.assertEqual(library, os.path.join(root, "lib", "libnccl.so.2"))

    def test_headers_without_a_library_are_not_nccl(self):
        root = self.wheel_layout("headers", [])
        found, _, _ = self.find(root)
        self.assertEqual(found, "FALSE")


class FmtChoice(TempDirTest):
    """LibTorch's include folder may hold fmt's headers: then they are used header-only, on purpose."""

    def choose(self, include_dir):
        project = os.path.join(self.tmp, "fmt-" + os.path.basename(include_dir))
        os.makedirs(project)
        with open(os.path.join(project, "CMakeLists.txt"), "w") as out:
            # A language, so that find_package knows the library architecture folders (fmt's config lives there).
            out.write("cmake_minimum_required(VERSION 3.18)\nproject(probe LANGUAGES CXX)\n"
                      f"list(APPEND CMAKE_MODULE_PATH {os.path.join(SOURCE_DIR, 'cmake')})\n"
                      f"include(SkelaugFmt)\nskelaug_choose_fmt(/nonexistent {include_dir})\n"
                      "get_target_property(defs fmt::fmt INTERFACE_COMPILE_DEFINITIONS)\n"
                      "message(STATUS \"probe: ${SKELAUG_FMT_SOURCE};${defs}\")\n")
        result = subprocess.run([CMAKE, "-S", project, "-B", os.path.join(project, "build")], capture_output=True,
                                text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return [line for line in result.stdout.splitlines() if "probe: " in line][0].split("probe: ")[1]

    def test_libtorch_fmt_headers_are_used_header_only(self):
        torch_include = os.path.join(self.tmp, "torch_include")
        os.makedirs(os.path.join(torch_include, "fmt"))
        open(os.path.join(torch_include, "fmt", "format.h"), "w").close()
        self.assertEqual(self.choose(torch_include), f"LibTorch {torch_include} (header-only);FMT_HEADER_ONLY=1")

    def test_without_them_the_fmt_package_is_used(self):
        plain = os.path.join(self.tmp, "plain_include")
        os.makedirs(plain)
        self.assertRegex(self.choose(plain), r"^system \d+\.\d+")

    def test_the_compilers_own_folder_is_the_system_fmt(self):
        # Debian's LibTorch lists /usr/include, where the system fmt's headers (those of libfmt) are.
        self.assertTrue(os.path.exists("/usr/include/fmt/format.h"))
        self.assertRegex(self.choose("/usr/include"), r"^system \d+\.\d+")


class CxxStandard(TempDirTest):
    def test_a_standard_from_the_command_line_is_kept(self):
        build = os.path.join(self.tmp, "build")
        result = subprocess.run([CMAKE, "-S", SOURCE_DIR, "-B", build, "-DCMAKE_CXX_STANDARD=20",
                                 "-DSKELAUG_BUILD_TESTS=OFF", "-DSKELAUG_BUILD_BENCH=OFF", "-DSKELAUG_WITH_NCCL=OFF"],
                                capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(os.path.join(build, "compile_commands.json")) as f:
            commands = json.load(f)
        ours = [c["command"] for c in commands if "/core/src/" in c["file"]]
        self.assertTrue(ours)
        for command in ours:
            self.assertIn("-std=c++20", command)


class DiscoveredTests(unittest.TestCase):
    """The GoogleTest cases found at build time, as ctest lists them from this build folder: each has its label (unit
    or gpu), and none has an environment, since CMake 3.25 passes only the first variable of a list to them."""

    def properties(self, pattern):
        build = os.environ.get("SKELAUG_BUILD_DIR")
        if not build:
            self.skipTest("SKELAUG_BUILD_DIR is not set: this test runs under ctest")
        listing = subprocess.run(["ctest", "--test-dir", build, "-N", "--show-only=json-v1", "-R", pattern],
                                 capture_output=True, text=True, timeout=120)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        tests = json.loads(listing.stdout)["tests"]
        self.assertTrue(tests, f"no test matching {pattern} in {build}")
        return {test["name"]: {entry["name"]: entry["value"] for entry in test.get("properties", [])}
                for test in tests}

    def test_unit_tests_have_their_label_and_no_environment(self):
        for name, properties in self.properties(r"^models\.DiffusionSchedule\.").items():
            self.assertEqual(properties.get("LABELS"), ["unit"], name)
            self.assertNotIn("ENVIRONMENT", properties, name)

    def test_gpu_tests_are_labelled_gpu(self):
        for name, properties in self.properties(r"^models\.OnCuda\.").items():
            self.assertEqual(properties.get("LABELS"), ["gpu"], name)
            self.assertNotIn("ENVIRONMENT", properties, name)


if __name__ == "__main__":
    unittest.main()
