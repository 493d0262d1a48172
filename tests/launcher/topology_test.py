"""Any skeleton, end to end: `skelaug data topology` prints the shipped topology files; datasets on a custom 15-joint and
a custom 20-joint topology, written by plain numpy with the definition beside the joints, are read, trained on by every
recogniser and the generator, exported to PYSKL and evaluated; bad topology files are refused in one line."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402

# name: (joints, parents by name); the root first.
SKELETONS = {
    "body15": [("pelvis", None), ("spine", "pelvis"), ("neck", "spine"), ("l_shoulder", "neck"),
               ("l_elbow", "l_shoulder"), ("l_hand", "l_elbow"), ("r_shoulder", "neck"), ("r_elbow", "r_shoulder"),
               ("r_hand", "r_elbow"), ("l_hip", "pelvis"), ("l_knee", "l_hip"), ("l_foot", "l_knee"),
               ("r_hip", "pelvis"), ("r_knee", "r_hip"), ("r_foot", "r_knee")],
    # MSR Action3D's Kinect v1 layout, root first.
    "kinect20": [("hip_centre", None), ("spine", "hip_centre"), ("neck", "spine"), ("head", "neck"),
                 ("shoulder_l", "neck"), ("elbow_l", "shoulder_l"), ("wrist_l", "elbow_l"), ("hand_l", "wrist_l"),
                 ("shoulder_r", "neck"), ("elbow_r", "shoulder_r"), ("wrist_r", "elbow_r"), ("hand_r", "wrist_r"),
                 ("hip_l", "hip_centre"), ("knee_l", "hip_l"), ("ankle_l", "knee_l"), ("foot_l", "ankle_l"),
                 ("hip_r", "hip_centre"), ("knee_r", "hip_r"), ("ankle_r", "knee_r"), ("foot_r", "ankle_r")],
}
RECOGNISERS = ["stgcn_pp", "ctrgcn", "msg3d", "blockgcn", "a2m_gru"]


def write_dataset(path, name, skeleton, classes=3, clips_per_class=6, seed=0):
    """Clips of three movements (one arm, the other arm, both legs swinging) with the whole definition stored."""
    rng = np.random.default_rng(seed)
    names = [joint for joint, _ in skeleton]
    parents = np.array([-1 if parent is None else names.index(parent) for _, parent in skeleton], dtype=np.int64)
    rest = np.zeros((len(names), 3))
    for j in range(1, len(names)):  # each joint 12 cm from its parent, in a direction fixed per joint
        direction = rng.normal(size=3)
        rest[j] = rest[parents[j]] + 0.12 * direction / np.linalg.norm(direction)
    left = [j for j, n in enumerate(names) if n.startswith("l_") or n.endswith("_l")]
    right = [j for j, n in enumerate(names) if n.startswith("r_") or n.endswith("_r")]
    legs = [j for j, n in enumerate(names) if any(part in n for part in ("hip_", "knee", "ankle", "foot"))]
    moving = [left, right, legs]
    joints, offsets, labels, split, subject = [], [0], [], [], []
    for label in range(classes):
        for clip in range(clips_per_class):
            frames = int(rng.integers(20, 30))
            t = np.arange(frames)[:, None] / 15.0
            clip_joints = np.repeat(rest[None], frames, axis=0) + rng.normal(scale=0.005, size=(frames, len(names), 3))
            clip_joints[:, moving[label], 2] += 0.2 * np.sin(2 * np.pi * (1 + 0.1 * clip) * t)
            clip_joints[:, :, 1] += 1.0
            joints.append(clip_joints.astype(np.float32))
            offsets.append(offsets[-1] + frames)
            labels.append(label)
            subject.append(clip % 2)
            split.append("train" if clip % 2 == 0 else "test")
    mirror = [(names.index(n), names.index(n.replace("l_", "r_", 1) if n.startswith("l_") else n[:-2] + "_r"))
              for n in names if n.startswith("l_") or n.endswith("_l")]
    feet = [j for j, n in enumerate(names) if "foot" in n]
    np.savez(path, joints=np.concatenate(joints), offsets=np.array(offsets, dtype=np.int64),
             labels=np.array(labels, dtype=np.int64), class_names=np.array([f"move{c}" for c in range(classes)]),
             topology=np.array(name), fps=np.array(15.0), subject=np.array(subject, dtype=np.int64),
             split=np.array(split), topology_joints=np.array(names), topology_parents=parents,
             topology_mirror=np.array(mirror, dtype=np.int64).reshape(-1, 2), topology_feet=np.array(feet, dtype=np.int64),
             topology_up=np.array("y"), topology_groups=np.array([], dtype="<U1"),
             topology_group_joints=np.zeros((0, 0), dtype=np.int64))


class Topology(TempDirTest):
    def test_the_shipped_topology_files_are_what_skelaug_data_topology_prints(self):
        for name in ("smpl24", "hml22", "ntu25", "vibe18"):
            printed = run(["data", "topology", name])
            self.assertEqual(printed.returncode, 0, printed.stderr)
            with open(os.path.join(SOURCE_DIR, "configs", "topologies", name + ".yaml")) as f:
                self.assertEqual(printed.stdout, f.read(), name)
        bad = self.write("bad.yaml", "name: bad\njoints:\n  - {name: root}\n  - {name: a, parent: b}\n")
        self.assertUserError(run(["data", "topology", bad]), "bad.yaml:4: joint 'b' (the parent of 'a') is not among")

    def test_custom_topologies_train_every_recogniser_and_the_generator(self):
        recogniser = os.path.join(SOURCE_DIR, "configs", "demo_recognizer.yaml")
        generator = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
        for name, skeleton in SKELETONS.items():
            data = os.path.join(self.tmp, name + ".npz")
            write_dataset(data, name, skeleton)
            info = run(["data", "info", data])
            self.assertEqual(info.returncode, 0, info.stderr)
            self.assertIn(f"3 classes, topology {name}, 15 fps", info.stdout)
            printed = run(["data", "topology", data])
            self.assertEqual(printed.returncode, 0, printed.stderr)
            self.assertIn(f"name: {name}", printed.stdout)
            for architecture in RECOGNISERS:
                with self.subTest(topology=name, architecture=architecture):
                    trained = run(["--log-level", "warning", "train", "recognizer", "--config", recogniser,
                                   "data.train=" + data, "run.dir=" + os.path.join(self.tmp, name + architecture),
                                   "recognizer.architecture=" + architecture, "recognizer.base_channels=8",
                                   "recognizer.stages=2", "train.epochs=1", "train.batch_size=4",
                                   "data.clip_length=12", "data.augment.mirror_probability=0.5"])
                    self.assertEqual(trained.returncode, 0, trained.stderr)
            trained = run(["--log-level", "warning", "train", "generator", "--config", generator, "data.train=" + data,
                           "run.dir=" + os.path.join(self.tmp, name + "_generator"), "train.max_steps=2",
                           "train.batch_size=4", "data.clip_length=12", "generator.width=16", "generator.heads=2",
                           "generator.feedforward=32", "generator.encoder_layers=1", "generator.decoder_layers=1",
                           "generator.loss.bone_length=1"])
            self.assertEqual(trained.returncode, 0, trained.stderr)
            exported = run(["data", "export", "pyskl", data, "-o", os.path.join(self.tmp, name + ".pkl")])
            self.assertEqual(exported.returncode, 0, exported.stderr)

    def test_mirroring_a_topology_without_pairs_is_refused(self):
        data = os.path.join(self.tmp, "nopairs.npz")
        write_dataset(data, "nopairs", [("a", None), ("b", "a"), ("c", "b")])
        refused = run(["train", "recognizer", "--config", os.path.join(SOURCE_DIR, "configs", "demo_recognizer.yaml"),
                       "data.train=" + data, "run.dir=" + os.path.join(self.tmp, "run"),
                       "data.augment.mirror_probability=0.5", "recognizer.base_channels=8", "recognizer.stages=2"])
        self.assertUserError(refused, "data.augment.mirror_probability: topology 'nopairs' has no left/right joint pairs")


if __name__ == "__main__":
    unittest.main()
