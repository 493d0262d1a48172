#pragma once

#include "skelaug/data/demo_dataset.h"
#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::testing {

// A small demo dataset of whole clips: 14 classes x 4 clips, subjects 0-2 of 4 in the training split and subject 3
// in the test split, 30 to 40 frames each.
inline data::SkeletonDataset small_demo_dataset() {
  data::DemoOptions options;
  options.clips_per_class = 4;
  options.subjects = 4;
  options.min_frames = 30;
  options.max_frames = 40;
  return data::make_demo_dataset(options);
}

}  // namespace skelaug::testing
