#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::visual {

// The caption `skelaug render` puts under a clip: its class and where it came from: "wave (real, clip 12)";
// a generated clip (gen_seed >= 0) "wave (generated from 12)" with its exemplar's index in the generator's training
// file, or "wave (generated, clip 3)" in label mode (no exemplar).
std::string clip_caption(const data::SkeletonDataset& dataset, std::int64_t clip);

// The first `per_class` clips of each class in dataset order, class after class (label order); a class with fewer
// clips gives what it has. std::invalid_argument for per_class < 1.
std::vector<std::int64_t> first_clips_per_class(const data::SkeletonDataset& dataset, std::int64_t per_class);

}  // namespace skelaug::visual
