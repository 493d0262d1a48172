// The per-clip plausibility measures the refinement module filters with, against clips whose answers are known by
// construction: bone lengths of a scaled skeleton, the jerk of cubic motion, the deviation of a moved copy.
#include "skelaug/evaluation/clip_plausibility.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace skelaug::evaluation {
namespace {

const data::Topology& hml22() { return data::topology("hml22"); }

// Random poses [n, frames, 22, 3], every frame valid.
torch::Tensor random_poses(std::int64_t n, std::int64_t frames) {
  torch::manual_seed(3);
  return torch::randn({n, frames, 22, 3}, torch::kDouble) * 0.3;
}

TEST(ClipPlausibility, BoneLengthsAreTheDistancesFromEachJointToItsParent) {
  const auto poses = random_poses(2, 5);
  const auto lengths = bone_lengths(poses, hml22());
  const auto edges = hml22().edges();
  ASSERT_EQ(lengths.sizes(), (at::IntArrayRef{2, 5, static_cast<std::int64_t>(edges.size())}));
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto expected = (poses.select(2, edges[e].first) - poses.select(2, edges[e].second)).norm(2, -1);
    EXPECT_TRUE(torch::allclose(lengths.select(2, static_cast<std::int64_t>(e)), expected)) << e;
  }
}

TEST(ClipPlausibility, BoneLengthErrorIsTheMeanStretchAgainstTheReference) {
  const auto poses = random_poses(1, 1).expand({1, 4, 22, 3}).clone();  // one performer standing still
  const auto valid = torch::ones({1, 4});
  const auto reference = bone_lengths(poses, hml22()).mean(1);  // [1, E]
  const auto root = poses.select(2, 0).unsqueeze(2);
  const auto stretched = root + 1.5 * (poses - root);  // every bone half as long again
  const double expected = 0.5 * reference.mean().item<double>();
  EXPECT_NEAR(clip_bone_length_error(stretched, valid, reference, hml22())[0].item<double>(), expected, 1e-9);
  EXPECT_NEAR(clip_bone_length_error(poses, valid, reference, hml22())[0].item<double>(), 0, 1e-9);
  // Invalid frames are left out: a wild frame marked invalid changes nothing.
  auto wild = stretched.clone();
  wild.select(1, 3) *= 10;
  const auto three_frames = torch::tensor({{1.f, 1.f, 1.f, 0.f}});
  EXPECT_NEAR(clip_bone_length_error(wild, three_frames, reference, hml22())[0].item<double>(), expected, 1e-9);
}

TEST(ClipPlausibility, JitterIsTheMeanJerkInMetresPerSecondCubed) {
  // x(t) = a t^3 has jerk 6a at every instant; sampled at fps frames per second, the third difference is exact.
  const double fps = 20, a = 0.7;
  const auto t = torch::arange(10, torch::kDouble) / fps;
  const auto along_x = torch::zeros({1, 10, 22, 3}, torch::kDouble);
  along_x.select(3, 0).copy_((a * t.pow(3)).view({1, 10, 1}).expand({1, 10, 22}));
  EXPECT_NEAR(clip_jitter(along_x, torch::ones({1, 10}), fps)[0].item<double>(), 6 * a, 1e-9);
  // Quadratic motion (constant acceleration) has none; under 4 valid frames there is no window at all.
  const auto quadratic = torch::zeros({1, 10, 22, 3}, torch::kDouble);
  quadratic.select(3, 1).copy_(t.pow(2).view({1, 10, 1}).expand({1, 10, 22}));
  EXPECT_NEAR(clip_jitter(quadratic, torch::ones({1, 10}), fps)[0].item<double>(), 0, 1e-9);
  EXPECT_TRUE(std::isnan(clip_jitter(along_x, torch::tensor({{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}}), fps)[0].item<double>()));
}

TEST(ClipPlausibility, DeviationAlignsTheRootsFrameByFrame) {
  const auto poses = random_poses(1, 6);
  const auto valid = torch::ones({1, 6});
  const auto walk = torch::arange(6, torch::kDouble).view({1, 6, 1, 1}) * torch::tensor({0.3, 0.0, -0.2}, torch::kDouble);
  EXPECT_NEAR(root_aligned_deviation(poses + walk, valid, poses, valid)[0].item<double>(), 0, 1e-9);
  // One joint 22 cm off in every frame: 1 cm per joint on average.
  auto moved = poses.clone();
  moved.select(2, 5).select(2, 2) += 0.22;
  EXPECT_NEAR(root_aligned_deviation(moved, valid, poses, valid)[0].item<double>(), 0.01, 1e-9);
  // Only frames valid in both count.
  auto late = poses.clone();
  late.narrow(1, 3, 3) += torch::randn({1, 3, 22, 3}, torch::kDouble);
  const auto first_half = torch::tensor({{1, 1, 1, 0, 0, 0}});
  EXPECT_NEAR(root_aligned_deviation(late, first_half, poses, valid)[0].item<double>(), 0, 1e-9);
}

}  // namespace
}  // namespace skelaug::evaluation
