"""Checkpoints survive their writer being killed at any moment, and a damaged newest checkpoint falls back to the one
before it, loudly: the resume after each kill must load a complete checkpoint whose weights are the ones its step
wrote, and nothing a killed writer left may remain."""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

WRITER = os.environ.get("SKELAUG_CHECKPOINT_WRITER", "build/tests/training/checkpoint_writer")
KILLS = 24


def resume(directory):
    """Runs the resume; returns the result and the words of its "resumed N removed K skipped S" line."""
    result = subprocess.run([WRITER, "resume", directory], capture_output=True, text=True, timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("resumed ")]
    return result, (lines[-1].split() if lines else [])


class CheckpointKill(unittest.TestCase):
    def test_kill_the_writer_at_random_moments(self):
        rng = random.Random(7)
        with tempfile.TemporaryDirectory(prefix="skelaug_ckpt_kill_") as directory:
            removed_total = 0
            last_saved = 0
            for attempt in range(KILLS):
                writer = subprocess.Popen([WRITER, "write", directory], stdout=subprocess.PIPE, text=True)
                # Kills are timed from the writer's first checkpoint, not from its start (which a loaded machine
                # slows down): from then on it spends nearly all its time writing 16 MB checkpoints.
                first = writer.stdout.readline()
                self.assertEqual(first.strip(), "saved 1", f"attempt {attempt}")
                time.sleep(rng.uniform(0.0, 0.8))
                writer.send_signal(signal.SIGKILL)
                out, _ = writer.communicate()
                saved = [1] + [int(line.split()[1]) for line in out.splitlines() if line.startswith("saved ")]
                result, words = resume(directory)
                self.assertEqual(result.returncode, 0, f"attempt {attempt}: {result.stderr}")
                resumed, removed = int(words[1]), int(words[3])
                removed_total += removed
                # The newest complete checkpoint is the last one reported saved, or one the writer finished renaming
                # just before it could print.
                if saved:
                    self.assertIn(resumed, (saved[-1], saved[-1] + 1), f"attempt {attempt}: {result.stdout}")
                    last_saved = saved[-1]
                leftovers = [name for name in os.listdir(directory) if ".tmp-" in name]
                self.assertEqual(leftovers, [], f"attempt {attempt}")
                for name in os.listdir(directory):  # a fresh run directory for the next writer
                    os.remove(os.path.join(directory, name))
            print(f"{KILLS} kills; temporaries removed on resume: {removed_total}; last run saved {last_saved}",
                  file=sys.stderr)
            self.assertGreater(removed_total, 0, "no kill landed inside a write: the test proves too little")

    def test_a_damaged_newest_checkpoint_falls_back_to_the_previous(self):
        with tempfile.TemporaryDirectory(prefix="skelaug_ckpt_damaged_") as directory:
            writer = subprocess.Popen([WRITER, "write", directory], stdout=subprocess.PIPE, text=True)
            for line in writer.stdout:
                if line.strip() == "saved 3":
                    break
            writer.kill()
            writer.communicate()
            checkpoints = sorted(name for name in os.listdir(directory) if name.endswith(".pt"))
            newest = os.path.join(directory, checkpoints[-1])
            with open(newest, "r+b") as f:  # one byte in the middle of the weights
                f.seek(os.path.getsize(newest) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0xFF]))
            result, words = resume(directory)
            self.assertEqual(result.returncode, 0, result.stderr)
            step = int(checkpoints[-1][len("checkpoint-"):-len(".pt")])
            self.assertEqual(int(words[1]), step - 1)
            self.assertEqual(int(words[5]), 1)  # one skipped, and said so
            self.assertIn(f"cannot resume from {newest}", result.stderr + result.stdout)
            self.assertIn("damaged: CRC-64", result.stderr + result.stdout)


if __name__ == "__main__":
    unittest.main()
