#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skelaug/data/topology.h"

namespace skelaug::evaluation {

// Fidelity of a generated set on joint positions (no learned features): distribution distances per joint and the
// statistics of each set on its own. All of them compute in float64 on the CPU whatever the inputs' dtype and device,
// and throw std::invalid_argument naming the shapes when the inputs do not fit.

// Wasserstein-1 (earth mover's) distance between the empirical distributions of each row of samples_a [P, N] and the
// same row of samples_b [P, M], exactly: the integral over x of |F_a(x) - F_b(x)| (F the empirical CDFs). Returns a
// float64 [P] tensor. The building block of the per-joint distribution distances below.
at::Tensor wasserstein_1d(const at::Tensor& samples_a, const at::Tensor& samples_b);

// Thresholds of the foot-contact test of foot skating.
struct FidelityOptions {
  // A foot joint can be in ground contact only while its height is within this of the clip's ground, the lowest
  // height any foot joint reaches in the clip (metres). 5 cm absorbs the ankle's height above the sole and estimation
  // noise without counting a foot in the swing phase.
  double contact_height_m = 0.05;
  // ... and while its vertical speed is at most this (m/s): a foot rising or falling through the band is not planted.
  double contact_vertical_speed_m_s = 0.25;
};

// Statistics of one set of clips on its own (real or generated).
struct SkeletonSetStatistics {
  std::int64_t clips = 0;
  std::int64_t frames = 0;  // valid frames
  // Mean over valid frames and bones of |bone length - the real set's mean length of that bone| (m): how far the
  // set's skeletons are from the real ones' proportions. For the real set itself it measures its spread of body sizes.
  double bone_length_deviation_m = 0.0;
  // Mean over clips (with >= 2 valid frames) and bones of the standard deviation (ddof 0) of the bone's length over
  // the clip's valid frames (m). A rigid skeleton has 0.
  double bone_length_within_clip_std_m = 0.0;
  // Mean over joints and over every 4 consecutive valid frames of |x[t+3] - 3 x[t+2] + 3 x[t+1] - x[t]| * fps^3, the
  // magnitude of the jerk (m/s^3). NaN if no clip has 4 consecutive valid frames.
  double jitter_m_s3 = 0.0;
  // Mean horizontal (x, z) speed of a foot joint between consecutive valid frames while it is in ground contact
  // (m/s); NaN if no foot joint is ever in contact. See fidelity_statistics for the contact test.
  double foot_skating_m_s = 0.0;
  // Fraction of (foot joint, consecutive valid frame pair) steps in ground contact.
  double foot_contact_fraction = 0.0;

  nlohmann::json to_json() const;
};

// Real versus generated, on joint positions.
struct FidelityStatistics {
  std::vector<std::string> joint_names;
  std::vector<std::string> foot_joints;  // the joints foot skating looked at
  // Per joint, the Wasserstein-1 distance between the real and the generated distributions of its position over all
  // valid frames, one axis at a time and averaged over the 3 axes (m). For the root (joint 0) the position is the
  // absolute one (where clips go); for every other joint it is relative to the root in the same frame (the pose), so
  // that a shifted trajectory does not count against every joint.
  std::vector<double> position_w1_per_joint_m;
  double pose_position_w1_m = 0.0;  // mean of position_w1_per_joint_m over the non-root joints
  double root_position_w1_m = 0.0;  // position_w1_per_joint_m[0]
  // Per joint, the Wasserstein-1 distance between the real and the generated distributions of its speed
  // |x[t+1] - x[t]| * fps over all pairs of consecutive valid frames (absolute positions, m/s); and their mean.
  std::vector<double> speed_w1_per_joint_m_s;
  double speed_w1_m_s = 0.0;
  SkeletonSetStatistics real;
  SkeletonSetStatistics generated;

  // {pose_position_w1_m, root_position_w1_m, speed_w1_m_s, position_w1_per_joint_m: {joint: value},
  //  speed_w1_per_joint_m_s: {joint: value}, foot_joints, real: {...}, generated: {...}}; NaN is written as null.
  nlohmann::json to_json() const;
};


// real_clips [N, T, J, 3] with real_masks [N, T] (bool or numeric, nonzero = valid frame; padding may be anywhere,
// and a difference spans only frames that are all valid), generated_clips [M, T', J, 3] with generated_masks
// [M, T'], J = topology.num_joints(), positions in metres, y (index 1) vertical, sampled at `fps`.
// Foot contact: a foot joint is in contact over the step from frame t to t+1 when its height at both frames is at
// most the clip's ground + options.contact_height_m and |y[t+1] - y[t]| * fps <= options.contact_vertical_speed_m_s;
// the clip's ground is the lowest height of any foot joint over the clip's valid frames.
// Cost: float64 copies of both sets and a sort per (joint, axis); 1,191 real clips of 60 frames against 5,955 generated
// clips of 48 frames on hml22 take about 4 s of CPU and 1.3 GB at peak.
FidelityStatistics fidelity_statistics(const at::Tensor& real_clips, const at::Tensor& real_masks,
                                       const at::Tensor& generated_clips, const at::Tensor& generated_masks,
                                       const data::Topology& topology, double fps, const FidelityOptions& options = {});

}  // namespace skelaug::evaluation
