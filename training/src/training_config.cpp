#include "skelaug/training/training_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"
#include "skelaug/training/resume_policy.h"

namespace skelaug::training {

void add_training_config_keys(core::Schema& schema) {
  schema.add_int("train.epochs", 10, 1, 1000000, "passes over the training clips")
      .add_int("train.max_steps", 0, 0, 1000000000, "stop after this many optimiser steps; 0 = after train.epochs")
      .add_int("train.batch_size", 32, 1, 1000000, "global batch: clips per optimiser step over all ranks")
      .add_int("train.accumulation", 1, 1, 1024, "micro-batches per optimiser step (gradient accumulation)")
      .add_float("train.lr", 1e-4, 1e-9, 10.0, "learning rate (AdamW)")
      .add_float("train.weight_decay", 0.0, 0.0, 1.0, "AdamW weight decay")
      .add_choice("train.lr_schedule", "step", {"step", "cosine"},
                  "step: train.lr_decay every train.lr_decay_every_epochs; cosine: from train.lr to 0 over the run")
      .add_int("train.lr_decay_every_epochs", 0, 0, 1000000, "multiply the learning rate by train.lr_decay every N epochs; 0 = never")
      .add_float("train.lr_decay", 0.1, 1e-6, 1.0, "the step decay factor")
      .add_int("train.checkpoint_every", 0, 0, 1000000000, "optimiser steps between checkpoints; 0 = at the end and on preemption")
      .add_int("train.keep_checkpoints", 3, 1, 1000, "newest checkpoints kept in <run>/checkpoints")
      .add_choice("train.resume", "auto", {"auto", "never", "must"},
                  "auto: continue from the run directory's newest good checkpoint if any; never: refuse a directory "
                  "with checkpoints; must: fail if there is none")
      .add_bool("train.timeline", false, "write logs/timeline-rank<r>.json, a Chrome trace of each step")
      .add_choice("train.precision", "float32", {"float32", "bf16"},
                  "forward-pass precision: float32, or bf16 autocast (GPUs with bf16 tensor cores; weights stay float32)")
      .add_float("train.bucket_cap_mb", 25.0, 0.0001, 4096.0, "gradient bucket size for all-reduce, MiB")
      .add_float("train.first_bucket_cap_mb", 1.0, 0.0001, 4096.0, "size of the first (earliest) gradient bucket, MiB")
      .add_choice("train.nonfinite", "stop", {"stop", "skip"},
                  "a step with a NaN or infinite loss or gradient on any rank: stop the job (exit 1), or skip its update")
      .add_int("train.nonfinite_max_skips", 10, 0, 1000000,
               "with train.nonfinite=skip: stop after more than this many skipped steps in a row");
}

TrainOptions train_options(const core::Config& config) {
  TrainOptions options;
  auto& trainer = options.trainer;
  trainer.epochs = config.get_int("train.epochs");
  trainer.max_steps = config.get_int("train.max_steps");
  trainer.accumulation = config.get_int("train.accumulation");
  trainer.checkpoint_every = config.get_int("train.checkpoint_every");
  trainer.keep_checkpoints = static_cast<int>(config.get_int("train.keep_checkpoints"));
  trainer.resume = parse_resume_mode(config.get_string("train.resume"));
  trainer.timeline = config.get_bool("train.timeline");
  trainer.progress_interval_s = config.get_float("run.progress_interval_s");
  trainer.seed = static_cast<std::uint64_t>(config.get_int("run.seed"));
  trainer.reducer.bucket_cap_bytes = static_cast<std::int64_t>(config.get_float("train.bucket_cap_mb") * 1048576.0);
  trainer.reducer.first_bucket_cap_bytes =
      static_cast<std::int64_t>(config.get_float("train.first_bucket_cap_mb") * 1048576.0);
  trainer.precision = parse_precision(config.get_string("train.precision"));
  trainer.nonfinite =
      config.get_string("train.nonfinite") == "skip" ? NonFinitePolicy::kSkip : NonFinitePolicy::kStop;
  trainer.max_nonfinite_skips = config.get_int("train.nonfinite_max_skips");

  auto& schedule = options.learning_rate;
  schedule.kind = config.get_string("train.lr_schedule") == "cosine" ? LearningRateSchedule::Kind::kCosine
                                                                     : LearningRateSchedule::Kind::kStep;
  schedule.base = config.get_float("train.lr");
  schedule.decay_every_epochs = config.get_int("train.lr_decay_every_epochs");
  schedule.decay = config.get_float("train.lr_decay");

  options.batch_size = config.get_int("train.batch_size");
  options.weight_decay = config.get_float("train.weight_decay");
  return options;
}

std::int64_t TrainOptions::per_rank_batch(int world_size) const {
  const auto micro = trainer.accumulation;
  if (batch_size % (world_size * micro) != 0) {
    throw core::UserError(fmt::format("train.batch_size: {} clips do not split evenly over {} rank(s) x {} micro-batch(es)",
                                      batch_size, world_size, micro));
  }
  return batch_size / world_size / micro;
}

double LearningRateSchedule::at(std::int64_t epoch, double progress) const {
  if (kind == Kind::kCosine) return 0.5 * base * (1.0 + std::cos(M_PI * std::clamp(progress, 0.0, 1.0)));
  if (decay_every_epochs <= 0) return base;
  return base * std::pow(decay, static_cast<double>(epoch / decay_every_epochs));
}

double TrainOptions::progress(const TrainingState& state, std::int64_t loader_steps_per_epoch) const {
  const auto micro = trainer.accumulation;
  const auto steps_per_epoch = (loader_steps_per_epoch + micro - 1) / micro;
  auto total = trainer.epochs * steps_per_epoch;
  if (trainer.max_steps > 0) total = std::min(total, trainer.max_steps);
  return total > 0 ? static_cast<double>(state.global_step) / static_cast<double>(total) : 1.0;
}

}  // namespace skelaug::training
