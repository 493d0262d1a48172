"""End-to-end: `skelaug data demo`, `data info` and `data split` as a user calls them."""
import filecmp
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import TempDirTest, run  # noqa: E402


class DemoAndInfo(TempDirTest):
    def test_demo_is_deterministic_and_info_summarises_it(self):
        a, b, c = (os.path.join(self.tmp, name) for name in ("a.npz", "b.npz", "c.npz"))
        for path, seed in ((a, "1"), (b, "1"), (c, "2")):
            result = run(["data", "demo", "-o", path, "--seed", seed, "--clips-per-class", "6"])
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(filecmp.cmp(a, b, shallow=False))
        self.assertFalse(filecmp.cmp(a, c, shallow=False))

        data = np.load(a)
        counts = np.bincount(data["labels"])
        info = run(["data", "info", a])
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertIn(f"{len(data['labels'])} clips, {int(data['offsets'][-1])} frames, 14 classes, topology hml22, 20 fps",
                      info.stdout)
        lengths = np.diff(data["offsets"])
        self.assertIn(f"frames per clip: min {lengths.min()}, median {np.sort(lengths)[len(lengths) // 2]}", info.stdout)
        for label, name in enumerate(data["class_names"]):
            self.assertRegex(info.stdout, rf"\n +{label} {name} +{counts[label]} clips\n")
        self.assertIn(f"subjects: {len(np.unique(data['subject']))}", info.stdout)
        self.assertIn("test", set(data["split"]))  # even 6 clips per class reach both splits
        split, number = np.unique(data["split"], return_counts=True)
        self.assertIn("splits: " + " ".join(f"{s}={n}" for s, n in zip(split, number)), info.stdout)

    def test_info_on_bad_files_is_one_line(self):
        self.assertUserError(run(["data", "info", os.path.join(self.tmp, "missing.npz")]), "missing.npz")
        broken = self.write("broken.npz", "this is not a zip archive")
        self.assertUserError(run(["data", "info", broken]), "broken.npz", "not a valid .npz")
        array_only = os.path.join(self.tmp, "partial.npz")
        np.savez(array_only, joints=np.zeros((2, 22, 3), np.float32))
        self.assertUserError(run(["data", "info", array_only]), "partial.npz", "array 'topology' is missing")

    def test_a_compressed_entry_is_not_inflated_past_the_limit(self):
        # 64 MB of zeros deflate to about 64 kB: a small file must not be able to claim memory without bound.
        bomb = os.path.join(self.tmp, "bomb.npz")
        np.savez_compressed(bomb, joints=np.zeros((16 * 1024 * 1024,), np.float32))
        limited = dict(os.environ, SKELAUG_NPZ_MAX_BYTES="1000000")
        self.assertLess(os.path.getsize(bomb), 1000000)
        self.assertUserError(run(["data", "info", bomb], env=limited), "bomb.npz", "joints.npy",
                             "more than the 1000000 one entry may hold")

    def test_split_carves_a_validation_split_of_whole_subjects(self):
        demo, carved = os.path.join(self.tmp, "demo.npz"), os.path.join(self.tmp, "carved.npz")
        self.assertEqual(run(["data", "demo", "-o", demo, "--clips-per-class", "6"]).returncode, 0)
        real = np.load(demo)
        subjects = sorted(set(real["subject"][real["split"] == "train"].tolist()))
        chosen = subjects[-2:]
        result = run(["data", "split", demo, "--subjects", ",".join(map(str, chosen)), "-o", carved])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = np.load(carved)
        moved = (real["split"] == "train") & np.isin(real["subject"], chosen)
        expected = np.where(moved, "validation", real["split"])
        self.assertEqual(out["split"].tolist(), expected.tolist())
        self.assertGreater(moved.sum(), 0)
        for key in ("joints", "offsets", "labels", "subject"):
            np.testing.assert_array_equal(out[key], real[key])
        self.assertIn(f"{moved.sum()} clips of subjects {chosen[0]},{chosen[1]} moved from split 'train' to "
                      f"'validation'", result.stdout)
        # Bad requests: one line naming the file, nothing written.
        refused = os.path.join(self.tmp, "refused.npz")
        test_subject = int(real["subject"][real["split"] == "test"][0])
        self.assertUserError(run(["data", "split", demo, "--subjects", str(test_subject), "-o", refused]), "demo.npz",
                             f"subject {test_subject} has no clip in split 'train'")
        self.assertUserError(run(["data", "split", demo, "--subjects", ",".join(map(str, subjects)), "-o", refused]),
                             "demo.npz", "without clips")
        self.assertUserError(run(["data", "split", carved, "--subjects", str(subjects[0]), "-o", refused]),
                             "carved.npz", "split 'validation' already names clips")
        self.assertFalse(os.path.exists(refused))

    def test_demo_refuses_bad_options_and_writes_nothing(self):
        out = os.path.join(self.tmp, "x.npz")
        self.assertUserError(run(["data", "demo", "-o", out, "--clips-per-class", "0"]), "--clips-per-class")
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
