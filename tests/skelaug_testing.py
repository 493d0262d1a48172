"""Helpers shared by the end-to-end tests: run the built `skelaug` (directly or under mpirun) and inspect results."""
import json
import os
import subprocess
import tempfile
import time
import unittest

SKELAUG = os.environ.get("SKELAUG_BIN", "build/bin/skelaug")
SOURCE_DIR = os.environ.get("SKELAUG_SOURCE_DIR", os.getcwd())
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")


def run(args, ranks=None, cwd=None, timeout=240, env=None):
    """Runs skelaug with `args`; under `mpirun -np ranks` when ranks is given; in `env` when given, else in this
    process's environment. Returns the CompletedProcess."""
    command = [SKELAUG] + list(args)
    if ranks is not None:
        command = [MPIEXEC, "--oversubscribe", "-np", str(ranks)] + command
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def run_each_rank(per_rank, cwd=None, timeout=240):
    """Runs one mpirun job in its multiple-program form, one rank per entry of `per_rank`: (args, working directory or
    None). For ranks given different arguments or folders. Returns the CompletedProcess."""
    command = [MPIEXEC, "--oversubscribe"]
    for index, (args, workdir) in enumerate(per_rank):
        command += ([":"] if index else []) + ["-np", "1"] + (["-wdir", workdir] if workdir else []) + [SKELAUG]
        command += list(args)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def interrupt(process, signum, ready, wait_s=120, timeout=120):
    """Waits until ready() holds (at most wait_s; the process must not end first), sends signum to the process, and
    returns its (stdout, stderr) once it exits; a process that outlives `timeout` is killed."""
    try:
        deadline = time.time() + wait_s
        while not ready():
            if process.poll() is not None:
                raise AssertionError(f"the process ended (exit {process.returncode}) before signal {signum}")
            if time.time() > deadline:
                raise AssertionError(f"not ready for signal {signum} within {wait_s} s")
            time.sleep(0.05)
        process.send_signal(signum)
        return process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def catches(process, signum):
    """Whether the running process has installed a handler for signum (its SigCgt mask in /proc). A signal sent
    before that, while the dynamic loader or LibTorch still starts up on a busy machine, kills it instead."""
    try:
        with open(f"/proc/{process.pid}/status") as f:
            caught = next(line for line in f if line.startswith("SigCgt:")).split()[1]
    except (OSError, StopIteration):
        return False
    return bool(int(caught, 16) >> (int(signum) - 1) & 1)


def error_lines(stderr):
    """Our own error lines (mpirun adds its own text around them)."""
    return [line for line in stderr.splitlines() if line.startswith("skelaug: error")]


class TempDirTest(unittest.TestCase):
    """A test with a fresh temporary directory in self.tmp."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="skelaug_test_")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as out:
            out.write(text)
        return path

    def assertUserError(self, result, *fragments):
        """Exit code 2, exactly one error line, naming every fragment; nothing on stdout."""
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = error_lines(result.stderr)
        self.assertEqual(len(lines), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertEqual(result.stdout, "")


# A study small enough to run end to end in a test: tiny demo-config models, a few steps each.
TINY_GENERATOR = ["generator.width=16", "generator.heads=2", "generator.feedforward=32", "generator.encoder_layers=1",
                  "generator.decoder_layers=1", "data.clip_length=16", "train.batch_size=8", "train.epochs=100000",
                  "train.max_steps=3", "train.checkpoint_every=0"]
TINY_RECOGNIZER = ["recognizer.base_channels=8", "recognizer.stages=2", "data.clip_length=16", "train.batch_size=8",
                   "train.epochs=2", "data.workers=0"]
TINY_FEATURES = ["recognizer.base_channels=16", "data.clip_length=16", "train.batch_size=8", "train.epochs=1",
                 "data.workers=0"]


def yaml_list(items):
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def tiny_study_text(directory, fractions, seeds, arms, ratio, data=None, ranks=None, recognizer=TINY_RECOGNIZER,
                    generator=TINY_GENERATOR, extra=""):
    """A study config (the `augment:` section) on the demo configs with the tiny models above; `data` and `ranks`
    are left to the command line (augment.data=..., augment.ranks=...) when None."""
    lines = ["augment:"]
    if data is not None:
        lines.append(f"  data: {data}")
    lines += [f"  dir: {directory}", f"  fractions: {yaml_list(fractions)}", f"  seeds: {yaml_list(seeds)}",
              f"  ratio: {ratio}"]
    if ranks is not None:
        lines.append(f"  ranks: {ranks}")
    configs = os.path.join(SOURCE_DIR, "configs")
    lines += [f"  arms: {yaml_list(arms)}",
              "  generator:",
              f"    config: {os.path.join(configs, 'demo.yaml')}",
              f"    overrides: {yaml_list(generator)}",
              "  sample:",
              "    overrides: " + yaml_list(["sample.ddim_steps=3", "sample.batch_size=16",
                                             "sample.refine.min_confidence=0.001", "sample.refine.max_rounds=1"]),
              f"  recognizers: [{os.path.join(configs, 'demo_recognizer.yaml')}]",
              f"  recognizer_overrides: {yaml_list(recognizer)}",
              "  features:",
              f"    config: {os.path.join(configs, 'demo_a2m.yaml')}",
              f"    overrides: {yaml_list(TINY_FEATURES)}"]
    return "\n".join(lines) + "\n" + extra
