#pragma once

#include <cstdint>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::sampling {

// One clip to generate: its class and the real clip it is conditioned on.
struct WorkItem {
  std::int64_t label = 0;
  std::int64_t exemplar = -1;  // a clip index of the source dataset; -1 in label mode
};

// `per_class` items for every class of `dataset`, class after class. With exemplars (`use_exemplars`), each class
// takes the clips of `exemplar_clips` that belong to it in dataset order, in turn (item i of a class takes its
// (i mod n)-th clip); a class with none of them is a core::UserError naming it and `what` (the key that chose the
// clips). Without, every exemplar is -1.
std::vector<WorkItem> per_class_items(const data::SkeletonDataset& dataset,
                                      const std::vector<std::int64_t>& exemplar_clips, std::int64_t per_class,
                                      bool use_exemplars, const char* what);

}  // namespace skelaug::sampling
