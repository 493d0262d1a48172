"""Helpers shared by the end-to-end tests: run the built `skelaug` (directly or under mpirun) and inspect results."""
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
