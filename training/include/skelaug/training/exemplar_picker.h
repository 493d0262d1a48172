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

  // A clip of class `label` among the picker's clips, chosen by `seed`. std::invalid_argument if the class has none.
  std::int64_t pick(std::int64_t label, std::uint64_t seed) const;

 private:
  std::vector<std::vector<std::int64_t>> by_class_;
};

}  // namespace skelaug::training
