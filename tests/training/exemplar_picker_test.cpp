// The other-clip exemplar picker: only clips of the asked class among the given clips, never the clip itself while the
// class has another, the same clip for the same seed.
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

TEST(ExemplarPicker, PicksOnlyGivenClipsOfTheClassButNeverTheClipItselfAndRepeatsForASeed) {
  const auto dataset = labelled({0, 1, 0, 2, 0, 1, 0});
  const ExemplarPicker picker(dataset, {0, 1, 2, 3, 5, 6});  // clip 4 (class 0) is not among them
  for (const std::int64_t self : {0, 2, 6}) {
    std::set<std::int64_t> seen;
    for (std::uint64_t seed = 0; seed < 64; ++seed) {
      const auto clip = picker.pick_other_than(self, 0, seed);
      EXPECT_EQ(dataset.labels[static_cast<std::size_t>(clip)], 0);
      EXPECT_EQ(clip, picker.pick_other_than(self, 0, seed));
      seen.insert(clip);
    }
    std::set<std::int64_t> others{0, 2, 6};
    others.erase(self);
    EXPECT_EQ(seen, others) << "self " << self;  // every other member is reachable, and only they
  }
  // Class 1 has two clips: each gets the other whatever the seed.
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    EXPECT_EQ(picker.pick_other_than(1, 1, seed), 5);
    EXPECT_EQ(picker.pick_other_than(5, 1, seed), 1);
  }
  // A class of one clip can only give that clip.
  EXPECT_EQ(picker.pick_other_than(3, 2, 12345), 3);
}

TEST(ExemplarPicker, AClassWithoutClipsIsRefused) {
  const auto dataset = labelled({0, 1, 0});
  const ExemplarPicker picker(dataset, {0, 1, 2});
  EXPECT_THROW(picker.pick_other_than(0, 2, 0), std::invalid_argument);
  EXPECT_THROW(picker.pick_other_than(0, 7, 0), std::invalid_argument);
}

}  // namespace
}  // namespace skelaug::training
