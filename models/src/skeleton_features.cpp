#include "skelaug/models/skeleton_features.h"

#include <ATen/ATen.h>

#include "skelaug/data/transforms.h"

namespace skelaug::models {

at::Tensor joints_to_features(const at::Tensor& joints) {
  const auto root = joints.narrow(-2, 0, 1);
  const auto relative = joints.narrow(-2, 1, joints.size(-2) - 1) - root;
  return at::cat({root, relative}, -2).flatten(-2);
}

at::Tensor features_to_joints(const at::Tensor& features, std::int64_t num_joints) {
  auto sizes = features.sizes().vec();
  sizes.back() = num_joints;
  sizes.push_back(3);
  const auto joints = features.reshape(sizes);
  const auto root = joints.narrow(-2, 0, 1);
  return at::cat({root, joints.narrow(-2, 1, num_joints - 1) + root}, -2);
}

FeatureStats compute_feature_stats(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips) {
  const auto width = static_cast<std::int64_t>(dataset.num_joints()) * 3;
  auto sum = at::zeros({width}, at::kDouble);
  auto squares = at::zeros({width}, at::kDouble);
  std::int64_t frames = 0;
  for (const auto clip : clips) {
    const auto joints = data::centre_root(data::clip_tensor(dataset, static_cast<std::size_t>(clip)),
                                          data::RootCentring::kFirstFrame);
    const auto features = joints_to_features(joints).to(at::kDouble);
    sum += features.sum(0);
    squares += features.square().sum(0);
    frames += features.size(0);
  }
  const auto mean = sum / static_cast<double>(std::max<std::int64_t>(frames, 1));
  const auto variance = (squares / static_cast<double>(std::max<std::int64_t>(frames, 1)) - mean.square()).clamp_min(0);
  return {mean.to(at::kFloat), variance.sqrt().clamp_min(1e-3).to(at::kFloat)};
}

}  // namespace skelaug::models
