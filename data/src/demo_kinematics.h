// Rigid-body kinematics of the demo skeleton (hml22): small vector/rotation types, the joint indices, the base bone
// offsets and forward kinematics over the parent tree. Because every joint is placed as parent + rotated fixed
// offset, bone lengths are exactly those of the body whatever the angles.
#pragma once

#include <array>
#include <cmath>

namespace skelaug::data::demo {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
inline Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline Vec3 operator*(double s, Vec3 v) { return {s * v.x, s * v.y, s * v.z}; }

// Row-major 3x3 rotation matrix.
struct Mat3 {
  std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};
  Vec3 operator*(Vec3 v) const {
    return {m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
            m[6] * v.x + m[7] * v.y + m[8] * v.z};
  }
  Mat3 operator*(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        r.m[i * 3 + j] = m[i * 3] * o.m[j] + m[i * 3 + 1] * o.m[3 + j] + m[i * 3 + 2] * o.m[6 + j];
      }
    }
    return r;
  }
};
Mat3 rotation_x(double angle);
Mat3 rotation_y(double angle);
Mat3 rotation_z(double angle);
// Local joint rotation from Euler angles (radians): z first (abduction), then x (flexion), then y (twist / yaw).
Mat3 rotation_euler(Vec3 angles);

// Joint indices of hml22 (HumanML3D's first 22 SMPL joints). Axes: y up, z forward (the body faces +z at zero yaw),
// x to the body's left, as in HumanML3D.
enum Joint : int {
  kPelvis, kLeftHip, kRightHip, kSpine1, kLeftKnee, kRightKnee, kSpine2, kLeftAnkle, kRightAnkle, kSpine3,
  kLeftFoot, kRightFoot, kNeck, kLeftCollar, kRightCollar, kHead, kLeftShoulder, kRightShoulder, kLeftElbow,
  kRightElbow, kLeftWrist, kRightWrist,
};
constexpr int kNumJoints = 22;
extern const std::array<const char*, kNumJoints> kJointNames;
extern const std::array<int, kNumJoints> kParents;

// Offset of each joint from its parent in the rest pose (standing, arms hanging) of a 1.75 m person, metres.
extern const std::array<Vec3, kNumJoints> kBaseOffsets;
constexpr double kBaseHeight = 1.75;

using JointPositions = std::array<Vec3, kNumJoints>;
using JointAngles = std::array<Vec3, kNumJoints>;

// Joint positions of a body with bone offsets `offsets` under local rotations `angles`; the root sits at the origin
// and is turned by `heading` about y before its own rotation.
JointPositions forward_kinematics(const std::array<Vec3, kNumJoints>& offsets, const JointAngles& angles,
                                  double heading);

}  // namespace skelaug::data::demo
