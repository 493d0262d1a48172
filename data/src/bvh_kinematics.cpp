// Forward kinematics of a BVH skeleton (channel values -> world joint positions) and resampling of positions to
// another frame rate.
#include <array>
#include <cmath>
#include <limits>

#include "skelaug/data/bvh_kinematics.h"

namespace skelaug::data {
namespace {

using Matrix3 = std::array<double, 9>;  // row-major
using Vector3 = std::array<double, 3>;

constexpr Matrix3 kIdentity{1, 0, 0, 0, 1, 0, 0, 0, 1};

Matrix3 multiply(const Matrix3& a, const Matrix3& b) {
  Matrix3 c{};
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 3; ++k) {
      const double a_rk = a[r * 3 + k];
      for (int col = 0; col < 3; ++col) c[r * 3 + col] += a_rk * b[k * 3 + col];
    }
  }
  return c;
}

Vector3 rotate(const Matrix3& m, const Vector3& v) {
  return {m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
          m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
}

// Rotation by `degrees` about one axis (0 = X, 1 = Y, 2 = Z), right-handed.
Matrix3 axis_rotation(int axis, double degrees) {
  constexpr double kPi = 3.14159265358979323846;
  const double radians = degrees * kPi / 180.0;
  const double c = std::cos(radians);
  const double s = std::sin(radians);
  switch (axis) {
    case 0: return {1, 0, 0, 0, c, -s, 0, s, c};
    case 1: return {c, 0, s, 0, 1, 0, -s, 0, c};
    default: return {c, -s, 0, s, c, 0, 0, 0, 1};
  }
}

int axis_of(BvhChannel channel) {
  switch (channel) {
    case BvhChannel::kXposition:
    case BvhChannel::kXrotation: return 0;
    case BvhChannel::kYposition:
    case BvhChannel::kYrotation: return 1;
    case BvhChannel::kZposition:
    case BvhChannel::kZrotation: return 2;
  }
  return 0;
}

bool is_position(BvhChannel channel) {
  return channel == BvhChannel::kXposition || channel == BvhChannel::kYposition || channel == BvhChannel::kZposition;
}

}  // namespace

std::vector<double> bvh_world_positions(const BvhMotion& motion, double scale) {
  const auto& joints = motion.skeleton.joints;
  const std::size_t num_joints = joints.size();
  const auto columns = static_cast<std::size_t>(motion.skeleton.num_channels);
  std::vector<double> world(static_cast<std::size_t>(motion.frames) * num_joints * 3);
  std::vector<Matrix3> rotation(num_joints);  // world orientation of each joint in the current frame
  std::vector<Vector3> position(num_joints);  // world position, file units (scaled when stored)
  for (std::int64_t frame = 0; frame < motion.frames; ++frame) {
    const double* row = motion.values.data() + static_cast<std::size_t>(frame) * columns;
    for (std::size_t j = 0; j < num_joints; ++j) {
      const BvhJoint& joint = joints[j];
      Vector3 translation = joint.offset;
      Matrix3 local = kIdentity;
      for (std::size_t c = 0; c < joint.channels.size(); ++c) {
        const double value = row[static_cast<std::size_t>(joint.first_channel) + c];
        if (is_position(joint.channels[c])) {
          translation[static_cast<std::size_t>(axis_of(joint.channels[c]))] = value;
        } else {
          local = multiply(local, axis_rotation(axis_of(joint.channels[c]), value));
        }
      }
      if (joint.parent < 0) {
        rotation[j] = local;
        position[j] = translation;
      } else {
        const auto parent = static_cast<std::size_t>(joint.parent);
        rotation[j] = multiply(rotation[parent], local);
        const Vector3 moved = rotate(rotation[parent], translation);
        for (int a = 0; a < 3; ++a) position[j][a] = position[parent][a] + moved[a];
      }
      double* out = world.data() + (static_cast<std::size_t>(frame) * num_joints + j) * 3;
      for (int a = 0; a < 3; ++a) out[a] = position[j][a] * scale;
    }
  }
  return world;
}

std::int64_t resampled_frame_count(std::int64_t frames, double source_fps, double target_fps) {
  if (frames <= 0) return 0;
  // The tolerance keeps a last output time that equals the last source time up to rounding (994 frames, 120 -> 30).
  const double last = static_cast<double>(frames - 1) * target_fps / source_fps;
  // Saturates rather than overflowing (callers refuse counts above kMaxClipFrames).
  if (!(last < 9e18)) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::floor(last + 1e-9)) + 1;
}

std::vector<double> resample_positions(const std::vector<double>& positions, std::int64_t frames, int points,
                                       double source_fps, double target_fps, std::int64_t* resampled_frames) {
  const std::int64_t count = resampled_frame_count(frames, source_fps, target_fps);
  const auto stride = static_cast<std::size_t>(points) * 3;
  std::vector<double> out(static_cast<std::size_t>(count) * stride);
  for (std::int64_t k = 0; k < count; ++k) {
    const double source_frame = static_cast<double>(k) * source_fps / target_fps;
    auto before = static_cast<std::int64_t>(std::floor(source_frame + 1e-9));
    if (before > frames - 1) before = frames - 1;
    double weight = source_frame - static_cast<double>(before);
    if (weight < 1e-9 || before == frames - 1) weight = 0;  // on a source frame: copy it exactly
    const double* a = positions.data() + static_cast<std::size_t>(before) * stride;
    const double* b = weight > 0 ? a + stride : a;
    double* o = out.data() + static_cast<std::size_t>(k) * stride;
    for (std::size_t i = 0; i < stride; ++i) o[i] = weight > 0 ? a[i] + weight * (b[i] - a[i]) : a[i];
  }
  if (resampled_frames != nullptr) *resampled_frames = count;
  return out;
}

}  // namespace skelaug::data
