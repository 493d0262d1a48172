"""MSR Action3D, the first real recordings, through `skelaug data import text` with the shipped msr20 topology and
label map, as the README tells users to import it. The dataset is not in the project (no licence is stated): the test
reads ../shared/data/msr-action3d beside the checkout and skips, saying why, where it is absent."""
import os
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402

ARCHIVE = os.path.join(os.path.dirname(os.path.abspath(SOURCE_DIR)), "shared", "data", "msr-action3d",
                       "msr_action3d_skeleton3D.tar.xz")


def import_command(inputs, out):
    return ["data", "import", "text", inputs, "-o", out, "--topology",
            os.path.join(SOURCE_DIR, "configs", "topologies", "msr20.yaml"), "--fps", "15", "--columns", "x,y,z,c",
            "--name-pattern", "a{label}_s{subject}_e{repetition}_skeleton3D.txt", "--label-map",
            os.path.join(SOURCE_DIR, "configs", "labels", "msr_action3d.yaml"), "--train-subjects", "1,3,5,7,9"]


@unittest.skipUnless(os.path.exists(ARCHIVE), f"MSR Action3D is not at {ARCHIVE} (it cannot be shipped)")
class MsrAction3D(TempDirTest):
    def test_the_cross_subject_import(self):
        subprocess.run(["tar", "-xJf", ARCHIVE, "-C", self.tmp], check=True)
        out = os.path.join(self.tmp, "msr.npz")
        imported = run(import_command(os.path.join(self.tmp, "msr_action3d"), out))
        self.assertEqual(imported.returncode, 0, imported.stderr)
        self.assertIn("a13_s09_e02_skeleton3D.txt: skipped: no frame with a tracked joint", imported.stderr)
        self.assertIn("files_used_in_cvpr12_paper.txt", imported.stderr)  # left out: its name matches no pattern
        self.assertIn("566 clips", imported.stdout)
        self.assertIn("1113 all-zero frames dropped", imported.stderr)  # Kinect frames where nothing was tracked
        with np.load(out) as data:
            self.assertEqual(len(data["labels"]), 566)
            self.assertEqual(len(data["class_names"]), 20)
            self.assertEqual(data["class_names"][0], "high_arm_wave")
            self.assertEqual(data["class_names"][19], "pick_up_and_throw")
            self.assertEqual(sorted(set(data["subject"].tolist())), list(range(1, 11)))
            self.assertEqual(int(np.sum(data["subject"] == 4)), 38)
            self.assertEqual(int(np.sum(data["labels"] == 14)), 20)  # side kick
            odd = data["subject"] % 2 == 1
            self.assertTrue((data["split"][odd] == "train").all())
            self.assertTrue((data["split"][~odd] == "test").all())
            self.assertEqual(str(data["topology"]), "msr20")
            self.assertEqual(data["topology_joints"][0], "hip_centre")  # the root first
            lengths = np.diff(data["offsets"])
            self.assertEqual(int(lengths.min()), 9)  # 13 in the files, before all-zero frames are dropped
            self.assertEqual(int(lengths.max()), 196)  # a13_s09_e03: 936 rows of frames, mostly all zero
            joints = data["joints"]
            self.assertTrue(np.isfinite(joints).all())
            # Real-world metres, y up: the head is above the hip centre, people stand 2-4 m from the camera.
            head, hips = list(data["topology_joints"]).index("head"), 0
            self.assertGreater(float(np.median(joints[:, head, 1] - joints[:, hips, 1])), 0.3)
            self.assertTrue(1.5 < float(np.median(joints[:, hips, 2])) < 4.5)


if __name__ == "__main__":
    unittest.main()
