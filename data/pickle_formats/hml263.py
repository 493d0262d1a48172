"""Reads the paper's HumanML3D-style 263-d feature splits (`48_train.pkl` / `48_test.pkl`) into raw arrays.

Layout (the authors' release, dataloaders/humanact12.py and nturgbvibe.py):
  <split>.pkl        a pickle of a list of file names, relative to the motion directory
  <motion dir>/NAME  one .npy per motion: float T x 263 HumanML3D features (22 joints)
  labels, HumanAct12: humanact12_old_new_map.json maps a motion's file name (a mirrored motion's "M" prefix
                      removed) to its original HumanAct12 name, whose stem ends with the fine action code A0101..A1202
  labels, NTU-VIBE:   the motion's file stem ends with the NTU action code A006..A102
The code-to-class mapping and the joint recovery are done by the caller; this only reads.
Motions with non-finite features are skipped and listed (the authors' loader skips them too).
Writes OUT (.npz): features float32 [sum T, 263], offsets int64 [N+1], split <U [N], name <U [N], label_source <U [N]
(the name whose stem ends with the action code), skipped <U [K], skipped_split <U [K].

usage: hml263.py OUT.npz MOTION_DIR LABEL_MAP|- SPLIT=LIST.pkl...
"""
import json
import os

import numpy as np

from common import InputError, as_array, as_list, concat_frames, load_pickle, main, write_npz

FEATURES = 263


def strings(values):
    return np.array(list(values), dtype=str) if values else np.zeros(0, dtype="<U1")


def read_label_map(path):
    if path == "-":
        return None
    try:
        with open(path, "r", encoding="utf-8") as stream:
            mapping = json.load(stream)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (the HumanAct12 label map; give it with --label-map)")
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable JSON label map ({error})")
    if not isinstance(mapping, dict):
        raise InputError(f"{path}: holds a {type(mapping).__name__}, expected a JSON object of name -> name")
    return mapping


def original_name(entry, label_map, map_path):
    """The HumanAct12 name of a motion, whose stem ends with its action code."""
    base = os.path.basename(entry)
    key = base[1:] if base.startswith("M") else base  # "M" marks HumanML3D's mirrored copy
    stem = key[:-4] if key.endswith(".npy") else key
    for candidate in (key, stem, stem + ".npy"):
        if candidate in label_map:
            return str(label_map[candidate])
    raise InputError(f"{map_path}: no entry for motion '{key}'")


def motion_path(motion_dir, entry, split_file):
    """The file of a split entry, which must lie inside the motion directory: an entry is a name, never a way out of it
    (an absolute path, '..', or a symbolic link leading elsewhere)."""
    if not isinstance(entry, str) or not entry or "\0" in entry:
        raise InputError(f"{split_file}: entry {entry!r} is not a motion name")
    root = os.path.realpath(motion_dir)
    inside = os.path.realpath(os.path.join(root, entry))
    if os.path.isabs(entry) or os.path.commonpath([root, inside]) != root:
        raise InputError(f"{split_file}: entry '{entry}' leads outside the motion directory {motion_dir}")
    path = os.path.join(motion_dir, entry)
    if not os.path.isfile(path) and not entry.endswith(".npy") and os.path.isfile(path + ".npy"):
        path += ".npy"
    if not os.path.isfile(path):
        raise InputError(f"{split_file}: entry '{entry}': no file {path}")
    if os.path.commonpath([root, os.path.realpath(path)]) != root:
        raise InputError(f"{split_file}: entry '{entry}' leads outside the motion directory {motion_dir}")
    return path


def load_motion(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable .npy file ({error})")


def run(args):
    output, motion_dir, map_path, *splits = args
    if not os.path.isdir(motion_dir):
        raise InputError(f"{motion_dir}: no such directory (the motion directory; give it with --motion-dir)")
    label_map = read_label_map(map_path)
    clips, split_of, names, label_sources, skipped, skipped_split = [], [], [], [], [], []
    for split_arg in splits:
        split, split_file = split_arg.split("=", 1)
        entries = as_list(load_pickle(split_file, split_file), "the split list", split_file)
        if not entries:
            raise InputError(f"{split_file}: the split list is empty")
        for i, entry in enumerate(entries):
            if isinstance(entry, bytes):
                entry = entry.decode()
            if not isinstance(entry, (str, np.str_)):
                raise InputError(f"{split_file}: entry {i} is a {type(entry).__name__}, expected a file name")
            entry = str(entry)
            path = motion_path(motion_dir, entry, split_file)
            features = as_array(load_motion(path), "the features", path, (None, FEATURES), finite=False)
            if not np.isfinite(features).all():
                skipped.append(entry)
                skipped_split.append(split)
                continue
            clips.append(features)
            split_of.append(split)
            names.append(entry)
            label_sources.append(original_name(entry, label_map, map_path) if label_map is not None
                                 else os.path.basename(entry))
    features, offsets = concat_frames(clips, (FEATURES,))
    write_npz(output, features=features, offsets=offsets, split=strings(split_of), name=strings(names),
              label_source=strings(label_sources), skipped=strings(skipped), skipped_split=strings(skipped_split))


if __name__ == "__main__":
    main(run)
