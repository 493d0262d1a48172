"""End-to-end: train the a2m_gru feature recogniser, then `skelaug evaluate` real against generated-like sets."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SKELAUG, SOURCE_DIR, TempDirTest, catches, interrupt, run  # noqa: E402

CONFIG = os.path.join(SOURCE_DIR, "configs", "demo_a2m.yaml")


class Evaluate(TempDirTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        self.assertEqual(run(["data", "demo", "-o", self.data]).returncode, 0)
        self.run_dir = os.path.join(self.tmp, "a2m")
        result = run(["--log-level", "warning", "train", "recognizer", "--config", CONFIG, "data.train=" + self.data,
                      "run.dir=" + self.run_dir, "train.epochs=4", "recognizer.base_channels=32"], ranks=2)
        self.assertEqual(result.returncode, 0, result.stderr)
        best = os.path.join(self.run_dir, "best")
        self.checkpoint = os.path.join(best, [name for name in os.listdir(best) if name.endswith(".pt")][0])

    def noisy_copy(self, name, std, **changes):
        with np.load(self.data) as d:
            arrays = {k: d[k] for k in d.files}
        rng = np.random.default_rng(0)
        arrays["joints"] = (arrays["joints"] + rng.normal(0, std, arrays["joints"].shape)).astype(np.float32)
        arrays.update(changes)
        path = os.path.join(self.tmp, name)
        np.savez(path, **arrays)
        return path

    def evaluate(self, generated, *extra):
        report = os.path.join(self.tmp, os.path.basename(generated) + ".json")
        result = run(["--log-level", "warning", "evaluate", "--config", os.path.join(self.run_dir, "config.yaml"),
                      "--checkpoint", self.checkpoint, "--real", self.data, "--generated", generated, "-o", report,
                      "evaluate.repetitions=5"] + list(extra))
        return result, report

    def test_noise_raises_fid_and_jitter_and_the_report_is_complete(self):
        results = {}
        for std in (0.0, 0.3):
            result, report = self.evaluate(self.noisy_copy("noise%g.npz" % std, std))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("FID", result.stdout)
            with open(report) as f:
                results[std] = json.load(f)
            self.assertTrue(os.path.exists(report[:-5] + ".txt"))
        clean, noisy = results[0.0], results[0.3]
        for key in ("fid", "accuracy", "diversity", "multimodality"):
            self.assertIn(key, clean["generated"])
            self.assertEqual(len(clean["generated"][key]["values"]), 5)
        self.assertAlmostEqual(clean["generated"]["diversity"]["mean"], clean["real"]["diversity"]["mean"], places=6)
        self.assertGreater(noisy["generated"]["fid"]["mean"], 5 * clean["generated"]["fid"]["mean"], (noisy, clean))
        self.assertGreater(noisy["generated"]["fid"]["mean"], 5 * noisy["real"]["fid"]["mean"])
        self.assertLess(noisy["generated"]["accuracy"]["mean"], clean["generated"]["accuracy"]["mean"])
        self.assertGreater(noisy["fidelity"]["generated"]["jitter_m_s3"], 2 * noisy["fidelity"]["real"]["jitter_m_s3"])

    def test_sigterm_stops_it_with_exit_3_and_no_report(self):
        generated = self.noisy_copy("generated.npz", 0.1)
        report = os.path.join(self.tmp, "stopped.json")
        evaluation = subprocess.Popen([SKELAUG, "evaluate", "--config", os.path.join(self.run_dir, "config.yaml"),
                                       "--checkpoint", self.checkpoint, "--real", self.data, "--generated", generated,
                                       "-o", report, "evaluate.repetitions=100000"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)  # minutes of repetitions
        started = time.time()
        _, err = interrupt(evaluation, signal.SIGTERM, lambda: catches(evaluation, signal.SIGTERM) and time.time() > started + 3, timeout=60)
        self.assertEqual(evaluation.returncode, 3, err)
        self.assertRegex(err, r"skelaug: stopped: signal 15 (while embedding clips \(\d+ done\)|after \d+ of 100000 "
                              r"repetitions|after the evaluation, before its report); nothing was written")
        self.assertEqual([name for name in os.listdir(self.tmp) if name.startswith("stopped")], [])

    def test_a_set_of_other_classes_is_refused_in_one_line(self):
        other = self.noisy_copy("renamed.npz", 0.0, class_names=np.array(["c%d" % i for i in range(14)]))
        result, report = self.evaluate(other)
        self.assertUserError(result, "generated set")
        self.assertFalse(os.path.exists(report))


if __name__ == "__main__":
    unittest.main()
