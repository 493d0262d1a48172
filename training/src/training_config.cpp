#include "skelaug/training/training_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "skelaug/core/config.h"
#include "skelaug/core/error.h"

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
      .add_bool("train.resume", true, "continue from the run directory's newest checkpoint if there is one")
      .add_bool("train.timeline", false, "write logs/timeline-rank<r>.json, a Chrome trace of each step")
      .add_choice("train.precision", "float32", {"float32", "bf16"},
                  "forward-pass precision: float32, or bf16 autocast (GPUs with bf16 tensor cores; weights stay float32)")
      .add_float("train.bucket_cap_mb", 25.0, 0.0001, 4096.0, "gradient bucket size for all-reduce, MiB")
      .add_float("train.first_bucket_cap_mb", 1.0, 0.0001, 4096.0, "size of the first (earliest) gradient bucket, MiB");
}

TrainerOptions trainer_options(const core::Config& config, const torch::Device& device) {
  TrainerOptions options;
  options.epochs = config.get_int("train.epochs");
  options.max_steps = config.get_int("train.max_steps");
  options.accumulation = config.get_int("train.accumulation");
  options.checkpoint_every = config.get_int("train.checkpoint_every");
  options.keep_checkpoints = static_cast<int>(config.get_int("train.keep_checkpoints"));
  options.resume = config.get_bool("train.resume");
  options.timeline = config.get_bool("train.timeline");
  options.progress_interval_s = config.get_float("run.progress_interval_s");
  options.seed = static_cast<std::uint64_t>(config.get_int("run.seed"));
  options.reducer.bucket_cap_bytes = static_cast<std::int64_t>(config.get_float("train.bucket_cap_mb") * 1048576.0);
  options.reducer.first_bucket_cap_bytes =
      static_cast<std::int64_t>(config.get_float("train.first_bucket_cap_mb") * 1048576.0);
  options.device = device;
  options.precision = parse_precision(config.get_string("train.precision"));
  return options;
}

std::int64_t per_rank_batch(const core::Config& config, int world_size) {
  const auto global = config.get_int("train.batch_size");
  const auto micro = config.get_int("train.accumulation");
  if (global % (world_size * micro) != 0) {
    throw core::UserError(fmt::format("train.batch_size: {} clips do not split evenly over {} rank(s) x {} micro-batch(es)",
                                      global, world_size, micro));
  }
  return global / world_size / micro;
}

double learning_rate(const core::Config& config, std::int64_t epoch, double progress) {
  const auto every = config.get_int("train.lr_decay_every_epochs");
  const double base = config.get_float("train.lr");
  if (config.get_string("train.lr_schedule") == "cosine") {
    return 0.5 * base * (1.0 + std::cos(M_PI * std::clamp(progress, 0.0, 1.0)));
  }
  if (every <= 0) return base;
  return base * std::pow(config.get_float("train.lr_decay"), static_cast<double>(epoch / every));
}

double run_progress(const core::Config& config, const TrainingState& state, std::int64_t loader_steps_per_epoch) {
  const auto micro = config.get_int("train.accumulation");
  const auto steps_per_epoch = (loader_steps_per_epoch + micro - 1) / micro;
  auto total = config.get_int("train.epochs") * steps_per_epoch;
  if (config.get_int("train.max_steps") > 0) total = std::min(total, config.get_int("train.max_steps"));
  return total > 0 ? static_cast<double>(state.global_step) / static_cast<double>(total) : 1.0;
}

}  // namespace skelaug::training
