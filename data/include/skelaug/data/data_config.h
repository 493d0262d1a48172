#pragma once

#include <memory>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_loader.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::data {

// The `data` section: the training set, its low-data fraction, extra (generated) files, the held-out set, clip length
// and the classic augmentations.
void add_data_config_keys(core::Schema& schema);

struct DataOptions {
  std::string train;                // data.train (empty: not set)
  std::string train_split;          // "" = every clip
  double fraction = 1.0;            // kept per class of the training split (the low-data protocol)
  std::vector<std::string> extra;   // further training files, e.g. generated clips
  double extra_ratio = -1.0;        // extra clips per real clip; negative = every extra clip once
  double real_share = 0.0;          // with extra clips: repeat the real ones to about this share; 0 = once each
  bool extra_by_class = false;      // draw extra_ratio extra clips per real clip class by class
  bool extra_only = false;          // train on the extra clips alone (the real subset still defines unused clips)
  std::string test;                 // "" = data.train
  std::string test_split;           // "" = every clip
  bool test_unused_only = false;    // drop the training clips from the held-out ones (a validation set)
  std::uint64_t seed = 0;           // run.seed: the subset and the extra draw
  LoaderOptions loader;             // clip length, length mode, workers, augmentation, seed (batch, rank: the job's)

  // `train`, or a UserError naming data.train when it is not set.
  const std::string& training_file() const;
};

// The `data` section (and run.seed, which seeds the subset, the extra draw and the loader).
DataOptions data_options(const core::Config& config);

// The training clips: `train_split` of the training file (every clip if empty), keeping `fraction` per class.
std::vector<std::int64_t> training_clips(const SkeletonDataset& dataset, const DataOptions& options);

// The training clips of a recogniser: the real ones (`train`, `train_split`, `fraction`) and, when `extra` names
// further files (generated clips, say), clips of those appended after them. `extra_ratio` sets how many extra clips are
// used per real clip (drawn at random from `seed`, repeating only when more are asked for than the files hold); a
// negative ratio uses every extra clip once. `extra_by_class` draws them class by class, `extra_ratio` x each class's
// real clips from that class's extra clips, so that the mix keeps the real clips' class proportions however unevenly a
// filter (refinement) kept generated clips. `real_share` > 0 repeats the real clips (whole copies, at least one) so
// that about that share of an epoch's clips are real: how real and generated clips mix in the batches, since the
// loader shuffles the whole list. `extra_only` trains on the extra clips alone: the real subset is still drawn (so
// that `test_unused_only` knows which clips the cell left out) but not trained on. Every file must share the real
// file's topology and class names (a UserError naming the file otherwise).
struct TrainingSet {
  std::shared_ptr<SkeletonDataset> dataset;  // the real file with every extra file appended
  // Into `dataset`: the real clips first, then the extra ones, then real_copies - 1 further copies of the real ones.
  std::vector<std::int64_t> clips;
  std::int64_t real_clips = 0;               // distinct real clips
  std::int64_t extra_clips = 0;
  std::int64_t real_copies = 1;              // how often each real clip appears in `clips`
  // With extra_by_class: the classes with real clips but no extra clip to draw (their share stays unfilled).
  std::vector<std::string> classes_without_extra;
};
TrainingSet load_training_set(const DataOptions& options);

// The held-out clips: `test_split` of `test` (of the training file when `test` is empty); with `test_unused_only`,
// only those the run does not train on (training_clips), a UserError when none is left.
struct TestSet {
  std::shared_ptr<SkeletonDataset> dataset;
  std::vector<std::int64_t> clips;
};
TestSet load_test_set(const DataOptions& options);

}  // namespace skelaug::data
