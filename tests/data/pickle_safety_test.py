"""The pickle readers load only what the datasets hold, and answer damaged files cleanly.

- A pickle that asks for anything beyond numpy arrays and scalars, dicts, lists, tuples, strings and numbers (the way a
  crafted pickle runs code) is refused by each of the three readers, with one line naming the file and what it asked
  for, and the code never runs.
- hml263's split lists cannot lead out of the motion directory.
- Fuzzing: each reader, run in-process on a few hundred randomly damaged copies of a valid input, either succeeds or
  raises its one-line InputError; any other exception (a traceback for the user) fails the test. The counts are
  printed (the README quotes them).
"""
import json
import os
import pickle
import random
import sys
import unittest

import joblib
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, error_lines, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "data", "pickle_formats"))
import common  # noqa: E402
import hml263  # noqa: E402
import humanact12  # noqa: E402
import ntu_vibe  # noqa: E402

FUZZ_CASES = 300


class Payload:
    """Unpickling this would run `touch <marker>`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class RestrictedLoading(TempDirTest):
    def setUp(self):
        super().setUp()
        self.marker = os.path.join(self.tmp, "code-ran")
        self.rng = np.random.default_rng(0)

    def assertRefused(self, args, file_name):
        result = run(args)
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = error_lines(result.stderr)
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(file_name, lines[0])
        self.assertIn("refused: the pickle asks for posix.system", lines[0])
        self.assertFalse(os.path.exists(self.marker), "the pickle's code ran")

    def test_a_code_running_pickle_is_refused_by_every_reader(self):
        poses = os.path.join(self.tmp, "humanact12poses.pkl")
        with open(poses, "wb") as out:
            pickle.dump({"poses": [np.zeros((2, 72))], "joints3D": [Payload(self.marker)], "y": [0]}, out)
        self.assertRefused(["data", "import", "humanact12", poses, "-o", os.path.join(self.tmp, "a.npz")],
                           "humanact12poses.pkl")

        vibe = os.path.join(self.tmp, "vibe")
        os.makedirs(vibe)
        joblib.dump({1: {"pose": np.zeros((2, 72)), "joints3d": Payload(self.marker)}},
                    os.path.join(vibe, "S001C001P001R001A006.pkl"))
        self.assertRefused(["data", "import", "ntu-vibe", vibe, "-o", os.path.join(self.tmp, "b.npz")],
                           "S001C001P001R001A006.pkl")

        motions = os.path.join(self.tmp, "new_joint_vecs_humanact")
        os.makedirs(motions)
        with open(os.path.join(self.tmp, "humanact12_old_new_map.json"), "w") as out:
            json.dump({}, out)
        split = os.path.join(self.tmp, "48_train.pkl")
        with open(split, "wb") as out:
            pickle.dump([Payload(self.marker)], out)
        self.assertRefused(["data", "import", "hml263", split, "-o", os.path.join(self.tmp, "c.npz"),
                            "--motion-dir", motions], "48_train.pkl")

    def test_split_entries_cannot_leave_the_motion_directory(self):
        motions = os.path.join(self.tmp, "motions")
        os.makedirs(motions)
        outside = os.path.join(self.tmp, "outside.npy")
        np.save(outside, np.zeros((4, 263), np.float32))
        os.symlink(outside, os.path.join(motions, "linked.npy"))
        with open(os.path.join(self.tmp, "map.json"), "w") as out:
            json.dump({}, out)
        for entry in ("../outside.npy", outside, "linked.npy"):
            split = os.path.join(self.tmp, "split.pkl")
            with open(split, "wb") as out:
                pickle.dump([entry], out)
            with self.assertRaises(common.InputError) as caught:
                hml263.run([os.path.join(self.tmp, "x.npz"), motions, os.path.join(self.tmp, "map.json"),
                            "train=" + split])
            self.assertIn("leads outside the motion directory", str(caught.exception))


def damaged(data, rng):
    """A random damage of `data`: flipped bytes, a truncation, or a span overwritten or duplicated."""
    data = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        start = rng.randrange(len(data))
        data[start:start + rng.randrange(1, 64)] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    else:
        start = rng.randrange(len(data))
        span = data[start:start + rng.randrange(1, 128)]
        data[start:start] = span
    return bytes(data)


class Fuzz(TempDirTest):
    def fuzz(self, name, valid_bytes, target, call):
        """Writes FUZZ_CASES damaged copies of `valid_bytes` to `target` and calls `call()` on each."""
        rng = random.Random(name)
        clean_errors = successes = 0
        for case in range(FUZZ_CASES):
            with open(target, "wb") as out:
                out.write(damaged(valid_bytes, rng))
            try:
                call()
                successes += 1
            except common.InputError:
                clean_errors += 1
            except Exception as error:  # a traceback the user would see
                self.fail(f"{name} case {case}: {type(error).__name__}: {error}")
        print(f"fuzz {name}: {FUZZ_CASES} damaged files, {clean_errors} clean errors, {successes} read", file=sys.stderr)
        self.assertEqual(clean_errors + successes, FUZZ_CASES)

    def test_humanact12(self):
        rng = np.random.default_rng(1)
        valid = pickle.dumps({"poses": [rng.normal(size=(n, 72)).astype(np.float32) for n in (3, 2)],
                              "joints3D": [rng.normal(size=(n, 24, 3)).astype(np.float32) for n in (3, 2)],
                              "y": [1, 7]}, protocol=4)
        source = os.path.join(self.tmp, "poses.pkl")
        self.fuzz("humanact12", valid, source, lambda: humanact12.run([source, os.path.join(self.tmp, "out.npz")]))

    def test_ntu_vibe(self):
        rng = np.random.default_rng(2)
        source = os.path.join(self.tmp, "S001C001P001R001A006.pkl")
        joblib.dump({1: {"pose": rng.normal(size=(3, 72)), "joints3d": rng.normal(size=(3, 49, 3))}}, source)
        with open(source, "rb") as f:
            valid = f.read()
        listing = os.path.join(self.tmp, "list")
        with open(listing, "wb") as out:
            out.write(source.encode() + b"\0")
        self.fuzz("ntu_vibe", valid, source, lambda: ntu_vibe.run([listing, os.path.join(self.tmp, "out.npz")]))

    def test_hml263_split_list(self):
        motions = os.path.join(self.tmp, "motions")
        os.makedirs(motions)
        for name in ("000001.npy", "000002.npy"):
            np.save(os.path.join(motions, name), np.zeros((4, 263), np.float32))
        mapping = os.path.join(self.tmp, "map.json")
        with open(mapping, "w") as out:
            json.dump({"000001.npy": "P01A0101.npy", "000002.npy": "P02A0201.npy"}, out)
        split = os.path.join(self.tmp, "48_train.pkl")
        valid = pickle.dumps(["000001.npy", "000002.npy"], protocol=2)
        self.fuzz("hml263", valid, split,
                  lambda: hml263.run([os.path.join(self.tmp, "out.npz"), motions, mapping, "train=" + split]))


if __name__ == "__main__":
    unittest.main()
