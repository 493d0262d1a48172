#include "skelaug/data/noisy_copies.h"

#include <gtest/gtest.h>

#include <cmath>

#include "labelled_dataset.h"

namespace skelaug::data {
namespace {

TEST(NoisyCopies, EachClipCopiedWithGaussianNoiseOfTheGivenMeanAndSpread) {
  const auto dataset = testing::labelled_dataset({0, 1, 1, 0}, {"a", "b"});
  NoisyCopyOptions options;
  options.copies = 3;
  options.mean = 0.02;
  options.std = 0.05;
  options.seed = 9;
  const auto copies = noisy_copies(dataset, {1, 3}, options);
  ASSERT_EQ(copies.size(), 6u);
  EXPECT_EQ(copies.labels, (std::vector<std::int64_t>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(copies.topology, dataset.topology);
  EXPECT_EQ(copies.class_names, dataset.class_names);
  EXPECT_EQ(copies.source[0], "clip 1 (noisy copy 1)");
  EXPECT_TRUE(copies.gen_seed.empty());  // not generated clips
  // The originals are all zero, so the copies' values are the noise itself: 6 x 2 x 22 x 3 = 792 draws.
  double sum = 0, squares = 0;
  for (const float value : copies.joints) sum += value;
  const double mean = sum / static_cast<double>(copies.joints.size());
  for (const float value : copies.joints) squares += (value - mean) * (value - mean);
  const double spread = std::sqrt(squares / static_cast<double>(copies.joints.size() - 1));
  EXPECT_NEAR(mean, 0.02, 4 * 0.05 / std::sqrt(792.0));
  EXPECT_NEAR(spread, 0.05, 0.005);
  // Copies differ from each other, and the same arguments give the same copies.
  EXPECT_NE(copies.clip_data(0)[0], copies.clip_data(1)[0]);
  EXPECT_EQ(noisy_copies(dataset, {1, 3}, options).joints, copies.joints);
  options.seed = 10;
  EXPECT_NE(noisy_copies(dataset, {1, 3}, options).joints, copies.joints);
}

}  // namespace
}  // namespace skelaug::data
