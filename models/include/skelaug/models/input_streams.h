#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "skelaug/data/topology.h"

namespace skelaug::models {

// The four input streams of two-stream / four-stream skeleton recognisers (2s-AGCN, PYSKL):
//   joint        positions,
//   bone         child minus parent joint along the topology's edges (zero at the root),
//   joint_motion frame-to-frame difference of positions (zero at the last real frame),
//   bone_motion  frame-to-frame difference of bones.
enum class InputStream { kJoint, kBone, kJointMotion, kBoneMotion };

InputStream parse_input_stream(const std::string& name);  // throws std::invalid_argument naming the four
std::string input_stream_name(InputStream stream);

// joints [N, M, T, V, 3] with frame mask [N, T] -> [N, M, T, V, 3 * streams.size()], the streams concatenated along
// channels in the given order; padded frames are zero in every stream, and motion never crosses into padding.
at::Tensor input_streams(const at::Tensor& joints, const at::Tensor& mask, const data::Topology& topology,
                         const std::vector<InputStream>& streams);

// A recogniser's input from the loader's batches of single bodies: joints [B, T, J, 3] with mask [B, T] ->
// [B, 1, T, J, 3 x streams]. Training, held-out evaluation and the generation metrics all go through it, so a model
// always sees clips prepared the same way.
class RecognizerInputs {
 public:
  RecognizerInputs(const std::string& topology, std::vector<InputStream> streams);
  at::Tensor operator()(const at::Tensor& joints, const at::Tensor& mask) const;

 private:
  const data::Topology* topology_;
  std::vector<InputStream> streams_;
};

}  // namespace skelaug::models
