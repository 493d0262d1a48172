#pragma once

#include <filesystem>
#include <string>

#include "skelaug/data/skeleton_dataset.h"

namespace skelaug::data {

// Writes `dataset` as a PYSKL annotation pickle (what PYSKL's PoseDataset reads):
//   {'split': {name: [frame_dir...]}, 'annotations': [{'frame_dir', 'label', 'keypoint' float32 (M, T, V, 3),
//    'total_frames'}...]}
// One annotation per clip (M = 1), except that clips with the same (non-empty) source and different body values are
// one annotation with M bodies, in body order; shorter bodies are padded with zeros to the longest (PYSKL's
// convention for an absent body). frame_dir: the source's file stem (made unique with "_<clip>"), or "clip<N>".
// Split names: "<split_prefix>_train" for split "train" and clips without a split, "<split_prefix>_val" for "test"
// (PYSKL's and the paper's xsub_train / xsub_val), "<split_prefix>_<split>" for any other split value.
// The pickle is written by data/pickle_formats/pyskl_export.py to a temporary name and renamed (atomic).
// Throws core::UserError for clips of one recording with different labels or splits, or an unwritable output.
void export_pyskl(const SkeletonDataset& dataset, const std::filesystem::path& output, const std::string& split_prefix);

}  // namespace skelaug::data
