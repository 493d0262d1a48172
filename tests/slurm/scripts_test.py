"""The Slurm scripts of slurm/ submitted with sbatch to a real local Slurm cluster (slurmctld and two slurmd on this
machine, tests/slurm/slurm_cluster.py), on tiny configs (demo or NTU-format data, CPU, MPI backend): multi-node
generator training equals one node, a sampling sweep array equals single-process runs, a preempted job requeues
itself and resumes bit for bit, and ntu_full.sh's chain runs from raw .skeleton files to the report and ends cleanly
when a stage fails. Every daemon is stopped by its pid afterwards, and nothing may be left running."""
import csv
import json
import math
import os
import sys
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from skelaug_testing import SKELAUG, SOURCE_DIR, TINY_GENERATOR, run, tiny_study_text  # noqa: E402
from slurm_cluster import ClusterTestCase  # noqa: E402

SLURM_DIR = os.path.join(SOURCE_DIR, "slurm")
# What a site edits, set for the test cluster: its partition, no GPUs, one core per task, short limits.
SITE = ["--partition=debug", "--gpus-per-node=0", "--cpus-per-task=1", "--time=10"]
SMALL_GENERATOR = ["generator.width=32", "generator.heads=2", "generator.feedforward=64", "generator.encoder_layers=1",
                   "generator.decoder_layers=1", "generator.dropout=0", "data.length_mode=resample",
                   "data.clip_length=24", "train.batch_size=8", "train.checkpoint_every=0"]

def records(run_dir, event):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r.get("event") == event]


def read(path):
    with open(path) as f:
        return f.read()


def write_ntu_skeletons(folder, actions=(1, 2, 3), performers=(1, 2, 4, 3), repetitions=(1, 2), frames=20):
    """Raw NTU RGB+D files (SsssCcccPpppRrrrAaaa.skeleton, one body, 25 joints): a distinct swing per action.
    Performers 1, 2 and 4 are cross-subject training performers, 3 a test one."""
    os.makedirs(folder, exist_ok=True)
    for action in actions:
        for performer in performers:
            for repetition in repetitions:
                lines = [str(frames)]
                for f in range(frames):
                    lines += ["1", f"{72057594037931100 + performer} 0 1 1 1 1 0 -0.2 0.1 2", "25"]
                    phase = 2 * math.pi * f / frames * action
                    for j in range(25):
                        x = 0.1 * j % 0.5 + 0.2 * math.sin(phase + j) + 0.01 * repetition
                        y = 0.06 * j + 0.1 * math.cos(phase) * (j % 3)
                        lines.append(f"{x:.5f} {y:.5f} {3 + 0.02 * performer:.5f} 277 191 1032 541 -0.2 0.04 0.96 "
                                     "-0.03 2")
                name = f"S001C001P{performer:03d}R{repetition:03d}A{action:03d}.skeleton"
                with open(os.path.join(folder, name), "w") as out:
                    out.write("\r\n".join(lines) + "\r\n")


