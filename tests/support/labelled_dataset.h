#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::testing {

// A dataset on hml22 of 2-frame all-zero clips with the given labels: for tests where only labels matter.
inline data::SkeletonDataset labelled_dataset(const std::vector<std::int64_t>& labels,
                                              std::vector<std::string> class_names) {
  data::SkeletonDataset dataset;
  dataset.topology = "hml22";
  dataset.fps = 20;
  dataset.class_names = std::move(class_names);
  const std::vector<float> frames(2 * 22 * 3, 0.f);
  for (const auto label : labels) dataset.add_clip(frames.data(), 2, label, {});
  return dataset;
}

}  // namespace skelaug::testing
