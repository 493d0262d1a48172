#!/usr/bin/env python3
"""How hard is the demo dataset? Trains simple recognisers on 10% and on 100% of its train split and scores them on
the test split (unseen subjects). The demo is meant to be hard enough that the low-data setting is clearly worse:
full-data accuracy well above chance but not perfect, 10% clearly below it.

    skelaug data demo -o demo.npz
    tools/demo_difficulty.py demo.npz [--fraction 0.1] [--draws 5]

Features: each clip is turned to face +z at its first frame (HumanML3D's facing from the hips and shoulders), its
pose is root-centred per frame (pelvis x/z removed, heights kept), the root's path relative to the first frame is kept
separately, and everything is resampled to a fixed number of frames. Classifiers: nearest centroid, k-nearest
neighbours and multinomial logistic regression (numpy only). The low-data subsets keep `fraction` of each class's
training clips (at least one), drawn `draws` times; their accuracy is averaged.
"""
import argparse
import sys

import numpy as np

HIPS = (1, 2)        # left_hip, right_hip in hml22
SHOULDERS = (16, 17)  # left_shoulder, right_shoulder


def clip_features(clip, frames):
    clip = clip.astype(np.float64)
    across = (clip[0, HIPS[1]] - clip[0, HIPS[0]]) + (clip[0, SHOULDERS[1]] - clip[0, SHOULDERS[0]])
    forward = np.cross([0.0, 1.0, 0.0], across)
    angle = np.arctan2(forward[0], forward[2])  # heading of the body; rotate by -angle to face +z
    c, s = np.cos(-angle), np.sin(-angle)
    rotation = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    root = clip[:, 0:1, :].copy()
    root[:, :, 1] = 0.0
    pose = (clip - root) @ rotation.T
    path = (clip[:, 0, :] - clip[0:1, 0, :]) @ rotation.T
    source = np.linspace(0.0, 1.0, len(clip))
    target = np.linspace(0.0, 1.0, frames)
    flat = np.concatenate([pose.reshape(len(clip), -1), path], axis=1)
    resampled = np.stack([np.interp(target, source, flat[:, k]) for k in range(flat.shape[1])], axis=1)
    return resampled.reshape(-1)


def nearest_centroid(train_x, train_y, test_x, classes):
    centroids = np.stack([train_x[train_y == c].mean(axis=0) for c in range(classes)])
    distances = ((test_x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def k_nearest(train_x, train_y, test_x, classes, k):
    distances = (test_x ** 2).sum(1)[:, None] - 2 * test_x @ train_x.T + (train_x ** 2).sum(1)[None, :]
    k = min(k, len(train_x))
    nearest = np.argsort(distances, axis=1)[:, :k]
    votes = np.zeros((len(test_x), classes))
    for rank in range(k):
        votes[np.arange(len(test_x)), train_y[nearest[:, rank]]] += 1.0 + 1e-3 * (k - rank)  # ties: the nearer
    return votes.argmax(axis=1)


def logistic_regression(train_x, train_y, test_x, classes, l2=1e-2, steps=400, rate=0.5):
    weights = np.zeros((train_x.shape[1], classes))
    bias = np.zeros(classes)
    onehot = np.eye(classes)[train_y]
    for _ in range(steps):
        logits = train_x @ weights + bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - onehot) / len(train_x)
        weights -= rate * (train_x.T @ error + l2 * weights)
        bias -= rate * error.sum(axis=0)
    return (test_x @ weights + bias).argmax(axis=1)


CLASSIFIERS = {
    "nearest centroid": nearest_centroid,
    "1-NN": lambda a, b, c, n: k_nearest(a, b, c, n, 1),
    "5-NN": lambda a, b, c, n: k_nearest(a, b, c, n, 5),
    "logistic regression": logistic_regression,
}


def evaluate(train_x, train_y, test_x, test_y, classes):
    # Standardise with the training subset's statistics only.
    mean = train_x.mean(axis=0)
    std = train_x.std(axis=0) + 1e-6
    a, b = (train_x - mean) / std, (test_x - mean) / std
    return {name: float((fn(a, train_y, b, classes) == test_y).mean()) for name, fn in CLASSIFIERS.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", help="a skelaug dataset file (.npz) with a train/test split")
    parser.add_argument("--fraction", type=float, default=0.1, help="low-data fraction of the train split")
    parser.add_argument("--draws", type=int, default=5, help="random low-data subsets to average over")
    parser.add_argument("--frames", type=int, default=32, help="frames every clip is resampled to")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = np.load(args.dataset)
    offsets, labels, split = data["offsets"], data["labels"], data["split"]
    classes = len(data["class_names"])
    joints = data["joints"]
    features = np.stack([clip_features(joints[offsets[i]:offsets[i + 1]], args.frames) for i in range(len(labels))])
    train, test = np.flatnonzero(split == "train"), np.flatnonzero(split == "test")
    if len(train) == 0 or len(test) == 0:
        sys.exit("the dataset needs both a train and a test split")

    full = evaluate(features[train], labels[train], features[test], labels[test], classes)
    random = np.random.default_rng(args.seed)
    low = {name: [] for name in CLASSIFIERS}
    sizes = []
    for _ in range(args.draws):
        subset = []
        for c in range(classes):
            members = train[labels[train] == c]
            keep = max(1, int(round(args.fraction * len(members))))
            subset.extend(random.choice(members, size=keep, replace=False))
        subset = np.array(sorted(subset))
        sizes.append(len(subset))
        for name, accuracy in evaluate(features[subset], labels[subset], features[test], labels[test],
                                       classes).items():
            low[name].append(accuracy)

    print(f"{args.dataset}: {len(labels)} clips, {classes} classes (chance {100 / classes:.1f}%), "
          f"train {len(train)}, test {len(test)} (unseen subjects)")
    print(f"{'classifier':<22}{'100% train':>12}{f'{args.fraction:.0%} train':>14}{'gap':>8}")
    for name in CLASSIFIERS:
        mean_low = 100 * float(np.mean(low[name]))
        print(f"{name:<22}{100 * full[name]:>11.1f}%{mean_low:>13.1f}%{100 * full[name] - mean_low:>8.1f}"
              f"   (low-data: {args.draws} draws of {sizes[0]} clips, range {100 * min(low[name]):.1f}-"
              f"{100 * max(low[name]):.1f}%)")


if __name__ == "__main__":
    main()
