"""End-to-end: `skelaug train generator` under mpirun, as a user runs it."""
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402

DEMO = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
# A small model and deterministic clip lengths (full masks), so that world sizes can be compared exactly.
SMALL = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
         "generator.decoder_layers=1", "generator.dropout=0", "data.length_mode=resample", "data.clip_length=24",
         "train.batch_size=8", "--log-level", "warning"]


def records(run_dir, event):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r.get("event") == event]


class TrainGenerator(TempDirTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        result = run(["data", "demo", "-o", self.data, "--clips-per-class", "8"])
        self.assertEqual(result.returncode, 0, result.stderr)

    def train(self, ranks, name, *overrides):
        run_dir = os.path.join(self.tmp, name)
        args = ["train", "generator", "--config", DEMO, "data.train=" + self.data, "run.dir=" + run_dir]
        args += [o for o in SMALL if o != "--log-level" and o != "warning"] + list(overrides)
        result = run(["--log-level", "warning"] + args, ranks=ranks)
        self.assertEqual(result.returncode, 0, result.stderr)
        return run_dir

    def test_loss_falls_and_the_run_keeps_checkpoints(self):
        run_dir = self.train(2, "long", "train.epochs=12", "train.lr=0.002")
        losses = [r["loss"] for r in records(run_dir, "train_step")]
        self.assertGreater(len(losses), 50)
        first, last = sum(losses[:8]) / 8, sum(losses[-8:]) / 8
        self.assertLess(last, 0.75 * first, f"loss {first:.3f} -> {last:.3f}")
        self.assertTrue(all(r["samples_per_s"] > 0 for r in records(run_dir, "train_step")))
        directory = os.path.join(run_dir, "checkpoints")
        checkpoints = sorted(name for name in os.listdir(directory) if name.endswith(".pt"))
        self.assertTrue(checkpoints and len(checkpoints) <= 3, checkpoints)
        # Each with its hidden checksum, and nothing else: pruning removes both.
        self.assertEqual(sorted(os.listdir(directory)), sorted(checkpoints + [f".{c}.crc64" for c in checkpoints]))
        self.assertTrue(os.path.exists(os.path.join(run_dir, "logs", "rank-1.log")))

    def test_two_ranks_equal_one_rank_with_the_same_global_batch(self):
        one = records(self.train(1, "one", "train.max_steps=6"), "trained")[0]
        two = records(self.train(2, "two", "train.max_steps=6"), "trained")[0]
        # float32 sums taken in another order; Adam amplifies nothing this early at this scale.
        self.assertAlmostEqual(one["parameter_l2"], two["parameter_l2"], delta=1e-6 * one["parameter_l2"])
        self.assertAlmostEqual(one["parameter_sum"], two["parameter_sum"], delta=1e-3)

    def test_one_two_and_three_ranks_train_alike_with_the_shipped_demo_config(self):
        # configs/demo.yaml as shipped (dropout 0.1, random crops with padding, rotation), the global batch made
        # divisible by 3: every dropout mask, crop, timestep and noise draw is keyed by the clip and the step.
        def trained(ranks):
            run_dir = os.path.join(self.tmp, f"shipped{ranks}")
            result = run(["--log-level", "warning", "train", "generator", "--config", DEMO, "data.train=" + self.data,
                          "run.dir=" + run_dir, "train.batch_size=24", "train.max_steps=4"], ranks=ranks)
            self.assertEqual(result.returncode, 0, result.stderr)
            return records(run_dir, "trained")[0]
        one, two, three = trained(1), trained(2), trained(3)
        for other in (two, three):  # float32 sums taken in another order
            self.assertAlmostEqual(one["parameter_l2"], other["parameter_l2"], delta=1e-6 * one["parameter_l2"])
            self.assertAlmostEqual(one["parameter_sum"], other["parameter_sum"], delta=1e-3)

    def test_bf16_autocast_trains_with_float32_weights(self):
        run_dir = self.train(1, "bf16", "train.max_steps=3", "train.precision=bf16")
        losses = [r["loss"] for r in records(run_dir, "train_step")]
        self.assertEqual(len(losses), 3)
        self.assertTrue(all(math.isfinite(loss) and loss > 0 for loss in losses), losses)
        self.assertTrue(math.isfinite(records(run_dir, "trained")[0]["parameter_l2"]))

    def test_resumed_training_equals_uninterrupted_training(self):
        whole = records(self.train(1, "whole", "train.max_steps=8"), "trained")[0]
        resumed_dir = self.train(1, "resumed", "train.max_steps=4")
        self.train(1, "resumed", "train.max_steps=8")
        resumed = records(resumed_dir, "trained")[-1]
        self.assertEqual(resumed["step"], 8)
        self.assertEqual(whole["parameter_sum"], resumed["parameter_sum"])
        self.assertEqual(whole["parameter_l2"], resumed["parameter_l2"])

    def sample(self, run_dir, name, *overrides, per_class="2"):
        checkpoints = sorted(name for name in os.listdir(os.path.join(run_dir, "checkpoints")) if name.endswith(".pt"))
        samples = os.path.join(self.tmp, name)
        result = run(["sample", "--config", os.path.join(run_dir, "config.yaml"), "--checkpoint",
                      os.path.join(run_dir, "checkpoints", checkpoints[-1]), "--per-class", per_class, "-o", samples,
                      "sample.ddim_steps=10"] + list(overrides))
        self.assertEqual(result.returncode, 0, result.stderr)
        merged = run(["data", "merge", samples, "-o", samples + ".npz"])
        self.assertEqual(merged.returncode, 0, merged.stderr)
        return samples + ".npz"

    def test_sampling_writes_a_dataset_and_is_deterministic(self):
        import filecmp
        import numpy as np
        run_dir = self.train(1, "sampler", "train.max_steps=3")
        first = self.sample(run_dir, "first")
        data = np.load(first)
        self.assertEqual(str(data["topology"]), "hml22")
        self.assertEqual(list(np.bincount(data["labels"])), [2] * 14)
        self.assertEqual(data["joints"].shape, (28 * 24, 22, 3))
        self.assertTrue(np.isfinite(data["joints"]).all())
        self.assertTrue(all(s.startswith("generated from demo:") for s in data["source"]))
        self.assertTrue(filecmp.cmp(first, self.sample(run_dir, "again"), shallow=False))
        self.assertFalse(filecmp.cmp(first, self.sample(run_dir, "seed", "sample.seed=5"), shallow=False))
        # Sampling-time dropout really acts (0 changes nothing, 0.3 changes the clips), and stays seeded.
        dropped = self.sample(run_dir, "dropped", "sample.dropout=0.3")
        self.assertFalse(filecmp.cmp(first, dropped, shallow=False))
        self.assertTrue(filecmp.cmp(dropped, self.sample(run_dir, "dropped2", "sample.dropout=0.3"), shallow=False))
        # The ancestral sampler over every step works too.
        ddpm = np.load(self.sample(run_dir, "ddpm", "sample.ddim_steps=0", "generator.diffusion_steps=1000",
                                   per_class="1"))
        self.assertEqual(len(ddpm["labels"]), 14)
        missing = run(["sample", "--config", os.path.join(run_dir, "config.yaml"), "--checkpoint",
                       os.path.join(self.tmp, "none.pt"), "--per-class", "1", "-o", os.path.join(self.tmp, "n")])
        self.assertUserError(missing, "none.pt: checkpoint not found")

    def test_exemplars_from_other_clips_of_the_class_train_alike_on_any_world_size(self):
        one = records(self.train(1, "other1", "train.max_steps=3", "generator.exemplar=other"), "trained")[0]
        two = records(self.train(2, "other2", "train.max_steps=3", "generator.exemplar=other"), "trained")[0]
        same = records(self.train(1, "same1", "train.max_steps=3"), "trained")[0]
        self.assertAlmostEqual(one["parameter_l2"], two["parameter_l2"], delta=1e-6 * one["parameter_l2"])
        self.assertNotEqual(one["parameter_sum"], same["parameter_sum"])

    def test_label_mode_with_guidance(self):
        import numpy as np
        run_dir = self.train(1, "label", "train.max_steps=3", "generator.conditioning=label")
        guided = np.load(self.sample(run_dir, "guided", "sample.guidance=2.5"))
        plain = np.load(self.sample(run_dir, "plain"))
        self.assertEqual(guided["joints"].shape, plain["joints"].shape)
        self.assertFalse(np.array_equal(guided["joints"], plain["joints"]))
        self.assertTrue(all(s == "generated" for s in plain["source"]))

    def test_stop_signal_checkpoints_exits_3_and_the_run_resumes(self):
        import signal
        import subprocess
        import time
        from skelaug_testing import MPIEXEC, SKELAUG
        run_dir = os.path.join(self.tmp, "preempted")
        args = ["train", "generator", "--config", DEMO, "data.train=" + self.data, "run.dir=" + run_dir,
                "train.epochs=100000"] + [o for o in SMALL if o not in ("--log-level", "warning")]
        job = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", SKELAUG] + args,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            metrics = os.path.join(run_dir, "metrics.jsonl")
            deadline = time.time() + 120
            while time.time() < deadline and not (os.path.exists(metrics) and "train_step" in open(metrics).read()):
                self.assertIsNone(job.poll(), "training ended before the signal")
                time.sleep(0.2)
            job.send_signal(signal.SIGUSR1)  # mpirun forwards SIGUSR1 to every rank, as Slurm's --signal does
            output, _ = job.communicate(timeout=120)
        finally:
            if job.poll() is None:
                job.kill()
        self.assertEqual(job.returncode, 3, output)
        self.assertEqual(records(run_dir, "trained"), [])
        stopped_at = records(run_dir, "train_step")[-1]["step"]
        self.assertTrue(os.path.exists(os.path.join(run_dir, "checkpoints", f"checkpoint-{stopped_at:09d}.pt")))
        self.train(2, "preempted", f"train.max_steps={stopped_at + 2}")
        self.assertEqual(records(run_dir, "trained")[-1]["step"], stopped_at + 2)

    def test_resume_refuses_a_config_that_changes_the_result_and_honours_the_resume_mode(self):
        run_dir = self.train(1, "guarded", "train.max_steps=2")
        base = ["train", "generator", "--config", DEMO, "data.train=" + self.data, "run.dir=" + run_dir] + \
            [o for o in SMALL if o not in ("--log-level", "warning")]
        changed = run(base + ["train.max_steps=3", "generator.feedforward=96", "run.seed=5"])
        self.assertUserError(changed, "the config differs from the run's", "run.seed, generator.feedforward,",
                             "run.allow_config_change=true")
        self.assertEqual(records(run_dir, "trained")[-1]["step"], 2)  # nothing ran
        # Where the run writes, how it checkpoints and how long it runs (step schedule) may change, and so may the
        # sections training does not read (a study's, whose default arm list grew since such runs were made).
        extended = run(base + ["train.max_steps=3", "train.checkpoint_every=1", "data.workers=0",
                               "augment.arms=[real]"])
        self.assertEqual(extended.returncode, 0, extended.stderr)
        self.assertEqual(records(run_dir, "trained")[-1]["step"], 3)
        allowed = run(base + ["train.max_steps=4", "generator.loss.velocity=1", "run.allow_config_change=true"])
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        self.assertIn("resuming", allowed.stderr)
        self.assertIn("with a changed config (run.allow_config_change=true): generator.loss.velocity", allowed.stderr)
        self.assertUserError(run(base + ["train.resume=never"]), "train.resume=never", "choose another run.dir")
        self.assertUserError(run(base + ["run.dir=" + os.path.join(self.tmp, "empty"), "train.resume=must"]),
                             "train.resume=must", "holds no checkpoint")

    def test_under_slurm_a_requeued_job_finds_its_run_directory(self):
        environment = dict(os.environ, SLURM_JOB_ID="90210")
        args = ["--log-level", "warning", "train", "generator", "--config", DEMO, "data.train=" + self.data] + \
            [o for o in SMALL if o not in ("--log-level", "warning")]
        first = run(args + ["train.max_steps=2"], cwd=self.tmp, env=environment)
        self.assertEqual(first.returncode, 0, first.stderr)
        run_dir = os.path.join(self.tmp, "runs", "demo-slurm90210")
        self.assertEqual(records(run_dir, "trained")[-1]["step"], 2)
        requeued = run(args + ["train.max_steps=3"], cwd=self.tmp, env=environment)  # same job id: resumes
        self.assertEqual(requeued.returncode, 0, requeued.stderr)
        self.assertEqual(records(run_dir, "trained")[-1]["step"], 3)
        self.assertEqual(len(records(run_dir, "train_step")), 3)  # steps 1, 2, then only 3
        self.assertEqual(os.listdir(os.path.join(self.tmp, "runs")), ["demo-slurm90210"])

    def test_ranks_that_disagree_on_config_or_data_end_the_job(self):
        from skelaug_testing import run_each_rank
        common = ["train", "generator", "--config", DEMO, "train.max_steps=2",
                  "run.dir=" + os.path.join(self.tmp, "split")] + [o for o in SMALL if o not in ("--log-level", "warning")]
        seeds = run_each_rank([(common + ["data.train=" + self.data, "run.seed=1"], None),
                               (common + ["data.train=" + self.data, "run.seed=2"], None)])
        self.assertNotEqual(seeds.returncode, 0)
        self.assertIn("(rank 1/2): this rank's config differs from rank 0's in run.seed", seeds.stderr)
        # The same config text, but a relative data.train that names another file on each rank.
        for name, seed in (("a", "1"), ("b", "2")):
            os.makedirs(os.path.join(self.tmp, name))
            made = run(["data", "demo", "-o", os.path.join(self.tmp, name, "demo.npz"), "--clips-per-class", "8",
                        "--seed", seed])
            self.assertEqual(made.returncode, 0, made.stderr)
        data = run_each_rank([(common + ["data.train=demo.npz"], os.path.join(self.tmp, name)) for name in ("a", "b")])
        self.assertNotEqual(data.returncode, 0)
        self.assertIn("ranks disagree on the training clips", data.stderr)
        metrics = os.path.join(self.tmp, "split", "metrics.jsonl")
        self.assertFalse(os.path.exists(metrics) and records(os.path.join(self.tmp, "split"), "train_step"))

    def test_bad_settings_stop_before_training(self):
        no_data = run(["train", "generator", "--config", DEMO, 'data.train=""', "run.dir=" + self.tmp + "/x"])
        self.assertUserError(no_data, "data.train: no training dataset set")
        uneven = run(["train", "generator", "--config", DEMO, "data.train=" + self.data, "train.batch_size=7",
                      "run.dir=" + self.tmp + "/y"], ranks=2)
        self.assertNotEqual(uneven.returncode, 0)
        self.assertIn("train.batch_size: 7 clips do not split evenly over 2 rank(s)", uneven.stderr)
        heads = run(["train", "generator", "--config", DEMO, "data.train=" + self.data, "generator.heads=3",
                     "run.dir=" + self.tmp + "/z"])
        self.assertUserError(heads, "generator.width: 64 must be even and divisible by generator.heads (3)")


if __name__ == "__main__":
    unittest.main()
