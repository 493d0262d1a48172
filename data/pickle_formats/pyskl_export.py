"""Writes a PYSKL annotation pickle from the raw arrays `skelaug data export pyskl` prepared.

PYSKL's layout (what its PoseDataset reads with mmcv.load):
  {'split': {name: [frame_dir, ...]},
   'annotations': [{'frame_dir': str, 'label': int, 'keypoint': float32 (M, T, V, C), 'total_frames': int}, ...]}
Input (.npz): keypoint float32 [sum of M*T, V, C] (each annotation's bodies back to back, body-major),
frame_dir <U [A], label int64 [A], total_frames int64 [A], bodies int64 [A], split <U [A], split_names <U [S].
The pickle is written to a temporary name beside OUT, synced and renamed over OUT.

usage: pyskl_export.py IN.npz OUT.pkl
"""
import os
import pickle

import numpy as np

from common import InputError, main, replace_atomically

# Protocol 4 reads on every Python 3 that PYSKL and the authors' code run on (3.4 and later).
PICKLE_PROTOCOL = 4


def build(raw):
    keypoint = raw["keypoint"]
    annotations = []
    start = 0
    for frame_dir, label, frames, bodies in zip(raw["frame_dir"], raw["label"], raw["total_frames"], raw["bodies"]):
        rows = int(bodies) * int(frames)
        annotations.append({
            "frame_dir": str(frame_dir),
            "label": int(label),
            "keypoint": np.ascontiguousarray(
                keypoint[start:start + rows].reshape(int(bodies), int(frames), *keypoint.shape[1:]), dtype=np.float32),
            "total_frames": int(frames),
        })
        start += rows
    assert start == len(keypoint), "keypoint rows do not add up"
    split = {str(name): [] for name in raw["split_names"]}
    for frame_dir, name in zip(raw["frame_dir"], raw["split"]):
        split[str(name)].append(str(frame_dir))
    return {"split": split, "annotations": annotations}


def run(args):
    source, output = args
    with np.load(source, allow_pickle=False) as raw:
        content = build(raw)
    temporary = os.path.join(os.path.dirname(os.path.abspath(output)),
                             f".{os.path.basename(output)}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as stream:
            pickle.dump(content, stream, protocol=PICKLE_PROTOCOL)
        replace_atomically(temporary, output)
    except OSError as error:
        raise InputError(f"{output}: cannot write ({error.strerror or error})")
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


if __name__ == "__main__":
    main(run)
