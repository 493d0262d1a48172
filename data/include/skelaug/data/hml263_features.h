#pragma once

#include <cstdint>
#include <vector>

namespace skelaug::data {

// HumanML3D's per-frame motion features for its 22-joint skeleton (hml22), as the paper's 48_train/48_test motions
// hold them: 263 values per frame, in this order.
namespace hml263 {
inline constexpr int kJoints = 22;
inline constexpr int kFeatures = 263;
inline constexpr int kRootRotationVelocity = 0;  // 1: change of the root's heading angle to the next frame (about y)
inline constexpr int kRootLinearVelocity = 1;    // 2: root x, z step to the next frame, in the root's heading frame
inline constexpr int kRootHeight = 3;            // 1: root y
inline constexpr int kLocalPositions = 4;        // 21 x 3: joints 1-21 relative to the root's x, z, heading removed
inline constexpr int kRotations6d = 67;          // 21 x 6: joint rotations (not needed for positions)
inline constexpr int kLocalVelocities = 193;     // 22 x 3
inline constexpr int kFootContacts = 259;        // 4
}  // namespace hml263

// Joint positions [frames, 22, 3] from 263-d features [frames, 263] exactly as HumanML3D's recover_from_ric
// computes them: the heading angle is the running sum of the rotation velocities of the frames before (0 at frame 0)
// and is used as the half-angle of a quaternion about y (HumanML3D's convention); the root's x, z is the running sum
// of the previous frames' linear velocities, each rotated by the inverse of the heading quaternion of the frame it
// leads to; the root's y is the root height; every other joint is its local position rotated by the inverse heading,
// plus the root's x, z. Computed in double precision.
std::vector<float> recover_hml263_joints(const float* features, std::int64_t frames);

}  // namespace skelaug::data
