"""End-to-end tests of the `skelaug` program: version, help, config checking, and the doctor job under mpirun."""
import glob
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SKELAUG, SOURCE_DIR, TempDirTest, error_lines, run, run_each_rank  # noqa: E402

DEMO = os.path.join(SOURCE_DIR, "configs", "demo.yaml")


class VersionAndHelp(TempDirTest):
    def test_version_names_every_dependency(self):
        result = run(["--version"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"^skelaug \d+\.\d+\.\d+")
        self.assertRegex(result.stdout, r"\nLibTorch \d+\.\d+")
        self.assertRegex(result.stdout, r"\nCUDA: ")
        self.assertRegex(result.stdout, r"\nNCCL: (compiled and loaded NCCL \d+\.\d+\.\d+|not compiled)\n")
        self.assertRegex(result.stdout, r"\nMPI: \S+")
        self.assertRegex(result.stdout, r"\nPictures: (yes|no)")
        self.assertRegex(result.stdout, r"\nMP4 video: (yes|no)")
        # CI builds with SKELAUG_WITH_NCCL=ON and sets this, proving the NCCL backend was compiled and linked in.
        if os.environ.get("SKELAUG_EXPECT_NCCL") == "1":
            # ...and that the libnccl.so.2 loaded is the one whose header it was compiled against (FindNCCL once
            # paired a wheel's header with the system's library).
            self.assertIn("NCCL: compiled and loaded", result.stdout)
        if os.environ.get("SKELAUG_EXPECT_VIDEO") == "1":
            self.assertIn("MP4 video: yes", result.stdout)
            self.assertIn("Pictures: yes", result.stdout)  # video draws its frames with libgd

    def test_openmp_threads_wait_passively_unless_the_user_chose(self):
        # libgomp prints the settings it adopted when OMP_DISPLAY_ENV is set, each time it loads: skelaug re-executes
        # itself once to apply PASSIVE, so the last print is the one it runs with. The spin count tells the policies
        # apart (libgomp names its unset default PASSIVE too, but spins 300000 times before sleeping).
        def spin_count(result):
            return re.findall(r"GOMP_SPINCOUNT = '(\d+)'", result.stderr)[-1]
        environment = {name: value for name, value in os.environ.items()
                       if name not in ("OMP_WAIT_POLICY", "SKELAUG_OMP_WAIT_POLICY_DEFAULTED")}
        environment["OMP_DISPLAY_ENV"] = "VERBOSE"
        result = run(["--version"], env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("\nOpenMP wait policy: PASSIVE (skelaug's default)", result.stdout)
        if "GOMP_SPINCOUNT" not in result.stderr:
            self.skipTest("LibTorch's OpenMP runtime is not libgomp (no GOMP_SPINCOUNT in its OMP_DISPLAY_ENV print)")
        self.assertEqual(spin_count(result), "0")
        environment["OMP_WAIT_POLICY"] = "ACTIVE"
        result = run(["--version"], env=environment)
        self.assertIn("\nOpenMP wait policy: ACTIVE (from the environment)", result.stdout)
        self.assertNotEqual(spin_count(result), "0")

    def test_the_process_keeps_its_name_after_the_openmp_re_execution(self):
        # `ps`, `top` and `pgrep skelaug` show the kernel's name for a process, taken from the file it executed. The
        # program is held still while its name is read: its pickle reader is a stand-in that sleeps (SKELAUG_PYTHON),
        # and it only starts that after the re-execution, which comes first.
        stand_in = self.write("python", "#!/bin/sh\nsleep 5\nexit 1\n")
        os.chmod(stand_in, 0o755)
        environment = {name: value for name, value in os.environ.items()
                       if name not in ("OMP_WAIT_POLICY", "SKELAUG_OMP_WAIT_POLICY_DEFAULTED")}
        environment["SKELAUG_PYTHON"] = stand_in
        source = self.write("poses.pkl", "not read")
        process = subprocess.Popen([SKELAUG, "data", "import", "humanact12", source, "-o",
                                    os.path.join(self.tmp, "out.npz")], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=environment)
        try:
            children = f"/proc/{process.pid}/task/{process.pid}/children"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                with open(children) as f:
                    if f.read().strip():
                        break
                time.sleep(0.05)
            with open(f"/proc/{process.pid}/comm") as f:
                self.assertEqual(f.read().strip(), "skelaug")
            with open(f"/proc/{process.pid}/environ", "rb") as f:
                self.assertIn(b"SKELAUG_OMP_WAIT_POLICY_DEFAULTED=1", f.read())  # it did re-execute
        finally:
            process.communicate(timeout=60)

    def test_every_command_has_help(self):
        for command in ([], ["config"], ["config", "check"], ["doctor"]):
            result = run(command + ["--help"])
            self.assertEqual(result.returncode, 0, command)
            self.assertIn("Usage:", result.stdout)

    def test_bad_options_are_one_line(self):
        self.assertUserError(run(["frobnicate"]), "frobnicate")
        self.assertUserError(run(["--log-level", "loud", "config", "check", DEMO]), "--log-level")
        self.assertUserError(run(["doctor"]), "--config")
        self.assertUserError(run([]), "'skelaug' needs a command")
        self.assertUserError(run(["config"]), "'skelaug config' needs a command")


class ConfigCheck(TempDirTest):
    def test_demo_config_resolves_with_overrides(self):
        result = run(["config", "check", DEMO, "doctor.iterations=7", "run.name=x"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("  iterations: 7\n", result.stdout)
        self.assertIn('  name: "x"\n', result.stdout)
        self.assertIn("  timeout_s: 600.0\n", result.stdout)  # defaults are printed too
        described = run(["config", "check", "--describe", DEMO])
        self.assertIn("# timed all-reduces per message size", described.stdout)

    def test_every_shipped_config_is_valid(self):
        configs = glob.glob(os.path.join(SOURCE_DIR, "configs", "*.yaml"))
        self.assertGreaterEqual(len(configs), 3)
        for path in configs:
            result = run(["config", "check", path])
            self.assertEqual(result.returncode, 0, path + ": " + result.stderr)

    def test_resolved_config_checks_again_unchanged(self):
        first = run(["config", "check", DEMO, "doctor.sizes_kib=[8, 16]"])
        path = self.write("resolved.yaml", first.stdout)
        second = run(["config", "check", path])
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(first.stdout, second.stdout)

    def test_each_error_kind_names_file_key_and_line(self):
        cases = [
            ("run:\n  seed: 1\ndoctor:\n  iteratons: 3\n",
             ":4: unknown key 'doctor.iteratons' (did you mean 'doctor.iterations'?)"),
            ("doctor:\n  iterations: many\n", ":2: doctor.iterations: expected an integer, got 'many'"),
            ("doctor:\n\n  warmup: -1\n", ":3: doctor.warmup: -1 is below the minimum 0"),
            ("distributed:\n  backend: gloo\n", ":2: distributed.backend: 'gloo' is not one of: auto, mpi, nccl"),
            ("doctor:\n  sizes_kib: [1, [2]]\n", ":2: doctor.sizes_kib: expected a list of integers"),
            ("doctor: [1, 2\n", "YAML syntax error"),
        ]
        for text, fragment in cases:
            path = self.write("bad.yaml", text)
            with self.subTest(text=text):
                self.assertUserError(run(["config", "check", path]), path, fragment)

    def test_missing_file_and_bad_override(self):
        self.assertUserError(run(["config", "check", os.path.join(self.tmp, "none.yaml")]),
                             "none.yaml: config file not found")
        self.assertUserError(run(["config", "check", DEMO, "doctor.iterations=0"]),
                             "override 'doctor.iterations=0': doctor.iterations: 0 is below the minimum 1")
        self.assertUserError(run(["config", "check", DEMO, "nonsense"]), "expected key.path=value")


class DoctorJob(TempDirTest):
    def test_two_rank_run_directory_layout(self):
        run_dir = os.path.join(self.tmp, "run")
        result = run(["--log-level", "debug", "doctor", "--config", DEMO, "run.dir=" + run_dir,
                      "doctor.sizes_kib=[4, 64]"], ranks=2)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(os.listdir(run_dir)), ["config.yaml", "logs", "metrics.jsonl"])
        self.assertEqual(sorted(os.listdir(os.path.join(run_dir, "logs"))), ["rank-0.log", "rank-1.log"])
        for rank in (0, 1):
            with open(os.path.join(run_dir, "logs", f"rank-{rank}.log")) as log:
                text = log.read()
            self.assertRegex(text, rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[r{rank}/2\] info: ")
            self.assertIn(f"rank {rank}/2 on ", text)
        with open(os.path.join(run_dir, "logs", "rank-0.log")) as log:
            self.assertIn("debug: doctor: rank 1 on", log.read())  # --log-level debug reached the file
        with open(os.path.join(run_dir, "config.yaml")) as resolved:
            self.assertIn("  sizes_kib: [4, 64]\n", resolved.read())
        with open(os.path.join(run_dir, "metrics.jsonl")) as metrics:
            records = [json.loads(line) for line in metrics]
        events = [record["event"] for record in records]
        self.assertEqual(events, ["world", "collectives", "all_reduce", "all_reduce", "matmul"])
        self.assertEqual(records[0]["world_size"], 2)
        self.assertEqual(records[1]["failures"], 0)
        self.assertEqual([r["bytes"] for r in records[2:4]], [4096, 65536])
        self.assertTrue(all(r["busbw_gbps"] > 0 for r in records[2:4]))
        self.assertEqual(len(records[4]["gflops_per_rank"]), 2)
        # The console shows rank 0 only.
        self.assertNotRegex(result.stderr, r"\[r1/2\]")

    def test_default_run_directory_is_named_after_the_config(self):
        result = run(["doctor", "--config", DEMO, "doctor.sizes_kib=[4]"], ranks=1, cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        runs = glob.glob(os.path.join(self.tmp, "runs", "demo-*"))
        self.assertEqual(len(runs), 1)
        self.assertRegex(os.path.basename(runs[0]), r"^demo-\d{8}-\d{6}$")

    def test_bad_config_is_reported_once_and_starts_nothing(self):
        path = self.write("bad.yaml", "doctor:\n  iterations: -3\n")
        # Three times: mpirun ends the job at the first non-zero exit, and a rank that left before rank 0 had written
        # the line used to cut it off (4 runs in 6 on a busy machine).
        for attempt in range(3):
            result = run(["doctor", "--config", path], ranks=2, cwd=self.tmp)
            self.assertNotEqual(result.returncode, 0)
            lines = error_lines(result.stderr)
            self.assertEqual(lines, [f"skelaug: error: {path}:2: doctor.iterations: -3 is below the minimum 1"],
                             f"attempt {attempt + 1}: {result.stderr}")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "runs")))

    def test_a_config_only_one_rank_rejects_is_reported_by_that_rank(self):
        args = ["doctor", "--config", DEMO, "doctor.sizes_kib=[4]"]
        result = run_each_rank([(args, None), (args + ["doctor.iterations=0"], None)], cwd=self.tmp)  # rank 1 alone
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = error_lines(result.stderr)
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(lines[0], r"^skelaug: error \(rank 1/2\): .*doctor\.iterations")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "runs")))

    def test_backend_this_machine_lacks_ends_the_job(self):
        if re.search(r"devices? visible", run(["--version"]).stdout or ""):
            self.skipTest("a GPU is visible here")
        result = run(["doctor", "--config", DEMO, "distributed.backend=nccl", "run.dir=" + self.tmp + "/r"],
                     ranks=2, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertTrue(error_lines(result.stderr), result.stderr)
        self.assertIn("distributed.backend: 'nccl' asked for", result.stderr)


if __name__ == "__main__":
    unittest.main()
