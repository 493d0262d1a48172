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

// The exemplar a training clip is conditioned on (exemplar mode).
enum class TrainingExemplar {
  kSame,   // the clip itself
  kOther,  // another clip of its class
};

struct GeneratorSettings {
  // Sizes and conditioning; num_joints and num_classes come from the dataset (for_dataset), clip_length from
  // data.clip_length.
  GeneratorOptions architecture;
  GeneratorLossWeights loss;
  std::int64_t diffusion_steps = 1000;  // of the cosine schedule
  double ema_decay = 0.999;
  TrainingExemplar exemplar = TrainingExemplar::kSame;

  // The architecture for `dataset`'s joints and classes.
  GeneratorOptions for_dataset(const data::SkeletonDataset& dataset) const;
};

// The `generator` section (and data.clip_length). A UserError naming the key for sizes that do not fit together.
GeneratorSettings generator_settings(const core::Config& config);

}  // namespace skelaug::models
