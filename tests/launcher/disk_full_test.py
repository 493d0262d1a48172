"""A write that fails for lack of space (a full scratch disk, a quota) ends the job with exit 1 and one line naming the
file, never exit 2 ("bad input"), a crash, or a half-written file under its final name. The small file system is a
tmpfs of a few hundred KiB mounted in a private user and mount namespace (`unshare -rm`), so the test needs no root
and leaves no mount behind; where namespaces are not allowed it skips, saying so."""
import os
import shlex
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SKELAUG, SOURCE_DIR, TempDirTest, error_lines, run  # noqa: E402

DEMO = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
SMALL = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
         "generator.decoder_layers=1", "data.clip_length=24", "train.batch_size=8"]
LISTING = "--- files on the small file system ---"


def namespaces_allowed():
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@unittest.skipUnless(namespaces_allowed(), "`unshare -rm` (user and mount namespaces) is not allowed here, so no "
                                           "small file system can be mounted without root")
class DiskFull(TempDirTest):
    def on_small_disk(self, size_kib, *skelaug_args):
        """Runs skelaug with ./small a tmpfs of size_kib KiB; returns (exit code, stderr, files left on ./small)."""
        os.makedirs(os.path.join(self.tmp, "small"))
        command = " ".join(shlex.quote(part) for part in [SKELAUG, "--log-level", "warning"] + list(skelaug_args))
        script = (f"mount -t tmpfs -o size={size_kib}k tmpfs small || exit 99\n"
                  f"{command}\ncode=$?\necho '{LISTING}'\nfind small -type f\nexit $code\n")
        result = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=self.tmp, capture_output=True, text=True,
                                timeout=240)
        self.assertNotEqual(result.returncode, 99, result.stderr)
        files = result.stdout.split(LISTING, 1)[1].split()
        return result.returncode, result.stderr, files

    def test_a_checkpoint_that_does_not_fit_ends_training_with_exit_1_naming_it(self):
        made = run(["data", "demo", "-o", os.path.join(self.tmp, "demo.npz"), "--clips-per-class", "8"])
        self.assertEqual(made.returncode, 0, made.stderr)
        # config, log and metrics fit in 200 KiB; the checkpoint (about 200 KiB at this size) does not.
        code, stderr, files = self.on_small_disk(200, "train", "generator", "--config", DEMO, "data.train=demo.npz",
                                                 "run.dir=small/run", "train.max_steps=2", *SMALL)
        self.assertEqual(code, 1, stderr)
        lines = error_lines(stderr)
        self.assertEqual(len(lines), 1, stderr)
        self.assertIn("small/run/checkpoints/checkpoint-000000002.pt: cannot write the checkpoint", lines[0])
        self.assertIn("No space left on device", lines[0])
        self.assertNotIn("Aborted", stderr)
        self.assertEqual([f for f in files if "/checkpoints/" in f], [], files)  # nor a temporary
        self.assertIn("small/run/config.yaml", files)

    def test_a_dataset_that_does_not_fit_is_exit_1_naming_it_and_leaves_nothing(self):
        code, stderr, files = self.on_small_disk(256, "data", "demo", "-o", "small/demo.npz")
        self.assertEqual(code, 1, stderr)
        lines = error_lines(stderr)
        self.assertEqual(len(lines), 1, stderr)
        self.assertIn("small/demo.npz", lines[0])
        self.assertIn("No space left on device", lines[0])
        self.assertEqual(files, [])


if __name__ == "__main__":
    unittest.main()
