#include "skelaug/augment/copying_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "skelaug/data/transforms.h"
#include "small_demo_dataset.h"

namespace skelaug::augment {
namespace {

constexpr std::int64_t kLength = 24;

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
  const auto real = testing::small_demo_dataset();
  const auto train = data::subset_indices(real, "train", 0.5, 1);
  const auto test = data::subset_indices(real, "test", 1.0, 0);
  ASSERT_FALSE(train.empty());
  ASSERT_FALSE(test.empty());
  CopyingCheck check(real);

  CopyingDistances copying_test;
  check.add(copies_of(real, test), train, test, copying_test);
  ASSERT_EQ(copying_test.generated_to_test.size(), test.size());
  ASSERT_EQ(copying_test.train_to_test.size(), train.size());
  for (const double distance : copying_test.generated_to_test) EXPECT_NEAR(distance, 0.0, 1e-6);
  // Far nearer the held-out clips than any real training clip is: what the report's table makes visible.
  const auto nearest_real = *std::min_element(copying_test.train_to_test.begin(), copying_test.train_to_test.end());
  EXPECT_GT(nearest_real, 0.01);
  EXPECT_GT(median(copying_test.generated_to_train), 0.01);

  // A set that copies its own training subset lies on it instead, at the distance the real clips keep from the test.
  CopyingDistances copying_train;
  check.add(copies_of(real, train), train, test, copying_train);
  for (const double distance : copying_train.generated_to_train) EXPECT_NEAR(distance, 0.0, 1e-6);
  EXPECT_NEAR(median(copying_train.generated_to_test), median(copying_train.train_to_test), 1e-9);

  // Cells add up: the same distances again, appended.
  check.add(copies_of(real, train), train, test, copying_train);
  EXPECT_EQ(copying_train.generated_to_train.size(), 2 * train.size());
  EXPECT_EQ(copying_train.train_to_test.size(), 2 * train.size());
}

TEST(CopyingCheck, EachCellIsMeasuredAgainstItsOwnHeldOutClips) {
  // A left-out-clip validation study holds out other clips in each cell: a set copying one cell's held-out clips lies
  // on them, not on another cell's, though both are prepared at the same length.
  const auto real = testing::small_demo_dataset();
  const auto train = data::subset_indices(real, "train", 1.0, 0);
  const std::vector<std::int64_t> first(train.begin(), train.begin() + 6);
  const std::vector<std::int64_t> second(train.begin() + 6, train.begin() + 12);
  const std::vector<std::int64_t> subset(train.begin() + 12, train.end());
  CopyingCheck check(real);
  CopyingDistances on_first, on_second;
  check.add(copies_of(real, first), subset, first, on_first);
  check.add(copies_of(real, first), subset, second, on_second);
  for (const double distance : on_first.generated_to_test) EXPECT_NEAR(distance, 0.0, 1e-6);
  EXPECT_GT(*std::min_element(on_second.generated_to_test.begin(), on_second.generated_to_test.end()), 0.01);
}

TEST(CopyingCheck, AnEmptySetAddsNothing) {
  const auto real = testing::small_demo_dataset();
  CopyingCheck check(real);
  CopyingDistances distances;
  check.add(copies_of(real, {}), data::subset_indices(real, "train", 0.5, 1), data::subset_indices(real, "test", 1.0, 0),
            distances);
  EXPECT_TRUE(distances.generated_to_train.empty());
  EXPECT_TRUE(distances.train_to_test.empty());
}

}  // namespace
}  // namespace skelaug::augment
