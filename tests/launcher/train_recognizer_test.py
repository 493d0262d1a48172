"""End-to-end: `skelaug train recognizer` under mpirun, as a user runs it."""
import json
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import SOURCE_DIR, TempDirTest, run  # noqa: E402

CONFIG = os.path.join(SOURCE_DIR, "configs", "demo_recognizer.yaml")


def records(run_dir, event):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r.get("event") == event]


class TrainRecognizer(TempDirTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        result = run(["data", "demo", "-o", self.data])
        self.assertEqual(result.returncode, 0, result.stderr)

    def train(self, ranks, name, *overrides, expect=0):
        run_dir = os.path.join(self.tmp, name)
        args = ["--log-level", "warning", "train", "recognizer", "--config", CONFIG, "data.train=" + self.data,
                "run.dir=" + run_dir] + list(overrides)
        result = run(args, ranks=ranks, timeout=600)
        if expect == 0:
            self.assertEqual(result.returncode, 0, result.stderr)
            return run_dir
        return result

    def test_stgcn_pp_learns_the_demo_set_and_reports_every_epoch(self):
        run_dir = self.train(2, "stgcn", "train.epochs=3")
        evaluations = records(run_dir, "evaluation")
        self.assertEqual([e["epoch"] for e in evaluations], [1, 2, 3])
        chance = 1 / 14
        best = max(e["top1"] for e in evaluations)
        self.assertGreater(best, 3 * chance, evaluations)
        with open(os.path.join(run_dir, "evaluation", "best.json")) as f:
            report = json.load(f)
        self.assertAlmostEqual(report["top1"], best)
        matrix = np.array(report["confusion_matrix"] if "confusion_matrix" in report else report["matrix"])
        self.assertEqual(matrix.shape, (14, 14))
        self.assertEqual(matrix.sum(), records(run_dir, "training_set")[0]["test_clips"])
        for key in ("top5", "mean_class_accuracy"):
            self.assertIn(key, report)
        with open(os.path.join(run_dir, "evaluation", "last.txt")) as f:
            self.assertIn("walk", f.read())
        self.assertEqual(len([name for name in os.listdir(os.path.join(run_dir, "best")) if name.endswith(".pt")]), 1)

    def test_two_ranks_equal_one_rank_with_the_same_global_batch(self):
        # a2m_gru has no batch-norm; by default the GCNs normalise with each rank's own batch statistics (as DDP
        # without SyncBatchNorm does); the next test turns recognizer.sync_batch_norm on.
        common = ["recognizer.architecture=a2m_gru", "recognizer.base_channels=32", "train.max_steps=5",
                  "data.augment.rotation_deg=0", "data.length_mode=resample", "train.batch_size=8"]
        one = records(self.train(1, "one", *common), "trained")[0]
        two = records(self.train(2, "two", *common), "trained")[0]
        self.assertAlmostEqual(one["parameter_l2"], two["parameter_l2"], delta=1e-6 * one["parameter_l2"])
        self.assertAlmostEqual(one["parameter_sum"], two["parameter_sum"], delta=1e-3)

    def test_sync_batch_norm_makes_two_ranks_equal_one_rank_for_a_gcn(self):
        common = ["recognizer.architecture=stgcn_pp", "recognizer.base_channels=16", "recognizer.stages=4",
                  "train.max_steps=4", "data.augment.rotation_deg=0", "data.length_mode=resample",
                  "train.batch_size=8"]
        one = records(self.train(1, "one", *common), "trained")[0]
        two = records(self.train(2, "two", *common, "recognizer.sync_batch_norm=true"), "trained")[0]
        # Equal up to float32 summation order (the all-reduce adds the halves' statistics and gradients).
        self.assertAlmostEqual(one["parameter_l2"], two["parameter_l2"], delta=1e-6 * one["parameter_l2"])
        self.assertAlmostEqual(one["parameter_sum"], two["parameter_sum"], delta=1e-5 * abs(one["parameter_sum"]))
        # Without it each rank normalises with its own half of the batch, and the runs part.
        per_rank = records(self.train(2, "per_rank", *common), "trained")[0]
        self.assertGreater(abs(one["parameter_sum"] - per_rank["parameter_sum"]), 1e-4 * abs(one["parameter_sum"]),
                           (one, per_rank))

    def test_extra_clips_are_mixed_in_at_the_asked_ratio(self):
        common = ["recognizer.architecture=a2m_gru", "recognizer.base_channels=16", "train.max_steps=1",
                  "data.extra=[%s]" % self.data]
        real = records(self.train(1, "ratio", *common, "data.extra_ratio=0.5"), "training_set")[0]
        self.assertEqual(real["real_clips"], 588)
        self.assertEqual(real["extra_clips"], 294)
        every = records(self.train(1, "every", *common), "training_set")[0]
        self.assertEqual(every["extra_clips"], 840)
        low = records(self.train(1, "low", *common, "data.fraction=0.1", "data.extra_ratio=5"), "training_set")[0]
        self.assertEqual(low["extra_clips"], 5 * low["real_clips"])
        # A real share of one half: each real clip five times beside the 5 x n generated, so an epoch is 10 x n
        # clips (batches of 8, the last one partial) where it was 6 x n.
        shared_run = self.train(1, "shared", "recognizer.architecture=a2m_gru", "recognizer.base_channels=16",
                                "data.extra=[%s]" % self.data, "data.fraction=0.1", "data.extra_ratio=5",
                                "data.real_share=0.5", "train.epochs=1", "train.batch_size=8")
        shared = records(shared_run, "training_set")[0]
        self.assertEqual(shared["real_clip_indices"], low["real_clip_indices"])
        self.assertEqual(shared["real_copies"], 5)
        self.assertEqual(shared["extra_clips"], 5 * shared["real_clips"])
        self.assertEqual(len(records(shared_run, "train_step")), -(-10 * shared["real_clips"] // 8))

    def test_bad_inputs_are_one_line_and_exit_2(self):
        other = os.path.join(self.tmp, "renamed.npz")
        with np.load(self.data) as d:
            arrays = {k: d[k] for k in d.files}
        arrays["class_names"] = np.array(["c%d" % i for i in range(14)])
        np.savez(other, **arrays)
        result = self.train(1, "bad", "data.extra=[%s]" % other, expect=2)
        self.assertUserError(result, "renamed.npz", "class names")
        self.assertUserError(self.train(1, "bad2", "recognizer.streams=[joint,speed]", expect=2), "recognizer.streams")
        self.assertUserError(self.train(1, "bad3", "recognizer.architecture=resnet", expect=2),
                             "recognizer.architecture")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad", "checkpoints")))


if __name__ == "__main__":
    unittest.main()
