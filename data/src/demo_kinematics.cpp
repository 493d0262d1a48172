#include "demo_kinematics.h"

namespace skelaug::data::demo {

Mat3 rotation_x(double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  return {{1, 0, 0, 0, c, -s, 0, s, c}};
}

Mat3 rotation_y(double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  return {{c, 0, s, 0, 1, 0, -s, 0, c}};
}

Mat3 rotation_z(double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  return {{c, -s, 0, s, c, 0, 0, 0, 1}};
}

Mat3 rotation_euler(Vec3 angles) { return rotation_y(angles.y) * rotation_x(angles.x) * rotation_z(angles.z); }

const std::array<const char*, kNumJoints> kJointNames = {
    "pelvis",     "left_hip",      "right_hip",      "spine1",      "left_knee",   "right_knee",
    "spine2",     "left_ankle",    "right_ankle",    "spine3",      "left_foot",   "right_foot",
    "neck",       "left_collar",   "right_collar",   "head",        "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",   "left_wrist",     "right_wrist",
};

const std::array<int, kNumJoints> kParents = {-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19};

// Proportions close to SMPL's neutral body, with the arms hanging instead of SMPL's T-pose.
const std::array<Vec3, kNumJoints> kBaseOffsets = {{
    {0, 0, 0},                 // pelvis
    {0.07, -0.09, 0},          // left_hip
    {-0.07, -0.09, 0},         // right_hip
    {0, 0.11, -0.02},          // spine1
    {0.01, -0.38, 0},          // left_knee
    {-0.01, -0.38, 0},         // right_knee
    {0, 0.13, 0},              // spine2
    {0, -0.40, -0.03},         // left_ankle
    {0, -0.40, -0.03},         // right_ankle
    {0, 0.05, 0.02},           // spine3
    {0, -0.055, 0.12},         // left_foot
    {0, -0.055, 0.12},         // right_foot
    {0, 0.23, -0.03},          // neck
    {0.075, 0.12, -0.01},      // left_collar
    {-0.075, 0.12, -0.01},     // right_collar
    {0, 0.10, 0.05},           // head
    {0.12, 0.04, -0.01},       // left_shoulder
    {-0.12, 0.04, -0.01},      // right_shoulder
    {0.02, -0.27, 0},          // left_elbow
    {-0.02, -0.27, 0},         // right_elbow
    {0, -0.25, 0.01},          // left_wrist
    {0, -0.25, 0.01},          // right_wrist
}};

JointPositions forward_kinematics(const std::array<Vec3, kNumJoints>& offsets, const JointAngles& angles,
                                  double heading) {
  JointPositions positions{};
  std::array<Mat3, kNumJoints> global{};
  global[0] = rotation_y(heading) * rotation_euler(angles[0]);
  for (int j = 1; j < kNumJoints; ++j) {  // parents come first (kParents[j] < j)
    const int parent = kParents[j];
    positions[j] = positions[parent] + global[parent] * offsets[j];
    global[j] = global[parent] * rotation_euler(angles[j]);
  }
  return positions;
}

}  // namespace skelaug::data::demo
