"""Mass sampling end to end: `skelaug sample` on 1, 2 and 3 ranks makes the same bytes; a job killed midway or stopped
by SIGUSR1 is completed by running the same command again, to the same bytes; the sample set reads as a dataset
(`data info`, `data merge`, numpy with the provenance columns); bad requests are refused in one line."""
import filecmp
import json
import os
import signal
import subprocess
import sys
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import MPIEXEC, SKELAUG, SOURCE_DIR, TempDirTest, error_lines, interrupt, run  # noqa: E402

DEMO = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
SMALL = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
         "generator.decoder_layers=1", "data.clip_length=16", "train.batch_size=8"]


def kill_processes_naming(text):
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass


class TrainedGenerator(TempDirTest):
    """A demo generator trained one step, and how to sample from it."""

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        made = run(["data", "demo", "-o", self.data, "--clips-per-class", "4"])
        self.assertEqual(made.returncode, 0, made.stderr)
        self.run_dir = os.path.join(self.tmp, "run")
        trained = run(["--log-level", "warning", "train", "generator", "--config", DEMO, "data.train=" + self.data,
                       "run.dir=" + self.run_dir, "train.max_steps=1", "data.train_split=train"] + SMALL)
        self.assertEqual(trained.returncode, 0, trained.stderr)
        self.checkpoint = os.path.join(self.run_dir, "checkpoints", "checkpoint-000000001.pt")

    def command(self, out, *extra):
        return ["sample", "--config", os.path.join(self.run_dir, "config.yaml"), "--checkpoint", self.checkpoint,
                "-o", out] + list(extra)

    def sample(self, name, *extra, ranks=None):
        out = os.path.join(self.tmp, name)
        result = run(["--log-level", "warning"] + self.command(out, *extra), ranks=ranks)
        self.assertEqual(result.returncode, 0, result.stderr)
        return out, result

    def merge(self, out):
        merged = run(["data", "merge", out, "-o", out + ".npz"])
        self.assertEqual(merged.returncode, 0, merged.stderr)
        return out + ".npz"


