"""tools/gpu-check.sh --cpu: the GPU host's script, proven here before a GPU ever sees it. Every step that needs no GPU
runs and passes (those that do, or need Python's torch, say why they were skipped), and the summary holds the
numbers: training steps, the C++ benchmarks' RESULT lines, the doctor's all-reduce timings."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SKELAUG, SOURCE_DIR, TempDirTest  # noqa: E402

STEPS = ["probe", "python-bench-float32", "python-bench-bf16", "configure", "build", "version", "doctor", "demo-data",
         "train-float32", "train-bf16", "cpp-bench-float32", "cpp-bench-bf16", "sample", "recognizer-bench", "gpu-tests"]


class GpuCheckOnTheCpu(TempDirTest):
    def test_every_step_runs_and_the_summary_holds_the_numbers(self):
        build = os.path.dirname(os.path.dirname(os.path.abspath(SKELAUG)))  # <build>/bin/skelaug
        out = os.path.join(self.tmp, "check")
        result = subprocess.run([os.path.join(SOURCE_DIR, "tools", "gpu-check.sh"), out, "--cpu", "--build-dir", build],
                                capture_output=True, text=True, timeout=1200)
        with open(os.path.join(out, "summary.txt")) as f:
            summary = f.read()
        self.assertEqual(result.returncode, 0, summary)
        outcomes = {}
        for line in summary.splitlines()[1:len(STEPS) + 1]:
            name, rest = line.split(None, 1)
            outcomes[name] = rest
        self.assertEqual(list(outcomes), STEPS, summary)
        for name in ("probe", "configure", "build", "version", "doctor", "demo-data", "train-float32",
                     "cpp-bench-float32", "sample", "recognizer-bench", "gpu-tests"):
            self.assertTrue(outcomes[name].startswith("ok "), f"{name}: {outcomes[name]}")
        for name in ("train-bf16", "cpp-bench-bf16"):
            self.assertIn("SKIPPED (", outcomes[name])
        self.assertIn(f"{len(STEPS)} steps, 0 failed or timed out", summary)
        self.assertRegex(summary, r"13-sample: rank 0 generated 14 items in [\d.]+ s")
        self.assertIn('09-train-float32: {"event":"trained"', summary)
        self.assertIn("11-cpp-bench-float32: RESULT train_step_ms", summary)
        self.assertIn("14-recognizer-bench: RESULT", summary)
        # Without a GPU every GPU test skips, saying why.
        with open(os.path.join(out, "steps", "15-gpu-tests.log")) as f:
            gpu_tests = f.read()
        self.assertRegex(gpu_tests, r"100% tests passed, 0 tests failed out of [1-9]")
        self.assertIn("Skipped", gpu_tests)
        self.assertIn("07-doctor: ", summary)
        for step in range(1, len(STEPS) + 1):
            self.assertTrue(any(name.startswith(f"{step:02d}-") for name in os.listdir(os.path.join(out, "steps"))))

    def test_a_failing_step_does_not_stop_the_others(self):
        # A build folder with nothing built: configure is reused, the build of the targets fails (no generator to
        # build from), every later step runs and fails or skips, and the summary counts them; exit 1.
        build = os.path.join(self.tmp, "empty-build")
        os.makedirs(build)
        with open(os.path.join(build, "CMakeCache.txt"), "w") as f:
            f.write("CMAKE_BUILD_TYPE:STRING=Release\n")
        out = os.path.join(self.tmp, "check")
        result = subprocess.run([os.path.join(SOURCE_DIR, "tools", "gpu-check.sh"), out, "--cpu", "--build-dir", build],
                                capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 1)
        with open(os.path.join(out, "summary.txt")) as f:
            summary = f.read()
        names = [line.split()[0] for line in summary.splitlines()[1:len(STEPS) + 1]]
        self.assertEqual(names, STEPS, summary)
        self.assertRegex(summary, r"build +FAILED \(exit \d+\)")
        self.assertRegex(summary, r"version +FAILED")
        self.assertRegex(summary, r"\d+ steps, ([5-9]|1\d) failed or timed out")


if __name__ == "__main__":
    unittest.main()
