"""Reads HumanAct12's `humanact12poses.pkl` (Action2Motion / ACTOR release) into raw arrays for `skelaug`.

Layout: a pickle of a dict with three lists of equal length, one entry per clip:
  poses     T x 72 SMPL axis-angle (checked for shape, not kept: skelaug stores joint positions)
  joints3D  T x 24 x 3 SMPL joint positions
  y         the coarse action label, 0-11
Writes OUT (.npz): joints float32 [sum T, 24, 3], offsets int64 [N+1], labels int64 [N].

usage: humanact12.py IN.pkl OUT.npz
"""
import numpy as np

from common import InputError, as_array, as_int, as_list, concat_frames, load_pickle, main, write_npz

NUM_COARSE_CLASSES = 12


def run(args):
    source, output = args
    data = load_pickle(source, source)
    if not isinstance(data, dict):
        raise InputError(f"{source}: holds a {type(data).__name__}, expected a dict with 'poses', 'joints3D', 'y'")
    for key in ("poses", "joints3D", "y"):
        if key not in data:
            raise InputError(f"{source}: key '{key}' missing")
    poses = as_list(data["poses"], "'poses'", source)
    joints = as_list(data["joints3D"], "'joints3D'", source)
    labels = as_list(data["y"], "'y'", source)
    if not (len(poses) == len(joints) == len(labels)):
        raise InputError(f"{source}: 'poses', 'joints3D' and 'y' have different lengths "
                         f"({len(poses)}, {len(joints)}, {len(labels)})")
    if not joints:
        raise InputError(f"{source}: holds no clips")

    clips, clip_labels = [], []
    for i, (pose, joint, label) in enumerate(zip(poses, joints, labels)):
        joint = as_array(joint, f"joints3D[{i}]", source, (None, 24, 3))
        pose = as_array(pose, f"poses[{i}]", source, (None, 72))
        if len(pose) != len(joint):
            raise InputError(f"{source}: poses[{i}] has {len(pose)} frames but joints3D[{i}] has {len(joint)}")
        label = as_int(label, f"y[{i}]", source)
        if not 0 <= label < NUM_COARSE_CLASSES:
            raise InputError(f"{source}: y[{i}] = {label} is not a coarse label 0-{NUM_COARSE_CLASSES - 1}")
        clips.append(joint)
        clip_labels.append(label)

    joints_data, offsets = concat_frames(clips, (24, 3))
    write_npz(output, joints=joints_data, offsets=offsets, labels=np.asarray(clip_labels, dtype=np.int64))


if __name__ == "__main__":
    main(run)
