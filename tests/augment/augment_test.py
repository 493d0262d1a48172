"""The augmentation study end to end (`skelaug augment plan|run|report`) on a tiny study: every stage runs, a second
run starts none, an interrupted study continues, the report's numbers are recomputed here from the run directories,
each cell's generator, samples and noisy copies come from that cell's subset alone (checked from the provenance), and
the pictures are files of their type. Bad study configs are refused in one line."""
import csv
import glob
import json
import os
import signal
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from skelaug_testing import (SKELAUG, TINY_RECOGNIZER, TempDirTest, interrupt, run,  # noqa: E402
                             tiny_study_text)

# Student's t quantile 0.975 for 1 degree of freedom (two seeds), from tables: the report's intervals use it.
T_975_DF1 = 12.706204736174707

def training_clips(run_dir):
    """The real clip indices a run recorded in its metrics.jsonl."""
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        for line in f:
            record = json.loads(line)
            if record.get("event") == "training_set":
                return record["real_clip_indices"]
    raise AssertionError(f"{run_dir}: no training_set record")


def read(path):
    with open(path) as f:
        return f.read()


def read_json(path):
    with open(path) as f:
        return json.load(f)


def last_top1(run_dir):
    with open(os.path.join(run_dir, "evaluation", "last.json")) as f:
        return json.load(f)["top1"]


class Study(TempDirTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "demo.npz")
        made = run(["data", "demo", "-o", self.data, "--clips-per-class", "6"])
        self.assertEqual(made.returncode, 0, made.stderr)

    def study(self, name, fractions, seeds, arms, recognizer=TINY_RECOGNIZER, ratio=2, extra=""):
        text = tiny_study_text(os.path.join(self.tmp, name), fractions, seeds, arms, ratio, data=self.data, ranks=1,
                               recognizer=recognizer, extra=extra)
        return self.write(name + ".yaml", text)

    def augment(self, *args, timeout=600):
        return run(["--log-level", "warning", "augment"] + list(args), cwd=self.tmp, timeout=timeout)


