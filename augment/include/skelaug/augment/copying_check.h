#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::augment {

// The copying check's three distributions (root-aligned mean per-joint distances, metres), over one fraction's cells.
struct CopyingDistances {
  std::vector<double> generated_to_train;  // each generated clip to its nearest real clip of its cell's subset
  std::vector<double> generated_to_test;   // ... to its nearest held-out clip of its cell
  std::vector<double> train_to_test;       // each real training clip of the subsets to its nearest held-out clip
};

// Whether a generated set copies real clips: its clips' distances to the nearest real training clip of their cell and
// to the nearest held-out clip, beside the real training clips' own distance to the held-out ones. A set much nearer
// the held-out clips than real training clips are would inflate a recogniser's held-out gain. Real clips are compared
// at a generated set's length through their middle window, as the generation metrics do.
class CopyingCheck {
 public:
  // `real`: the study's dataset; it must outlive the check.
  explicit CopyingCheck(const data::SkeletonDataset& real);

  // Adds one cell's generated set (fixed-length clips) to `distances`, with the real clips its cell trained on and
  // those its recognisers are evaluated on (the test split, or a validation study's clips).
  void add(const data::SkeletonDataset& generated, const std::vector<std::int64_t>& training_subset,
           const std::vector<std::int64_t>& held_out, CopyingDistances& distances);

  // `clips` of `dataset` as the check compares them: each through its middle window of `length` frames, stacked.
  struct PreparedClips {
    at::Tensor joints;  // [N, T, J, 3]
    at::Tensor valid;   // [N, T]
  };
  static PreparedClips prepare(const data::SkeletonDataset& dataset, const std::vector<std::int64_t>& clips,
                               std::int64_t length);

 private:
  const data::SkeletonDataset& real_;
  // The last held-out clips prepared, and at which length: a test study's cells share them, so they are prepared
  // once; a left-out-clip validation study's differ by cell, and one set at a time bounds the memory.
  std::int64_t held_out_length_ = -1;
  std::vector<std::int64_t> held_out_clips_;
  PreparedClips held_out_;
};

}  // namespace skelaug::augment
