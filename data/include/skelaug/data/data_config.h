#pragma once

#include "skelaug/data/skeleton_loader.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::data {

// The `data` section: the training set, its low-data fraction, clip length and the classic augmentations.
void add_data_config_keys(core::Schema& schema);

// Loader options from the `data` section (batch size, rank and world size are the caller's).
LoaderOptions loader_options(const core::Config& config);
// The training clips: `data.train_split` of `data.train` (every clip if empty), keeping `data.fraction` per class.
std::vector<std::int64_t> training_clips(const SkeletonDataset& dataset, const core::Config& config);
// `data.train`, with a UserError naming the key when it is not set.
std::string training_file(const core::Config& config);

}  // namespace skelaug::data
