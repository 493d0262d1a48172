"""End-to-end tests of `skelaug data import ntu-skeleton`: NTU RGB+D raw .skeleton files, written here in the public
layout with known values, imported through the CLI and read back with numpy."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import TempDirTest, run  # noqa: E402

ID_A = 72057594037931101
ID_B = 72057594037931102


def position(tag, frame, joint, coord):
    """A distinct, exactly representable value per body tag, frame, joint and coordinate."""
    return tag + frame * 0.125 + joint * 0.0078125 + coord * 1.5 - 0.75


def ntu_text(frames, moving=None, eol="\r\n"):
    """frames: per frame, a list of (bodyID, tag). Bodies whose ID is not in `moving` (when given) keep frame 0's pose.
    Depth, colour and orientation columns hold values no position has."""
    lines = [str(len(frames))]
    for f, bodies in enumerate(frames):
        lines.append(str(len(bodies)))
        for body_id, tag in bodies:
            pose_frame = f if moving is None or body_id in moving else 0
            lines.append(f"{body_id} 0 1 1 1 1 0 -0.2377 0.1843 2")
            lines.append("25")
            for j in range(25):
                x, y, z = (position(tag, pose_frame, j, c) for c in range(3))
                lines.append(f"{x!r} {y!r} {z!r} 277.{j} 191.5 1032.75 541.25 -0.2{j} 0.04 0.96 -0.03 2")
    return eol.join(lines) + eol


def load_npz(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def expected_clip(tag, frames):
    return np.array([[[position(tag, f, j, c) for c in range(3)] for j in range(25)] for f in frames], np.float32)


class NtuImport(TempDirTest):
    def setUp(self):
        super().setUp()
        self.inputs = os.path.join(self.tmp, "nturgb+d_skeletons")
        os.makedirs(self.inputs)
        self.out = os.path.join(self.tmp, "ntu.npz")

    def skeleton(self, name, text):
        path = os.path.join(self.inputs, name)
        with open(path, "w", newline="") as out:
            out.write(text)
        return path

    def import_ntu(self, *options):
        return run(["data", "import", "ntu-skeleton", self.inputs, "-o", self.out] + list(options))

    def test_main_bodies_labels_subjects_cameras_and_splits(self):
        # One actor with empty frames around it; one recording of two people where B moves and A stands still.
        self.skeleton("S001C002P003R001A010.skeleton", ntu_text([[], [(ID_A, 1)], [(ID_A, 1)], []]))
        self.skeleton("S002C001P045R002A050.skeleton",
                      ntu_text([[(ID_A, 0), (ID_B, 5)]] * 3 + [[(ID_B, 5)]], moving={ID_B}))
        result = self.import_ntu("--split", "xsub")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("2 clips, 6 frames, 60 classes, topology ntu25, 30 fps", result.stdout)
        data = load_npz(self.out)
        self.assertEqual(str(data["topology"]), "ntu25")
        self.assertEqual(float(data["fps"]), 30.0)
        self.assertEqual(len(data["class_names"]), 60)
        self.assertEqual(data["class_names"][9], "clapping")
        np.testing.assert_array_equal(data["offsets"], [0, 2, 6])
        np.testing.assert_array_equal(data["labels"], [9, 49])
        np.testing.assert_array_equal(data["subject"], [3, 45])
        np.testing.assert_array_equal(data["camera"], [2, 1])
        np.testing.assert_array_equal(data["body"], [0, 0])
        self.assertEqual(list(data["split"]), ["test", "train"])
        self.assertTrue(data["source"][1].endswith("S002C001P045R002A050.skeleton"))
        np.testing.assert_array_equal(data["joints"][0:2], expected_clip(1, [1, 2]))
        np.testing.assert_array_equal(data["joints"][2:6], expected_clip(5, [0, 1, 2, 3]))  # B, the mover

    def test_both_bodies_and_cross_view(self):
        self.skeleton("S003C003P001R001A061.skeleton",
                      ntu_text([[(ID_A, 0), (ID_B, 5)], [(ID_B, 5), (ID_A, 0)]], moving={ID_B}, eol="\n"))
        result = self.import_ntu("--bodies", "both", "--split", "xview")
        self.assertEqual(result.returncode, 0, result.stderr)
        data = load_npz(self.out)
        self.assertEqual(len(data["class_names"]), 120)
        np.testing.assert_array_equal(data["labels"], [60, 60])
        np.testing.assert_array_equal(data["body"], [0, 1])
        self.assertEqual(list(data["split"]), ["train", "train"])
        np.testing.assert_array_equal(data["joints"][0:2], expected_clip(5, [0, 1]))
        np.testing.assert_array_equal(data["joints"][2:4], expected_clip(0, [0, 0]))
        self.assertEqual(self.import_ntu("--bodies", "both", "--max-bodies", "1").returncode, 0)
        self.assertEqual(len(load_npz(self.out)["labels"]), 1)

    def test_bad_files_are_one_error_with_file_and_line_and_no_output(self):
        good = ntu_text([[(ID_A, 1)]]).split("\r\n")
        cases = [
            ("\r\n".join(good[:20]), "S001C001P001R001A001.skeleton:21: the file ends early"),
            ("\r\n".join(good[:26] + [good[26].rsplit(" ", 1)[0]] + good[27:]),
             "S001C001P001R001A001.skeleton:27: expected 12 numbers, got 11"),
            ("\r\n".join(good[:3] + ["24"] + good[4:]), "S001C001P001R001A001.skeleton:4: expected 25 joints, got 24"),
            ("\r\n".join(["2"] + good[1:]), "S001C001P001R001A001.skeleton:30: the file ends early"),
            ("\r\n".join(good[:9] + ["nan " + good[9].split(" ", 1)[1]] + good[10:]),
             "S001C001P001R001A001.skeleton:10: 'nan' is not a finite number"),
            ("\x00\x01garbage\xff", "S001C001P001R001A001.skeleton:1: the frame count"),
        ]
        for text, fragment in cases:
            with self.subTest(fragment=fragment):
                self.skeleton("S001C001P001R001A001.skeleton", text)
                self.assertUserError(self.import_ntu(), fragment)
                self.assertFalse(os.path.exists(self.out))
                self.assertEqual(os.listdir(self.tmp), ["nturgb+d_skeletons"])  # no temporary left either

    def test_bad_names_and_options(self):
        self.skeleton("clip.skeleton", ntu_text([[(ID_A, 1)]]))
        self.assertUserError(self.import_ntu(), "clip.skeleton", "SsssCcccPpppRrrrAaaa")
        os.remove(os.path.join(self.inputs, "clip.skeleton"))
        self.skeleton("S001C001P001R001A001.skeleton", ntu_text([[(ID_A, 1)]]))
        self.assertUserError(self.import_ntu("--split", "xsetup"), "--split")
        self.assertUserError(self.import_ntu("--bodies", "all"), "--bodies")
        self.assertUserError(self.import_ntu("--max-bodies", "0"), "--max-bodies")
        self.assertFalse(os.path.exists(self.out))


if __name__ == "__main__":
    unittest.main()
