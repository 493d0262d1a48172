// recover_hml263_joints against closed-form trajectories: HumanML3D's heading is a quaternion half-angle, a root step
// is rotated by the heading of the frame it leads to, and only x and z of the root are added to the other joints.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "skelaug/data/hml263_features.h"

namespace skelaug::data {
namespace {

using namespace hml263;

constexpr double kTolerance = 1e-5;

std::vector<float> still_features(int frames) { return std::vector<float>(static_cast<std::size_t>(frames) * kFeatures, 0.0f); }

float* frame(std::vector<float>& features, int t) { return features.data() + t * kFeatures; }

const float* joint(const std::vector<float>& joints, int t, int j) { return joints.data() + (t * kJoints + j) * 3; }

TEST(Hml263Recovery, StillPoseKeepsLocalPositionsAndRootHeight) {
  auto features = still_features(3);
  for (int t = 0; t < 3; ++t) {
    frame(features, t)[kRootHeight] = 0.9f;
    for (int j = 1; j < kJoints; ++j) {
      for (int c = 0; c < 3; ++c) frame(features, t)[kLocalPositions + (j - 1) * 3 + c] = 0.1f * j + 0.01f * c;
    }
    // Rotations, velocities and foot contacts do not enter the positions.
    for (int k = kRotations6d; k < kFeatures; ++k) frame(features, t)[k] = 5.0f;
  }
  const auto joints = recover_hml263_joints(features.data(), 3);
  ASSERT_EQ(joints.size(), 3u * kJoints * 3);
  for (int t = 0; t < 3; ++t) {
    EXPECT_NEAR(joint(joints, t, 0)[0], 0.0, kTolerance);
    EXPECT_NEAR(joint(joints, t, 0)[1], 0.9, kTolerance);
    EXPECT_NEAR(joint(joints, t, 0)[2], 0.0, kTolerance);
    for (int j = 1; j < kJoints; ++j) {
      for (int c = 0; c < 3; ++c) EXPECT_NEAR(joint(joints, t, j)[c], 0.1 * j + 0.01 * c, kTolerance);
    }
  }
}

TEST(Hml263Recovery, LinearVelocityIntegratesFromTheNextFrameOn) {
  auto features = still_features(5);
  for (int t = 0; t < 5; ++t) {
    frame(features, t)[kRootLinearVelocity] = 0.5f;
    frame(features, t)[kRootLinearVelocity + 1] = -0.25f;
    frame(features, t)[kLocalPositions + 0] = 1.0f;  // joint 1 one metre along x from the root
  }
  const auto joints = recover_hml263_joints(features.data(), 5);
  for (int t = 0; t < 5; ++t) {
    EXPECT_NEAR(joint(joints, t, 0)[0], 0.5 * t, kTolerance);
    EXPECT_NEAR(joint(joints, t, 0)[2], -0.25 * t, kTolerance);
    EXPECT_NEAR(joint(joints, t, 1)[0], 0.5 * t + 1.0, kTolerance);
    EXPECT_NEAR(joint(joints, t, 1)[1], 0.0, kTolerance);  // the root height is not added to other joints
    EXPECT_NEAR(joint(joints, t, 1)[2], -0.25 * t, kTolerance);
  }
}

TEST(Hml263Recovery, HeadingIsAQuaternionHalfAngle) {
  // Rotation velocity r per frame: heading half-angle a_t = r t. The inverse heading turns local +x into
  // (cos 2a, 0, sin 2a) and local +z into (-sin 2a, 0, cos 2a).
  const double r = 0.2;
  const int frames = 6;
  auto features = still_features(frames);
  for (int t = 0; t < frames; ++t) {
    frame(features, t)[kRootRotationVelocity] = static_cast<float>(r);
    frame(features, t)[kRootLinearVelocity + 1] = 1.0f;  // one step forward (local +z) per frame
    frame(features, t)[kLocalPositions + 0] = 1.0f;      // joint 1: local +x
    frame(features, t)[kLocalPositions + 3 + 1] = 0.7f;  // joint 2: local +y, unaffected by the heading
  }
  const auto joints = recover_hml263_joints(features.data(), frames);
  double root_x = 0, root_z = 0;
  for (int t = 0; t < frames; ++t) {
    const double a = r * t;
    if (t > 0) {  // the step into frame t is turned by frame t's heading
      root_x += -std::sin(2 * a);
      root_z += std::cos(2 * a);
    }
    EXPECT_NEAR(joint(joints, t, 0)[0], root_x, kTolerance) << "frame " << t;
    EXPECT_NEAR(joint(joints, t, 0)[2], root_z, kTolerance) << "frame " << t;
    EXPECT_NEAR(joint(joints, t, 1)[0], root_x + std::cos(2 * a), kTolerance) << "frame " << t;
    EXPECT_NEAR(joint(joints, t, 1)[1], 0.0, kTolerance);
    EXPECT_NEAR(joint(joints, t, 1)[2], root_z + std::sin(2 * a), kTolerance) << "frame " << t;
    EXPECT_NEAR(joint(joints, t, 2)[0], root_x, kTolerance);
    EXPECT_NEAR(joint(joints, t, 2)[1], 0.7, kTolerance);
    EXPECT_NEAR(joint(joints, t, 2)[2], root_z, kTolerance);
  }
}

TEST(Hml263Recovery, LastFrameVelocitiesAreUnused) {
  auto features = still_features(2);
  frame(features, 1)[kRootRotationVelocity] = 3.0f;
  frame(features, 1)[kRootLinearVelocity] = 9.0f;
  const auto joints = recover_hml263_joints(features.data(), 2);
  for (const float value : joints) EXPECT_EQ(value, 0.0f);
}

}  // namespace
}  // namespace skelaug::data
