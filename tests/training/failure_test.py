"""A rank killed with SIGKILL in the middle of data-parallel training must end the whole job, non-zero, quickly."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

TRAINER_TEST = os.environ["SKELAUG_TRAINER_TEST"]
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")


class KilledRank(unittest.TestCase):
    def test_sigkill_of_one_rank_ends_the_job_within_30_seconds(self):
        with tempfile.TemporaryDirectory(prefix="skelaug_kill_") as directory:
            env = dict(os.environ, SKELAUG_KILL_TEST_DIR=directory)
            job = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", TRAINER_TEST,
                                    "--gtest_filter=Trainer.RunsUntilKilled"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                pid_file = os.path.join(directory, "rank-1.pid")
                deadline = time.time() + 120
                while not os.path.exists(pid_file) and time.time() < deadline:
                    self.assertIsNone(job.poll(), "the job ended before the kill")
                    time.sleep(0.1)
                time.sleep(2)  # let both ranks get into training
                self.assertIsNone(job.poll(), "the job ended before the kill")
                with open(pid_file) as f:
                    os.kill(int(f.read()), signal.SIGKILL)
                killed_at = time.time()
                output, _ = job.communicate(timeout=60)
                elapsed = time.time() - killed_at
            finally:
                if job.poll() is None:
                    job.kill()
            print(f"job ended {elapsed:.1f} s after the kill, exit code {job.returncode}", file=sys.stderr)
            self.assertNotEqual(job.returncode, 0, output)
            self.assertLess(elapsed, 30, output)


if __name__ == "__main__":
    unittest.main()
