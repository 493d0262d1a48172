#include "skelaug/evaluation/fidelity_statistics.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>

#include "metric_tensors.h"
#include "skelaug/evaluation/clip_plausibility.h"

namespace skelaug::evaluation {

using namespace detail;  // the shared tensor helpers (metric_tensors.h)

namespace {

// W1 between the empirical distributions of x and y, which it sorts: one merge walk over both, adding
// |F_x - F_y| times the width of each interval between consecutive distinct values (both CDFs are constant there).
// O((N + M) log(N + M)), the sort being the cost.
double sorted_wasserstein_1d(std::vector<double>& x, std::vector<double>& y) {
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const auto n = x.size(), m = y.size();
  std::size_t i = 0, j = 0;  // values of x (of y) at or below `previous`
  double previous = std::min(x.front(), y.front());
  double integral = 0.0;
  while (i < n || j < m) {
    const double next = j == m || (i < n && x[i] <= y[j]) ? x[i] : y[j];
    integral += std::abs(static_cast<double>(i) / n - static_cast<double>(j) / m) * (next - previous);
    while (i < n && x[i] == next) ++i;
    while (j < m && y[j] == next) ++j;
    previous = next;
  }
  return integral;
}

// ---- Clips ----

// One set of clips, validated, as float64 positions [N, T, J, 3] and a bool mask [N, T] on the CPU.
struct ClipSet {
  at::Tensor positions;
  at::Tensor valid;
};

ClipSet checked_clips(const at::Tensor& clips, const at::Tensor& masks, std::int64_t joints, const char* which) {
  if (clips.dim() != 4 || clips.size(2) != joints || clips.size(3) != 3) {
    throw std::invalid_argument(
        fmt::format("fidelity_statistics: {} clips must be [N, T, {}, 3], got {}", which, joints, shape_of(clips)));
  }
  if (masks.dim() != 2 || masks.size(0) != clips.size(0) || masks.size(1) != clips.size(1)) {
    throw std::invalid_argument(fmt::format("fidelity_statistics: {} masks must be [{}, {}] beside clips {}, got {}",
                                            which, clips.size(0), clips.size(1), shape_of(clips), shape_of(masks)));
  }
  ClipSet set{cpu_double(clips), masks.detach().to(at::kCPU).ne(0).contiguous()};
  if (!set.valid.any().item<bool>()) {
    throw std::invalid_argument(
        fmt::format("fidelity_statistics: the {} clips {} have no valid frame", which, shape_of(clips)));
  }
  // Padding may hold anything; only valid frames must be finite.
  if (!at::isfinite(set.positions).flatten(2).all(2).logical_or(set.valid.logical_not()).all().item<bool>()) {
    throw std::invalid_argument(
        fmt::format("fidelity_statistics: the {} clips {} have NaN or infinite coordinates in valid frames", which,
                    shape_of(clips)));
  }
  // Zero the padding (a product would keep a NaN there) so that sums over masked frames and differences across
  // padding stay finite; they are masked out anyway.
  set.positions = at::where(set.valid.unsqueeze(-1).unsqueeze(-1), set.positions, at::zeros({}, at::kDouble));
  return set;
}

// Which frame-to-frame steps of a set join two valid frames: [N, T-1].
at::Tensor valid_steps(const ClipSet& set) {
  const auto frames = set.valid.size(1);
  if (frames < 2) return at::zeros({set.valid.size(0), 0}, at::kBool);
  return set.valid.narrow(1, 0, frames - 1).logical_and(set.valid.narrow(1, 1, frames - 1));
}

// Displacement over each frame-to-frame step of positions [N, T, ...]: [N, T-1, ...].
at::Tensor steps(const at::Tensor& positions) {
  const auto frames = positions.size(1);
  if (frames < 2) return positions.narrow(1, 0, 0);
  return positions.narrow(1, 1, frames - 1) - positions.narrow(1, 0, frames - 1);
}

// Valid-frame positions [F, J, 3]: the root absolute, every other joint relative to the root.
at::Tensor pose_positions(const ClipSet& set) {
  const auto positions = set.positions.index({set.valid});
  auto relative = positions - positions.narrow(1, 0, 1);
  relative.select(1, 0).copy_(positions.select(1, 0));
  return relative;
}

// Speeds [S, J] over every valid step (m/s).
at::Tensor joint_speeds(const ClipSet& set, double fps) {
  return euclidean_norm(steps(set.positions), 3).index({valid_steps(set)}) * fps;
}

at::Tensor bone_lengths(const ClipSet& set, const data::Topology& topology) {
  return evaluation::bone_lengths(set.positions, topology);
}

double within_clip_bone_length_std(const at::Tensor& lengths, const at::Tensor& valid) {
  if (lengths.size(2) == 0) return kNaN;
  const auto weights = valid.to(at::kDouble).unsqueeze(-1);      // [N, T, 1]
  const auto frames = valid.sum(1).to(at::kDouble);              // [N]
  const auto denominator = frames.clamp_min(1.0).view({-1, 1});  // [N, 1]
  const auto mean = (lengths * weights).sum(1) / denominator;    // [N, E]
  const auto variance = ((lengths - mean.unsqueeze(1)).pow(2) * weights).sum(1) / denominator;
  const auto per_clip = variance.sqrt().mean(1);  // [N]
  return mean_or_nan(per_clip.index({frames >= 2.0}));
}

double jitter(const ClipSet& set, double fps) {
  const auto jerk = jerk_windows(set.positions, set.valid);
  if (jerk.valid.size(1) == 0) return kNaN;
  return mean_or_nan(jerk.magnitude.index({jerk.valid})) * fps * fps * fps;
}

struct FootSkating {
  double mean_speed = kNaN;
  double contact_fraction = kNaN;
};

FootSkating foot_skating(const ClipSet& set, const std::vector<int>& foot_joints, double fps,
                         const FidelityOptions& options) {
  const auto step_valid = valid_steps(set);
  if (foot_joints.empty() || step_valid.size(1) == 0) return {};
  const auto feet =
      set.positions.index_select(2, at::tensor(std::vector<std::int64_t>(foot_joints.begin(), foot_joints.end()),
                                               at::kLong));  // [N, T, F, 3]
  const auto height = feet.select(3, 1);                     // [N, T, F]
  const auto frame_valid = set.valid.unsqueeze(-1).expand_as(height);
  // The clip's ground: the lowest height of any foot joint over its valid frames (0 for a clip with none).
  auto ground = height.masked_fill(frame_valid.logical_not(), std::numeric_limits<double>::infinity()).amin({1, 2});
  ground = ground.masked_fill(ground.isinf(), 0.0).view({-1, 1, 1});
  const auto near_ground = (height - ground).le(options.contact_height_m);
  const auto frames = height.size(1);
  const auto move = steps(feet) * fps;  // [N, T-1, F, 3] (m/s)
  const auto contact = step_valid.unsqueeze(-1)
                           .logical_and(near_ground.narrow(1, 0, frames - 1))
                           .logical_and(near_ground.narrow(1, 1, frames - 1))
                           .logical_and(move.select(3, 1).abs().le(options.contact_vertical_speed_m_s));
  const auto horizontal_speed = (move.select(3, 0).pow(2) + move.select(3, 2).pow(2)).sqrt();
  const auto steps_total = step_valid.sum().item<double>() * static_cast<double>(foot_joints.size());
  FootSkating result;
  result.mean_speed = mean_or_nan(horizontal_speed.index({contact}));
  result.contact_fraction = steps_total == 0.0 ? kNaN : contact.sum().item<double>() / steps_total;
  return result;
}

SkeletonSetStatistics set_statistics(const ClipSet& set, const at::Tensor& real_mean_bone_lengths,
                                     const data::Topology& topology, const std::vector<int>& foot_joints, double fps,
                                     const FidelityOptions& options) {
  SkeletonSetStatistics statistics;
  statistics.clips = set.positions.size(0);
  statistics.frames = set.valid.sum().item<std::int64_t>();
  const auto lengths = bone_lengths(set, topology);
  statistics.bone_length_deviation_m =
      lengths.size(2) == 0 ? kNaN : mean_or_nan((lengths.index({set.valid}) - real_mean_bone_lengths).abs());
  statistics.bone_length_within_clip_std_m = within_clip_bone_length_std(lengths, set.valid);
  statistics.jitter_m_s3 = jitter(set, fps);
  const auto skating = foot_skating(set, foot_joints, fps, options);
  statistics.foot_skating_m_s = skating.mean_speed;
  statistics.foot_contact_fraction = skating.contact_fraction;
  return statistics;
}

nlohmann::json per_joint(const std::vector<std::string>& joint_names, const std::vector<double>& values) {
  auto object = nlohmann::json::object();
  for (std::size_t j = 0; j < values.size(); ++j) object[joint_names[j]] = number_or_null(values[j]);
  return object;
}

}  // namespace

at::Tensor wasserstein_1d(const at::Tensor& samples_a, const at::Tensor& samples_b) {
  if (samples_a.dim() != 2 || samples_b.dim() != 2 || samples_a.size(0) != samples_b.size(0) || samples_a.size(1) < 1 ||
      samples_b.size(1) < 1) {
    throw std::invalid_argument(
        fmt::format("wasserstein_1d: samples must be [P, N] and [P, M] with N, M >= 1, got {} and {}",
                    shape_of(samples_a), shape_of(samples_b)));
  }
  // Rows may be strided views (a joint's coordinates inside [F, J, 3]): each row is copied out once, so no
  // transposed copy of a whole set is made.
  const auto a = samples_a.detach().to(at::kCPU, at::kDouble);
  const auto b = samples_b.detach().to(at::kCPU, at::kDouble);
  if (!at::isfinite(a).all().item<bool>() || !at::isfinite(b).all().item<bool>()) {
    throw std::invalid_argument(
        fmt::format("wasserstein_1d: samples {} and {} must be finite (a NaN has no place "
                    "in a sorted order)",
                    shape_of(samples_a), shape_of(samples_b)));
  }
  const auto rows = a.size(0);
  auto distances = at::empty({rows}, at::kDouble);
  const auto a_rows = a.accessor<double, 2>();
  const auto b_rows = b.accessor<double, 2>();
  auto* out = distances.data_ptr<double>();
  at::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<double> x(a.size(1)), y(b.size(1));
    for (std::int64_t row = begin; row < end; ++row) {
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = a_rows[row][i];
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = b_rows[row][i];
      out[row] = sorted_wasserstein_1d(x, y);
    }
  });
  return distances;
}

