#include "demo_pose.h"

namespace skelaug::data::demo {
namespace {

int shoulder_of(int side) { return side == kLeft ? kLeftShoulder : kRightShoulder; }
int elbow_of(int side) { return side == kLeft ? kLeftElbow : kRightElbow; }
int hip_of(int side) { return side == kLeft ? kLeftHip : kRightHip; }
int knee_of(int side) { return side == kLeft ? kLeftKnee : kRightKnee; }
int ankle_of(int side) { return side == kLeft ? kLeftAnkle : kRightAnkle; }

}  // namespace

DemoPose idle_pose(const DemoSubject& subject) {
  DemoPose pose;
  pose.angles = subject.posture;
  bend_trunk(pose, subject.lean);
  pose.angles[kHead].x += subject.head_pitch;
  for (const int side : {kLeft, kRight}) {
    move_arm(pose, side, 0.0, subject.arm_abduction, 0.0, subject.elbow_carry);
    move_leg(pose, side, 0.0, 0.0, 0.0, subject.stance);
  }
  return pose;
}

// Signs follow from the axes (y up, z forward, x left) and rotation_euler's order: a hanging limb swings forward
// under a negative x rotation, and sideways-out under +z on the left, -z on the right.
void move_arm(DemoPose& pose, int side, double flex, double abduct, double turn_in, double elbow_flex,
              double elbow_abduct) {
  Vec3& shoulder = pose.angles[shoulder_of(side)];
  shoulder.x -= flex;
  shoulder.z += side * abduct;
  shoulder.y -= side * turn_in;
  Vec3& elbow = pose.angles[elbow_of(side)];
  elbow.x -= elbow_flex;
  elbow.z += side * elbow_abduct;
}

void move_leg(DemoPose& pose, int side, double hip_flex, double knee_flex, double plantar_flex, double abduct) {
  Vec3& hip = pose.angles[hip_of(side)];
  hip.x -= hip_flex;
  hip.z += side * abduct;
  pose.angles[knee_of(side)].x += knee_flex;
  pose.angles[ankle_of(side)].x += plantar_flex;
}

void tilt_pelvis(DemoPose& pose, double pitch) {
  pose.angles[kPelvis].x += pitch;
  // The hips turn back by the same angle, so the thighs keep their direction in the world.
  pose.angles[kLeftHip].x -= pitch;
  pose.angles[kRightHip].x -= pitch;
}

void bend_trunk(DemoPose& pose, double pitch, double yaw, double roll) {
  constexpr double kShare[3] = {0.4, 0.35, 0.25};
  constexpr int kSpine[3] = {kSpine1, kSpine2, kSpine3};
  for (int i = 0; i < 3; ++i) {
    pose.angles[kSpine[i]].x += kShare[i] * pitch;
    pose.angles[kSpine[i]].y += kShare[i] * yaw;
    pose.angles[kSpine[i]].z -= kShare[i] * roll;
  }
}

double keyframes(double x, std::initializer_list<std::pair<double, double>> keys) {
  const auto* previous = keys.begin();
  if (x <= previous->first) return previous->second;
  for (const auto* key = keys.begin() + 1; key != keys.end(); ++key) {
    if (x <= key->first) {
      return previous->second + (key->second - previous->second) * smoothstep(previous->first, key->first, x);
    }
    previous = key;
  }
  return previous->second;
}

}  // namespace skelaug::data::demo
