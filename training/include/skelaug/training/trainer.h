#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <functional>
#include <memory>

#include "skelaug/core/metrics_writer.h"
#include "skelaug/core/run_directory.h"
#include "skelaug/core/timeline.h"
#include "skelaug/data/skeleton_loader.h"
#include "skelaug/distributed/communicator.h"
#include "skelaug/distributed/gradient_reducer.h"
#include "skelaug/training/autocast.h"
#include "skelaug/training/checkpoint.h"
#include "skelaug/training/resume_policy.h"

namespace skelaug::training {

// What a step whose loss or averaged gradients are not finite (NaN or infinite) does.
enum class NonFinitePolicy {
  kStop,  // the job ends (exit 1) at once, before the update; the checkpoints written so far stay
  kSkip,  // the step's update is dropped (the step still counts, so batches and resume stay aligned); more than
          // max_nonfinite_skips in a row end the job as kStop does
};

struct TrainerOptions {
  std::int64_t epochs = 1;
  std::int64_t max_steps = 0;         // optimiser steps; 0 = no limit besides epochs
  std::int64_t accumulation = 1;      // micro-batches (loader batches) per optimiser step
  std::int64_t checkpoint_every = 0;  // optimiser steps between checkpoints; 0 = at the end (and on preemption) only
  int keep_checkpoints = 3;
  ResumeMode resume = ResumeMode::kAuto;  // what to do with the run directory's checkpoints
  bool timeline = false;              // write logs/timeline-rank<r>.json (Chrome trace)
  double progress_interval_s = 30;
  std::uint64_t seed = 0;
  distributed::ReducerOptions reducer;
  torch::Device device = torch::kCPU;
  Precision precision = Precision::kFloat32;  // of the forward pass (loss); backward follows what forward recorded
  NonFinitePolicy nonfinite = NonFinitePolicy::kStop;
  std::int64_t max_nonfinite_skips = 10;
};

// The loss of one micro-batch (already on the trainer's device), a scalar averaged over its rows.
using LossFunction = std::function<torch::Tensor(const data::Batch& batch)>;

// The data-parallel training loop every model shares. Each step: micro-batches through `loss` and backward with the
// GradientReducer overlapping gradient averaging with backward (communication only on the last micro-batch), the
// optimiser step, after one small all-reduce that averages the loss for the log and carries the preemption flag and
// whether any rank saw a non-finite loss or gradient (every rank then takes the same decision, options.nonfinite).
// Rank 0 writes metrics.jsonl and checkpoints (never of a model with a non-finite weight); every rank resumes from the
// newest checkpoint that passes its checksum and loads (CheckpointStore::load_newest_valid), after rank 0 has removed
// what a writer killed mid-write left, and the ranks check that they resumed from the same step. A SIGTERM/SIGUSR1 on
// any rank makes all ranks stop at the same step boundary after a checkpoint: fit() then returns core::kPreempted.
class Trainer {
 public:
  Trainer(torch::nn::Module& model, torch::optim::Optimizer& optimizer, distributed::Communicator& communicator,
          const core::RunDirectory& run, core::MetricsWriter* metrics, TrainerOptions options);

  int fit(data::SkeletonLoader& loader, const LossFunction& loss);

  const TrainingState& state() const { return state_; }
  core::Timeline& timeline() { return timeline_; }
  CheckpointStore& checkpoints() { return checkpoints_; }
  // Runs after every optimiser step (an EMA update, a learning-rate schedule, an extra metric).
  std::function<void(const TrainingState&)> after_step;
  // Runs on every rank after each completed epoch (state.epoch = epochs completed), before the next one starts and
  // before the final checkpoint: a held-out evaluation, say. Collectives inside it are fine: all ranks call it.
  std::function<void(const TrainingState&)> after_epoch;
  // Optional EMA weights saved in checkpoints.
  torch::nn::Module* ema = nullptr;

 private:
  void save_checkpoint();
  void synchronize_buffers();
  // Restores the newest good checkpoint (per options.resume) and checks that every rank did the same; returns whether
  // a stop signal reached any rank before training started. A collective.
  bool resume();
  bool any_rank_signalled();  // a collective

  torch::nn::Module& model_;
  torch::optim::Optimizer& optimizer_;
  distributed::Communicator& communicator_;
  const core::RunDirectory& run_;
  core::MetricsWriter* metrics_;
  TrainerOptions options_;
  CheckpointStore checkpoints_;
  core::Timeline timeline_;
  TrainingState state_;
};

}  // namespace skelaug::training
