#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skelaug/data/data_config.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::sampling {

// One clip to generate: its place in the job, its class and the real clip it is conditioned on. The id, not the rank
// or the batch that computes it, decides its random draws (item_seed).
struct WorkItem {
  std::int64_t id = 0;
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

// `per_clip` items for every clip of `exemplar_clips`, in that order, each of the clip's class (the paper: 5 per real
// clip). Without exemplars (label mode) the clips only set the classes, and every exemplar is -1.
std::vector<WorkItem> per_clip_items(const data::SkeletonDataset& dataset,
                                     const std::vector<std::int64_t>& exemplar_clips, std::int64_t per_clip,
                                     bool use_exemplars);

// The clips exemplars come from. `exemplar_split` empty: exactly the clips the generator was trained on (the run's
// data.train_split, data.fraction and run.seed), so a low-data run's samples never see a real clip outside its subset;
// "*": every clip of the file; another name: every clip of that split.
std::vector<std::int64_t> exemplar_clips(const data::SkeletonDataset& dataset, const data::DataOptions& data,
                                         const std::string& exemplar_split);

// The seed of draw `draw` (0, then 1, 2, ... for redraws) of item `item` under sample.seed `seed`: 63 bits, so the
// dataset file's int64 gen_seed column holds it as it is.
std::int64_t item_seed(std::uint64_t seed, std::int64_t item, std::int64_t draw);

}  // namespace skelaug::sampling
