// The work items of a per-class sampling job: every class, exemplars of the class in turn, label mode without them.
#include "skelaug/sampling/work_items.h"

#include <gtest/gtest.h>

#include "labelled_dataset.h"
#include "skelaug/core/error.h"

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

}  // namespace
}  // namespace skelaug::sampling
