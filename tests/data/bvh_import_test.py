"""End-to-end tests of `skelaug data import bvh`: the real CMU recordings through the CLI, read back with numpy, and
malformed input giving one error line and no output file."""
import os
import shutil
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402

CMU_DIR = os.path.join(SOURCE_DIR, "tests", "data", "fixtures", "cmu-bvh")
CMU_TO_METRES = "0.056444"  # 0.0254 / 0.45: the CMU skeleton's length unit


def load_npz(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


class BvhImport(TempDirTest):
    def setUp(self):
        super().setUp()
        self.inputs = os.path.join(self.tmp, "cmu")
        os.makedirs(self.inputs)
        for name in ("131_01.bvh", "131_03.bvh"):
            shutil.copy(os.path.join(CMU_DIR, name), self.inputs)
        self.out = os.path.join(self.tmp, "cmu.npz")

    def import_bvh(self, *options, inputs=None):
        return run(["data", "import", "bvh", inputs or self.inputs, "-o", self.out] + list(options))

    def test_cmu_directory_to_smpl24_at_30_fps(self):
        labels = self.write("labels.yaml", "131_01: walk\n131_03: hop\n")
        result = self.import_bvh("--topology", "smpl24", "--joint-map", "builtin", "--fps", "30",
                                 "--scale", CMU_TO_METRES, "--label-map", labels)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("2 clips, 525 frames, 2 classes, topology smpl24, 30 fps", result.stdout)
        data = load_npz(self.out)
        self.assertEqual(data["joints"].shape, (249 + 276, 24, 3))
        self.assertEqual(data["joints"].dtype, np.float32)
        self.assertEqual(data["offsets"].tolist(), [0, 249, 525])
        self.assertEqual(data["class_names"].tolist(), ["hop", "walk"])
        self.assertEqual(data["labels"].tolist(), [1, 0])
        self.assertEqual(str(data["topology"]), "smpl24")
        self.assertEqual(float(data["fps"]), 30.0)
        self.assertEqual(data["source"].tolist(), ["131_01.bvh", "131_03.bvh"])
        # A person in metres: thigh length (left_hip 1 -> left_knee 4) constant and human-sized.
        thigh = np.linalg.norm(data["joints"][:, 1] - data["joints"][:, 4], axis=1)
        self.assertTrue(0.3 < thigh.mean() < 0.55, thigh.mean())
        self.assertLess(thigh.max() - thigh.min(), 2e-5)

    def test_one_label_keeps_the_file_rate(self):
        result = self.import_bvh("--topology", "hml22", "--joint-map", "builtin", "--label", "locomotion",
                                 inputs=os.path.join(self.inputs, "131_01.bvh"))
        self.assertEqual(result.returncode, 0, result.stderr)
        data = load_npz(self.out)
        self.assertEqual(data["joints"].shape, (994, 22, 3))
        self.assertEqual(float(data["fps"]), 120.0)
        self.assertEqual(data["class_names"].tolist(), ["locomotion"])

    def test_malformed_file_is_one_line_and_nothing_is_written(self):
        with open(os.path.join(CMU_DIR, "131_03.bvh"), newline="") as source:
            lines = source.read().split("\n")
        lines[499] = lines[499].replace("0.0000", "nan", 1)  # line 500, frame 313
        bad = os.path.join(self.inputs, "131_03.bvh")
        with open(bad, "w", newline="") as out:
            out.write("\n".join(lines))
        result = self.import_bvh("--topology", "smpl24", "--joint-map", "builtin", "--label", "x")
        self.assertUserError(result, bad + ":500:", "of frame 313 is not finite")
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["cmu"])  # no temporary left behind either

    def test_missing_options_are_one_line(self):
        self.assertUserError(self.import_bvh("--label", "x"), "--topology", "smpl24")
        self.assertUserError(self.import_bvh("--topology", "smpl24", "--label", "x"), "--joint-map")
        self.assertUserError(self.import_bvh("--topology", "ntu25", "--joint-map", "builtin", "--label", "x"),
                             "no built-in BVH joint map to topology 'ntu25'")
        self.assertUserError(self.import_bvh("--topology", "smpl24", "--joint-map", "builtin"), "--label")
        self.assertFalse(os.path.exists(self.out))

    def test_help_lists_the_options(self):
        result = run(["data", "import", "bvh", "--help"])
        self.assertEqual(result.returncode, 0)
        for option in ("--topology", "--joint-map", "--fps", "--scale", "--label", "--label-map", "--output"):
            self.assertIn(option, result.stdout)


if __name__ == "__main__":
    unittest.main()
