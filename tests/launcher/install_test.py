"""`cmake --install` gives a working, relocatable skelaug: the installed program (moved elsewhere after installing)
makes the demo dataset, trains a generator with an installed config, samples from it and imports a pickle through its
installed Python helpers, all from a directory outside the source and build trees."""
import os
import pickle
import shutil
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SKELAUG, TempDirTest  # noqa: E402

BUILD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(SKELAUG)))  # <build>/bin/skelaug
SMALL = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
         "generator.decoder_layers=1", "data.clip_length=16", "train.batch_size=8", "train.max_steps=2"]


class Install(TempDirTest):
    def installed(self, *args, cwd):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SKELAUG_")}
        result = subprocess.run([self.program] + list(args), cwd=cwd, capture_output=True, text=True, timeout=240,
                                env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_installed_program_works_from_another_directory(self):
        prefix = os.path.join(self.tmp, "prefix")
        result = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], capture_output=True, text=True,
                                timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        moved = os.path.join(self.tmp, "moved")  # an installed prefix keeps working when moved as a whole
        shutil.move(prefix, moved)
        self.program = os.path.join(moved, "bin", "skelaug")
        share = os.path.join(moved, "share", "skelaug")
        for script in ("common.py", "humanact12.py", "ntu_vibe.py", "hml263.py", "pyskl_export.py"):
            self.assertTrue(os.path.isfile(os.path.join(share, "pickle_formats", script)), script)
        config = os.path.join(share, "configs", "demo.yaml")
        self.assertTrue(os.path.isfile(config))

        work = os.path.join(self.tmp, "work")
        os.makedirs(work)
        self.installed("data", "demo", "-o", "demo.npz", "--clips-per-class", "4", cwd=work)
        self.installed("--log-level", "warning", "train", "generator", "--config", config, "data.train=demo.npz",
                       "run.dir=run", *SMALL, cwd=work)
        checkpoint = os.path.join("run", "checkpoints", "checkpoint-000000002.pt")
        sampled = self.installed("sample", "--config", "run/config.yaml", "--checkpoint", checkpoint, "--per-class",
                                 "1", "-o", "generated", "sample.ddim_steps=2", cwd=work)
        self.assertIn("generated: 14 generated clips in 1 shards (1 made now, 0 found done), 16 frames each",
                      sampled.stdout)
        self.installed("data", "merge", "generated", "-o", "generated.npz", cwd=work)
        generated = np.load(os.path.join(work, "generated.npz"))
        self.assertEqual(list(generated["labels"]), list(range(14)))

        rng = np.random.default_rng(0)
        poses = {"poses": [rng.normal(size=(n, 72)).astype(np.float32) for n in (5, 3)],
                 "joints3D": [rng.normal(size=(n, 24, 3)).astype(np.float32) for n in (5, 3)], "y": [0, 4]}
        with open(os.path.join(work, "humanact12poses.pkl"), "wb") as out:
            pickle.dump(poses, out)
        self.installed("data", "import", "humanact12", "humanact12poses.pkl", "-o", "humanact12.npz", cwd=work)
        imported = np.load(os.path.join(work, "humanact12.npz"))
        self.assertEqual(list(imported["offsets"]), [0, 5, 8])


if __name__ == "__main__":
    unittest.main()
