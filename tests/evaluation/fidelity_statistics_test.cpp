// Fidelity statistics: the exact 1-D Wasserstein distance, and the joint-position statistics on clips built so that
// the right answer is known (rigid forward kinematics, constant velocity, planted and sliding feet).
#include "skelaug/evaluation/fidelity_statistics.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "skelaug/data/topology.h"

namespace skelaug::evaluation {
namespace {

TEST(Wasserstein1d, MatchesHandComputation) {
  const auto w = [](std::vector<double> a, std::vector<double> b) {
    const auto na = static_cast<std::int64_t>(a.size()), nb = static_cast<std::int64_t>(b.size());
    return wasserstein_1d(at::tensor(a).view({1, na}), at::tensor(b).view({1, nb}))[0].item<double>();
  };
  EXPECT_DOUBLE_EQ(w({0, 1}, {0.5}), 0.5);
  EXPECT_DOUBLE_EQ(w({0, 0, 1}, {0, 1, 1}), 1.0 / 3.0);
  EXPECT_NEAR(w({0.3, -1, 2, 5}, {2.3, 1, 4, 7}), 2.0, 1e-12);  // a shift by 2
  EXPECT_EQ(w({4, 1, 2}, {2, 4, 1}), 0.0);
  // Rows are independent.
  const auto rows = wasserstein_1d(at::tensor(std::vector<double>{0, 1, 0, 1}).view({2, 2}),
                                   at::tensor(std::vector<double>{0, 1, 0.5, 0.5, 1, 2}).view({2, 3}));
  EXPECT_NEAR(rows[0].item<double>(), 1.0 / 6.0, 1e-12);  // {0, 1} vs {0, 0.5, 1}: CDFs 1/6 apart over [0, 1)
  EXPECT_NEAR(rows[1].item<double>(), 2.0 / 3.0, 1e-12);  // {0, 1} vs {0.5, 1, 2}: 1/4 + 1/12 + 1/3
  EXPECT_THROW(wasserstein_1d(at::zeros({2, 3}), at::zeros({3, 3})), std::invalid_argument);
  EXPECT_THROW(wasserstein_1d(at::full({1, 3}, NAN), at::zeros({1, 3})), std::invalid_argument);
}

constexpr double kFps = 20.0;
const data::Topology& hml22() { return data::topology("hml22"); }

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<double, 9>;  // row-major

Mat3 multiply(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return c;
}

Vec3 rotate(const Mat3& m, const Vec3& v) {
  return {m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
          m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
}

// Rotation by `angle` about the unit `axis` (Rodrigues).
Mat3 rotation(const Vec3& axis, double angle) {
  const double c = std::cos(angle), s = std::sin(angle), t = 1.0 - c;
  const double x = axis[0], y = axis[1], z = axis[2];
  return {t * x * x + c,     t * x * y - s * z, t * x * z + s * y,  //
          t * x * y + s * z, t * y * y + c,     t * y * z - s * x,  //
          t * x * z - s * y, t * y * z + s * x, t * z * z + c};
}

// `clips` clips of `frames` frames on hml22 by forward kinematics: fixed bone offsets (one skeleton for all clips),
// each joint swinging about its own axis, the root walking along x. Bone lengths are constant by construction.
at::Tensor forward_kinematics_clips(std::int64_t clips, std::int64_t frames, std::uint64_t seed) {
  const auto& topology = hml22();
  const auto joints = topology.num_joints();
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const auto unit = [&] {
    Vec3 v{normal(random), normal(random), normal(random)};
    const double length = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return Vec3{v[0] / length, v[1] / length, v[2] / length};
  };
  std::vector<Vec3> offsets(joints), axes(joints);
  for (int j = 0; j < joints; ++j) {
    const auto direction = unit();
    const double length = 0.05 + 0.35 * uniform(random);
    offsets[j] = {direction[0] * length, direction[1] * length, direction[2] * length};
    axes[j] = unit();
  }
  std::vector<double> values;
  for (std::int64_t clip = 0; clip < clips; ++clip) {
    std::vector<double> frequency(joints), phase(joints);
    for (int j = 0; j < joints; ++j) {
      frequency[j] = 0.3 + 1.5 * uniform(random);
      phase[j] = 6.28 * uniform(random);
    }
    for (std::int64_t frame = 0; frame < frames; ++frame) {
      const double time = static_cast<double>(frame) / kFps;
      std::vector<Mat3> global(joints);
      std::vector<Vec3> position(joints);
      for (int j = 0; j < joints; ++j) {
        const auto local = rotation(axes[j], 0.6 * std::sin(6.28 * frequency[j] * time + phase[j]));
        const int parent = topology.parents[j];
        if (parent < 0) {
          global[j] = local;
          position[j] = {0.8 * time + 0.1 * clip, 0.9 + 0.05 * std::sin(3.0 * time), 0.02 * clip};
        } else {
          global[j] = multiply(global[parent], local);
          const auto bone = rotate(global[parent], offsets[j]);
          position[j] = {position[parent][0] + bone[0], position[parent][1] + bone[1], position[parent][2] + bone[2]};
        }
      }
      for (const auto& p : position) values.insert(values.end(), p.begin(), p.end());
    }
  }
  return at::tensor(values, at::kDouble).view({clips, frames, joints, 3});
}

at::Tensor all_valid(const at::Tensor& clips) { return at::ones({clips.size(0), clips.size(1)}, at::kBool); }

// One still standing pose on hml22: the foot joints (ankles 2 cm up, feet on the ground) and every other joint
// well above the ground; [J, 3].
at::Tensor standing_pose() {
  const auto& topology = hml22();
  auto pose = at::zeros({topology.num_joints(), 3}, at::kDouble);
  for (int j = 0; j < topology.num_joints(); ++j) {
    pose[j][0] = 0.01 * j;
    pose[j][1] = 0.5 + 0.05 * j;
    pose[j][2] = -0.01 * j;
  }
  for (const auto foot : topology.foot_joints) {
    pose[foot][1] = topology.joint_names[foot].find("ankle") != std::string::npos ? 0.02 : 0.0;
  }
  return pose;
}

// A clip [1, T, J, 3] of the standing pose moved along x at `speed` m/s.
at::Tensor translated_clip(std::int64_t frames, double speed) {
  const auto time = at::arange(frames, at::kDouble) / kFps;
  auto shift = at::zeros({frames, 1, 3}, at::kDouble);
  shift.select(2, 0).copy_((speed * time).unsqueeze(1));
  return (standing_pose().unsqueeze(0) + shift).unsqueeze(0);
}

TEST(FidelityStatistics, FootJointsOfTheTopologies) {
  const auto names = [](const std::string& topology_name) {
    const auto& topology = data::topology(topology_name);
    std::vector<std::string> feet;
    for (const auto j : topology.foot_joints) feet.push_back(topology.joint_names[j]);
    return feet;
  };
  EXPECT_EQ(names("hml22"), (std::vector<std::string>{"left_ankle", "right_ankle", "left_foot", "right_foot"}));
  EXPECT_EQ(names("vibe18"), (std::vector<std::string>{"right_ankle", "left_ankle", "left_heel", "right_heel"}));
}

TEST(FidelityStatistics, ASetAgainstItselfHasZeroDistances) {
  const auto clips = forward_kinematics_clips(3, 40, 1);
  const auto statistics = fidelity_statistics(clips, all_valid(clips), clips, all_valid(clips), hml22(), kFps);
  EXPECT_EQ(statistics.pose_position_w1_m, 0.0);
  EXPECT_EQ(statistics.root_position_w1_m, 0.0);
  EXPECT_EQ(statistics.speed_w1_m_s, 0.0);
  for (const auto value : statistics.position_w1_per_joint_m) EXPECT_EQ(value, 0.0);
  for (const auto value : statistics.speed_w1_per_joint_m_s) EXPECT_EQ(value, 0.0);
  EXPECT_EQ(statistics.real.to_json(), statistics.generated.to_json());
  EXPECT_EQ(statistics.real.clips, 3);
  EXPECT_EQ(statistics.real.frames, 120);
  // One skeleton throughout: no deviation from the mean bone lengths, and a rigid skeleton in every clip.
  EXPECT_LT(statistics.real.bone_length_deviation_m, 1e-12);
  EXPECT_LT(statistics.real.bone_length_within_clip_std_m, 1e-12);
  EXPECT_GT(statistics.real.jitter_m_s3, 0.0);
}

TEST(FidelityStatistics, NoiseBreaksTheRigidSkeletonAndRaisesJitter) {
  const auto clips = forward_kinematics_clips(3, 40, 2);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(9);
  const auto noisy = clips + 0.01 * at::randn(clips.sizes(), generator, at::kDouble);
  const auto statistics = fidelity_statistics(clips, all_valid(clips), noisy, all_valid(noisy), hml22(), kFps);
  EXPECT_LT(statistics.real.bone_length_within_clip_std_m, 1e-12);
  EXPECT_GT(statistics.generated.bone_length_within_clip_std_m, 3e-3);
  EXPECT_GT(statistics.generated.bone_length_deviation_m, 3e-3);
  EXPECT_GT(statistics.generated.jitter_m_s3, statistics.real.jitter_m_s3);
  EXPECT_GT(statistics.pose_position_w1_m, 0.0);
  EXPECT_GT(statistics.speed_w1_m_s, 0.0);
}

TEST(FidelityStatistics, AShiftedTrajectoryMovesOnlyTheRoot) {
  const auto clips = forward_kinematics_clips(2, 30, 3);
  auto shifted = clips.clone();
  shifted.select(3, 0) += 0.6;  // every joint 0.6 m further along x
  const auto statistics = fidelity_statistics(clips, all_valid(clips), shifted, all_valid(shifted), hml22(), kFps);
  EXPECT_NEAR(statistics.root_position_w1_m, 0.6 / 3.0, 1e-12);  // x moved by 0.6, y and z not: mean over axes
  EXPECT_LT(statistics.pose_position_w1_m, 1e-12);
  EXPECT_LT(statistics.speed_w1_m_s, 1e-12);
}

TEST(FidelityStatistics, BoneLengthDeviationOfAScaledSkeleton) {
  const auto clips = forward_kinematics_clips(2, 30, 4);
  const auto root = clips.narrow(2, 0, 1);
  const auto scaled = root + 1.1 * (clips - root);  // every bone 10% longer
  const auto statistics = fidelity_statistics(clips, all_valid(clips), scaled, all_valid(scaled), hml22(), kFps);
  // Mean bone length of the real skeleton, from its first frame.
  double mean_length = 0.0;
  for (const auto& [child, parent] : hml22().edges()) {
    mean_length += (clips[0][0][child] - clips[0][0][parent]).pow(2).sum().sqrt().item<double>();
  }
  mean_length /= static_cast<double>(hml22().edges().size());
  EXPECT_NEAR(statistics.generated.bone_length_deviation_m, 0.1 * mean_length, 1e-12);
  EXPECT_LT(statistics.generated.bone_length_within_clip_std_m, 1e-12);
}

TEST(FidelityStatistics, JitterIsZeroAtConstantVelocityAndTheJerkOfACubic) {
  const auto moving = translated_clip(30, 1.3);  // constant velocity
  auto statistics = fidelity_statistics(moving, all_valid(moving), moving, all_valid(moving), hml22(), kFps);
  EXPECT_LT(statistics.real.jitter_m_s3, 1e-9);

  // x(t) = a t^3 has jerk 6a everywhere.
  const double a = 0.4;
  const auto time = at::arange(30, at::kDouble) / kFps;
  auto cubic = moving.clone();
  cubic.select(3, 0).copy_(standing_pose().select(1, 0).view({1, 1, -1}) + (a * time.pow(3)).view({1, -1, 1}));
  statistics = fidelity_statistics(moving, all_valid(moving), cubic, all_valid(cubic), hml22(), kFps);
  EXPECT_NEAR(statistics.generated.jitter_m_s3, 6.0 * a, 1e-6);
}

TEST(FidelityStatistics, FootSkatingOfPlantedAndSlidingFeet) {
  const auto planted = translated_clip(40, 0.0);
  const auto sliding = translated_clip(40, 0.5);
  const auto statistics = fidelity_statistics(planted, all_valid(planted), sliding, all_valid(sliding), hml22(), kFps);
  EXPECT_EQ(statistics.real.foot_skating_m_s, 0.0);
  EXPECT_EQ(statistics.real.foot_contact_fraction, 1.0);
  EXPECT_NEAR(statistics.generated.foot_skating_m_s, 0.5, 1e-12);
  EXPECT_EQ(statistics.generated.foot_contact_fraction, 1.0);
  EXPECT_EQ(statistics.foot_joints, (std::vector<std::string>{"left_ankle", "right_ankle", "left_foot", "right_foot"}));
}

TEST(FidelityStatistics, AFootSwingingInTheAirIsNotSkating) {
  // The left foot and ankle stand for 10 frames, swing fast 30 cm up for 10 frames, then stand 1 m further on.
  auto walking = translated_clip(30, 0.0);
  const auto& topology = hml22();
  for (const auto* name : {"left_ankle", "left_foot"}) {
    const auto joint = topology.index_of(name);
    for (int frame = 10; frame < 30; ++frame) {
      walking[0][frame][joint][0] += frame < 20 ? 0.1 * (frame - 9) : 1.0;
      if (frame < 20) walking[0][frame][joint][1] += 0.3;
    }
  }
  const auto statistics = fidelity_statistics(walking, all_valid(walking), walking, all_valid(walking), topology, kFps);
  EXPECT_EQ(statistics.generated.foot_skating_m_s, 0.0);
  // The right foot (2 joints x 29 steps) and the left one's 9 + 9 standing steps (x 2 joints) are in contact.
  EXPECT_NEAR(statistics.generated.foot_contact_fraction, (2.0 * 29 + 2.0 * 18) / (4.0 * 29), 1e-12);
}

TEST(FidelityStatistics, AFootBobbingFastInsideTheHeightBandIsNotInContact) {
  // The left foot stands still; the right one slides at 0.5 m/s while bobbing 2 cm every frame (0.4 m/s vertically):
  // low enough, but moving vertically too fast to be planted unless the vertical-speed threshold is raised.
  auto clip = translated_clip(20, 0.0);
  const auto& topology = hml22();
  for (const auto* name : {"right_ankle", "right_foot"}) {
    const auto joint = topology.index_of(name);
    for (int frame = 0; frame < 20; ++frame) {
      clip[0][frame][joint][0] += 0.5 * frame / kFps;
      clip[0][frame][joint][1] += 0.02 * (frame % 2);
    }
  }
  const auto mask = all_valid(clip);
  const auto strict = fidelity_statistics(clip, mask, clip, mask, topology, kFps);
  EXPECT_EQ(strict.generated.foot_skating_m_s, 0.0);
  EXPECT_DOUBLE_EQ(strict.generated.foot_contact_fraction, 0.5);

  FidelityOptions lenient;
  lenient.contact_vertical_speed_m_s = 1.0;
  const auto loose = fidelity_statistics(clip, mask, clip, mask, topology, kFps, lenient);
  EXPECT_NEAR(loose.generated.foot_skating_m_s, 0.25, 1e-12);  // half the steps at 0.5 m/s, half at 0
  EXPECT_DOUBLE_EQ(loose.generated.foot_contact_fraction, 1.0);
}

TEST(FidelityStatistics, PaddingIsIgnored) {
  const auto clips = forward_kinematics_clips(2, 30, 5);
  auto padded = at::full({2, 36, hml22().num_joints(), 3}, 1e3, at::kDouble);
  padded.narrow(1, 0, 30).copy_(clips);
  padded[1][33] = NAN;  // padding may hold anything
  auto mask = at::zeros({2, 36}, at::kBool);
  mask.narrow(1, 0, 30).fill_(true);

  const auto plain = fidelity_statistics(clips, all_valid(clips), clips.flip({1}), all_valid(clips), hml22(), kFps);
  const auto with_padding = fidelity_statistics(padded, mask, clips.flip({1}), all_valid(clips), hml22(), kFps);
  EXPECT_NEAR(plain.pose_position_w1_m, with_padding.pose_position_w1_m, 1e-12);
  EXPECT_NEAR(plain.speed_w1_m_s, with_padding.speed_w1_m_s, 1e-12);
  EXPECT_NEAR(plain.real.jitter_m_s3, with_padding.real.jitter_m_s3, 1e-9);
  EXPECT_NEAR(plain.real.foot_skating_m_s, with_padding.real.foot_skating_m_s, 1e-12);
  EXPECT_NEAR(plain.real.bone_length_within_clip_std_m, with_padding.real.bone_length_within_clip_std_m, 1e-12);
  EXPECT_EQ(with_padding.real.frames, 60);
}

TEST(FidelityStatistics, JsonNamesEveryStatistic) {
  const auto clips = forward_kinematics_clips(1, 3, 6);  // too short for jitter: NaN, written as null
  const auto json = fidelity_statistics(clips, all_valid(clips), clips, all_valid(clips), hml22(), kFps).to_json();
  for (const auto* key : {"pose_position_w1_m", "root_position_w1_m", "speed_w1_m_s", "position_w1_per_joint_m",
                          "speed_w1_per_joint_m_s", "foot_joints", "real", "generated"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["position_w1_per_joint_m"].size(), 22u);
  EXPECT_TRUE(json["position_w1_per_joint_m"].contains("left_foot"));
  EXPECT_TRUE(json["generated"]["jitter_m_s3"].is_null());
  EXPECT_TRUE(json["generated"]["bone_length_within_clip_std_m"].is_number());
}

TEST(FidelityStatistics, BadInputsAreRefused) {
  const auto clips = forward_kinematics_clips(2, 10, 7);
  const auto mask = all_valid(clips);
  const auto& topology = hml22();
  EXPECT_THROW(fidelity_statistics(clips.narrow(2, 0, 20), mask, clips, mask, topology, kFps), std::invalid_argument);
  EXPECT_THROW(fidelity_statistics(clips, mask.narrow(1, 0, 9), clips, mask, topology, kFps), std::invalid_argument);
  EXPECT_THROW(fidelity_statistics(clips, mask, clips.narrow(3, 0, 2), mask, topology, kFps), std::invalid_argument);
  EXPECT_THROW(fidelity_statistics(clips, at::zeros_like(mask), clips, mask, topology, kFps), std::invalid_argument);
  EXPECT_THROW(fidelity_statistics(clips, mask, clips, mask, topology, 0.0), std::invalid_argument);
  auto broken = clips.clone();
  broken[0][0][0][0] = NAN;
  EXPECT_THROW(fidelity_statistics(clips, mask, broken, mask, topology, kFps), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::evaluation
