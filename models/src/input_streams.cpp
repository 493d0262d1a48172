#include "skelaug/models/input_streams.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

#include "skelaug/data/device_copy.h"

namespace skelaug::models {
namespace {

struct StreamName {
  InputStream stream;
  const char* name;
};
constexpr StreamName kStreamNames[] = {{InputStream::kJoint, "joint"},
                                       {InputStream::kBone, "bone"},
                                       {InputStream::kJointMotion, "joint_motion"},
                                       {InputStream::kBoneMotion, "bone_motion"}};

// Child minus parent for every joint ([..., V, 3]); the root is its own "parent", so its bone is zero.
at::Tensor bones(const at::Tensor& joints, const data::Topology& topology) {
  std::vector<std::int64_t> parent(topology.parents.begin(), topology.parents.end());
  for (std::size_t j = 0; j < parent.size(); ++j) {
    if (parent[j] < 0) parent[j] = static_cast<std::int64_t>(j);
  }
  const auto index = data::to_device(at::tensor(parent, at::TensorOptions().dtype(at::kLong)), joints.device());
  return joints - joints.index_select(-2, index);
}

// Frame t + 1 minus frame t of [N, M, T, V, 3], kept only where both frames are real; zero at the last frame.
at::Tensor motion(const at::Tensor& values, const at::Tensor& frame_mask) {
  const auto frames = values.size(2);
  auto result = at::zeros_like(values);
  if (frames < 2) return result;
  const auto both_real = frame_mask.slice(2, 0, frames - 1) * frame_mask.slice(2, 1, frames);
  result.slice(2, 0, frames - 1).copy_((values.slice(2, 1, frames) - values.slice(2, 0, frames - 1)) * both_real);
  return result;
}

}  // namespace

InputStream parse_input_stream(const std::string& name) {
  for (const auto& entry : kStreamNames) {
    if (name == entry.name) return entry.stream;
  }
  throw std::invalid_argument(
      fmt::format("unknown input stream '{}' (known: joint, bone, joint_motion, bone_motion)", name));
}

std::string input_stream_name(InputStream stream) {
  for (const auto& entry : kStreamNames) {
    if (stream == entry.stream) return entry.name;
  }
  throw std::invalid_argument("unknown input stream");
}

at::Tensor input_streams(const at::Tensor& joints, const at::Tensor& mask, const data::Topology& topology,
                         const std::vector<InputStream>& streams) {
  if (joints.dim() != 5 || joints.size(4) != 3 || joints.size(3) != topology.num_joints()) {
    throw std::invalid_argument(fmt::format("input_streams: joints must be [N, M, T, {}, 3] ({})",
                                            topology.num_joints(), topology.name));
  }
  if (mask.dim() != 2 || mask.size(0) != joints.size(0) || mask.size(1) != joints.size(2)) {
    throw std::invalid_argument("input_streams: mask must be [N, T] of the joints' clips and frames");
  }
  if (streams.empty()) throw std::invalid_argument("input_streams: no stream asked for");
  // [N, 1, T, 1, 1], broadcast over bodies, joints and coordinates.
  const auto frame_mask = mask.to(joints.options()).view({joints.size(0), 1, joints.size(2), 1, 1});
  const auto positions = joints * frame_mask;
  at::Tensor bone;  // computed once if several streams need it
  std::vector<at::Tensor> parts;
  for (const auto stream : streams) {
    if ((stream == InputStream::kBone || stream == InputStream::kBoneMotion) && !bone.defined()) {
      bone = bones(positions, topology);
    }
    switch (stream) {
      case InputStream::kJoint: parts.push_back(positions); break;
      case InputStream::kBone: parts.push_back(bone); break;
      case InputStream::kJointMotion: parts.push_back(motion(positions, frame_mask)); break;
      case InputStream::kBoneMotion: parts.push_back(motion(bone, frame_mask)); break;
    }
  }
  return parts.size() == 1 ? parts.front() : at::cat(parts, -1);
}

RecognizerInputs::RecognizerInputs(const std::string& topology, std::vector<InputStream> streams)
    : topology_(&data::topology(topology)), streams_(std::move(streams)) {}

at::Tensor RecognizerInputs::operator()(const at::Tensor& joints, const at::Tensor& mask) const {
  return input_streams(joints.unsqueeze(1), mask, *topology_, streams_);
}

}  // namespace skelaug::models
