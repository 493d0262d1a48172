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
// The learning rate at `epoch`, `progress` (optimiser steps taken / steps of the whole run, in [0, 1]) through the
// run: `train.lr` decayed by `train.lr_decay` every `train.lr_decay_every_epochs` (step), or annealed along a cosine
// from `train.lr` to 0 over the run (cosine, as PYSKL trains its recognisers).
double learning_rate(const core::Config& config, std::int64_t epoch, double progress);
// Optimiser steps taken / steps the run will take (from train.epochs, train.max_steps, train.accumulation).
double run_progress(const core::Config& config, const TrainingState& state, std::int64_t loader_steps_per_epoch);

}  // namespace skelaug::training