class Sample(TrainedGenerator):
    def test_one_two_and_three_ranks_make_the_same_bytes(self):
        extra = ["--per-clip", "2", "sample.ddim_steps=5", "sample.chunk_size=7", "sample.batch_size=4"]
        one, printed = self.sample("one", *extra)
        self.assertIn("generated clips in", printed.stdout)
        merged = self.merge(one)
        for ranks in (2, 3):
            other, _ = self.sample(f"ranks{ranks}", *extra, ranks=ranks)
            self.assertTrue(filecmp.cmp(merged, self.merge(other), shallow=False), f"{ranks} ranks")
        data = np.load(merged)
        train_clips = int(np.sum(np.load(self.data)["split"] == "train"))
        self.assertEqual(len(data["labels"]), 2 * train_clips)  # the generator's training clips, 2 each
        self.assertEqual(data["gen_seed"].dtype, np.int64)
        self.assertTrue((data["gen_seed"] >= 0).all())
        self.assertEqual(len(set(data["gen_seed"].tolist())), len(data["gen_seed"]))
        real_split = np.load(self.data)["split"]
        self.assertTrue((real_split[data["gen_exemplar"]] == "train").all())
        self.assertTrue(np.isnan(data["gen_deviation"]).all())
        self.assertEqual(data["gen_rounds"].tolist(), [0] * len(data["labels"]))
        with open(os.path.join(one, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertTrue(manifest["complete"])
        self.assertEqual(manifest["items"], "per_clip 2")
        self.assertEqual(sum(chunk["clips"] for chunk in manifest["chunks"]), len(data["labels"]))
        self.assertEqual(sum(manifest["class_counts"].values()), len(data["labels"]))
        info = run(["data", "info", one])
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertIn(f"generated clips: {len(data['labels'])}", info.stdout)

    @staticmethod
    def shards_written(out, count):
        return lambda: os.path.isdir(out) and sum(name.endswith(".crc64") for name in os.listdir(out)) >= count

    SLOW = ["--per-class", "6", "sample.ddim_steps=100", "sample.chunk_size=3", "sample.batch_size=3"]

    def test_a_job_killed_midway_is_completed_to_the_same_bytes(self):
        reference = self.merge(self.sample("reference", *self.SLOW)[0])
        out = os.path.join(self.tmp, "killed")
        job = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", SKELAUG] + self.command(out, *self.SLOW),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        interrupt(job, signal.SIGKILL, self.shards_written(out, 2), timeout=60)  # mpirun, and its ranks with it
        kill_processes_naming(out)  # ranks the killed mpirun may have left behind
        time.sleep(0.5)
        with open(os.path.join(out, "manifest.json")) as f:
            self.assertFalse(json.load(f)["complete"])
        again, printed = self.sample("killed", *self.SLOW, ranks=2)
        self.assertRegex(printed.stdout, r"\(\d+ made now, [1-9]\d* found done\)")
        self.assertTrue(filecmp.cmp(reference, self.merge(again), shallow=False))

    def test_sigusr1_writes_the_chunk_in_flight_exits_3_and_the_same_command_completes_the_set(self):
        reference = self.merge(self.sample("reference", *self.SLOW)[0])
        out = os.path.join(self.tmp, "stopped")
        job = subprocess.Popen([SKELAUG] + self.command(out, *self.SLOW), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        _, err = interrupt(job, signal.SIGUSR1, self.shards_written(out, 1))
        self.assertEqual(job.returncode, 3, err)
        self.assertRegex(err, r"skelaug: stopped: signal 10: \d+ of 28 chunks of .*stopped are written")
        self.assertEqual([name for name in os.listdir(out) if ".tmp-" in name], [])
        incomplete = run(["data", "info", out])
        self.assertUserError(incomplete, "the sample set is incomplete")
        self.sample("stopped", *self.SLOW)
        self.assertTrue(filecmp.cmp(reference, self.merge(out), shallow=False))

    def test_another_seed_is_refused_in_the_same_directory_unless_forced(self):
        out, _ = self.sample("set", "--per-class", "1", "sample.ddim_steps=2")
        refused = run(self.command(out, "--per-class", "1", "sample.ddim_steps=2", "sample.seed=9"))
        self.assertUserError(refused, "holds a sample set made with another config (sample.seed)", "--force")
        self.sample("set", "--per-class", "1", "sample.ddim_steps=2", "sample.seed=9", "--force")

    def test_bad_requests_are_refused_in_one_line(self):
        self.assertUserError(run(self.command(os.path.join(self.tmp, "x.npz"), "--per-class", "1")),
                             "x.npz: skelaug sample writes a directory")
        self.assertUserError(run(self.command(os.path.join(self.tmp, "y"))), "give --per-clip K")
        both = run(self.command(os.path.join(self.tmp, "z"), "--per-class", "1", "--per-clip", "1"))
        self.assertEqual(both.returncode, 2, both.stderr)
        self.assertEqual(len(error_lines(both.stderr)), 1, both.stderr)


class SampleRefinement(TrainedGenerator):
    def test_the_refinement_module_filters_refines_and_reports_per_part_and_class(self):
        extra = ["--per-clip", "2", "sample.ddim_steps=4", "sample.chunk_size=16"]
        # With a bound no clip exceeds, the module only measures: every clip's deviation from its exemplar.
        measured = np.load(self.merge(self.sample("measured", *extra, "sample.refine.max_deviation=100")[0]))
        deviation = np.sort(measured["gen_deviation"])
        self.assertFalse(np.isnan(deviation).any())
        bound = float(deviation[len(deviation) // 2 - 1] + deviation[len(deviation) // 2]) / 2
        out, printed = self.sample("refined", *extra, f"sample.refine.max_deviation={bound}",
                                   "sample.refine.max_rounds=2", "sample.refine.max_draws=2",
                                   "sample.refine.renoise_step=300", ranks=2)
        self.assertRegex(printed.stdout, r"refinement: \d+ of %d items accepted" % len(deviation))
        self.assertRegex(printed.stdout, r"rejections: max_deviation [1-9]")
        refined = np.load(self.merge(out))
        with open(os.path.join(out, "manifest.json")) as f:
            refinement = json.load(f)["refinement"]
        self.assertEqual(refinement["items"], len(deviation))
        self.assertEqual(refinement["accepted"], len(refined["labels"]))
        self.assertEqual(refinement["accepted"] + refinement["dropped"], refinement["items"])
        self.assertEqual(sum(c["items"] for c in refinement["per_class"].values()), refinement["items"])
        self.assertTrue((refined["gen_deviation"] <= bound).all())
        self.assertTrue((refined["gen_rounds"] > 0).any(), refined["gen_rounds"])
        self.assertLessEqual(int(refined["gen_rounds"].sum()), refinement["rounds"])

    def test_the_recogniser_check_uses_a_trained_recognisers_confidence(self):
        recognizer = os.path.join(self.tmp, "recognizer")
        trained = run(["--log-level", "warning", "train", "recognizer", "--config",
                       os.path.join(SOURCE_DIR, "configs", "demo_recognizer.yaml"), "data.train=" + self.data,
                       "run.dir=" + recognizer, "train.epochs=1", "recognizer.base_channels=8", "recognizer.stages=2",
                       "data.clip_length=16"])
        self.assertEqual(trained.returncode, 0, trained.stderr)
        out, printed = self.sample("scored", "--per-class", "1", "sample.ddim_steps=2",
                                   "sample.refine.recognizer=" + recognizer, "sample.refine.min_confidence=auto",
                                   "sample.refine.confidence_quantile=0.5")
        self.assertIn("refinement: ", printed.stdout)
        scored = np.load(self.merge(out))
        self.assertFalse(np.isnan(scored["gen_confidence"]).any())
        self.assertTrue(((scored["gen_confidence"] >= 0) & (scored["gen_confidence"] <= 1)).all())
        self.assertUserError(run(self.command(os.path.join(self.tmp, "w"), "--per-class", "1",
                                              "sample.refine.recognizer=" + self.tmp)),
                             "sample.refine.recognizer", "is not a recogniser run directory")


if __name__ == "__main__":
    unittest.main()
