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

// The training clips of a recogniser: the real ones (`data.train`, `data.train_split`, `data.fraction`) and, when
// `data.extra` names further files (generated clips, say), clips of those appended after them. `data.extra_ratio`
// sets how many extra clips are used per real clip (drawn at random from `run.seed`, repeating only when more are
// asked for than the files hold); a negative ratio uses every extra clip once. Every file must share the real
// file's topology and class names (a UserError naming the file otherwise).
struct TrainingSet {
  std::shared_ptr<SkeletonDataset> dataset;  // the real file with every extra file appended
  std::vector<std::int64_t> clips;           // into `dataset`: the real clips first, then the extra ones
  std::int64_t real_clips = 0;
  std::int64_t extra_clips = 0;
};
TrainingSet load_training_set(const core::Config& config);

// The held-out clips: `data.test_split` of `data.test` (of `data.train` when `data.test` is empty).
struct TestSet {
  std::shared_ptr<SkeletonDataset> dataset;
  std::vector<std::int64_t> clips;
};
TestSet load_test_set(const core::Config& config);


}  // namespace skelaug::data
