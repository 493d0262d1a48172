#include "demo_subject.h"

#include <algorithm>

#include "demo_random.h"

namespace skelaug::data::demo {
namespace {

constexpr std::uint64_t kSubjectStream = 0x5B7EC7;  // tags the subjects' random streams apart from the clips'

// The joint on the other side of the body (itself for the midline), so left and right bones share a length.
int mirror_joint(int joint) {
  switch (joint) {
    case kLeftHip: return kRightHip;
    case kRightHip: return kLeftHip;
    case kLeftKnee: return kRightKnee;
    case kRightKnee: return kLeftKnee;
    case kLeftAnkle: return kRightAnkle;
    case kRightAnkle: return kLeftAnkle;
    case kLeftFoot: return kRightFoot;
    case kRightFoot: return kLeftFoot;
    case kLeftCollar: return kRightCollar;
    case kRightCollar: return kLeftCollar;
    case kLeftShoulder: return kRightShoulder;
    case kRightShoulder: return kLeftShoulder;
    case kLeftElbow: return kRightElbow;
    case kRightElbow: return kLeftElbow;
    case kLeftWrist: return kRightWrist;
    case kRightWrist: return kLeftWrist;
    default: return joint;
  }
}

}  // namespace

DemoSubject make_demo_subject(std::uint64_t seed, int subject) {
  DemoRandom random(derive_seed({seed, kSubjectStream, static_cast<std::uint64_t>(subject)}));
  DemoSubject s;
  s.height = std::clamp(random.normal(1.72, 0.09), 1.50, 1.95);
  // Per-bone proportions: a shared factor per left/right pair (people are nearly symmetric) and a 1% asymmetry.
  std::array<double, kNumJoints> pair_factor{};
  for (int j = 0; j < kNumJoints; ++j) pair_factor[j] = std::clamp(random.normal(1.0, 0.05), 0.88, 1.12);
  for (int j = 0; j < kNumJoints; ++j) {
    const double factor = pair_factor[std::min(j, mirror_joint(j))] * (1.0 + random.normal(0.0, 0.01));
    s.offsets[j] = (s.height / kBaseHeight * factor) * kBaseOffsets[j];
  }
  s.tempo = std::clamp(random.log_normal_factor(0.12), 0.75, 1.3);
  s.amplitude = std::clamp(random.log_normal_factor(0.12), 0.75, 1.3);
  s.lean = random.normal(0.04, 0.06);
  s.arm_abduction = random.uniform(0.04, 0.25);
  s.elbow_carry = random.uniform(0.05, 0.45);
  s.stance = random.uniform(0.0, 0.10);
  s.head_pitch = random.normal(0.05, 0.10);
  s.dominant_side = random.chance(0.2) ? +1 : -1;
  for (auto& angles : s.posture) angles = {random.normal(0, 0.04), random.normal(0, 0.04), random.normal(0, 0.04)};
  return s;
}

}  // namespace skelaug::data::demo
