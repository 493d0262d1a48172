#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "skelaug/data/topology.h"

namespace skelaug::training {

// Metrics of a generated set against the real one. All of them compute in float64 on the CPU whatever the inputs'
// dtype and device, and throw std::invalid_argument naming the shapes when the inputs do not fit.

// ---- The ACTOR / MDM / Action2Motion protocol, on features of a fixed recogniser ----

// Frechet distance between Gaussians fitted to features_a [N, D] and features_b [M, D] (N, M >= 2; covariances with
// the unbiased 1 / (n - 1) normalisation, as numpy.cov and the FID implementations use):
//   ||mu_a - mu_b||^2 + Tr(S_a) + Tr(S_b) - 2 Tr(sqrt(S_a S_b)).
// Tr(sqrt(S_a S_b)) is the sum of the square roots of the eigenvalues of sqrt(S_a) S_b sqrt(S_a), a symmetric PSD
// matrix with the same eigenvalues as S_a S_b; sqrt(S_a) comes from a symmetric eigendecomposition. Both
// decompositions are of symmetric matrices, so rank-deficient covariances (D > N, duplicated features) cost no
// accuracy; eigenvalues that rounding makes slightly negative are clamped to 0, and so is the result.
double frechet_distance(const at::Tensor& features_a, const at::Tensor& features_b);

// Mean Euclidean distance between the two members of `pairs` random pairs of rows of features [N, D] (N >= 2). Each
// pair is a uniformly drawn row and a uniformly drawn *other* row (ACTOR and Action2Motion draw both with replacement
// and so count self-pairs of distance 0, a downward bias of about 1/N; leaving them out makes the value the mean
// distance between two distinct samples). The same seed gives the same pairs on every platform.
double diversity(const at::Tensor& features, std::int64_t pairs = 200, std::uint64_t seed = 0);

// For every class with at least 2 rows in features [N, D] (labels [N], integer), the mean distance over
// `pairs_per_class` random pairs of distinct rows of that class, drawn as diversity() draws them; then the mean over
// those classes, each weighing the same. Throws std::invalid_argument if no class has 2 rows.
double multimodality(const at::Tensor& features, const at::Tensor& labels, std::int64_t pairs_per_class = 20,
                     std::uint64_t seed = 0);

// A metric repeated over seeds, as MDM reports it: the mean and the half-width of its 95% interval,
// 1.96 * std / sqrt(n), where std is the population standard deviation (ddof 0, numpy's default, which MDM uses).
// Half-width 0 for a single value; throws std::invalid_argument for none.
struct MeanAndInterval {
  double mean = 0.0;
  double half_width = 0.0;
};
MeanAndInterval mean_and_interval(const std::vector<double>& values);

// Wasserstein-1 (earth mover's) distance between the empirical distributions of each row of samples_a [P, N] and the
// same row of samples_b [P, M], exactly: the integral over x of |F_a(x) - F_b(x)| (F the empirical CDFs). Returns a
// float64 [P] tensor. The building block of the per-joint distribution distances below.
at::Tensor wasserstein_1d(const at::Tensor& samples_a, const at::Tensor& samples_b);

// ---- Fidelity on joint positions (no learned features) ----

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

// The foot joints of a topology: joints whose name contains "foot", "ankle", "toe" or "heel" (vibe18 has heels and
// ankles but no feet).
std::vector<int> foot_joint_indices(const data::Topology& topology);

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

// Uniform integer in [0, bound) from a 64-bit Mersenne Twister, whose output sequence the standard fixes (unlike
// std::uniform_int_distribution's mapping), so the same seed draws the same pairs and resamples on every standard
// library. Draws below 2^64 mod bound are rejected so that every result is equally likely.
std::int64_t uniform_below(std::mt19937_64& random, std::int64_t bound);

}  // namespace skelaug::training
