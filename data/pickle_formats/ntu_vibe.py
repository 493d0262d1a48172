"""Reads NTU-VIBE per-video joblib files (VIBE's output on NTU RGB+D videos) into raw arrays for `skelaug`.

Layout of one file: a dict keyed by person (track) id; each entry a dict holding at least
  pose      T x 72 SMPL axis-angle (checked for shape, not kept)
  joints3d  T x 49 x 3 VIBE/SPIN joint positions
(VIBE also stores pred_cam, orig_cam, verts, betas, joints2d, bboxes, frame_ids: ignored.)
By default one track per video: the lowest person id (Action2Motion reads track 1, the first VIBE assigns);
with --all-people every track, as bodies 0, 1, ... in id order.
The 49 -> 18 joint selection, labels and ids from the file name are done by the caller.
Writes OUT (.npz): joints float32 [sum T, 49, 3], offsets int64 [N+1], file_index int64 [N] (position in the list),
body int64 [N], person_id int64 [N].

usage: ntu_vibe.py LIST OUT.npz [--all-people]     (LIST: the input paths, NUL-separated)
"""
import numpy as np

from common import InputError, as_array, as_int, concat_frames, load_pickle, main, write_npz

VIBE_JOINTS = 49


def read_tracks(path, all_people):
    data = load_pickle(path, path, use_joblib=True)
    if not isinstance(data, dict):
        raise InputError(f"{path}: holds a {type(data).__name__}, expected a dict keyed by person id")
    if not data:
        raise InputError(f"{path}: holds no person")
    ids = sorted((as_int(key, f"person id {key!r}", path), key) for key in data)
    if not all_people:
        ids = ids[:1]
    tracks = []
    for person_id, key in ids:
        entry = data[key]
        what = f"person {person_id}"
        if not isinstance(entry, dict):
            raise InputError(f"{path}: {what} is a {type(entry).__name__}, expected a dict")
        for needed in ("pose", "joints3d"):
            if needed not in entry:
                raise InputError(f"{path}: {what}: key '{needed}' missing")
        joints = as_array(entry["joints3d"], f"{what} 'joints3d'", path, (None, VIBE_JOINTS, 3))
        pose = as_array(entry["pose"], f"{what} 'pose'", path, (None, 72))
        if len(pose) != len(joints):
            raise InputError(f"{path}: {what} has {len(pose)} frames of 'pose' but {len(joints)} of 'joints3d'")
        tracks.append((person_id, joints))
    return tracks


def run(args):
    all_people = "--all-people" in args
    list_file, output = [a for a in args if a != "--all-people"]
    with open(list_file, "rb") as stream:
        paths = [p.decode() for p in stream.read().split(b"\0") if p]
    clips, file_index, body, person = [], [], [], []
    for index, path in enumerate(paths):
        for number, (person_id, joints) in enumerate(read_tracks(path, all_people)):
            clips.append(joints)
            file_index.append(index)
            body.append(number)
            person.append(person_id)
    joints_data, offsets = concat_frames(clips, (VIBE_JOINTS, 3))
    write_npz(output, joints=joints_data, offsets=offsets, file_index=np.asarray(file_index, dtype=np.int64),
              body=np.asarray(body, dtype=np.int64), person_id=np.asarray(person, dtype=np.int64))


if __name__ == "__main__":
    main(run)
