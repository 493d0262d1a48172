// The work items of a sampling job: per class (exemplars of the class in turn, label mode without them) or per clip of
// the exemplar set; the exemplar set of a low-data run; per-item seeds.
#include "skelaug/sampling/work_items.h"

#include <gtest/gtest.h>

#include "labelled_dataset.h"
#include "skelaug/core/error.h"
#include "skelaug/data/data_config.h"

namespace skelaug::sampling {
namespace {

data::SkeletonDataset labelled(const std::vector<std::int64_t>& labels) {
  return testing::labelled_dataset(labels, {"walk", "run", "jump"});
}

TEST(PerClassItems, TakeTheClassExemplarsInTurn) {
  const auto dataset = labelled({0, 1, 0, 2, 1, 0});
  const auto items = per_class_items(dataset, {0, 1, 2, 3, 4}, 3, true, "sample.exemplar_split");  // clip 5 left out
  ASSERT_EQ(items.size(), 9u);
  const std::vector<std::int64_t> exemplars{0, 2, 0, 1, 4, 1, 3, 3, 3};
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].label, static_cast<std::int64_t>(i / 3));
    EXPECT_EQ(items[i].exemplar, exemplars[i]) << i;
  }
}

TEST(PerClassItems, LabelModeHasNoExemplarsAndNeedsNone) {
  const auto dataset = labelled({0, 1});  // class 2 has no clip: fine without exemplars
  const auto items = per_class_items(dataset, {0, 1}, 2, false, "sample.exemplar_split");
  ASSERT_EQ(items.size(), 6u);
  for (const auto& item : items) EXPECT_EQ(item.exemplar, -1);
  EXPECT_EQ(items[5].label, 2);
}

TEST(PerClassItems, AClassWithoutExemplarsIsNamed) {
  const auto dataset = labelled({0, 1, 2});
  try {
    per_class_items(dataset, {0, 2}, 1, true, "sample.exemplar_split");
    FAIL() << "expected a UserError";
  } catch (const core::UserError& error) {
    EXPECT_STREQ(error.what(), "sample.exemplar_split: class 'run' has no clip to serve as an exemplar");
  }
}

TEST(PerClassItems, NumberTheItemsInOrder) {
  const auto items = per_class_items(labelled({0, 1, 2}), {0, 1, 2}, 2, true, "sample.exemplar_split");
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].id, static_cast<std::int64_t>(i));
}

TEST(PerClipItems, GiveEveryExemplarClipKItemsOfItsClass) {
  const auto dataset = labelled({2, 0, 1, 0});
  const auto items = per_clip_items(dataset, {3, 0, 1}, 2, true);
  ASSERT_EQ(items.size(), 6u);
  const std::vector<std::int64_t> exemplars{3, 3, 0, 0, 1, 1}, labels{0, 0, 2, 2, 0, 0};
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].id, static_cast<std::int64_t>(i));
    EXPECT_EQ(items[i].exemplar, exemplars[i]);
    EXPECT_EQ(items[i].label, labels[i]);
  }
  for (const auto& item : per_clip_items(dataset, {3, 0}, 1, false)) EXPECT_EQ(item.exemplar, -1);
}

TEST(ExemplarClips, DefaultToExactlyTheGeneratorsLowDataTrainingClips) {
  std::vector<std::int64_t> labels;
  for (int i = 0; i < 60; ++i) labels.push_back(i % 3);
  auto dataset = labelled(labels);
  dataset.split.assign(60, "train");
  for (int i = 40; i < 60; ++i) dataset.split[static_cast<std::size_t>(i)] = "test";
  data::DataOptions run;
  run.train_split = "train";
  run.fraction = 0.25;
  run.seed = 7;
  const auto trained_on = data::training_clips(dataset, run);
  ASSERT_LT(trained_on.size(), 40u);
  EXPECT_EQ(exemplar_clips(dataset, run, ""), trained_on);
  EXPECT_EQ(exemplar_clips(dataset, run, "test").size(), 20u);
  EXPECT_EQ(exemplar_clips(dataset, run, "*").size(), 60u);
  EXPECT_THROW(exemplar_clips(dataset, run, "validation"), core::UserError);
}

TEST(ItemSeeds, AreNonNegativeAndDifferByItemAndDraw) {
  EXPECT_GE(item_seed(0, 0, 0), 0);
  EXPECT_EQ(item_seed(5, 10, 0), item_seed(5, 10, 0));
  EXPECT_NE(item_seed(5, 10, 0), item_seed(5, 11, 0));
  EXPECT_NE(item_seed(5, 10, 0), item_seed(5, 10, 1));
  EXPECT_NE(item_seed(5, 10, 0), item_seed(6, 10, 0));
}

}  // namespace
}  // namespace skelaug::sampling
