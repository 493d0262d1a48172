#pragma once

#include "skelaug/training/trainer.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::training {

// The `train` section: schedule, optimiser, checkpoints, gradient buckets and the timeline.
void add_training_config_keys(core::Schema& schema);
TrainerOptions trainer_options(const core::Config& config, const torch::Device& device);
// `train.batch_size` (global) divided among `world_size` ranks; a UserError when it does not divide evenly.
std::int64_t per_rank_batch(const core::Config& config, int world_size);
// The learning rate at `epoch` under the step schedule.
double learning_rate(const core::Config& config, std::int64_t epoch);

}  // namespace skelaug::training
