#pragma once

#include <cstdint>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// The noise baseline of generative augmentation papers: `copies` copies of each of `clips`, every coordinate of every
// frame shifted by its own draw from a Gaussian (mean `mean`, standard deviation `std`, metres). The copies keep their
// clip's label, subject, camera, body and split; their source names the clip and the copy. Draws depend on (seed,
// clip index, copy) only, so the same arguments give the same file.
struct NoisyCopyOptions {
  std::int64_t copies = 5;
  double mean = 0.02;
  double std = 0.05;
  std::uint64_t seed = 0;
};
SkeletonDataset noisy_copies(const SkeletonDataset& dataset, const std::vector<std::int64_t>& clips,
                             const NoisyCopyOptions& options);

}  // namespace skelaug::data
