#pragma once

#include "skelaug/training/trainer.h"

namespace skelaug::core {
class Config;
class Schema;
}  // namespace skelaug::core

namespace skelaug::training {

// The `train` section: schedule, optimiser, checkpoints, gradient buckets and the timeline.
void add_training_config_keys(core::Schema& schema);

// The learning rate over a run: `base` decayed by `decay` every `decay_every_epochs` epochs (step; 0 = never), or
// annealed along a cosine from `base` to 0 over the run (cosine, as PYSKL trains its recognisers).
struct LearningRateSchedule {
  enum class Kind { kStep, kCosine };
  Kind kind = Kind::kStep;
  double base = 1e-4;
  std::int64_t decay_every_epochs = 0;
  double decay = 0.1;

  // The rate at `epoch`, `progress` (optimiser steps taken / steps of the whole run, in [0, 1]) through the run.
  double at(std::int64_t epoch, double progress) const;
};

struct TrainOptions {
  TrainerOptions trainer;        // the loop; its device is the job's (TrainingWorld), set when the job starts
  LearningRateSchedule learning_rate;
  std::int64_t batch_size = 32;  // global: clips per optimiser step over all ranks
  double weight_decay = 0.0;

  // `batch_size` divided among `world_size` ranks and the accumulation's micro-batches; a UserError naming
  // train.batch_size when it does not divide evenly.
  std::int64_t per_rank_batch(int world_size) const;
  // Optimiser steps taken / steps the run will take (from the epochs, max_steps and accumulation).
  double progress(const TrainingState& state, std::int64_t loader_steps_per_epoch) const;
};

// The `train` section (and run.seed, run.progress_interval_s).
TrainOptions train_options(const core::Config& config);

}  // namespace skelaug::training
