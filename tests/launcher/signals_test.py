"""What a running data-parallel job does when a rank is stopped or the scheduler asks it to end, as Slurm would:
- a rank stopped inside a collective (SIGSTOP) ends the whole job, non-zero, within distributed.timeout_s + 5 s
  (the watchdog of the waiting ranks), never a hang;
- SIGTERM to every rank (what scancel and a time limit send) checkpoints, exits 3, and the run resumes from there.
The measured times are printed (the README quotes them)."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import MPIEXEC, SKELAUG, SOURCE_DIR, TempDirTest, catches, interrupt, run  # noqa: E402

DEMO = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
SMALL = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
         "generator.decoder_layers=1", "data.clip_length=24", "train.batch_size=8"]
TIMEOUT_S = 5


def records(run_dir, event):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r.get("event") == event]


def rank_pids(launcher_pid):
    """{rank: pid} of the processes mpirun started, from their environment."""
    ranks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environment = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name == "skelaug" and b"OMPI_COMM_WORLD_RANK" in environment and \
                environment.get(b"SKELAUG_SIGNALS_TEST") == str(launcher_pid).encode():
            ranks[int(environment[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
    return ranks


class Signals(TempDirTest):
    @staticmethod
    def training(run_dir):
        metrics = os.path.join(run_dir, "metrics.jsonl")
        if not os.path.exists(metrics):
            return False
        with open(metrics) as f:
            return "train_step" in f.read()

    def start(self, run_dir, *overrides):
        data = os.path.join(self.tmp, "demo.npz")
        if not os.path.exists(data):
            made = run(["data", "demo", "-o", data, "--clips-per-class", "8"])
            self.assertEqual(made.returncode, 0, made.stderr)
        args = ["train", "generator", "--config", DEMO, "data.train=" + data, "run.dir=" + run_dir,
                "train.epochs=100000", f"distributed.timeout_s={TIMEOUT_S}"] + SMALL + list(overrides)
        tag = str(os.getpid()) + run_dir  # marks this test's ranks among the machine's processes
        job = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", "-x", "SKELAUG_SIGNALS_TEST", SKELAUG] + args,
                               env=dict(os.environ, SKELAUG_SIGNALS_TEST=tag), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 180
        while time.time() < deadline and not self.training(run_dir):
            self.assertIsNone(job.poll(), "training ended before the signal")
            time.sleep(0.2)
        ranks = {}
        while time.time() < deadline and len(ranks) < 2:
            ranks = {rank: pid for rank, pid in rank_pids(tag).items()}
            time.sleep(0.1)
        self.assertEqual(sorted(ranks), [0, 1])
        return job, ranks

    def test_a_rank_stopped_inside_a_collective_ends_the_job_in_time(self):
        job, ranks = self.start(os.path.join(self.tmp, "stalled"))
        try:
            os.kill(ranks[1], signal.SIGSTOP)
            stopped_at = time.time()
            output, _ = job.communicate(timeout=120)
            elapsed = time.time() - stopped_at
        finally:
            if job.poll() is None:
                job.kill()
            for pid in ranks.values():  # nothing of the job may be left behind, stopped or not
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        print(f"stalled rank: the job ended {elapsed:.1f} s after SIGSTOP (distributed.timeout_s={TIMEOUT_S}), "
              f"exit code {job.returncode}", file=sys.stderr)
        self.assertNotEqual(job.returncode, 0, output)
        self.assertLess(elapsed, TIMEOUT_S + 5, output)

    @staticmethod
    def terminate(job, pids):
        """SIGTERM to every rank, as Slurm signals every task of a step; the job's output once it ended."""
        try:
            for pid in pids:
                os.kill(pid, signal.SIGTERM)
            output, _ = job.communicate(timeout=120)
        finally:
            if job.poll() is None:
                job.kill()
        return output

    def test_sigterm_to_every_rank_checkpoints_exits_3_and_resumes(self):
        run_dir = os.path.join(self.tmp, "terminated")
        job, ranks = self.start(run_dir)
        output = self.terminate(job, ranks.values())
        self.assertEqual(job.returncode, 3, output)
        stopped_at = records(run_dir, "train_step")[-1]["step"]
        self.assertTrue(os.path.exists(os.path.join(run_dir, "checkpoints", f"checkpoint-{stopped_at:09d}.pt")))
        resumed = run(["train", "generator", "--config", DEMO, "data.train=" + os.path.join(self.tmp, "demo.npz"),
                       "run.dir=" + run_dir, f"train.max_steps={stopped_at + 1}"] + SMALL, ranks=2)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertEqual(records(run_dir, "trained")[-1]["step"], stopped_at + 1)

    def test_sigterm_while_the_job_starts_is_never_the_default_action(self):
        # Signalled as soon as the ranks have their logs (MPI up, the job loading its data): whether the signal lands
        # before the first step or just after, the job exits 3 and is resumable, never killed by the signal.
        data = os.path.join(self.tmp, "demo.npz")
        made = run(["data", "demo", "-o", data])
        self.assertEqual(made.returncode, 0, made.stderr)
        run_dir = os.path.join(self.tmp, "early")
        tag = str(os.getpid()) + run_dir
        job = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", "-x", "SKELAUG_SIGNALS_TEST", SKELAUG, "train",
                                "generator", "--config", DEMO, "data.train=" + data, "run.dir=" + run_dir] + SMALL,
                               env=dict(os.environ, SKELAUG_SIGNALS_TEST=tag), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 120
        while time.time() < deadline and not os.path.exists(os.path.join(run_dir, "logs", "rank-1.log")):
            if job.poll() is not None:
                break
            time.sleep(0.02)
        output = self.terminate(job, rank_pids(tag).values())
        self.assertEqual(job.returncode, 3, output)
        started = self.training(run_dir)
        print("early SIGTERM landed " + ("after the first step" if started else "before training"), file=sys.stderr)
        if not started:
            self.assertIn("a stop signal reached the job before training", output)

    def test_sigterm_while_sampling_finishes_the_chunk_and_exits_3(self):
        run_dir = os.path.join(self.tmp, "sampler")
        data = os.path.join(self.tmp, "demo.npz")
        made = run(["data", "demo", "-o", data, "--clips-per-class", "8"])
        self.assertEqual(made.returncode, 0, made.stderr)
        trained = run(["train", "generator", "--config", DEMO, "data.train=" + data, "run.dir=" + run_dir,
                       "train.max_steps=1"] + SMALL)
        self.assertEqual(trained.returncode, 0, trained.stderr)
        out = os.path.join(self.tmp, "generated")
        sampler = subprocess.Popen([SKELAUG, "sample", "--config", os.path.join(run_dir, "config.yaml"), "--checkpoint",
                                    os.path.join(run_dir, "checkpoints", "checkpoint-000000001.pt"), "--per-class", "50",
                                    "-o", out, "sample.batch_size=10", "sample.chunk_size=10"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)  # DDPM over 1000 steps: minutes
        started = time.time()
        _, err = interrupt(sampler, signal.SIGTERM, 
                             lambda: catches(sampler, signal.SIGTERM) and time.time() > started + 4)
        self.assertEqual(sampler.returncode, 3, err)
        self.assertRegex(err, r"skelaug: stopped: signal 15: (\d+) of 70 chunks of .*generated are written "
                              r"\(\d+ by this run\); run the same command again to complete the set")
        with open(os.path.join(out, "manifest.json")) as f:
            self.assertFalse(json.load(f)["complete"])
        self.assertEqual([name for name in os.listdir(out) if ".tmp-" in name], [])

if __name__ == "__main__":
    unittest.main()
