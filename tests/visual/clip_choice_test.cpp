#include "skelaug/visual/clip_choice.h"

#include <gtest/gtest.h>

#include "stick_clips.h"

namespace skelaug::visual {
namespace {

data::SkeletonDataset labelled(const std::vector<std::int64_t>& labels) {
  auto dataset = testing::stick_dataset(std::vector<std::int64_t>(labels.size(), 2),
                                        std::vector<float>(labels.size(), 1.0f));
  dataset.class_names = {"wave", "kick", "sit"};
  dataset.labels = labels;
  return dataset;
}

TEST(ClipChoiceTest, CaptionsSayRealOrGeneratedFromWhichExemplar) {
  auto dataset = labelled({0, 1, 2});
  EXPECT_EQ(clip_caption(dataset, 1), "kick (real, clip 1)");
  dataset.gen_seed = {-1, 77, 78};
  dataset.gen_exemplar = {-1, 12, -1};
  EXPECT_EQ(clip_caption(dataset, 0), "wave (real, clip 0)");
  EXPECT_EQ(clip_caption(dataset, 1), "kick (generated from 12)");
  EXPECT_EQ(clip_caption(dataset, 2), "sit (generated, clip 2)");  // label mode: no exemplar
  EXPECT_THROW(clip_caption(dataset, 3), std::out_of_range);
}

TEST(ClipChoiceTest, FirstClipsOfEachClassClassAfterClass) {
  const auto dataset = labelled({1, 0, 1, 1, 0, 2});
  EXPECT_EQ(first_clips_per_class(dataset, 2), (std::vector<std::int64_t>{1, 4, 0, 2, 5}));
  EXPECT_EQ(first_clips_per_class(dataset, 1), (std::vector<std::int64_t>{1, 0, 5}));
  EXPECT_THROW(first_clips_per_class(dataset, 0), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::visual
