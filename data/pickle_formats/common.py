"""What every pickle-format reader shares: one-line user errors, restricted loading, checked arrays, the .npz it writes.

The readers only read (or, for export, write) Python pickles; all other work happens in the `skelaug` C++ code, which
runs a reader as `python3 -E -s <script> ...`, reads the raw arrays it wrote, and turns them into a dataset.

Unpickling is restricted to what the datasets hold (ALLOWED_GLOBALS), so a crafted file cannot run code.

Protocol with the caller (data/src/python_tool.cpp): a problem with the user's input ends the script with exit code 2
and a last stderr line `skelaug-tool-error: <file>: <what is wrong>`; anything else (a bug, a missing module) exits 1
with a traceback.
"""
import os
import pickle
import sys

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


# What the datasets' pickles hold, and so all that unpickling may build: numpy arrays, dtypes and scalars (numpy 1's
# and numpy 2's module names), joblib's array wrapper, and the bytes codec pickle protocol 2 uses for array data.
# Dicts, lists, tuples, strings and numbers need no global. Pickle builds any other object by calling what the file
# names, which is how a crafted file runs code: every other global is refused, before anything is called.
ALLOWED_GLOBALS = frozenset([
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
])
JOBLIB_GLOBALS = frozenset([("joblib.numpy_pickle", "NumpyArrayWrapper")])


class RefusedGlobal(Exception):
    """The file asks for a type or function outside ALLOWED_GLOBALS."""


def checked_find_class(find_class, allowed, module, name):
    if (module, name) not in allowed:
        raise RefusedGlobal(f"{module}.{name}")
    return find_class(module, name)


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return checked_find_class(super().find_class, ALLOWED_GLOBALS, module, name)


def load_joblib(path):
    """joblib.load with the same restriction (its unpickler, given only ALLOWED_GLOBALS and its array wrapper)."""
    from joblib import numpy_pickle  # only the NTU-VIBE reader needs joblib

    class RestrictedNumpyUnpickler(numpy_pickle.NumpyUnpickler):
        def find_class(self, module, name):
            return checked_find_class(super().find_class, ALLOWED_GLOBALS | JOBLIB_GLOBALS, module, name)

    with open(path, "rb") as stream:
        with numpy_pickle._read_fileobject(stream, path, None) as file_object:
            return RestrictedNumpyUnpickler(path, file_object, mmap_mode=None).load()


def load_pickle(path, display, use_joblib=False):
    """Unpickles `path` (as joblib.load does when `use_joblib`), building nothing outside ALLOWED_GLOBALS; `display`
    names it in messages."""
    try:
        if use_joblib:
            return load_joblib(path)
        with open(path, "rb") as stream:
            return RestrictedUnpickler(stream).load()
    except RefusedGlobal as refused:
        raise InputError(f"{display}: refused: the pickle asks for {refused}, which these datasets never hold "
                         "(only numpy arrays and scalars, dicts, lists, tuples, strings and numbers are loaded)")
    except FileNotFoundError:
        raise InputError(f"{display}: no such file")
    except IsADirectoryError:
        raise InputError(f"{display}: is a directory, not a pickle file")
    except PermissionError:
        raise InputError(f"{display}: permission denied")
    except MemoryError:
        raise InputError(f"{display}: not a readable pickle file (it asks for more memory than this machine has)")
    except InputError:
        raise
    except Exception as error:  # loading builds only allowed types, so whatever else fails is the file's content
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