class StudyErrors(Study):
    def test_bad_studies_are_refused_in_one_line(self):
        cases = [
            (["real", "shiny"], "", "augment.arms: unknown arm 'shiny'"),
            (["noise"], "", "augment.arms: `real` is required"),
            (["real", "classic"], "", "augment.classic_overrides: empty"),
            (["real", "generated_classic"], "", "the generated_classic arm needs its augmentations"),
        ]
        for arms, extra, message in cases:
            with self.subTest(arms=arms):
                self.assertUserError(self.augment("plan", self.study("bad", [0.5], [1], arms, extra=extra)), message)
        study = self.study("auto", [0.5], [1], ["real", "generated"])
        self.assertUserError(self.augment("plan", study, 'augment.sample.overrides=["sample.refine.min_confidence=auto"]'),
                             "augment.sample.overrides", "held-out split")
        self.assertUserError(self.augment("plan", study, "augment.data=" + os.path.join(self.tmp, "none.npz")),
                             "none.npz")
        self.assertUserError(self.augment("plan", study, "augment.fractions=[0.5, 0.5]"), "augment.fractions")
        self.assertUserError(self.augment("report", os.path.join(self.tmp, "nowhere")), "plan.json")

    def test_plan_lists_every_stage_after_the_ones_it_reads(self):
        study = self.study("plan", [0.5, 1.0], [1, 2], ["real", "real_matched", "noise", "generated"])
        planned = self.augment("plan", study, "--json")
        self.assertEqual(planned.returncode, 0, planned.stderr)
        plan = json.loads(planned.stdout)
        ids = [stage["id"] for stage in plan["stages"]]
        self.assertEqual(len(ids), len(set(ids)))
        for position, stage in enumerate(plan["stages"]):
            self.assertTrue(stage["command"].startswith("skelaug "), stage["command"])
            for before in stage["after"]:
                self.assertIn(before, ids[:position], stage["id"])
        # features, then per cell: generator, noise, real, samples, evaluation, real_matched, noise, generated.
        self.assertEqual(len(ids), 1 + 4 * 8)
        # Every arm but real trains the generated arm's steps: 2 epochs over (1 + ratio) x the subset, batch 8.
        subset = {cell["fraction"]: cell["real_clips"] for cell in plan["cells"]}
        for fraction, steps in plan["matched_steps"]["demo_recognizer"].items():
            self.assertEqual(steps, 2 * -(-3 * subset[float(fraction)] // 8))
        matched = [s for s in plan["stages"] if s["id"] == "f0.5/s1/demo_recognizer/real_matched"][0]
        self.assertIn(f"train.max_steps={plan['matched_steps']['demo_recognizer']['0.5']}", matched["args"])
        # A real share: the arms with extra clips repeat their real clips, and still train the matched steps.
        shared = json.loads(self.augment("plan", study, "augment.real_share=0.5", "--json").stdout)
        self.assertEqual(shared["study"]["real_share"], 0.5)
        for stage in shared["stages"]:
            arm = stage["id"].rsplit("/", 1)[-1]
            if stage["kind"] == "train recognizer" and arm in ("noise", "generated"):
                steps = shared["matched_steps"]["demo_recognizer"][stage["id"].split("/")[0][1:]]
                self.assertIn("data.real_share=0.5", stage["args"])
                self.assertIn(f"train.max_steps={steps}", stage["args"])
            else:
                self.assertNotIn("data.real_share=0.5", stage["args"])
        # Drawn by class: the arms with extra clips pass it on, with epochs enough for the real clips alone, cut at
        # the matched steps.
        by_class = json.loads(self.augment("plan", study, "augment.extra_by_class=true", "--json").stdout)
        self.assertTrue(by_class["study"]["extra_by_class"])
        for stage in by_class["stages"]:
            arm = stage["id"].rsplit("/", 1)[-1]
            if stage["kind"] == "train recognizer" and arm in ("noise", "generated"):
                fraction = stage["id"].split("/")[0][1:]
                steps = by_class["matched_steps"]["demo_recognizer"][fraction]
                real_steps = -(-subset[float(fraction)] // 8)
                self.assertIn("data.extra_by_class=true", stage["args"])
                self.assertIn(f"train.max_steps={steps}", stage["args"])
                self.assertIn(f"train.epochs={-(-steps // real_steps)}", stage["args"])
            else:
                self.assertNotIn("data.extra_by_class=true", stage["args"])
        # Pretrained on the generated clips alone, then trained as the real arm is from those final weights: the two
        # runs take the matched steps together.
        pretrained = json.loads(self.augment("plan", study, "augment.arms=[real, generated_pretrained]",
                                             "--json").stdout)
        stages = {stage["id"]: stage for stage in pretrained["stages"]}
        for fraction, steps in pretrained["matched_steps"]["demo_recognizer"].items():
            cell = f"f{fraction}/s1/"
            pretraining = stages[cell + "demo_recognizer/generated_pretraining"]
            trained = stages[cell + "demo_recognizer/generated_pretrained"]
            real_arm = stages[cell + "demo_recognizer/real"]
            self.assertEqual(pretraining["after"], [cell + "samples/generated"])
            self.assertIn("data.extra=[" + os.path.join(self.tmp, "plan", cell, "samples", "generated") + "]",
                          pretraining["args"])
            self.assertIn("data.extra_only=true", pretraining["args"])
            self.assertIn(f"train.max_steps={steps - 2 * -(-subset[float(fraction)] // 8)}", pretraining["args"])
            self.assertIn(pretraining["id"], trained["after"])
            self.assertIn("recognizer.init=" + pretraining["output"], trained["args"])
            self.assertEqual([arg for arg in trained["args"] if not arg.startswith(("run.dir=", "recognizer.init="))],
                             [arg for arg in real_arm["args"] if not arg.startswith("run.dir=")])
        # The generated arm with the classic augmentations: its command line is the generated arm's, then the
        # classic ones, after the recogniser's own settings that turn them off.
        both = json.loads(self.augment("plan", study, "augment.arms=[real, generated, generated_classic]",
                                       "augment.classic_overrides=[data.augment.rotation_deg=15]", "--json").stdout)
        stages = {stage["id"]: stage for stage in both["stages"]}
        for cell in (f"f{fraction}/s{seed}/" for fraction in (0.5, 1) for seed in (1, 2)):
            generated = stages[cell + "demo_recognizer/generated"]
            combined = stages[cell + "demo_recognizer/generated_classic"]
            self.assertEqual(combined["after"], generated["after"])
            without_dir = [arg for arg in combined["args"] if not arg.startswith("run.dir=")]
            self.assertEqual(without_dir, [arg for arg in generated["args"] if not arg.startswith("run.dir=")]
                             + ["data.augment.rotation_deg=15"])
            self.assertIn("data.augment.rotation_deg=0", without_dir[:-1])
        # Generated clips and noisy copies in one pool: the generated arm's command line with the cell's noisy copies
        # beside its samples, after both stages; the copies are made without a `noise` arm too.
        pooled = json.loads(self.augment("plan", study, "augment.arms=[real, generated, generated_noise]",
                                         "--json").stdout)
        stages = {stage["id"]: stage for stage in pooled["stages"]}
        for cell in (f"f{fraction}/s{seed}/" for fraction in (0.5, 1) for seed in (1, 2)):
            generated = stages[cell + "demo_recognizer/generated"]
            combined = stages[cell + "demo_recognizer/generated_noise"]
            copies = stages[cell + "noise"]
            self.assertEqual(combined["after"], generated["after"] + [copies["id"]])
            self.assertEqual([arg for arg in combined["args"] if not arg.startswith("run.dir=")],
                             [arg[:-1] + ", " + copies["output"] + "]" if arg.startswith("data.extra=") else arg
                              for arg in generated["args"] if not arg.startswith("run.dir=")])
        # Its run on the real clips takes augment.finetune_overrides, and only it.
        gentler = json.loads(self.augment("plan", study, "augment.arms=[real, generated_pretrained]",
                                          "augment.finetune_overrides=[train.lr=0.01]", "--json").stdout)
        for stage in gentler["stages"]:
            self.assertEqual("train.lr=0.01" in stage["args"], stage["id"].endswith("/generated_pretrained"),
                             stage["id"])
        # A validation study evaluates on the training clips each cell leaves out, in its own directory.
        self.assertUserError(self.augment("plan", study, "augment.validation=true"), "augment.fractions",
                             "below 1")
        validation = self.augment("plan", study, "augment.validation=true", "augment.fractions=[0.5]",
                                  'augment.dir=""', "--json")
        self.assertEqual(validation.returncode, 0, validation.stderr)
        validation = json.loads(validation.stdout)
        self.assertTrue(validation["study"]["directory"].endswith("plan_validation"))
        for stage in validation["stages"]:
            if stage["kind"] == "train recognizer" and stage["id"] != "features":
                self.assertIn("data.test_split=train", stage["args"])
                self.assertIn("data.test_unused_only=true", stage["args"])
            # Nothing in it reads the test clips: the feature recogniser and the generation metrics use the training
            # split in their place.
            self.assertNotIn("data.test_split=test", stage["args"], stage["id"])
            if stage["id"] == "features":
                self.assertIn("data.test_split=train", stage["args"])
            if stage["kind"] == "evaluate":
                self.assertIn("evaluate.real_split=train", stage["args"])
        self.assertIn("evaluate", {stage["kind"] for stage in validation["stages"]})
        # By subject: a first stage writes the data with the named subjects' training clips as the validation split;
        # every other stage reads that file (after that stage) and evaluates on its validation split, at any fraction.
        self.assertUserError(self.augment("plan", study, "augment.validation_subjects=[3, 4]"),
                             "augment.validation_subjects", "augment.validation is false")
        self.assertUserError(self.augment("plan", study, "augment.validation=true", "augment.validation_subjects=[7]"),
                             "augment.validation_subjects", "subject 7 has no clip in split 'train'")
        by_subject = self.augment("plan", study, "augment.validation=true", "augment.validation_subjects=[3, 4]",
                                  "--json")
        self.assertEqual(by_subject.returncode, 0, by_subject.stderr)
        by_subject = json.loads(by_subject.stdout)
        carved = os.path.join(self.tmp, "plan", "validation_split.npz")
        split = by_subject["stages"][0]
        self.assertEqual(split["id"], "validation_split")
        self.assertEqual(split["args"], ["data", "split", self.data, "--from", "train", "--to", "validation",
                                         "--subjects", "3,4", "-o", carved])
        real = np.load(self.data)
        kept = ((real["split"] == "train") & ~np.isin(real["subject"], [3, 4])).sum()
        self.assertEqual([cell["real_clips"] for cell in by_subject["cells"] if cell["fraction"] == 1.0], [kept] * 2)
        for stage in by_subject["stages"][1:]:
            self.assertFalse(any(self.data in arg for arg in stage["args"]), stage["id"])
            self.assertGreaterEqual(stage["wave"], 1, stage["id"])
            if stage["kind"] == "train recognizer":
                self.assertIn("data.train=" + carved, stage["args"])
                self.assertIn("data.test_split=validation", stage["args"])
                self.assertIn("data.test_unused_only=false", stage["args"])
            if stage["kind"] == "evaluate":
                self.assertIn("evaluate.real_split=validation", stage["args"])
            self.assertNotIn("data.test_split=test", stage["args"], stage["id"])
        self.assertIn("evaluate", {stage["kind"] for stage in by_subject["stages"]})
        # Generated clips alone keep the cell's real subset named (data.extra_only), so that the clips it leaves out
        # are known; a test-split study keeps generated_only's first command line, for studies run before.
        for validating in (True, False):
            alone = json.loads(self.augment("plan", study, f"augment.validation={str(validating).lower()}",
                                            "augment.fractions=[0.5]", "augment.arms=[real, generated_only]",
                                            "--json").stdout)
            generated_only = [s for s in alone["stages"] if s["id"] == "f0.5/s1/demo_recognizer/generated_only"][0]
            self.assertEqual("data.extra_only=true" in generated_only["args"], validating)
            self.assertIn("data.fraction=0.5", generated_only["args"])
            self.assertEqual("data.fraction=1" in generated_only["args"], not validating)
        # For scripts: the study, then each stage's wave (after every wave it reads), ranks and id.
        listed = self.augment("plan", study, "--list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        lines = [line.split("\t") for line in listed.stdout.splitlines()]
        self.assertEqual(lines[0], ["#", "plan", os.path.join(self.tmp, "plan")])
        waves = {stage_id: int(wave) for wave, _, stage_id in lines[1:]}
        self.assertEqual(list(waves), ids)
        for stage in plan["stages"]:
            self.assertEqual(waves[stage["id"]], max([waves[b] + 1 for b in stage["after"]], default=0), stage["id"])
        self.assertEqual(waves["f0.5/s1/demo_recognizer/generated"], 2)  # after the samples, after the real run
        # One stage at a time (a Slurm array task): an unknown one, or one whose inputs are missing, is refused.
        self.assertUserError(self.augment("run", study, "--stage", "f0.5/s1/nothing"), "--stage f0.5/s1/nothing",
                             "no such stage")
        self.assertUserError(self.augment("run", study, "--stage", "f0.5/s1/demo_recognizer/generated"),
                             "f0.5/s1/samples/generated", "has not finished")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "plan")))  # refused before anything is written
        text = self.augment("plan", study)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("f0.5/s2/demo_recognizer/generated", text.stdout)
        self.assertIn("sample.refine.recognizer=", text.stdout)


class StudyEndToEnd(Study):
    def test_a_tiny_study_runs_resumes_and_reports(self):
        study = self.study("tiny", [0.5, 1.0], [1, 2], ["real", "real_matched", "noise", "generated",
                                                        "generated_pretrained", "generated_no_dropout",
                                                        "generated_noise"])
        first = self.augment("run", study)
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        plan = read_json(os.path.join(self.tmp, "tiny", "plan.json"))
        stages = len(plan["stages"])
        self.assertIn(f"all {stages} stages done (0 done before)", first.stdout)

        # A second run starts nothing.
        again = self.augment("run", study)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn(f"all {stages} stages done ({stages} done before)", again.stdout)
        self.assertNotIn(" ... (", again.stdout)
        # Other settings for a finished stage are refused, naming it.
        changed = self.augment("run", study, "augment.ratio=3")
        self.assertEqual(changed.returncode, 2, changed.stdout + changed.stderr)
        self.assertIn("finished before with another command line", changed.stderr)

        # Provenance: each cell's generator, exemplars, noisy copies and recognisers saw the cell's subset only.
        real = np.load(self.data)
        for cell in plan["cells"]:
            directory = os.path.join(self.tmp, cell["directory"]) if not os.path.isabs(cell["directory"]) \
                else cell["directory"]
            subset = training_clips(os.path.join(directory, "generator"))
            self.assertEqual(len(subset), cell["real_clips"])
            self.assertTrue((real["split"][subset] == "train").all())
            for arm in ("real", "real_matched", "noise", "generated", "generated_pretrained", "generated_noise"):
                self.assertEqual(training_clips(os.path.join(directory, "demo_recognizer", arm)), subset, arm)
            # The pretrained arm starts from its pretraining's final weights.
            pretraining = os.path.join(directory, "demo_recognizer", "generated_pretraining")
            with open(os.path.join(directory, "demo_recognizer", "generated_pretrained", "metrics.jsonl")) as f:
                initial = next(r for r in map(json.loads, f) if r.get("event") == "initial_weights")
            self.assertEqual(initial["checkpoint"],
                             sorted(glob.glob(os.path.join(pretraining, "checkpoints", "checkpoint-*.pt")))[-1])
            merged = os.path.join(self.tmp, "merged.npz")
            self.assertEqual(run(["data", "merge", os.path.join(directory, "samples", "generated"), "-o",
                                  merged]).returncode, 0)
            exemplars = set(np.load(merged)["gen_exemplar"].tolist())
            self.assertTrue(exemplars and exemplars <= set(subset), (exemplars, subset))
            noisy = np.load(os.path.join(directory, "noise.npz"))
            self.assertEqual(len(noisy["labels"]), 2 * len(subset))

        # The report, recomputed from the run directories.
        reported = run(["augment", "report", os.path.join(self.tmp, "tiny")], cwd=self.tmp)
        self.assertEqual(reported.returncode, 0, reported.stderr)
        report_dir = os.path.join(self.tmp, "tiny", "report")
        with open(os.path.join(report_dir, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 2 * 7)
        by_cell = {(c["fraction"], c["seed"]): c["directory"] for c in plan["cells"]}
        for row in rows:
            fraction = float(row["fraction"])
            runs_dirs = {seed: os.path.join(by_cell[(fraction, seed)], "demo_recognizer", row["arm"])
                         for seed in (1, 2)}
            values = np.array([last_top1(os.path.join(self.tmp, d)) for d in runs_dirs.values()])
            self.assertEqual(int(row["seeds"]), 2)
            self.assertAlmostEqual(float(row["last_top1_mean"]), values.mean(), places=5)
            half = T_975_DF1 * values.std(ddof=1) / np.sqrt(2)
            self.assertAlmostEqual(float(row["last_top1_half_width"]), half, places=5)
            for baseline in ("real", "real_matched"):
                if row["arm"] == baseline:
                    self.assertEqual(row[f"difference_to_{baseline}_mean"], "")
                    continue
                baseline_values = np.array([last_top1(os.path.join(self.tmp, by_cell[(fraction, s)],
                                                                   "demo_recognizer", baseline)) for s in (1, 2)])
                differences = values - baseline_values
                self.assertAlmostEqual(float(row[f"difference_to_{baseline}_mean"]), differences.mean(), places=5)
                self.assertAlmostEqual(float(row[f"difference_to_{baseline}_half_width"]),
                                       T_975_DF1 * differences.std(ddof=1) / np.sqrt(2), places=5)
            if row["arm"] == "generated":
                evaluations = [read_json(os.path.join(self.tmp, by_cell[(fraction, s)], "evaluation", "generated.json"))
                               for s in (1, 2)]
                fid = np.mean([e["generated"]["fid"]["mean"] for e in evaluations])
                self.assertAlmostEqual(float(row["fid"]), fid, places=3)
                self.assertGreater(float(row["acceptance"]), 0)
        markdown = read(os.path.join(report_dir, "report.md"))
        self.assertIn("Difference to `real`", markdown)
        self.assertIn("Difference to `real_matched`", markdown)
        # Every seed's value, in its own column.
        seed_table = markdown.split("### Held-out top-1 (%) by seed at fraction 0.5, last epoch")[1].split("###")[0]
        seed_lines = [line for line in seed_table.splitlines() if line.startswith("| generated |")]
        self.assertEqual(len(seed_lines), 1, seed_table)
        generated_dirs = [os.path.join(self.tmp, by_cell[(0.5, s)], "demo_recognizer", "generated") for s in (1, 2)]
        self.assertEqual(seed_lines[0], "| generated | " + " | ".join(f"{100 * last_top1(d):.1f}"
                                                                      for d in generated_dirs) + " |")
        self.assertIn("Copying check", markdown)
        self.assertIn("chosen on the test split", markdown)
        report = read_json(os.path.join(report_dir, "report.json"))
        # One copying check per fraction and sample set (`generated` serves two arms), over every seed's clips.
        copying = {(entry["fraction"], entry["set"]): entry for entry in report["copying"]}
        self.assertEqual(set(copying), {(f, s) for f in (0.5, 1.0) for s in ("generated", "no_dropout")})
        for (fraction, set_name), entry in copying.items():
            clips = sum(read_json(os.path.join(self.tmp, by_cell[(fraction, s)], "samples", set_name,
                                               "manifest.json"))["clips"] for s in (1, 2))
            self.assertEqual(entry["generated to nearest training clip"]["clips"], clips)
            self.assertEqual(entry["generated to nearest held-out clip"]["clips"], clips)
        self.assertIn("| 0.5 | no_dropout | generated to nearest training clip |", markdown)
        self.assertTrue(os.path.exists(os.path.join(report_dir, "copying_f0.5_no_dropout.png")))
        for png in glob.glob(os.path.join(report_dir, "*.png")):
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", png)
        for svg in glob.glob(os.path.join(report_dir, "*.svg")):
            self.assertIn("<svg", read(svg), svg)
        self.assertTrue(os.path.exists(os.path.join(report_dir, "top1_by_fraction_demo_recognizer.png")))
        gifs = glob.glob(os.path.join(report_dir, "clips", "*.gif"))
        self.assertEqual(len(gifs), len(real["class_names"]))
        for gif in gifs:
            with open(gif, "rb") as f:
                self.assertEqual(f.read(6), b"GIF89a", gif)


class StudyValidation(Study):
    def test_a_validation_study_reports_validation_top1(self):
        # A validation study's numbers choose settings: its report must not title them as held-out (test) results.
        study = self.study("validation", [0.5], [1], ["real"], extra="  validation: true\n")
        ran = self.augment("run", study)
        self.assertEqual(ran.returncode, 0, ran.stdout + ran.stderr)
        directory = os.path.join(self.tmp, "validation")
        run_dir = os.path.join(directory, "f0.5", "s1", "demo_recognizer", "real")
        real = np.load(self.data)
        left_out = (real["split"] == "train").sum() - len(training_clips(run_dir))
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            training_set = next(r for r in map(json.loads, f) if r.get("event") == "training_set")
        self.assertEqual(training_set["test_clips"], left_out)
        reported = run(["augment", "report", directory], cwd=self.tmp)
        self.assertEqual(reported.returncode, 0, reported.stderr)
        markdown = read(os.path.join(directory, "report", "report.md"))
        self.assertIn("**Validation study**", markdown)
        self.assertIn("### Validation top-1 (%), last epoch", markdown)
        self.assertIn("chosen on the validation clips", markdown)
        self.assertNotIn("Held-out top-1", markdown)
        self.assertNotIn("chosen on the test split", markdown)


    def test_a_validation_study_by_subject_trains_without_them_and_evaluates_on_them(self):
        study = self.study("by_subject", [1.0], [1], ["real"],
                           extra="  validation: true\n  validation_subjects: [3, 4]\n")
        ran = self.augment("run", study)
        self.assertEqual(ran.returncode, 0, ran.stdout + ran.stderr)
        directory = os.path.join(self.tmp, "by_subject")
        run_dir = os.path.join(directory, "f1", "s1", "demo_recognizer", "real")
        real = np.load(self.data)
        train = real["split"] == "train"
        validation = train & np.isin(real["subject"], [3, 4])
        self.assertEqual(sorted(training_clips(run_dir)), np.flatnonzero(train & ~validation).tolist())
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            training_set = next(r for r in map(json.loads, f) if r.get("event") == "training_set")
        self.assertEqual(training_set["test_clips"], validation.sum())
        reported = run(["augment", "report", directory], cwd=self.tmp)
        self.assertEqual(reported.returncode, 0, reported.stderr)
        markdown = read(os.path.join(directory, "report", "report.md"))
        self.assertIn("**Validation study by subject**: the training clips of subjects 3, 4", markdown)
        self.assertIn("### Validation top-1 (%), last epoch", markdown)


class StudyInterrupted(Study):
    def test_a_study_stopped_midway_continues_where_it_stopped(self):
        # Recogniser runs long enough to be stopped inside one, with frequent checkpoints; on 2 ranks, so the signal
        # goes through mpirun (which kills its ranks on a SIGTERM: the runner passes the stop on as SIGUSR1).
        study = self.study("stopped", [1.0], [1], ["real", "noise"], ratio=1,
                           recognizer=TINY_RECOGNIZER + ["train.epochs=25", "train.checkpoint_every=5"])
        run_dir = os.path.join(self.tmp, "stopped", "f1", "s1", "demo_recognizer", "real")
        process = subprocess.Popen([SKELAUG, "augment", "run", study, "augment.ranks=2"], cwd=self.tmp,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = interrupt(process, signal.SIGTERM,
                             lambda: glob.glob(os.path.join(run_dir, "checkpoints", "*.pt"))
                             and os.path.exists(os.path.join(run_dir, "evaluation", "last.json")), wait_s=300)
        self.assertEqual(process.returncode, 3, out + err)
        self.assertIn("stopped by a signal", out)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "stopped", "stages", "f1", "s1", "demo_recognizer",
                                                     "real.json")))
        # A report now does not count the stopped run's evaluations (of an epoch that is not its last) as its result.
        report_dir = os.path.join(self.tmp, "stopped", "report")

        def reported_real_seeds():
            reported = run(["augment", "report", os.path.join(self.tmp, "stopped")], cwd=self.tmp)
            self.assertEqual(reported.returncode, 0, reported.stderr)
            with open(os.path.join(report_dir, "results.csv")) as f:
                return next(int(row["seeds"]) for row in csv.DictReader(f) if row["arm"] == "real")

        self.assertEqual(reported_real_seeds(), 0)
        self.assertEqual(read_json(os.path.join(report_dir, "report.json"))["not_finished"],
                         ["demo_recognizer real at fraction 1, seed 1"])
        self.assertIn("not finished, so not counted: demo_recognizer real at fraction 1, seed 1",
                      read(os.path.join(report_dir, "report.md")))
        # The noisy copies were done before the stop; the recogniser resumes from its checkpoint and finishes.
        resumed = self.augment("run", study, "augment.ranks=2", timeout=900)
        self.assertEqual(resumed.returncode, 0, resumed.stdout + resumed.stderr)
        self.assertIn("(1 done before", resumed.stdout)
        self.assertIn("resumed from", read(os.path.join(run_dir, "logs", "rank-0.log")))
        self.assertIsNotNone(last_top1(run_dir))
        self.assertEqual(reported_real_seeds(), 1)
        self.assertEqual(read_json(os.path.join(report_dir, "report.json"))["not_finished"], [])
        # A stage whose output is gone (its record left behind) runs again; the others stay done.
        noisy_copies = os.path.join(self.tmp, "stopped", "f1", "s1", "noise.npz")
        os.rename(noisy_copies, noisy_copies + ".moved")
        again = self.augment("run", study, "augment.ranks=2")
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn("stage f1/s1/noise finished before, but", again.stdout)
        self.assertIn("all 3 stages done (2 done before)", again.stdout)
        with open(noisy_copies, "rb") as rerun, open(noisy_copies + ".moved", "rb") as first:
            self.assertEqual(rerun.read(), first.read())  # the same stage, the same copies


if __name__ == "__main__":
    unittest.main()
