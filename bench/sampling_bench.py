#!/usr/bin/python3
"""Mass-sampling benchmark, side by side in one run, with the `skelaug` program as users run it:

 (a) throughput and weak scaling: DDIM-50 items/s per rank with 1 rank and with 2 ranks (twice the items), one CPU
     thread per rank, at the demo config's sizes and at the paper's (an untrained paper-size generator: speed only);
 (b) speed against quality, one trained demo generator: the paper's sampler (ancestral DDPM over all 1000 steps, the
     whole network at every step) against DDPM-1000 with the condition computed once and DDIM with 10, 20, 50 and 100
     steps (eta 0 and eta 1); FID, accuracy and diversity from the a2m evaluator against the real training clips;
     the headline is the speed ratio of the fastest sampler whose FID is within 10% of the paper sampler's (or
     better);
 (c) what the refinement module buys: acceptance per check, and the metrics of the accepted set against the unfiltered
     set of the same items, cut to the same clip count. Deviation, jitter and bone-error bounds each reject the worst
     tenth of an unfiltered set on that measure; the recogniser check uses an ST-GCN++ trained on the training split,
     `auto` at the 5th percentile of its confidence on real held-out clips.

    /usr/bin/python3 bench/sampling_bench.py [--skelaug build/bin/skelaug] [--work DIR] [--quick]

--work keeps the trained models and sets there, and a second run reuses what it finds (delete a folder to redo it).
Needs numpy (Debian: python3-numpy) and mpirun.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
HML22_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19]
PAPER_SIZES = ["generator.width=256", "generator.heads=4", "generator.feedforward=1024", "generator.encoder_layers=8",
               "generator.decoder_layers=4"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skelaug", default=os.path.join(SOURCE, "build", "bin", "skelaug"))
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--work", help="keep models and sets here (reused by a later run)")
    parser.add_argument("--per-class", type=int, default=20, help="clips per class in parts (b) and (c)")
    parser.add_argument("--generator-epochs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny counts, few epochs, no paper sizes")
    parser.add_argument("--parts", default="abc", help="which parts to run (default: abc)")
    return parser.parse_args()


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work or tempfile.mkdtemp(prefix="skelaug_sampling_bench_")
        os.makedirs(self.work, exist_ok=True)
        self.env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
        if os.geteuid() == 0:
            self.env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        self.data = os.path.join(self.work, "demo.npz")

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def skelaug(self, args, ranks=1, threads=None):
        command = [self.args.skelaug, "--log-level", "warning"] + args
        if ranks > 1:
            command = [self.args.mpirun, "--oversubscribe", "-np", str(ranks)] + command
        if threads is not None:
            command.append(f"distributed.threads_per_rank={threads}")
        start = time.monotonic()
        result = subprocess.run(command, env=self.env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        if result.returncode != 0:
            sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr}")
        return result.stdout, seconds

    # Models, trained once per work directory.
    def prepare(self):
        quick = self.args.quick
        if not os.path.exists(self.data):
            self.skelaug(["data", "demo", "-o", self.data] + (["--clips-per-class", "8"] if quick else []))
        self.train("generator", "generator", "demo.yaml",
                   [f"train.epochs={2 if quick else self.args.generator_epochs}"])
        self.train("a2m", "recognizer", "demo_a2m.yaml", ["train.epochs=3"] if quick else [])
        self.train("stgcnpp", "recognizer", "demo_recognizer.yaml", ["train.epochs=2"] if quick else [])
        if not quick:
            self.train("paper_size", "generator", "demo.yaml", ["train.max_steps=1", "train.batch_size=4"] + PAPER_SIZES)

    def train(self, name, kind, config, extra):
        run_dir = self.path(name)
        if os.path.exists(os.path.join(run_dir, "config.yaml")) and self.latest(name, missing_ok=True):
            return
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"training {name} ...", flush=True)
        _, seconds = self.skelaug(["train", kind, "--config", os.path.join(SOURCE, "configs", config),
                                   "data.train=" + self.data, "run.dir=" + run_dir] + extra, ranks=2)
        print(f"  {seconds:.0f} s", flush=True)

    def latest(self, name, missing_ok=False):
        found = sorted(glob.glob(self.path(name, "checkpoints", "checkpoint-*.pt")))
        if not found and not missing_ok:
            sys.exit(f"no checkpoint in {self.path(name, 'checkpoints')}")
        return found[-1] if found else None

    def sample(self, name, generator, items, extra, ranks=1, threads=None):
        out = self.path("sets", name)
        shutil.rmtree(out, ignore_errors=True)
        stdout, seconds = self.skelaug(
            ["sample", "--config", self.path(generator, "config.yaml"), "--checkpoint", self.latest(generator), "-o",
             out, "--device", "cpu"] + items + extra, ranks=ranks, threads=threads)
        rate = re.search(r"rank 0 generated (\d+) items in ([\d.]+) s: ([\d.]+) items/s per rank", stdout)
        merged = out + ".npz"
        self.skelaug(["data", "merge", out, "-o", merged])
        return {"set": out, "file": merged, "stdout": stdout, "wall_s": seconds,
                "rank_items": int(rate.group(1)), "rank_s": float(rate.group(2)), "per_rank": float(rate.group(3))}

    def evaluate(self, generated):
        report = generated + ".report.json"
        self.skelaug(["evaluate", "--config", self.path("a2m", "config.yaml"), "--checkpoint",
                      self.best("a2m"), "--real", self.data, "--generated", generated, "-o", report,
                      "evaluate.real_split=train"])
        with open(report) as f:
            return json.load(f)

    def best(self, name):
        found = glob.glob(self.path(name, "best", "checkpoint-*.pt"))
        return found[0] if found else self.latest(name)


# (a)
def weak_scaling(bench):
    print("\n(a) DDIM-50 throughput, 1 CPU thread per rank; 2 ranks make twice the items of 1 rank")
    print(f"{'model':<12} {'ranks':>5} {'items':>6} {'items/s per rank':>17} {'per-rank efficiency':>20}")
    per_class = 1 if bench.args.quick else 32  # demo: 448 items, several seconds per rank
    models = [("generator", "demo")] + ([] if bench.args.quick else [("paper_size", "paper")])
    for generator, label in models:
        count = per_class if label == "demo" else 2
        rates = {}
        for ranks in (1, 2):
            run = bench.sample(f"scaling_{label}_{ranks}", generator, ["--per-class", str(count * ranks)],
                               ["sample.ddim_steps=50", "sample.chunk_size=14", "sample.batch_size=14"],
                               ranks=ranks, threads=1)
            rates[ranks] = run["per_rank"]
            efficiency = f"{run['per_rank'] / rates[1]:.2f}" if ranks == 2 else ""
            print(f"{label:<12} {ranks:>5} {14 * count * ranks:>6} {run['per_rank']:>17.2f} {efficiency:>20}",
                  flush=True)


def metrics(report):
    row = report["generated"]
    return (row["fid"]["mean"], row["accuracy"]["mean"], row["diversity"]["mean"], row["clips"],
            row["fid"]["half_width"])


# (b)
def speed_against_quality(bench):
    per_class = 2 if bench.args.quick else bench.args.per_class
    items = ["--per-class", str(per_class)]
    common = ["sample.batch_size=70", "sample.chunk_size=70"]
    samplers = [("DDPM-1000, whole network every step (paper)", ["sample.ddim_steps=0",
                                                                   "sample.condition_every_step=true"]),
                ("DDPM-1000, condition once", ["sample.ddim_steps=0"])]
    samplers += [(f"DDIM-{k}, condition once", [f"sample.ddim_steps={k}"]) for k in (100, 50, 20, 10)]
    samplers += [(f"DDIM-{k}, eta 1, condition once", [f"sample.ddim_steps={k}", "sample.eta=1"])
                 for k in (100, 50, 20, 10)]
    print(f"\n(b) speed against quality: {14 * per_class} clips on 2 ranks (1 thread each), demo generator; metrics "
          "against the real training clips (a2m evaluator, mean of 20 resamples)")
    real = None
    rows = []
    for name, extra in samplers:
        run = bench.sample(re.sub(r"\W+", "_", name), "generator", items, common + extra, ranks=2, threads=1)
        report = bench.evaluate(run["file"])
        real = report["real"]
        fid, accuracy, diversity, clips, fid_interval = metrics(report)
        rows.append((name, run, fid, accuracy, diversity, fid_interval))
    paper = rows[0]
    print(f"{'sampler':<46} {'seconds':>8} {'speed-up':>9} {'FID (95% interval)':>18} {'accuracy':>9} "
          f"{'diversity':>9}")
    print(f"{'real clips (train split, FID floor)':<46} {'':>8} {'':>9} "
          f"{real['fid']['mean']:>9.3f} ± {real['fid']['half_width']:<6.3f} {real['accuracy']['mean']:>9.3f} "
          f"{real['diversity']['mean']:>9.3f}")
    for name, run, fid, accuracy, diversity, fid_interval in rows:
        print(f"{name:<46} {run['rank_s']:>8.1f} {paper[1]['rank_s'] / run['rank_s']:>8.1f}x {fid:>9.3f} ± "
              f"{fid_interval:<6.3f} {accuracy:>9.3f} {diversity:>9.3f}")
    same = open(rows[0][1]["file"], "rb").read() == open(rows[1][1]["file"], "rb").read()
    print(f"the paper's DDPM-1000 and DDPM-1000 with the condition once made {'identical' if same else 'DIFFERENT'} "
          "files")
    matched = [row for row in rows[2:] if row[2] <= 1.1 * paper[2]]
    if matched:
        fastest = min(matched, key=lambda row: row[1]["rank_s"])
        print(f"headline: {fastest[0]} matches the paper sampler's FID within 10% ({fastest[2]:.3f} against "
              f"{paper[2]:.3f}) and is {paper[1]['rank_s'] / fastest[1]['rank_s']:.0f}x faster")
    else:
        print("headline: no DDIM sampler came within 10% of the paper sampler's FID")
    return rows


def clip_measures(generated_path, real_path):
    """Per generated clip, as the refinement module computes them: jitter (mean jerk magnitude, m/s^3) and bone-length
    error against its exemplar's mean bone lengths (m)."""
    generated, real = np.load(generated_path), np.load(real_path)
    fps = float(generated["fps"])
    children = [j for j, p in enumerate(HML22_PARENTS) if p >= 0]
    parents = [HML22_PARENTS[j] for j in children]

    def clip(data, i):
        return data["joints"][data["offsets"][i]:data["offsets"][i + 1]].astype(np.float64)

    def lengths(joints):
        return np.linalg.norm(joints[:, children] - joints[:, parents], axis=-1)

    jitter, bone_error = [], []
    for i, exemplar in enumerate(generated["gen_exemplar"]):
        joints = clip(generated, i)
        jerk = joints[3:] - 3 * joints[2:-1] + 3 * joints[1:-2] - joints[:-3]
        jitter.append(np.linalg.norm(jerk, axis=-1).mean() * fps ** 3)
        bone_error.append(np.abs(lengths(joints) - lengths(clip(real, exemplar)).mean(0)).mean())
    return np.array(jitter), np.array(bone_error)