class SlurmScripts(ClusterTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = os.path.join(cls.base, "work")
        os.makedirs(cls.work)
        cls.cluster.env.update({"SKELAUG": os.path.abspath(SKELAUG), "SKELAUG_SLURM_DIR": SLURM_DIR,
                                "RUNS": os.path.join(cls.work, "runs"), "STAGE_SBATCH_ARGS": "--partition=debug "
                                "--time=10", "RANK_SBATCH_ARGS": "", "OMP_NUM_THREADS": "1"})
        cls.data = os.path.join(cls.work, "demo.npz")
        made = run(["data", "demo", "-o", cls.data, "--clips-per-class", "8"])
        assert made.returncode == 0, made.stderr

    def submit(self, script, *args, sbatch=()):
        begin = time.monotonic()
        job = self.cluster.sbatch(os.path.join(SLURM_DIR, script), *args, cwd=self.work,
                                  extra_sbatch_args=SITE + list(sbatch))
        return job, begin

    def wait(self, job, begin, expected="COMPLETED", timeout=300):
        state = self.cluster.wait(job, timeout=timeout)
        if state != expected:
            logs = "".join(read(r["StdOut"]) for r in self.cluster.job_records(job) if os.path.exists(r["StdOut"]))
            self.fail(f"job {job}: {state}, expected {expected}\n{logs}\n{self.cluster.diagnostics()}")
        print(f"\njob {job} ({expected}) took {time.monotonic() - begin:.1f} s", file=sys.stderr)
        return self.cluster.job_info(job)

    def generator(self, job):
        return os.path.join(self.work, "runs", f"demo-slurm{job}")

    def test_generator_on_two_nodes_equals_one_node_and_a_preempted_job_resumes_bit_for_bit(self):
        config = os.path.join(SOURCE_DIR, "configs", "demo.yaml")
        common = [config, "data.train=" + self.data, *SMALL_GENERATOR, "train.epochs=100000"]
        one, begin = self.submit("train_generator.sh", *common, "train.max_steps=6",
                                 sbatch=["--nodes=1", "--ntasks-per-node=1"])
        self.wait(one, begin)
        two, begin = self.submit("train_generator.sh", *common, "train.max_steps=6",
                                 sbatch=["--nodes=2", "--ntasks-per-node=1"])
        info = self.wait(two, begin)
        self.assertIn("on 2 node(s) x 1 task(s) (2 ranks)", read(info["StdOut"]))
        one_result = records(self.generator(one), "trained")[0]
        two_result = records(self.generator(two), "trained")[0]
        self.assertAlmostEqual(one_result["parameter_l2"], two_result["parameter_l2"],
                               delta=1e-6 * one_result["parameter_l2"])

        # Preempted after its first steps: exit 3, requeued by the script, resumed from its checkpoint to the end.
        steps = ["train.max_steps=150", "train.checkpoint_every=0"]
        whole, begin = self.submit("train_generator.sh", *common, *steps, sbatch=["--nodes=2", "--ntasks-per-node=1"])
        self.wait(whole, begin)
        preempted, begin = self.submit("train_generator.sh", *common, *steps,
                                       sbatch=["--nodes=2", "--ntasks-per-node=1"])
        metrics = os.path.join(self.generator(preempted), "metrics.jsonl")
        deadline = time.monotonic() + 120
        while not (os.path.exists(metrics) and '"train_step"' in read(metrics)):
            self.assertLess(time.monotonic(), deadline, self.cluster.job_records(preempted))
            time.sleep(0.1)
        self.cluster.signal_batch(preempted, "USR1")
        info = self.wait(preempted, begin)
        self.assertEqual("1", info["Restarts"])
        log = read(info["StdOut"])
        self.assertIn("got USR1", log)
        self.assertIn("preempted (exit 3): requeueing", log)
        self.assertIn("resumed from", log)
        self.assertEqual(2, len(records(self.generator(preempted), "training_set")))  # started twice, one run dir
        self.assertEqual(records(self.generator(whole), "trained")[0]["parameter_l2"],
                         records(self.generator(preempted), "trained")[-1]["parameter_l2"])

    def test_a_sampling_sweep_array_writes_every_shard_and_equals_single_process_runs(self):
        trained = run(["--log-level", "warning", "train", "generator", "--config",
                       os.path.join(SOURCE_DIR, "configs", "demo.yaml"), "data.train=" + self.data,
                       "run.dir=" + os.path.join(self.work, "sweep_generator"), *SMALL_GENERATOR,
                       "train.epochs=100000", "train.max_steps=4"])
        self.assertEqual(trained.returncode, 0, trained.stderr)
        generator = os.path.join(self.work, "sweep_generator")
        table = os.path.join(self.work, "sweep.tsv")
        with open(table, "w") as out:
            out.write("# two points\nper_class  sample.dropout  sample.ddim_steps\n2 0 4\n3 0.1 6\n")
        out_dir = os.path.join(self.work, "sweep")
        self.cluster.env["OUT"] = out_dir
        try:
            job, begin = self.submit("sample_sweep.sh", table, generator, "sample.chunk_size=8",
                                     sbatch=["--array=0-1%1", "--nodes=2", "--ntasks-per-node=1"])
            states = self.cluster.wait(job, timeout=300)
        finally:
            del self.cluster.env["OUT"]
        self.assertEqual({0: "COMPLETED", 1: "COMPLETED"}, states,
                         [read(r["StdOut"]) for r in self.cluster.job_records(job)])
        print(f"\nsweep array {job} took {time.monotonic() - begin:.1f} s", file=sys.stderr)
        for task, (per_class, dropout, steps) in enumerate([(2, 0, 4), (3, 0.1, 6)]):
            point = os.path.join(out_dir, f"point-{task}")
            manifest = json.loads(read(os.path.join(point, "manifest.json")))
            self.assertTrue(manifest["complete"], manifest)
            shards = sorted(name for name in os.listdir(point) if name.startswith("shard-") and name.endswith(".npz"))
            self.assertEqual(shards, [chunk["file"] for chunk in manifest["chunks"]])
            self.assertEqual(len(shards), -(-14 * per_class // 8))  # 14 classes, chunks of 8
            self.assertIn(f"sample.dropout={dropout}", read(os.path.join(out_dir, f"point-{task}.txt")))
            # The same settings in one process, merged and compared array by array.
            single = os.path.join(self.work, f"single-{task}")
            sampled = run(["--log-level", "warning", "sample", "--config", os.path.join(generator, "config.yaml"),
                           "--checkpoint", generator, "--per-class", str(per_class), "-o", single,
                           f"sample.dropout={dropout}", f"sample.ddim_steps={steps}", "sample.chunk_size=8"])
            self.assertEqual(sampled.returncode, 0, sampled.stderr)
            merged = {}
            for name, folder in (("array", point), ("single", single)):
                merged[name] = os.path.join(self.work, f"{name}-{task}.npz")
                result = run(["data", "merge", folder, "-o", merged[name]])
                self.assertEqual(result.returncode, 0, result.stderr)
            with np.load(merged["array"]) as a, np.load(merged["single"]) as b:
                self.assertEqual(sorted(a.files), sorted(b.files))
                for key in a.files:
                    np.testing.assert_array_equal(a[key], b[key], err_msg=key)

    def ntu_study(self, name, generator_overrides=()):
        raw = os.path.join(self.work, name + "_raw")
        write_ntu_skeletons(raw)
        study = os.path.join(self.work, name + ".yaml")
        with open(study, "w") as out:
            out.write(tiny_study_text(os.path.join(self.work, name), [1.0], [1], ["real", "generated"], 1,
                                      generator=TINY_GENERATOR + list(generator_overrides)))
        return raw, study

    def run_ntu_full(self, raw, study, data):
        self.cluster.env.update({"RAW": raw, "STUDY": study, "DATA": data, "NODES": "2", "GPUS_PER_NODE": "1"})
        try:
            job, begin = self.submit("ntu_full.sh")
        finally:
            for key in ("RAW", "STUDY", "DATA", "NODES", "GPUS_PER_NODE"):
                del self.cluster.env[key]
        info = self.wait(job, begin)
        return job, begin, read(info["StdOut"])

    def wait_for_empty_queue(self, timeout=600):
        deadline = time.monotonic() + timeout
        while self.cluster.queue():
            self.assertLess(time.monotonic(), deadline, self.cluster.queue())
            time.sleep(0.5)

    def test_ntu_full_runs_from_raw_files_to_the_report_and_a_failed_stage_ends_the_chain(self):
        raw, study = self.ntu_study("ntu_study")
        data = os.path.join(self.work, "data", "ntu60_xsub.npz")
        job, begin, log = self.run_ntu_full(raw, study, data)
        self.assertIn("import: ", log)
        self.wait_for_empty_queue()
        print(f"\nntu_full chain took {time.monotonic() - begin:.1f} s", file=sys.stderr)
        study_dir = os.path.join(self.work, "ntu_study")
        report = os.path.join(study_dir, "report", "report.md")
        self.assertTrue(os.path.exists(report), os.listdir(os.path.join(study_dir, "slurm", "logs")))
        with np.load(data) as imported:
            self.assertEqual(len(imported["labels"]), 24)
        # Every stage ran as an array task through `augment run --stage` on 2 ranks where it trains or samples.
        stages = {s["id"]: s for s in json.loads(read(os.path.join(study_dir, "plan.json")))["stages"]}
        self.assertEqual(2, stages["f1/s1/generator"]["ranks"])
        for stage in stages:
            self.assertTrue(os.path.exists(os.path.join(study_dir, "stages", stage + ".json")), stage)
        with open(os.path.join(study_dir, "report", "results.csv")) as f:
            rows = {row["arm"]: row for row in csv.DictReader(f)}
        self.assertEqual({"real", "generated"}, set(rows))
        self.assertTrue(all(row["seeds"] == "1" for row in rows.values()), rows)

        # A generator that cannot be built fails its stage: the arrays after it and the report are cancelled.
        raw, study = self.ntu_study("ntu_broken", ["generator.heads=3"])
        job, begin, log = self.run_ntu_full(raw, study, data)
        self.assertIn("exists, kept", log)
        self.wait_for_empty_queue()
        logs = os.path.join(self.work, "ntu_broken", "slurm", "logs")
        failed = [read(os.path.join(logs, name)) for name in sorted(os.listdir(logs))]
        self.assertTrue(any("FAILED with exit code" in text and "f1/s1/generator" in text for text in failed),
                        failed)
        self.assertFalse(os.path.exists(os.path.join(self.work, "ntu_broken", "report")))
        self.assertFalse(any(name.startswith("report-") for name in os.listdir(logs)))

        # Raw files that are not there: the import job fails and submits nothing.
        os.remove(data)
        self.cluster.env.update({"RAW": os.path.join(self.work, "nowhere"), "STUDY": study, "DATA": data})
        try:
            job, begin = self.submit("ntu_full.sh")
        finally:
            for key in ("RAW", "STUDY", "DATA"):
                del self.cluster.env[key]
        info = self.wait(job, begin, expected="FAILED")
        self.assertEqual("2:0", info["ExitCode"])
        self.assertIn("is not a folder of NTU .skeleton files", read(info["StdOut"]))
        self.assertEqual([], self.cluster.queue())


if __name__ == "__main__":
    unittest.main()
