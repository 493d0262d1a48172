#include "skelaug/augment/study_dataset.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "skelaug/data/transforms.h"
#include "small_demo_dataset.h"

namespace skelaug::augment {
namespace {

Study study(bool validation) {
  Study s;
  s.train_split = "train";
  s.test_split = "test";
  s.validation = validation;
  return s;
}

TEST(StudyDataset, ATestStudyHoldsOutTheTestSplitAndComparesFeaturesThere) {
  const auto real = testing::small_demo_dataset();
  const auto test = study(false);
  const auto subset = data::subset_indices(real, "train", 0.5, 1);
  EXPECT_EQ(held_out_clips(test, real, subset), data::subset_indices(real, "test", 1.0, 0));
  EXPECT_EQ(unseen_split(test), "test");
  EXPECT_EQ(reference_split(test), "test");
}

TEST(StudyDataset, ALeftOutClipStudyHoldsOutItsCellsOtherTrainingClipsAndReadsNoTestClip) {
  const auto real = testing::small_demo_dataset();
  const auto validation = study(true);
  const auto train = data::subset_indices(real, "train", 1.0, 0);
  const auto subset = data::subset_indices(real, "train", 0.5, 1);
  const auto held_out = held_out_clips(validation, real, subset);
  EXPECT_EQ(held_out.size() + subset.size(), train.size());
  for (const auto clip : held_out) {
    EXPECT_EQ(real.split[static_cast<std::size_t>(clip)], "train") << clip;
    EXPECT_EQ(std::count(subset.begin(), subset.end(), clip), 0) << clip;
  }
  // Another cell leaves out other clips.
  EXPECT_NE(held_out, held_out_clips(validation, real, data::subset_indices(real, "train", 0.5, 2)));
  EXPECT_EQ(reference_split(validation), "train");
}

}  // namespace
}  // namespace skelaug::augment
