// The other-clip exemplar picker: only clips of the asked class among the given clips, the same clip for the same seed.
#include "skelaug/training/exemplar_picker.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <vector>

#include "labelled_dataset.h"

namespace skelaug::training {
namespace {

data::SkeletonDataset labelled(const std::vector<std::int64_t>& labels) {
  return testing::labelled_dataset(labels, {"a", "b", "c"});
}

TEST(ExemplarPicker, PicksOnlyGivenClipsOfTheClassAndRepeatsForASeed) {
  const auto dataset = labelled({0, 1, 0, 2, 0, 1, 0});
  const ExemplarPicker picker(dataset, {0, 1, 2, 3, 5, 6});  // clip 4 (class 0) is not among them
  std::set<std::int64_t> seen;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    const auto clip = picker.pick(0, seed);
    EXPECT_EQ(dataset.labels[static_cast<std::size_t>(clip)], 0);
    EXPECT_NE(clip, 4);
    EXPECT_EQ(clip, picker.pick(0, seed));
    seen.insert(clip);
  }
  EXPECT_EQ(seen, (std::set<std::int64_t>{0, 2, 6}));  // every member is reachable
  EXPECT_EQ(picker.pick(2, 12345), 3);
}

TEST(ExemplarPicker, AClassWithoutClipsIsRefused) {
  const auto dataset = labelled({0, 1, 0});
  const ExemplarPicker picker(dataset, {0, 1, 2});
  EXPECT_THROW(picker.pick(2, 0), std::invalid_argument);
  EXPECT_THROW(picker.pick(7, 0), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::training
