#pragma once

#include "skelaug/data/data_config.h"
#include "skelaug/models/generator_config.h"
#include "skelaug/training/training_config.h"
#include "skelaug/training/training_world.h"

namespace skelaug::core {
class Config;
}  // namespace skelaug::core

namespace skelaug::training {

// What `skelaug train generator` does, from its config's sections.
struct GeneratorTrainingOptions {
  data::DataOptions data;              // the training clips (data.train, split, fraction) and their preparation
  TrainOptions train;                  // loop, schedule, batch
  models::GeneratorSettings generator;  // network, losses, diffusion steps, EMA, training exemplars
};

// The data, train and generator sections.
GeneratorTrainingOptions generator_training_options(const core::Config& config);

// Data-parallel diffusion training of the conditional skeleton generator: AdamW with the train section's schedule on
// the x0 diffusion loss (generator_loss) of the training clips, features normalised with statistics of those clips
// (stored in the model), the exponential moving average of the weights kept beside them in every checkpoint. Each
// clip's timestep, noise and condition dropout, and in `other` exemplar mode its exemplar, are seeded from (seed,
// step, clip), so the result does not depend on how many ranks share the global batch. Every rank of the job calls it.
// Returns core::kSuccess, or core::kPreempted after a stop signal (a checkpoint was written).
int train_generator(const GeneratorTrainingOptions& options, const TrainingWorld& world);

}  // namespace skelaug::training
