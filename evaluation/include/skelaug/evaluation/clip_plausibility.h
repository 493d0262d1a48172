#pragma once

#include <ATen/Tensor.h>

#include "skelaug/data/topology.h"

namespace skelaug::evaluation {

// Per-clip measures of whether single clips are plausible, for filtering generated clips one by one (the refinement
// module). They use the fidelity statistics' definitions (fidelity_statistics.h), which aggregate the same
// quantities over whole sets. Inputs: positions [N, T, J, 3] (metres, any float dtype and device) and valid [N, T]
// (non-zero for real frames); results are float64 [N] on the CPU, NaN for a clip with too few valid frames.

// Bone lengths [N, T, E] for the topology's (child, parent) edges, in the positions' dtype and device.
at::Tensor bone_lengths(const at::Tensor& positions, const data::Topology& topology);

// |x[t+3] - 3 x[t+2] + 3 x[t+1] - x[t]| per joint over every 4 consecutive frames: [N, T-3, J], and which of those
// windows lie on 4 valid frames: [N, T-3] bool. Multiplied by fps^3 it is the jerk (m/s^3).
struct JerkWindows {
  at::Tensor magnitude;
  at::Tensor valid;
};
JerkWindows jerk_windows(const at::Tensor& positions, const at::Tensor& valid);

// Mean over valid frames and bones of |bone length - the reference length of that bone|; reference [N, E] (m).
at::Tensor clip_bone_length_error(const at::Tensor& positions, const at::Tensor& valid, const at::Tensor& reference,
                                  const data::Topology& topology);

// Mean over valid 4-frame windows and joints of the jerk magnitude (m/s^3); NaN under 4 consecutive valid frames.
at::Tensor clip_jitter(const at::Tensor& positions, const at::Tensor& valid, double fps);

// Mean per-joint distance between clips a and b after moving each frame's root (joint 0) to the origin, over the frames
// valid in both (m): how far a generated clip's poses are from its exemplar's, wherever each one walks.
at::Tensor root_aligned_deviation(const at::Tensor& a, const at::Tensor& a_valid, const at::Tensor& b,
                                  const at::Tensor& b_valid);

}  // namespace skelaug::evaluation
