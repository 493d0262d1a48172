#pragma once

#include <ATen/core/Tensor.h>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::models {

// The generator's per-frame features: the root position (its trajectory, first frame at the origin) followed by
// every other joint relative to the root, J x 3 numbers per frame. Exactly invertible.
at::Tensor joints_to_features(const at::Tensor& joints);  // [..., T, J, 3] -> [..., T, J*3]
at::Tensor features_to_joints(const at::Tensor& features, std::int64_t num_joints);  // inverse

// Per-feature mean and standard deviation over every frame of the given clips (root trajectories start at the origin
// as the loader's first-frame centring gives them). std is floored at 1e-3 so constant features do not blow up.
struct FeatureStats {
  at::Tensor mean;  // [J*3]
  at::Tensor std;   // [J*3]
};
FeatureStats compute_feature_stats(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips);

}  // namespace skelaug::models
