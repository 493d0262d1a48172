"""End-to-end tests of the pickle-format importers (humanact12, ntu-vibe, hml263) and the PYSKL exporter.

Each test writes small files in the public layouts (docs/data-formats.md) with known values, runs `skelaug`, and
reads what it wrote with numpy / pickle. The hml263 features are made from known joint trajectories by HumanML3D's
forward transform (written here independently), so the recovery is checked against the trajectories themselves.
"""
import json
import os
import pickle
import sys
import unittest

import joblib
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import TempDirTest, run  # noqa: E402

COARSE = ["warm_up", "walk", "run", "jump", "drink", "lift_dumbbell", "sit", "eat", "turn_steering_wheel", "phone",
          "boxing", "throw"]
# vibe18 joint j is VIBE joint VIBE18_FROM_49[j]: 0-14, 21, 24, 38 with the first and the ninth swapped.
VIBE18_FROM_49 = [8, 1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 21, 24, 38]


def load_npz(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def clip(dataset, i):
    return dataset["joints"][dataset["offsets"][i]:dataset["offsets"][i + 1]]


def dump_pickle(path, value):
    with open(path, "wb") as out:
        pickle.dump(value, out)
    return path


class PickleTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.rng = np.random.default_rng(7)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def assertImports(self, args):
        result = run(args)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = args[args.index("-o") + 1]
        self.assertTrue(os.path.isfile(out))
        return load_npz(out)

    def assertFailsCleanly(self, args, *fragments):
        self.assertUserError(run(args), *fragments)
        out = args[args.index("-o") + 1]
        self.assertFalse(os.path.exists(out), "an output file was left behind")
        self.assertEqual([f for f in os.listdir(os.path.dirname(out)) if ".tmp" in f], [])


# ---------------------------------------------------------------------------------------------------------------- #
class HumanAct12(PickleTest):
    def write_poses(self, lengths=(5, 3, 7), labels=(0, 11, 4), **changes):
        data = {
            "poses": [self.rng.normal(size=(n, 72)).astype(np.float32) for n in lengths],
            "joints3D": [self.rng.normal(size=(n, 24, 3)).astype(np.float32) for n in lengths],
            "y": list(labels),
        }
        data.update(changes)
        return dump_pickle(self.path("humanact12poses.pkl"), data), data

    def test_every_array(self):
        source, data = self.write_poses()
        out = self.path("ha.npz")
        dataset = self.assertImports(["data", "import", "humanact12", source, "-o", out])
        self.assertEqual(str(dataset["topology"]), "smpl24")
        self.assertEqual(float(dataset["fps"]), 20.0)
        self.assertEqual(list(dataset["class_names"]), COARSE)
        np.testing.assert_array_equal(dataset["offsets"], [0, 5, 8, 15])
        np.testing.assert_array_equal(dataset["labels"], [0, 11, 4])
        self.assertEqual(dataset["joints"].dtype, np.float32)
        for i in range(3):
            np.testing.assert_array_equal(clip(dataset, i), data["joints3D"][i])
        self.assertEqual(list(dataset["source"]), [f"{source}:{i}" for i in range(3)])

    def test_fps_option_and_numpy_int_labels(self):
        source, _ = self.write_poses(labels=[np.int64(3), np.int32(2), 1])
        out = self.path("ha.npz")
        dataset = self.assertImports(["data", "import", "humanact12", source, "-o", out, "--fps", "12.5"])
        self.assertEqual(float(dataset["fps"]), 12.5)
        np.testing.assert_array_equal(dataset["labels"], [3, 2, 1])

    def test_bad_files(self):
        out = self.path("out", "ha.npz")
        os.makedirs(os.path.dirname(out))
        args = lambda source: ["data", "import", "humanact12", source, "-o", out]  # noqa: E731

        source, data = self.write_poses()
        del data["joints3D"]
        dump_pickle(source, data)
        self.assertFailsCleanly(args(source), "humanact12poses.pkl: key 'joints3D' missing")

        source, _ = self.write_poses(joints3D=[np.zeros((5, 24, 3)), np.zeros((3, 23, 3)), np.zeros((7, 24, 3))])
        self.assertFailsCleanly(args(source), "humanact12poses.pkl", "joints3D[1]", "3x23x3", "Tx24x3")

        source, _ = self.write_poses(poses=[np.zeros((5, 72)), np.zeros((4, 72)), np.zeros((7, 72))])
        self.assertFailsCleanly(args(source), "poses[1] has 4 frames but joints3D[1] has 3")

        bad = np.zeros((7, 24, 3))
        bad[2, 5, 1] = np.nan
        source, _ = self.write_poses(joints3D=[np.zeros((5, 24, 3)), np.zeros((3, 24, 3)), bad])
        self.assertFailsCleanly(args(source), "joints3D[2]", "non-finite", "frame 2")

        source, _ = self.write_poses(labels=(0, 12, 1))
        self.assertFailsCleanly(args(source), "y[1] = 12")

        source, _ = self.write_poses(y=[0, 1])
        self.assertFailsCleanly(args(source), "different lengths")

        self.assertFailsCleanly(args(self.write("text.pkl", "not a pickle\n")), "text.pkl: not a readable pickle file")
        self.assertFailsCleanly(args(dump_pickle(self.path("list.pkl"), [1, 2])), "list.pkl: holds a list")
        self.assertFailsCleanly(args(self.path("missing.pkl")), "missing.pkl")

    def test_one_input_only(self):
        source, _ = self.write_poses()
        out = self.path("ha.npz")
        self.assertFailsCleanly(["data", "import", "humanact12", source, source, "-o", out], "one file")


# ---------------------------------------------------------------------------------------------------------------- #
class NtuVibe(PickleTest):
    def track(self, frames):
        # Every joint distinct, so a wrong index or a missed swap cannot go unnoticed.
        return {"pose": self.rng.normal(size=(frames, 72)), "joints3d": self.rng.normal(size=(frames, 49, 3)),
                "betas": np.zeros((frames, 10)), "frame_ids": np.arange(frames)}

    def write_videos(self):
        folder = self.path("vibe")
        os.makedirs(os.path.join(folder, "sub"))
        videos = {
            os.path.join(folder, "S001C002P003R001A006.pkl"): {3: self.track(4), 1: self.track(6)},
            os.path.join(folder, "sub", "S017C001P020R002A102.pkl"): {2: self.track(5)},
        }
        for name, content in videos.items():
            joblib.dump(content, name)
        return folder, videos

    def test_default_takes_the_lowest_person_id(self):
        folder, videos = self.write_videos()
        out = self.path("vibe.npz")
        dataset = self.assertImports(["data", "import", "ntu-vibe", folder, "-o", out])
        self.assertEqual(str(dataset["topology"]), "vibe18")
        self.assertEqual(float(dataset["fps"]), 30.0)
        self.assertEqual(len(dataset["class_names"]), 13)
        self.assertEqual(dataset["class_names"][0], "pickup")
        first, second = sorted(videos)
        np.testing.assert_array_equal(dataset["offsets"], [0, 6, 11])
        np.testing.assert_array_equal(dataset["labels"], [0, 12])
        np.testing.assert_array_equal(dataset["subject"], [3, 20])
        np.testing.assert_array_equal(dataset["camera"], [2, 1])
        self.assertEqual(list(dataset["source"]), [first, second])
        self.assertNotIn("body", dataset)
        np.testing.assert_allclose(clip(dataset, 0), videos[first][1]["joints3d"][:, VIBE18_FROM_49], rtol=1e-6)
        np.testing.assert_allclose(clip(dataset, 1), videos[second][2]["joints3d"][:, VIBE18_FROM_49], rtol=1e-6)

    def test_all_people_and_split(self):
        folder, videos = self.write_videos()
        out = self.path("vibe.npz")
        dataset = self.assertImports(["data", "import", "ntu-vibe", folder, "-o", out, "--all-people",
                                      "--split", "xview"])
        first, second = sorted(videos)
        np.testing.assert_array_equal(dataset["offsets"], [0, 6, 10, 15])
        np.testing.assert_array_equal(dataset["body"], [0, 1, 0])
        np.testing.assert_array_equal(dataset["labels"], [0, 0, 12])
        self.assertEqual(list(dataset["split"]), ["train", "train", "test"])  # cameras 2, 2, 1
        np.testing.assert_allclose(clip(dataset, 1), videos[first][3]["joints3d"][:, VIBE18_FROM_49], rtol=1e-6)

    def test_bad_files(self):
        out = self.path("vibe.npz")
        folder, videos = self.write_videos()
        first = sorted(videos)[0]
        args = ["data", "import", "ntu-vibe", folder, "-o", out]

        broken = dict(videos[first])
        broken[1] = {"pose": broken[1]["pose"]}
        joblib.dump(broken, first)
        self.assertFailsCleanly(args, "S001C002P003R001A006.pkl: person 1: key 'joints3d' missing")

        broken[1] = {"pose": np.zeros((6, 72)), "joints3d": np.zeros((6, 24, 3))}
        joblib.dump(broken, first)
        self.assertFailsCleanly(args, "S001C002P003R001A006.pkl", "6x24x3", "Tx49x3")

        broken[1] = {"pose": np.zeros((6, 72)), "joints3d": np.full((6, 49, 3), np.nan)}
        joblib.dump(broken, first)
        self.assertFailsCleanly(args, "S001C002P003R001A006.pkl", "non-finite")

        with open(first, "w") as text:
            text.write("garbage")
        self.assertFailsCleanly(args, "S001C002P003R001A006.pkl: not a readable pickle file")

        joblib.dump({1: self.track(3)}, self.path("S001C001P001R001A001.pkl"))
        self.assertFailsCleanly(["data", "import", "ntu-vibe", self.path("S001C001P001R001A001.pkl"), "-o", out],
                                "A001 is not one of NTU-VIBE's 13 actions")


# ---------------------------------------------------------------------------------------------------------------- #
def qrot(q, v):
    """Rotates vectors v (..., 3) by quaternions q (..., 4) = (w, x, y, z)."""
    axis = q[..., 1:]
    uv = np.cross(axis, v)
    uuv = np.cross(axis, uv)
    return v + 2 * (q[..., :1] * uv + uuv)


def heading_quaternion(half_angle):
    q = np.zeros(half_angle.shape + (4,))
    q[..., 0] = np.cos(half_angle)
    q[..., 2] = np.sin(half_angle)
    return q


def hml263_from_trajectory(joints, half_angle, rng):
    """HumanML3D's forward transform of world joints (T, 22, 3) whose heading quaternion has `half_angle` (T)."""
    frames = len(joints)
    q = heading_quaternion(half_angle)
    features = rng.normal(size=(frames, 263))  # rotations, local velocities, contacts: not used for positions
    features[:-1, 0] = half_angle[1:] - half_angle[:-1]
    step = joints[1:, 0] - joints[:-1, 0]
    step[:, 1] = 0
    features[:-1, 1:3] = qrot(q[1:], step)[:, [0, 2]]
    features[:, 3] = joints[:, 0, 1]
    local = joints[:, 1:].copy()
    local[..., 0] -= joints[:, :1, 0]
    local[..., 2] -= joints[:, :1, 2]
    features[:, 4:67] = qrot(np.repeat(q[:, None], 21, axis=1), local).reshape(frames, 63)
    return features.astype(np.float32)


def trajectory(frames, rng):
    """World joints of a figure that walks and turns: a root random walk and joints scattered around it."""
    joints = np.zeros((frames, 22, 3))
    joints[:, 0, 0] = np.cumsum(rng.normal(scale=0.05, size=frames))
    joints[:, 0, 2] = np.cumsum(rng.normal(scale=0.05, size=frames))
    joints[:, 0, [0, 2]] -= joints[0, 0, [0, 2]]  # HumanML3D's motions (and the recovery) start at the origin
    joints[:, 0, 1] = 0.9 + rng.normal(scale=0.01, size=frames)
    joints[:, 1:] = joints[:, :1] + rng.normal(scale=0.4, size=(frames, 21, 3))
    half_angle = np.cumsum(rng.normal(scale=0.2, size=frames)) + 0.4
    half_angle -= half_angle[0]  # the recovery starts from heading 0, as HumanML3D's canonicalised motions do
    return joints, half_angle


class Hml263(PickleTest):
    def write_humanact12(self, nan_motion=False):
        root = self.path("humanact12")
        motions = os.path.join(root, "new_joint_vecs_humanact")
        os.makedirs(motions)
        original = {"000001.npy": "P01G01R01F0001T0064A0101.npy", "000002.npy": "P02G01R02F0100T0200A0402.npy",
                    "000003.npy": "P03G02R01F0300T0400A1202.npy", "000004.npy": "P04G02R01F0001T0040A0201.npy"}
        with open(os.path.join(root, "humanact12_old_new_map.json"), "w") as out:
            json.dump(original, out)
        truth = {}
        for name, frames in (("000001.npy", 6), ("M000002.npy", 4), ("000003.npy", 5), ("000004.npy", 3)):
            joints, half_angle = trajectory(frames, self.rng)
            features = hml263_from_trajectory(joints, half_angle, self.rng)
            if nan_motion and name == "000004.npy":
                features[1, 7] = np.nan
            np.save(os.path.join(motions, name), features)
            truth[name] = joints
        train = dump_pickle(os.path.join(root, "48_train.pkl"), ["000001.npy", "M000002.npy", "000004.npy"])
        test = dump_pickle(os.path.join(root, "48_test.pkl"), ["000003.npy"])
        return train, test, truth

    def test_recovers_the_trajectories(self):
        train, test, truth = self.write_humanact12()
        out = self.path("hml.npz")
        dataset = self.assertImports(["data", "import", "hml263", test, train, "-o", out])  # order does not matter
        self.assertEqual(str(dataset["topology"]), "hml22")
        self.assertEqual(float(dataset["fps"]), 20.0)
        self.assertEqual(len(dataset["class_names"]), 34)
        self.assertEqual(dataset["class_names"][0], "warm_up_wristankle")
        self.assertEqual(dataset["class_names"][33], "throw_both_hands")
        self.assertEqual(list(dataset["source"]), ["000001.npy", "M000002.npy", "000004.npy", "000003.npy"])
        self.assertEqual(list(dataset["split"]), ["train", "train", "train", "test"])
        np.testing.assert_array_equal(dataset["labels"], [0, 10, 7, 33])
        np.testing.assert_array_equal(dataset["offsets"], [0, 6, 10, 13, 18])
        for i, name in enumerate(dataset["source"]):
            np.testing.assert_allclose(clip(dataset, i), truth[name], atol=2e-5, err_msg=name)

    def test_skips_non_finite_motions(self):
        train, test, _ = self.write_humanact12(nan_motion=True)
        out = self.path("hml.npz")
        dataset = self.assertImports(["data", "import", "hml263", train, test, "-o", out])  # (a warning is logged)
        self.assertEqual(list(dataset["source"]), ["000001.npy", "M000002.npy", "000003.npy"])

    def test_ntu_vibe_labels_and_explicit_motion_dir(self):
        motions = self.path("motions")
        os.makedirs(motions)
        joints, half_angle = trajectory(4, self.rng)
        np.save(os.path.join(motions, "S001C001P001R001A023.npy"), hml263_from_trajectory(joints, half_angle, self.rng))
        lst = dump_pickle(self.path("vibe_48_new_train.pkl"), ["S001C001P001R001A023"])  # ".npy" may be left off
        out = self.path("hml.npz")
        dataset = self.assertImports(["data", "import", "hml263", lst, "-o", out, "--labels", "ntu-vibe",
                                      "--motion-dir", motions])
        self.assertEqual(len(dataset["class_names"]), 13)
        np.testing.assert_array_equal(dataset["labels"], [5])  # A023, hand waving
        np.testing.assert_allclose(clip(dataset, 0), joints, atol=2e-5)

    def test_bad_files(self):
        train, test, _ = self.write_humanact12()
        root = os.path.dirname(train)
        out = self.path("hml.npz")
        args = ["data", "import", "hml263", train, test, "-o", out]

        np.save(os.path.join(root, "new_joint_vecs_humanact", "000003.npy"), np.zeros((5, 262), dtype=np.float32))
        self.assertFailsCleanly(args, "000003.npy", "5x262", "Tx263")

        dump_pickle(test, ["000009.npy"])
        self.assertFailsCleanly(args, "48_test.pkl: entry '000009.npy': no file")

        dump_pickle(test, {"000003.npy": 1})
        self.assertFailsCleanly(args, "48_test.pkl: the split list is a dict")

        self.write("humanact12/48_test.pkl", "not a pickle")
        self.assertFailsCleanly(args, "48_test.pkl: not a readable pickle file")

        dump_pickle(test, ["000003.npy"])
        np.save(os.path.join(root, "new_joint_vecs_humanact", "000003.npy"), np.zeros((5, 263), dtype=np.float32))
        with open(os.path.join(root, "humanact12_old_new_map.json"), "w") as mapping:
            json.dump({"000001.npy": "xA0101.npy"}, mapping)
        self.assertFailsCleanly(args, "humanact12_old_new_map.json: no entry for motion '000002.npy'")

        with open(os.path.join(root, "humanact12_old_new_map.json"), "w") as mapping:
            json.dump({"000001.npy": "P01A9999.npy", "000002.npy": "A0101", "000003.npy": "A0101",
                       "000004.npy": "A0101"}, mapping)
        self.assertFailsCleanly(args, "'000001.npy' (originally P01A9999.npy)", "'A9999' is not one of the 34")

        self.assertFailsCleanly(["data", "import", "hml263", train, train, "-o", out], "both the train split")
        self.assertFailsCleanly(["data", "import", "hml263", train, "-o", out, "--motion-dir", self.path("nowhere")],
                                "nowhere: no such directory")


# ---------------------------------------------------------------------------------------------------------------- #
class PysklExport(PickleTest):
    def export(self, dataset_file, *extra):
        out = self.path("pyskl.pkl")
        result = run(["data", "export", "pyskl", dataset_file, "-o", out, *extra])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, "rb") as stream:
            return pickle.load(stream)

    def test_round_trip_one_body_per_clip(self):
        lengths, labels = (5, 3, 7), (2, 0, 9)
        data = {"poses": [np.zeros((n, 72)) for n in lengths],
                "joints3D": [self.rng.normal(size=(n, 24, 3)) for n in lengths], "y": list(labels)}
        source = dump_pickle(self.path("humanact12poses.pkl"), data)
        npz = self.path("ha.npz")
        self.assertEqual(run(["data", "import", "humanact12", source, "-o", npz]).returncode, 0)
        dataset = load_npz(npz)

        content = self.export(npz)
        self.assertEqual(sorted(content), ["annotations", "split"])
        annotations = content["annotations"]
        self.assertEqual(len(annotations), 3)
        frame_dirs = [a["frame_dir"] for a in annotations]
        self.assertEqual(frame_dirs, ["humanact12poses_0", "humanact12poses_1", "humanact12poses_2"])
        self.assertEqual(content["split"], {"xsub_train": frame_dirs})
        for i, annotation in enumerate(annotations):
            self.assertEqual(sorted(annotation), ["frame_dir", "keypoint", "label", "total_frames"])
            self.assertIsInstance(annotation["label"], int)
            self.assertIsInstance(annotation["total_frames"], int)
            self.assertEqual(annotation["label"], labels[i])
            self.assertEqual(annotation["total_frames"], lengths[i])
            self.assertEqual(annotation["keypoint"].dtype, np.float32)
            self.assertEqual(annotation["keypoint"].shape, (1, lengths[i], 24, 3))
            np.testing.assert_array_equal(annotation["keypoint"][0], clip(dataset, i))

    def test_bodies_of_one_recording_are_grouped(self):
        folder = self.path("vibe")
        os.makedirs(folder)
        tracks = {1: self.rng.normal(size=(6, 49, 3)), 4: self.rng.normal(size=(4, 49, 3))}
        joblib.dump({k: {"pose": np.zeros((len(v), 72)), "joints3d": v} for k, v in tracks.items()},
                    os.path.join(folder, "S001C002P003R001A024.pkl"))
        joblib.dump({1: {"pose": np.zeros((2, 72)), "joints3d": self.rng.normal(size=(2, 49, 3))}},
                    os.path.join(folder, "S001C001P003R001A038.pkl"))
        npz = self.path("vibe.npz")
        result = run(["data", "import", "ntu-vibe", folder, "-o", npz, "--all-people", "--split", "xview"])
        self.assertEqual(result.returncode, 0, result.stderr)
        dataset = load_npz(npz)

        content = self.export(npz, "--split-name", "xview")
        annotations = content["annotations"]
        self.assertEqual([a["frame_dir"] for a in annotations], ["S001C001P003R001A038", "S001C002P003R001A024"])
        self.assertEqual(content["split"], {"xview_val": ["S001C001P003R001A038"],
                                            "xview_train": ["S001C002P003R001A024"]})
        self.assertEqual([a["label"] for a in annotations], [7, 6])
        single, pair = annotations
        self.assertEqual(single["keypoint"].shape, (1, 2, 18, 3))
        np.testing.assert_array_equal(single["keypoint"][0], clip(dataset, 0))
        self.assertEqual(pair["keypoint"].shape, (2, 6, 18, 3))
        self.assertEqual(pair["total_frames"], 6)
        np.testing.assert_array_equal(pair["keypoint"][0], clip(dataset, 1))
        np.testing.assert_array_equal(pair["keypoint"][1, :4], clip(dataset, 2))
        np.testing.assert_array_equal(pair["keypoint"][1, 4:], 0)  # the shorter body is padded with zeros
        np.testing.assert_allclose(pair["keypoint"][1, :4], tracks[4][:, VIBE18_FROM_49], rtol=1e-6)

    def test_bad_inputs(self):
        self.assertUserError(run(["data", "export", "pyskl", self.path("none.npz"), "-o", self.path("x.pkl")]),
                             "none.npz")
        self.assertFalse(os.path.exists(self.path("x.pkl")))
        data = {"poses": [np.zeros((2, 72))], "joints3D": [np.zeros((2, 24, 3))], "y": [1]}
        source = dump_pickle(self.path("humanact12poses.pkl"), data)
        npz = self.path("ha.npz")
        self.assertEqual(run(["data", "import", "humanact12", source, "-o", npz]).returncode, 0)
        self.assertUserError(run(["data", "export", "pyskl", npz, "-o", self.path("no", "dir", "x.pkl")]),
                             "x.pkl: cannot write")


if __name__ == "__main__":
    unittest.main()