def cut(path, count, out, seed=1):
    """A random subset of `count` clips of dataset file `path`, written as a dataset file."""
    data = dict(np.load(path))
    chosen = np.sort(np.random.default_rng(seed).choice(len(data["labels"]), size=count, replace=False))
    offsets = data["offsets"]
    frames = [data["joints"][offsets[i]:offsets[i + 1]] for i in chosen]
    clips = len(data["labels"])
    for key, value in list(data.items()):
        if value.ndim >= 1 and len(value) == clips and key not in ("joints", "offsets"):
            data[key] = value[chosen]
    data["joints"] = np.concatenate(frames)
    data["offsets"] = np.concatenate([[0], np.cumsum([len(f) for f in frames])]).astype(np.int64)
    np.savez(out, **data)


# (c)
def refinement(bench, unfiltered_run):
    per_class = 2 if bench.args.quick else bench.args.per_class
    items = ["--per-class", str(per_class)]
    common = ["sample.batch_size=70", "sample.chunk_size=70", "sample.ddim_steps=50"]
    measured = bench.sample("ddim50_measured", "generator", items, common + ["sample.refine.max_deviation=100"],
                            ranks=2, threads=1)
    deviation = np.load(measured["file"])["gen_deviation"]
    jitter, bone_error = clip_measures(measured["file"], bench.data)
    # Each bound rejects the worst tenth of unfiltered samples on its measure (the exemplar's own window is what the
    # module compares against; the demo's skeletons are rigid, so real clips give no bone-error scale of their own).
    bounds = {"max_deviation": float(np.percentile(deviation, 90)), "max_jitter": float(np.percentile(jitter, 90)),
              "max_bone_error": float(np.percentile(bone_error, 90))}
    refine = [f"sample.refine.{key}={value:.6g}" for key, value in bounds.items()]
    refine += ["sample.refine.recognizer=" + bench.path("stgcnpp"), "sample.refine.min_confidence=auto",
               "sample.refine.max_rounds=2", "sample.refine.max_draws=2", "sample.refine.renoise_step=400"]
    print("\n(c) the refinement module on DDIM-50, bounds: " +
          ", ".join(f"{key} {value:.4g}" for key, value in bounds.items()) + ", min_confidence auto (5th percentile)")
    refined = bench.sample("ddim50_refined", "generator", items, common + refine, ranks=2, threads=1)
    with open(os.path.join(refined["set"], "manifest.json")) as f:
        stats = json.load(f)["refinement"]
    judged = stats["items"] + stats["rounds"] + stats["redraws"]
    print(f"items {stats['items']}, accepted {stats['accepted']} ({100 * stats['acceptance']:.1f}%), dropped "
          f"{stats['dropped']}, refinement rounds {stats['rounds']}, redraws {stats['redraws']}; "
          f"{refined['rank_s'] / measured['rank_s']:.2f}x the unfiltered sampling time")
    print("rejections per check (of " + str(judged) + " clips judged): " +
          ", ".join(f"{key} {count} ({100 * count / judged:.1f}%)" for key, count in stats["rejections"].items()))
    accepted = np.load(refined["file"])
    if len(accepted["labels"]) == 0:
        print("no clip was accepted: nothing to compare")
        return
    unfiltered = unfiltered_run["file"]
    same_count = unfiltered + f".cut{len(accepted['labels'])}.npz"
    cut(unfiltered, len(accepted["labels"]), same_count)
    print(f"{'set':<38} {'clips':>6} {'FID (95% interval)':>18} {'accuracy':>9} {'diversity':>9}")
    for name, path in (("unfiltered, cut to the same count", same_count), ("accepted by the module", refined["file"])):
        fid, accuracy, diversity, clips, fid_interval = metrics(bench.evaluate(path))
        print(f"{name:<38} {clips:>6} {fid:>9.3f} ± {fid_interval:<6.3f} {accuracy:>9.3f} {diversity:>9.3f}")


def main():
    args = parse_args()
    bench = Bench(args)
    print(f"work directory {bench.work}; load average {open('/proc/loadavg').read().split()[:3]}", flush=True)
    bench.prepare()
    if "a" in args.parts:
        weak_scaling(bench)
    if "b" in args.parts or "c" in args.parts:
        rows = speed_against_quality(bench)
    if "c" in args.parts:
        refinement(bench, next(row[1] for row in rows if row[0] == "DDIM-50, condition once"))
    if not args.work:
        shutil.rmtree(bench.work)


if __name__ == "__main__":
    main()
