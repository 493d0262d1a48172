#pragma once

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/models/recognizer.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::models {

// The `recognizer` section: architecture, input streams, sizes, dropout and label smoothing.
void add_recognizer_config_keys(core::Schema& schema);
// Options for `dataset` (topology, classes) from the `recognizer` section; recognizer.base_channels 0 takes the
// architecture's published width (published_base_channels).
RecognizerOptions recognizer_options(const core::Config& config, const data::SkeletonDataset& dataset);
// ST-GCN++ 64, CTR-GCN 64, MS-G3D 96, BlockGCN 128 (its paper's model), a2m_gru 128 (Action2Motion's GRU).
std::int64_t published_base_channels(const std::string& architecture);

}  // namespace skelaug::models
