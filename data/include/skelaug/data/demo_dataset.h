#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// The built-in procedural dataset that the demo, the tests and the benchmarks use in place of the real datasets
// (which cannot be shipped). Clips are built kinematically on hml22 (y up, metres, 20 fps like HumanML3D): each
// subject has its own bone lengths (a base skeleton scaled by height, with per-bone noise) and style; each clip draws
// its tempo, amplitude, phase, style variant, facing (about y), start position and length, then poses the body by
// forward kinematics over the parent tree, so every bone keeps exactly its length within a clip. Noise is added to the
// joint angles (per frame and slowly drifting) and to the root, never to single joints.
//
// The classes are made confusable on purpose: wave_left/wave_right are mirror images, sit_down/stand_up the same
// movement reversed in time, squat/bow/pick_up all bend down, punch/clap/throw all move the arms forward,
// walk/run overlap in cadence and range.
//
// Clip i of a class belongs to subject i mod subjects; subjects [0, demo_train_subjects(subjects)) are split
// "train", the rest "test" (10 subjects: 0-6 train, 7-9 test). The same options give the same dataset, bit for bit:
// every clip and subject has its own random stream derived from the seed, with distributions written out rather than
// taken from the standard library, and nothing depends on threads.
struct DemoOptions {
  std::uint64_t seed = 1;
  int clips_per_class = 60;
  int subjects = 10;
  int min_frames = 40;  // clip lengths are drawn uniformly from [min_frames, max_frames]
  int max_frames = 100;
  double noise = 1.0;   // scales every noise term (0: clean motion)
};

// Throws core::UserError naming the option for clips_per_class < 1, subjects < 1, min_frames < 2,
// max_frames < min_frames, or a negative or non-finite noise.
SkeletonDataset make_demo_dataset(const DemoOptions& options);

// The demo's class names, in label order.
std::vector<std::string> demo_class_names();

// How many of `subjects` subjects form the training split: 70% rounded, at least 1, and at least one test subject
// when there are two or more.
int demo_train_subjects(int subjects);

}  // namespace skelaug::data
