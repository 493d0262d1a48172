#pragma once

#include <cstdint>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::training {

// The exemplar of "another clip of the same class" (generator.exemplar: other): the clips of each class among a
// training set, one picked by a seed the caller derives from what identifies the draw ((step, clip) in training), so
// the pick does not depend on the rank that makes it and a resumed run picks as an uninterrupted one.
class ExemplarPicker {
 public:
  // `clips` index `dataset`; only they are ever picked.
  ExemplarPicker(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips);

  // The exemplar of clip `self` in training: a clip of class `label` among the picker's clips, chosen by `seed`, never
  // `self` while the class has another clip. (Allowing `self` would teach the generator to copy its exemplar for 1
  // pick in k, k clips in the class: a quarter of the time at 4 clips a class, which is what `other` is there to
  // avoid.) A class of one clip gives that clip; std::invalid_argument if the class has none.
  std::int64_t pick_other_than(std::int64_t self, std::int64_t label, std::uint64_t seed) const;

 private:
  const std::vector<std::int64_t>& members(std::int64_t label) const;

  std::vector<std::vector<std::int64_t>> by_class_;
};

}  // namespace skelaug::training
