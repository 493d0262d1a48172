#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>
#include <string>

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/data/topology.h"

namespace skelaug::data {

// Transforms of one clip, a float32 tensor [T, J, 3]. Random ones draw from the caller's engine, so a loader can give
// every sample its own stream seeded from (seed, epoch, index) and stay deterministic whatever the thread count.

// A clip's frames as a tensor (a copy).
at::Tensor clip_tensor(const SkeletonDataset& dataset, std::size_t clip);

enum class RootCentring {
  kNone,
  kFirstFrame,  // subtract the root's first-frame position: keeps the trajectory, starts at the origin
  kPerFrame,    // subtract the root every frame: root-relative poses, no trajectory
};
at::Tensor centre_root(const at::Tensor& clip, RootCentring mode, int root = 0);

// Linear interpolation in time to exactly `frames` frames (first and last frames kept).
at::Tensor resample(const at::Tensor& clip, std::int64_t frames);

enum class LengthMode {
  kRandomCrop,  // a random window of `length` frames; shorter clips are padded with their last frame
  kCentreCrop,  // the middle window (evaluation); padding as above
  kResample,    // the whole clip interpolated to `length` frames
};
struct FixedLengthClip {
  at::Tensor joints;  // [length, J, 3]
  at::Tensor mask;    // [length] float32: 1 for real frames, 0 for padding
};
FixedLengthClip fix_length(const at::Tensor& clip, std::int64_t length, LengthMode mode, std::mt19937_64& engine);

// The classic non-generative augmentations; a zero parameter switches one off.
struct AugmentOptions {
  double rotation_deg = 0;        // uniform rotation in [-r, r] degrees about the vertical axis
  double scale = 0;               // uniform scale factor in [1 - s, 1 + s]
  double jitter_std = 0;          // Gaussian noise (metres) on every coordinate
  double mirror_probability = 0;  // swap left/right joints and reflect the lateral axis
  double speed = 0;               // temporal interpolation: play at a uniform speed in [1 - v, 1 + v] (before cropping)
  int vertical_axis = 1;          // y up (HumanML3D, SMPL, Kinect)
  int lateral_axis = 0;           // x
  bool any() const { return rotation_deg > 0 || scale > 0 || jitter_std > 0 || mirror_probability > 0 || speed > 0; }
};
// Rotation, scaling, mirroring and jitter (speed is applied by the loader before fixing the length). `mirrored`, if
// given, tells whether this clip was mirrored: a class that names a side changes with it (wave_left -> wave_right).
at::Tensor augment_spatial(const at::Tensor& clip, const AugmentOptions& options, const Topology& topology,
                           std::mt19937_64& engine, bool* mirrored = nullptr);
at::Tensor mirror(const at::Tensor& clip, const Topology& topology, int lateral_axis);

// Per-joint, per-axis z-score statistics of root-centred frames, stored with models that were trained on them.
struct NormalisationStats {
  at::Tensor mean;  // [J, 3]
  at::Tensor std;   // [J, 3], floored at 1e-4 so constant coordinates do not divide by zero

  static NormalisationStats compute(const SkeletonDataset& dataset, RootCentring centring);
  at::Tensor normalise(const at::Tensor& clip) const;
  at::Tensor denormalise(const at::Tensor& clip) const;
};

// Clip indices of `split` ("" = every clip) keeping a `fraction` of each class (at least one clip per class present),
// chosen at random from `seed`: the low-data protocol. fraction 1 keeps every clip of the split.
std::vector<std::int64_t> subset_indices(const SkeletonDataset& dataset, const std::string& split, double fraction,
                                         std::uint64_t seed);

// Clip indices of `split` ("" = every clip) that are not in `used` (a training subset): the clips a run left out,
// which a validation set carved from the training split evaluates on. Sorted; may be empty.
std::vector<std::int64_t> clips_outside(const SkeletonDataset& dataset, const std::string& split,
                                        const std::vector<std::int64_t>& used);

}  // namespace skelaug::data