FidelityStatistics fidelity_statistics(const at::Tensor& real_clips, const at::Tensor& real_masks,
                                       const at::Tensor& generated_clips, const at::Tensor& generated_masks,
                                       const data::Topology& topology, double fps, const FidelityOptions& options) {
  if (!(fps > 0.0) || !std::isfinite(fps)) {
    throw std::invalid_argument(fmt::format("fidelity_statistics: fps must be positive, got {}", fps));
  }
  const auto joints = static_cast<std::int64_t>(topology.num_joints());
  const auto real = checked_clips(real_clips, real_masks, joints, "real");
  const auto generated = checked_clips(generated_clips, generated_masks, joints, "generated");

  FidelityStatistics statistics;
  statistics.joint_names = topology.joint_names;
  const auto& feet = topology.foot_joints;  // none: skating and contact are NaN (unavailable)
  for (const auto foot : feet) statistics.foot_joints.push_back(topology.joint_names[foot]);

  {
    // Rows (joint, axis) as strided views of [F, J, 3]; mean over the 3 axes of each joint.
    const auto real_pose = pose_positions(real);
    const auto generated_pose = pose_positions(generated);
    const auto distance =
        wasserstein_1d(real_pose.flatten(1).transpose(0, 1), generated_pose.flatten(1).transpose(0, 1))
            .view({joints, 3})
            .mean(1);
    statistics.position_w1_per_joint_m.assign(distance.data_ptr<double>(), distance.data_ptr<double>() + joints);
  }
  statistics.root_position_w1_m = statistics.position_w1_per_joint_m[0];
  double pose_sum = 0.0;
  for (std::int64_t j = 1; j < joints; ++j) pose_sum += statistics.position_w1_per_joint_m[j];
  statistics.pose_position_w1_m = joints > 1 ? pose_sum / static_cast<double>(joints - 1) : kNaN;

  const auto real_speeds = joint_speeds(real, fps);            // [S, J]
  const auto generated_speeds = joint_speeds(generated, fps);  // [S', J]
  if (real_speeds.size(0) > 0 && generated_speeds.size(0) > 0) {
    const auto distance = wasserstein_1d(real_speeds.transpose(0, 1), generated_speeds.transpose(0, 1));
    statistics.speed_w1_per_joint_m_s.assign(distance.data_ptr<double>(), distance.data_ptr<double>() + joints);
    statistics.speed_w1_m_s = distance.mean().item<double>();
  } else {
    statistics.speed_w1_per_joint_m_s.assign(joints, kNaN);  // a set without 2 consecutive valid frames has no speeds
    statistics.speed_w1_m_s = kNaN;
  }

  const auto real_lengths = bone_lengths(real, topology);
  const auto real_mean_lengths = real_lengths.index({real.valid}).mean(0);  // [E]
  statistics.real = set_statistics(real, real_mean_lengths, topology, feet, fps, options);
  statistics.generated = set_statistics(generated, real_mean_lengths, topology, feet, fps, options);
  return statistics;
}

nlohmann::json SkeletonSetStatistics::to_json() const {
  return {
      {"clips", clips},
      {"frames", frames},
      {"bone_length_deviation_m", number_or_null(bone_length_deviation_m)},
      {"bone_length_within_clip_std_m", number_or_null(bone_length_within_clip_std_m)},
      {"jitter_m_s3", number_or_null(jitter_m_s3)},
      {"foot_skating_m_s", number_or_null(foot_skating_m_s)},
      {"foot_contact_fraction", number_or_null(foot_contact_fraction)},
  };
}

nlohmann::json FidelityStatistics::to_json() const {
  return {
      {"pose_position_w1_m", number_or_null(pose_position_w1_m)},
      {"root_position_w1_m", number_or_null(root_position_w1_m)},
      {"speed_w1_m_s", number_or_null(speed_w1_m_s)},
      {"position_w1_per_joint_m", per_joint(joint_names, position_w1_per_joint_m)},
      {"speed_w1_per_joint_m_s", per_joint(joint_names, speed_w1_per_joint_m_s)},
      {"foot_joints", foot_joints},
      {"real", real.to_json()},
      {"generated", generated.to_json()},
  };
}

}  // namespace skelaug::evaluation
