#pragma once

#include <filesystem>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// The dataset file: one .npz that plain numpy reads (numpy.load), holding
//   joints      float32 [total_frames, J, 3]   clips back to back
//   offsets     int64   [N+1]                  clip i = joints[offsets[i]:offsets[i+1]]
//   labels      int64   [N]
//   class_names <U      [C]
//   topology    <U      0-d                    its name: smpl24 | hml22 | ntu25 | vibe18 | a topology file's name
//   topology_*                                 its whole definition (joints, parents, mirror pairs, feet, up axis,
//                                              groups), so the file needs no topology file to be read; files
//                                              without it name a built-in
//   fps         float64 0-d
// and, where known, per clip: subject, camera, body (int64 [N], -1 unknown), split, source (<U [N]); for generated
// clips, their provenance: gen_exemplar, gen_seed, gen_rounds (int64 [N]), gen_deviation, gen_confidence
// (float32 [N], NaN where not computed).
// save_dataset validates first, then writes atomically; load_dataset validates what it read, and also reads a complete
// sample directory (sample_directory.h) as one dataset. Both throw core::UserError naming the file.
void save_dataset(const std::filesystem::path& file, const SkeletonDataset& dataset);
SkeletonDataset load_dataset(const std::filesystem::path& file);

}  // namespace skelaug::data
