// The demo's pose vocabulary: a pose (local joint angles plus where the body is), helpers that move one limb or the
// trunk in anatomical terms (flexion, abduction, inward turn) rather than raw Euler angles, and the time envelopes
// the actions are built from.
#pragma once

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "demo_kinematics.h"
#include "demo_subject.h"

namespace skelaug::data::demo {

constexpr double kPi = 3.14159265358979323846;
constexpr int kLeft = +1;
constexpr int kRight = -1;

struct DemoPose {
  JointAngles angles{};  // local Euler angles per joint (see rotation_euler)
  Vec3 travel;           // root displacement since the clip start, in the clip's starting frame (x left, z forward)
  double turn = 0;       // heading change since the clip start, radians, counter-clockwise seen from above
  double lift = 0;       // height of the lowest foot above the ground (jumps, the flight phase of running), metres
};

// The subject's relaxed standing pose: posture offsets, trunk lean, head, arms off the body, elbows, stance.
DemoPose idle_pose(const DemoSubject& subject);

// Adds a movement of one arm (`side` kLeft or kRight): shoulder flexion (raising forward), abduction (raising
// sideways), inward turn of the raised arm about the vertical, elbow flexion and the elbow's sideways bend.
void move_arm(DemoPose& pose, int side, double flex, double abduct, double turn_in, double elbow_flex,
              double elbow_abduct = 0);
// Adds a movement of one leg: hip flexion (thigh forward, measured against the world vertical whatever the pelvis
// does), knee flexion, ankle plantar flexion (toes down), hip abduction.
void move_leg(DemoPose& pose, int side, double hip_flex, double knee_flex, double plantar_flex, double abduct = 0);
// The ankle angle that keeps the sole level for the given hip and knee flexion (squats, sitting).
inline double flat_foot(double hip_flex, double knee_flex) { return hip_flex - knee_flex; }
// Tilts the pelvis forward (> 0) without moving the thighs: the trunk pivots over the hips, as in a bow.
void tilt_pelvis(DemoPose& pose, double pitch);
// Bends the spine, spread over its three joints: pitch forward, yaw (turn left > 0), roll (towards the left > 0).
void bend_trunk(DemoPose& pose, double pitch, double yaw = 0, double roll = 0);

// Time envelopes, all in [0, 1].
inline double smoothstep(double edge0, double edge1, double x) {
  if (edge1 <= edge0) return x < edge0 ? 0.0 : 1.0;
  const double t = std::clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}
// Rises over [rise0, rise1], holds, falls over [fall0, fall1].
inline double plateau(double x, double rise0, double rise1, double fall0, double fall1) {
  return smoothstep(rise0, rise1, x) * (1.0 - smoothstep(fall0, fall1, x));
}
// A raised-cosine bump over [start, end], 1 at its centre.
inline double bump(double x, double start, double end) {
  if (x <= start || x >= end) return 0.0;
  return 0.5 - 0.5 * std::cos(2 * kPi * (x - start) / (end - start));
}
// Smooth interpolation through (time, value) keys sorted by time; held constant outside them.
double keyframes(double x, std::initializer_list<std::pair<double, double>> keys);

}  // namespace skelaug::data::demo
