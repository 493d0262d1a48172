"""What every pickle-format reader shares: one-line user errors, safe loading, checked arrays, the .npz it writes.

The readers only read (or, for export, write) Python pickles; all other work happens in the `skelaug` C++ code, which
runs a reader as `python3 -E -s <script> ...`, reads the raw arrays it wrote, and turns them into a dataset.

Protocol with the caller (data/src/python_tool.cpp): a problem with the user's input ends the script with exit code 2
and a last stderr line `skelaug-tool-error: <file>: <what is wrong>`; anything else (a bug, a missing module) exits 1
with a traceback.
"""
import os
import pickle
import sys
import zipfile

import numpy as np

ERROR_PREFIX = "skelaug-tool-error: "


class InputError(Exception):
    """A problem with the user's file; its message names the file and what is wrong."""


def main(run):
    """Runs `run(sys.argv[1:])`, turning InputError (and unreadable files) into the one-line protocol above."""
    try:
        run(sys.argv[1:])
    except InputError as error:
        sys.stderr.write(ERROR_PREFIX + " ".join(str(error).split()) + "\n")
        sys.exit(2)


def load_pickle(path, display, use_joblib=False):
    """Unpickles `path` (joblib.load when `use_joblib`); `display` names it in messages."""
    try:
        if use_joblib:
            import joblib  # only the NTU-VIBE reader needs it

            return joblib.load(path)
        with open(path, "rb") as stream:
            return pickle.load(stream)
    except FileNotFoundError:
        raise InputError(f"{display}: no such file")
    except IsADirectoryError:
        raise InputError(f"{display}: is a directory, not a pickle file")
    except PermissionError:
        raise InputError(f"{display}: permission denied")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            ImportError, zipfile.BadZipFile, UnicodeDecodeError, OSError) as error:
        raise InputError(f"{display}: not a readable pickle file ({type(error).__name__}: {error})")


def as_array(value, what, display, shape, finite=True):
    """`value` as a float array of `shape` (None = any length in that axis, at least 1), or InputError naming `what`."""
    try:
        array = np.asarray(value)
    except Exception:  # ragged nested lists and the like
        raise InputError(f"{display}: {what} is not a numeric array")
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise InputError(f"{display}: {what} is not a numeric array (dtype {array.dtype})")
    expected = "x".join("T" if n is None else str(n) for n in shape)
    if array.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, array.shape)):
        raise InputError(f"{display}: {what} has shape {'x'.join(map(str, array.shape))}, expected {expected}")
    if any(n is None and m == 0 for n, m in zip(shape, array.shape)):
        raise InputError(f"{display}: {what} is empty (0 frames)")
    if finite and not np.isfinite(array).all():
        frame = int(np.argwhere(~np.isfinite(array))[0][0])
        raise InputError(f"{display}: {what} has a non-finite value (NaN or infinity) in frame {frame}")
    return array


def as_list(value, what, display):
    """A list, tuple or 1-D array as a Python list, or InputError."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return list(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InputError(f"{display}: {what} is a {type(value).__name__}, expected a list")


def as_int(value, what, display):
    """An integer (Python or numpy, or a 0-d / 1-element array of one), or InputError."""
    array = np.asarray(value)
    if array.size != 1 or not np.issubdtype(array.dtype, np.integer):
        raise InputError(f"{display}: {what} is not an integer ({value!r})")
    return int(array.reshape(()))


def write_npz(path, **arrays):
    """The raw arrays for the C++ side: an uncompressed .npz, which it reads with skelaug::data::read_npz."""
    np.savez(path, **arrays)


def concat_frames(clips, per_frame_shape):
    """Clips back to back as float32, and the int64 offsets of each clip (N+1)."""
    offsets = np.zeros(len(clips) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(c) for c in clips])
    if clips:
        data = np.concatenate([np.asarray(c, dtype=np.float32) for c in clips], axis=0)
    else:
        data = np.zeros((0,) + tuple(per_frame_shape), dtype=np.float32)
    return np.ascontiguousarray(data), offsets


def replace_atomically(tmp_path, final_path):
    """fsyncs `tmp_path` and renames it over `final_path` (same directory), so no reader sees half a file."""
    with open(tmp_path, "rb") as stream:
        os.fsync(stream.fileno())
    os.replace(tmp_path, final_path)
