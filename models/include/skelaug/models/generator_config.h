#pragma once

#include "skelaug/data/skeleton_dataset.h"
#include "skelaug/models/generator.h"
#include "skelaug/models/generator_objective.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::models {

// The `generator` section: architecture, diffusion, losses, EMA.
void add_generator_config_keys(core::Schema& schema);
// The architecture from the config; joints, classes and clip length from the dataset and `data.clip_length`.
GeneratorOptions generator_options(const core::Config& config, const data::SkeletonDataset& dataset);
GeneratorLossWeights generator_loss_weights(const core::Config& config);
// The `sample` section: sampler, sampling-time dropout, guidance.
void add_sampling_config_keys(core::Schema& schema);

}  // namespace skelaug::models
