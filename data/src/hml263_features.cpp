#include "skelaug/data/hml263_features.h"

#include <array>
#include <cmath>

namespace skelaug::data {
namespace {

using Vector3 = std::array<double, 3>;

Vector3 cross(const Vector3& a, const Vector3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

// Rotates v by the unit quaternion (w, axis): v + 2 (w (axis x v) + axis x (axis x v)), the formula HumanML3D's
// qrot uses, so that results agree with it to rounding.
Vector3 rotate(double w, const Vector3& axis, const Vector3& v) {
  const Vector3 uv = cross(axis, v);
  const Vector3 uuv = cross(axis, uv);
  return {v[0] + 2 * (w * uv[0] + uuv[0]), v[1] + 2 * (w * uv[1] + uuv[1]), v[2] + 2 * (w * uv[2] + uuv[2])};
}

}  // namespace

std::vector<float> recover_hml263_joints(const float* features, std::int64_t frames) {
  using namespace hml263;
  std::vector<float> joints(static_cast<std::size_t>(frames) * kJoints * 3);
  double heading = 0;    // the quaternion half-angle about y
  double root_x = 0, root_z = 0;
  for (std::int64_t t = 0; t < frames; ++t) {
    const float* frame = features + t * kFeatures;
    if (t > 0) heading += features[(t - 1) * kFeatures + kRootRotationVelocity];
    // The inverse of the heading quaternion (cos a, 0, sin a, 0) is (cos a, 0, -sin a, 0).
    const double w = std::cos(heading);
    const Vector3 axis{0, -std::sin(heading), 0};
    if (t > 0) {
      const float* previous = features + (t - 1) * kFeatures;
      const Vector3 step = rotate(w, axis, {previous[kRootLinearVelocity], 0, previous[kRootLinearVelocity + 1]});
      root_x += step[0];
      root_z += step[2];
    }
    float* out = joints.data() + t * kJoints * 3;
    out[0] = static_cast<float>(root_x);
    out[1] = frame[kRootHeight];
    out[2] = static_cast<float>(root_z);
    for (int j = 1; j < kJoints; ++j) {
      const float* local = frame + kLocalPositions + (j - 1) * 3;
      const Vector3 p = rotate(w, axis, {local[0], local[1], local[2]});
      out[j * 3 + 0] = static_cast<float>(p[0] + root_x);
      out[j * 3 + 1] = static_cast<float>(p[1]);
      out[j * 3 + 2] = static_cast<float>(p[2] + root_z);
    }
  }
  return joints;
}

}  // namespace skelaug::data
