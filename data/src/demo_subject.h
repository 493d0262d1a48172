// A demo performer: body proportions and a personal style that every clip of that subject shares, so a subject-wise
// split tests generalisation to unseen people rather than to unseen repetitions.
#pragma once

#include <cstdint>

#include "demo_kinematics.h"

namespace skelaug::data::demo {

struct DemoSubject {
  double height = kBaseHeight;           // metres; scales every bone
  std::array<Vec3, kNumJoints> offsets;  // this body's bone offsets (base scaled by height, then per-bone noise)
  double tempo = 1;                      // multiplies every action's speed
  double amplitude = 1;                  // multiplies every action's range of motion
  double lean = 0;                       // trunk pitch when standing, radians (forward > 0)
  double arm_abduction = 0.1;            // how far the hanging arms stand off the body, radians
  double elbow_carry = 0.15;             // elbow flexion when the arms are idle, radians
  double stance = 0.04;                  // hip abduction, radians (wider feet)
  double head_pitch = 0;                 // radians, forward > 0
  int dominant_side = -1;                // +1 left-handed/footed, -1 right
  JointAngles posture{};                 // small constant per-joint angle offsets: how this person stands
};

DemoSubject make_demo_subject(std::uint64_t seed, int subject);

}  // namespace skelaug::data::demo
