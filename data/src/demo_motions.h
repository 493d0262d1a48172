// The demo's actions: each draws its own parameters (tempo, amplitude, phase, style variant, timing) for one clip
// and returns the pose as a function of time. Joint angles are functions of the action's phase; forward kinematics
// (demo_kinematics.h) turns them into positions.
#pragma once

#include <functional>
#include <vector>

#include "demo_pose.h"
#include "demo_random.h"
#include "demo_subject.h"

namespace skelaug::data::demo {

// What holds the body in place horizontally: the root follows the pose's travel (locomotion, jumps), or a planted
// foot (both feet: their midpoint) stays where it was in the first frame while the pelvis moves over it.
enum class GroundAnchor { kTravel, kBothFeet, kLeftFoot, kRightFoot };

struct DemoMotion {
  GroundAnchor anchor = GroundAnchor::kBothFeet;
  std::function<DemoPose(double seconds)> pose_at;
};

struct DemoAction {
  const char* name;
  // Draws one clip's motion for `subject`; the clip lasts `duration` seconds.
  DemoMotion (*sample)(DemoRandom& random, const DemoSubject& subject, double duration);
};

// The actions in label order.
const std::vector<DemoAction>& demo_actions();

}  // namespace skelaug::data::demo
