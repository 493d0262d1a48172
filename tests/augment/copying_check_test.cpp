#include "skelaug/augment/copying_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/transforms.h"

namespace skelaug::augment {
namespace {

constexpr std::int64_t kLength = 24;

data::SkeletonDataset real_set() {
  data::DemoOptions options;
  options.clips_per_class = 4;  // 14 classes; subjects 0-2 of 4 train, subject 3 test
  options.subjects = 4;
  options.min_frames = 30;
  options.max_frames = 40;
  return data::make_demo_dataset(options);
}

// A "generated" set: the middle kLength frames of the given real clips, as a set that copies them would hold.
data::SkeletonDataset copies_of(const data::SkeletonDataset& real, const std::vector<std::int64_t>& clips) {
  data::SkeletonDataset copies;
  copies.topology = real.topology;
  copies.fps = real.fps;
  copies.class_names = real.class_names;
  std::mt19937_64 unused(0);
  for (const auto clip : clips) {
    const auto fixed = data::fix_length(data::clip_tensor(real, static_cast<std::size_t>(clip)), kLength,
                                        data::LengthMode::kCentreCrop, unused)
                           .joints.contiguous();
    copies.add_clip(fixed.data_ptr<float>(), kLength, real.labels[static_cast<std::size_t>(clip)], {});
  }
  return copies;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

TEST(CopyingCheck, ASetThatCopiesTheTestSplitLiesOnItsClips) {
  const auto real = real_set();
  const auto train = data::subset_indices(real, "train", 0.5, 1);
  const auto test = data::subset_indices(real, "test", 1.0, 0);
  ASSERT_FALSE(train.empty());
  ASSERT_FALSE(test.empty());
  CopyingCheck check(real, test);

  CopyingDistances copying_test;
  check.add(copies_of(real, test), train, copying_test);
  ASSERT_EQ(copying_test.generated_to_test.size(), test.size());
  ASSERT_EQ(copying_test.train_to_test.size(), train.size());
  for (const double distance : copying_test.generated_to_test) EXPECT_NEAR(distance, 0.0, 1e-6);
  // Far nearer the held-out clips than any real training clip is: what the report's table makes visible.
  const auto nearest_real = *std::min_element(copying_test.train_to_test.begin(), copying_test.train_to_test.end());
  EXPECT_GT(nearest_real, 0.01);
  EXPECT_GT(median(copying_test.generated_to_train), 0.01);

  // A set that copies its own training subset lies on it instead, at the distance the real clips keep from the test.
  CopyingDistances copying_train;
  check.add(copies_of(real, train), train, copying_train);
  for (const double distance : copying_train.generated_to_train) EXPECT_NEAR(distance, 0.0, 1e-6);
  EXPECT_NEAR(median(copying_train.generated_to_test), median(copying_train.train_to_test), 1e-9);

  // Cells add up: the same distances again, appended.
  check.add(copies_of(real, train), train, copying_train);
  EXPECT_EQ(copying_train.generated_to_train.size(), 2 * train.size());
  EXPECT_EQ(copying_train.train_to_test.size(), 2 * train.size());
}

TEST(CopyingCheck, AnEmptySetAddsNothing) {
  const auto real = real_set();
  CopyingCheck check(real, data::subset_indices(real, "test", 1.0, 0));
  CopyingDistances distances;
  check.add(copies_of(real, {}), data::subset_indices(real, "train", 0.5, 1), distances);
  EXPECT_TRUE(distances.generated_to_train.empty());
  EXPECT_TRUE(distances.train_to_test.empty());
}

}  // namespace
}  // namespace skelaug::augment
